// Package notes owns clinician notes: free or tied to a session, written and
// read by the person's therapist, prescriber and care coordinator only
// (DESIGN.md "Who sees what"), sealed with the service records key, every
// read and write audited. A note is never edited in place: a correction is a
// new version, and every version stays. Notes are never rendered on a
// person's pages, and nothing is derived from a safety formulation.
package notes
