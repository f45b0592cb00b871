// Package notify delivers neutral notifications to a person or a staff
// member through the channels they have set up: Web Push (RFC 8291
// aes128gcm with VAPID, RFC 8292) to every browser subscription of the
// account, and e-mail through the service's SMTP server, to a person's
// verified address or, when the service turns it on, a staff member's work
// address (docs/notifications.md).
//
// A notification never holds anything personal: its wording is the
// service's ("You have a reminder"), discreet mode swaps in the service's
// discreet wording and sender name, and the only other things it carries
// are the path on Tend it opens and the delivery's id. The server calls
// out only to the push services the service allows and to its SMTP server
// (safety-rules.md section 7).
//
// The transports (the Web Push request and SMTP) are in the subpackage
// channel, behind the Pusher and Mailer interfaces, so this package stays
// free of HTTP. The loopback receivers the tests use are
// testenv.NewPushReceiver and testenv.NewSMTPServer.
package notify
