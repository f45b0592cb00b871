// Package i18n owns Tend's message catalogue: every piece of interface text,
// by message id, in each language, on golang.org/x/text.
//
// Messages live in embedded JSON files (messages/<BCP 47 tag>.json); English
// is the source. A pseudo-locale (en-XA) marks every message so that a test
// can find text that bypasses the catalogue. The package never shows a
// blank: a missing id renders as the id itself, and Has reports it.
package i18n
