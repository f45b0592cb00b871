package notify

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/vault"
)

// maxEndpoint bounds a subscription's endpoint URL.
const maxEndpoint = 2048

// pushTTL is how long a push service keeps an undelivered message.
const pushTTL = 24 * 60 * 60

// vapidKeys are the service's VAPID key pair, base64url without padding.
type vapidKeys struct{ public, private string }

// subscription is the browser's PushSubscription JSON.
type subscription struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

func b64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}

func (s *Service) loopback(host string) bool {
	if !s.opt.AllowLoopback {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkEndpoint returns EINVALID unless endpoint is an https URL on an
// allowed push-service host (or, when allowed, a loopback URL).
func (s *Service) checkEndpoint(endpoint string, hosts []string) error {
	bad := tend.Errorf(tend.EINVALID, "This browser's push service is not one this service allows.")
	if len(endpoint) > maxEndpoint {
		return bad
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.User != nil || u.Host == "" || u.Fragment != "" {
		return bad
	}
	host := u.Hostname()
	if s.loopback(host) && (u.Scheme == "http" || u.Scheme == "https") {
		return nil
	}
	if u.Scheme != "https" || (u.Port() != "" && u.Port() != "443") || !hostAllowed(hosts, host) {
		return bad
	}
	return nil
}

func (s *Service) parseSubscription(raw []byte) (subscription, error) {
	var sub subscription
	if err := json.Unmarshal(raw, &sub); err != nil || sub.Endpoint == "" {
		return sub, tend.Errorf(tend.EINVALID, "This is not a push subscription.")
	}
	if err := s.checkEndpoint(sub.Endpoint, s.Settings().PushHosts); err != nil {
		return sub, err
	}
	p, err := b64(sub.Keys.P256dh)
	if err != nil {
		return sub, tend.Errorf(tend.EINVALID, "This push subscription's key is not valid.")
	}
	if _, err := ecdh.P256().NewPublicKey(p); err != nil {
		return sub, tend.Errorf(tend.EINVALID, "This push subscription's key is not valid.")
	}
	if a, err := b64(sub.Keys.Auth); err != nil || len(a) != 16 {
		return sub, tend.Errorf(tend.EINVALID, "This push subscription's secret is not valid.")
	}
	return sub, nil
}

func signedIn(actor tend.Actor) error {
	if actor.ID == "" || (actor.Kind != tend.KindPerson && actor.Kind != tend.KindStaff) {
		return tend.Errorf(tend.EUNAUTHORIZED, "Please sign in.")
	}
	if actor.Scopes != nil {
		return tend.Errorf(tend.EFORBIDDEN, "Notifications are set up while signed in, not with a token.")
	}
	return nil
}

func personOf(actor tend.Actor) tend.ID {
	if actor.Kind == tend.KindPerson {
		return actor.ID
	}
	return ""
}

func pushField(id tend.ID) vault.Field {
	return vault.Field{Table: "push_subscriptions", Column: "subscription", Row: id}
}

func (s *Service) sealSub(ctx context.Context, acc Recipient, id tend.ID, b []byte) ([]byte, error) {
	if acc.Kind == tend.KindPerson {
		return s.sealer.SealPerson(ctx, acc.ID, pushField(id), b)
	}
	return s.sealer.SealRecord(ctx, pushField(id), b)
}

func (s *Service) openSub(ctx context.Context, r PushRecord) (subscription, error) {
	var b []byte
	var err error
	if r.Account.Kind == tend.KindPerson {
		b, err = s.sealer.OpenPerson(ctx, r.Account.ID, pushField(r.ID), r.Sealed)
	} else {
		b, err = s.sealer.OpenRecord(ctx, pushField(r.ID), r.Sealed)
	}
	var sub subscription
	if err != nil {
		return sub, err
	}
	return sub, json.Unmarshal(b, &sub)
}

// Subscribe keeps the browser's push subscription (its PushSubscription
// JSON) for the signed-in account, replacing one with the same endpoint.
// EINVALID when the endpoint is not on an allowed push service;
// ERATELIMITED past the limit.
func (s *Service) Subscribe(ctx context.Context, actor tend.Actor, raw []byte) error {
	if err := signedIn(actor); err != nil {
		return err
	}
	if s.opt.Limiter != nil {
		if err := s.opt.Limiter.CountPushSubscription(ctx, actor); err != nil {
			return err
		}
	}
	sub, err := s.parseSubscription(raw)
	if err != nil {
		return err
	}
	acc := Recipient{Kind: actor.Kind, ID: actor.ID}
	id := tend.NewID()
	plain, _ := json.Marshal(sub)
	sealed, err := s.sealSub(ctx, acc, id, plain)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		hash := sha256Hex(sub.Endpoint)
		if _, err := tx.DeletePushSubscription(ctx, acc, hash); err != nil {
			return err
		}
		if err := tx.CreatePushSubscription(ctx, PushRecord{ID: id, Account: acc, EndpointHash: hash, Sealed: sealed, CreatedAt: tx.Now().UTC()}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditPushSubscribed, personOf(actor), "push_subscription:"+string(id)))
	})
}

