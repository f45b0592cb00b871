// Package careteam owns a person's care team (who is on it, in which role,
// active, follow-up-only or ended), the person's sharing grants per member and
// area, the service's sharing defaults per role, the supporters a person
// invites, and the notices that tell the person about every change. It checks
// access through the access package before touching data and writes every
// change with its audit event and notice in one unit of work. Nobody can add
// themselves to a care team, and only the person sets what is shared.
package careteam
