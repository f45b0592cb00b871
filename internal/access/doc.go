// Package access decides who may do what with a person's data: the fixed
// action vocabulary, the sharing areas and levels, the policy as one table of
// rules (policy.go, reviewed by clinicians), and the Checker that domain
// services call once, before touching data. It imports only the root package;
// it never reads the database itself (the Facts it needs are loaded through a
// consumer-side interface, fresh on every check), and it never allows what no
// rule allows.
package access