// Unsubscribe forgets the account's subscription with the endpoint in raw
// (PushSubscription JSON, or {"endpoint": ...}). None is fine.
func (s *Service) Unsubscribe(ctx context.Context, actor tend.Actor, raw []byte) error {
	if err := signedIn(actor); err != nil {
		return err
	}
	var sub subscription
	if err := json.Unmarshal(raw, &sub); err != nil || sub.Endpoint == "" || len(sub.Endpoint) > maxEndpoint {
		return tend.Errorf(tend.EINVALID, "This is not a push subscription.")
	}
	acc := Recipient{Kind: actor.Kind, ID: actor.ID}
	return s.store.InTx(ctx, func(tx Tx) error {
		id, err := tx.DeletePushSubscription(ctx, acc, sha256Hex(sub.Endpoint))
		if err != nil || id == "" {
			return err
		}
		return tx.AppendAudit(ctx, event(actor, AuditPushUnsubscribed, personOf(actor), "push_subscription:"+string(id)))
	})
}

// PushCount returns how many browsers the signed-in account has subscribed.
func (s *Service) PushCount(ctx context.Context, actor tend.Actor) (int, error) {
	if err := signedIn(actor); err != nil {
		return 0, err
	}
	subs, err := s.store.FindPushSubscriptions(ctx, actor.Kind, actor.ID)
	return len(subs), err
}

var vapidField = vault.Field{Table: "vapid_keys", Column: "private_key", Row: "vapid"}

// keys returns the VAPID key pair, making it the first time.
func (s *Service) keys(ctx context.Context) (*vapidKeys, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vapid != nil {
		return s.vapid, nil
	}
	r, err := s.store.FindVAPIDKey(ctx)
	if tend.ErrorKind(err) == tend.ENOTFOUND {
		priv, pub, gerr := newVAPIDKeys()
		if gerr != nil {
			return nil, gerr
		}
		sealed, serr := s.sealer.SealRecord(ctx, vapidField, []byte(priv))
		if serr != nil {
			return nil, serr
		}
		if err := s.store.InTx(ctx, func(tx Tx) error {
			return tx.CreateVAPIDKey(ctx, VAPIDRecord{Public: pub, Private: sealed, CreatedAt: tx.Now().UTC()})
		}); err != nil {
			return nil, err
		}
		r, err = s.store.FindVAPIDKey(ctx) // another node may have made it first
	}
	if err != nil {
		return nil, err
	}
	priv, err := s.sealer.OpenRecord(ctx, vapidField, r.Private)
	if err != nil {
		return nil, err
	}
	s.vapid = &vapidKeys{public: r.Public, private: string(priv)}
	return s.vapid, nil
}

// VAPIDPublicKey returns the service's VAPID public key (base64url, no
// padding) for the browser's applicationServerKey.
func (s *Service) VAPIDPublicKey(ctx context.Context) (string, error) {
	k, err := s.keys(ctx)
	if err != nil {
		return "", err
	}
	return k.public, nil
}

func (s *Service) subject() string {
	if s.opt.Subject != "" {
		return s.opt.Subject
	}
	return s.opt.PublicURL
}

// deliverPush sends m to each of the account's subscriptions, counting
// accepted ones in res. It returns the last failure worth retrying.
func (s *Service) deliverPush(ctx context.Context, to Recipient, m Message, set Settings, title string, res *Result) error {
	if s.opt.Pusher == nil {
		return nil
	}
	subs, err := s.store.FindPushSubscriptions(ctx, to.Kind, to.ID)
	if err != nil || len(subs) == 0 {
		return err
	}
	k, err := s.keys(ctx)
	if err != nil {
		return err
	}
	body := marshalPayload(title, m)
	var retry error
	for _, r := range subs {
		sub, err := s.openSub(ctx, r)
		if err != nil {
			s.opt.Log.Warn("notify: subscription unreadable", "subscription", r.ID)
			continue
		}
		if err := s.checkEndpoint(sub.Endpoint, set.PushHosts); err != nil {
			s.opt.Log.Warn("notify: subscription's push service no longer allowed", "subscription", r.ID)
			continue
		}
		code, err := s.opt.Pusher.Push(ctx, PushRequest{
			Endpoint: sub.Endpoint, P256dh: sub.Keys.P256dh, Auth: sub.Keys.Auth, Payload: body, Topic: topic(m.ID), TTL: pushTTL,
			Subject: s.subject(), VAPIDPublic: k.public, VAPIDPrivate: k.private,
		})
		if err != nil {
			s.opt.Log.Warn("notify: push service not reached", "subscription", r.ID, "message", m.ID)
			retry = errPushUnreachable
			continue
		}
		switch {
		case code >= 200 && code < 300:
			res.Push++
			if err := s.store.InTx(ctx, func(tx Tx) error { return tx.TouchPushSubscription(ctx, r.ID, tx.Now().UTC()) }); err != nil {
				s.opt.Log.Warn("notify: last use not recorded", "subscription", r.ID)
			}
		case code == 404 || code == 410:
			if err := s.store.InTx(ctx, func(tx Tx) error { return tx.DeletePushSubscriptionByID(ctx, r.ID) }); err != nil {
				return err
			}
			s.opt.Log.Info("notify: expired subscription removed", "subscription", r.ID, "status", code)
		case code == 429 || code >= 500:
			s.opt.Log.Warn("notify: push service busy", "subscription", r.ID, "message", m.ID, "status", code)
			retry = fmt.Errorf("notify: push service answered %d", code)
		default:
			s.opt.Log.Warn("notify: push refused", "subscription", r.ID, "message", m.ID, "status", code)
		}
	}
	return retry
}

// newVAPIDKeys makes a P-256 key pair for VAPID: the private scalar and
// the uncompressed public point, base64url without padding.
func newVAPIDKeys() (private, public string, err error) {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return "", "", err
	}
	return base64.RawURLEncoding.EncodeToString(k.Bytes()), base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), nil
}
