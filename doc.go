// Package tend is the shared vocabulary of Tend, an open-source platform that
// supports therapy for people who self-harm.
//
// Glossary (one spelling each in code, routes and text):
//
//   - person, people: someone Tend serves, with their own account. Never
//     "patient"; "client" only where a service chooses that word in its own
//     content.
//   - staff: members of the service, with roles clinician, lead and admin.
//   - service: the organisation that runs a Tend deployment; it has teams.
//   - care team: the staff who work with one person (therapist, prescriber,
//     group facilitator, care coordinator).
//   - help page: the crisis resources page, reachable from every page.
//   - diary card, safety plan, toolbox, measure, episode of care, follow-up
//     task: see DESIGN.md.
//
// The root package holds only what every other package shares: identifiers,
// error kinds and the clock. It imports nothing from this module.
package tend
