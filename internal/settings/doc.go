// Package settings owns the service's settings that safety depends on: its
// name, country, time zone, working hours and holidays, out-of-hours route,
// emergency wording and its own help lines. They are held in memory (Cache)
// so the help page never needs the database; serve refuses to start outside
// demo mode until the required ones are set. Settings never hold anything
// about a person.
package settings
