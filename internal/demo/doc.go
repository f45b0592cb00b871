// Package demo holds the made-up service that 'tend serve --demo' runs: its
// settings now, and its accounts once they exist. Nothing here is about a
// real person or a real service, and demo data never reaches a live
// database (store.ClaimMode).
package demo
