// Package medication owns the person's medication list (DESIGN.md "Who
// sees what"): kept by their prescriber, seen by their therapist and care
// coordinator and by the person. Name, dose and schedule are health data,
// sealed with the person's key; every staff read and every change is
// audited. A stopped medication is never deleted: it stays on the list as
// stopped, with its date. It must never judge, score or remind.
package medication
