package channel

import (
	"context"
	"io"
	"net/http"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"
	"github.com/tendcare/tend/internal/notify"
)

// WebPush sends Web Push requests. It follows no redirects, so a push
// service cannot send Tend's request to a host the service did not allow.
type WebPush struct {
	client *http.Client
}

// NewWebPush returns a WebPush with a 20-second timeout.
func NewWebPush() *WebPush {
	return &WebPush{client: &http.Client{
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Push encrypts r.Payload for the subscription (aes128gcm), signs the
// VAPID header and posts it to the endpoint. It returns the push
// service's status, or an error when it was not reached.
func (w *WebPush) Push(ctx context.Context, r notify.PushRequest) (int, error) {
	resp, err := webpush.SendNotificationWithContext(ctx, r.Payload, &webpush.Subscription{
		Endpoint: r.Endpoint, Keys: webpush.Keys{Auth: r.Auth, P256dh: r.P256dh},
	}, &webpush.Options{
		HTTPClient: w.client, Subscriber: r.Subject, Topic: r.Topic, TTL: r.TTL,
		Urgency: webpush.UrgencyNormal, VAPIDPublicKey: r.VAPIDPublic, VAPIDPrivateKey: r.VAPIDPrivate,
	})
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}
