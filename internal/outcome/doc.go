// Package outcome computes the service outcome measures of
// clinical/outcomes.md from summaries of episodes of care: incident counts,
// coverage and rates per period, per-person change (the primary measure),
// people with no self-harm, the group rate ratio with its
// people-resampling interval (and the Poisson interval for comparison),
// emotion means, skills categories, urges ridden out, questionnaire change
// by each instrument's rule, follow-up reached / due, NICE QS34, referral to
// first session and engagement, and the disclosure control every report for
// anyone but the person's own care team goes through.
//
// The package is pure: no I/O, no clock, no randomness beyond its fixed
// seed, so that the same input always gives the same report. It never
// ranks, scores or labels a person (safety-rules.md section 1): it reads
// people only to aggregate them.
package outcome
