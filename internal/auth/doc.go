// Package auth owns accounts and how they prove who they are: argon2id
// passwords, staff second factors (TOTP), invitations for people, sessions,
// recovery and reset codes, API tokens and database-held rate limits. It
// never stores a password, code or token in a form that can be replayed (only
// hashes), and never answers differently for an unknown account.
package auth
