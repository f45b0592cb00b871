// Package followup owns follow-up tasks (safety-rules.md section 4): one open
// task per person, to which each trigger (a request for contact now; acts,
// urges to die and PHQ-9 item 9 later) is added once with when it was
// recorded and received, routed to the person's care team or the duty team.
// It never scores, ranks or colours a task, never implies follow-up that has
// no route, and shows staff only the trigger kind and time unless the area
// the details come from is shared with them.
package followup
