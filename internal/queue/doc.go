// Package queue shows admins what Tend does in the background: per job
// kind, how many jobs wait, run, failed or finished, the last error, and a
// retry of a failed job. It shows no personal content: job arguments hold
// ids only and are never shown, and an error is cut to one short line of
// the words Tend's workers write (ids and counts). Admins only; views and
// retries are audited.
package queue
