// Package groups owns support groups (DESIGN.md "Who sees what"): the
// groups a facilitator runs, the people they enrol (only people whose care
// team they are on as group facilitator) and attendance per meeting. The
// facilitator records it, the person's therapist and the person see it.
// Attendance is a plain record: it never counts streaks or missed meetings
// against anyone, and it never opens the person's other records.
package groups
