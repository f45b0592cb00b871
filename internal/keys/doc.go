// Package keys reads and writes the service key file that 'tend keys init'
// creates. Keys carry ids so they can be rotated; they live in a file or the
// environment, never in the database, and are never logged.
package keys
