// Package rights owns the person's rights over their data: "Download my
// information" (a zip of everything about them, built by a background job
// and kept sealed under their own key until downloaded or expired) and
// "Erase my account" (after the service's hold, their content deleted and
// their data key destroyed). Only the person may ask for either; nothing
// personal ever goes into a job's arguments, a notice or a log line.
package rights
