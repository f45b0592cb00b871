// Package remind owns the reminders a person controls: their preferences
// (all off until they turn them on), the schedule that finds reminders due
// in the person's own time zone, and the record of each send, once per
// occurrence. Only the person sets or sees their reminders; staff never do.
// A reminder never carries anything personal: the channel gets a send id,
// a kind and a path to a page.
package remind
