// Package channel holds the transports internal/notify delivers through:
// Web Push requests (RFC 8291 encryption and VAPID, with
// github.com/SherClockHolmes/webpush-go) and SMTP (github.com/wneessen/go-mail).
// They live apart from the domain package so that it stays free of HTTP
// (STYLE.md); cmd/tend wires them in (docs/notifications.md).
package channel
