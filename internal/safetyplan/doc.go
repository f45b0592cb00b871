// Package safetyplan owns "My safety plan" (clinical/safety-plan.md): the six
// steps, what matters most, reasons for living and what might get in the
// way, kept as versions that are never overwritten. A save based on an older
// version merges, keeping both sides' entries, so no text is ever lost. It
// checks access once per call, audits every staff read and every change, and
// seals all text through the vault; it never touches SQL or HTTP.
package safetyplan
