// Package journal owns the reflective journal (clinical/skills.md): entries
// the person writes, private by default and read by a care-team member only
// through the person's journal grant; the service's open prompts; and the
// deeper prompts a clinician assigns to one person. It seals every word
// through the vault, audits every staff read and every change, merges a
// save from an older revision instead of overwriting text, and never scans
// what a person writes. It never touches SQL or HTTP.
package journal
