package testenv

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// PushReceiver is a Web Push service on loopback, for tests. It gives out
// subscriptions as a browser's push service would (Subscribe), and for
// each POST to a subscription's endpoint it checks the VAPID Authorization
// header (RFC 8292: an ES256 JWT whose aud is the receiver's origin and
// whose exp is in the future, signed by the key in k=), decrypts the
// aes128gcm body (RFC 8291, RFC 8188) with the subscription's private key
// and auth secret, records the plaintext with the Topic header, and
// answers 201. A request that fails a check is answered 400 or 401 and
// recorded in Rejected. Gone(n) makes a subscription answer 410 from then
// on, Fail(n, code) any other status.
//
// It is safe for concurrent use. The decryption is written here, apart
// from the sending library, so a test proves the payload really opens with
// the subscription keys.
type PushReceiver struct {
	URL string // the receiver's origin, http://127.0.0.1:port

	srv *httptest.Server

	mu       sync.Mutex
	cond     *sync.Cond
	subs     []*pushSub
	messages []PushMessage
	rejected []string
	delay    time.Duration // Slow
}

// PushSubscription is what a browser would hand to the page: the JSON of
// PushSubscription.toJSON().
type PushSubscription struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// JSON returns the subscription as the browser's PushSubscription JSON.
func (s PushSubscription) JSON() []byte {
	b, _ := json.Marshal(s)
	return b
}

// PushMessage is one message the receiver accepted.
type PushMessage struct {
	Subscription int    // which subscription (Subscribe's order, from 0)
	Endpoint     string // its endpoint
	Topic        string // the Topic header
	TTL          string // the TTL header
	Urgency      string // the Urgency header
	Payload      []byte // the decrypted payload
	Subject      string // the VAPID JWT's sub claim
	VAPIDKey     string // the k= public key, base64url
	Raw          []byte // the encrypted body as it arrived
}

type pushSub struct {
	key    *ecdh.PrivateKey
	auth   []byte
	status int // 0: accept with 201
}

// NewPushReceiver starts a receiver, closed when the test ends.
func NewPushReceiver(t testing.TB) *PushReceiver {
	t.Helper()
	r := &PushReceiver{}
	r.cond = sync.NewCond(&r.mu)
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	r.URL = r.srv.URL
	t.Cleanup(r.srv.Close)
	return r
}

// Subscribe makes a new subscription: a fresh P-256 key pair and 16-byte
// auth secret, with endpoint URL + "/push/<n>".
func (r *PushReceiver) Subscribe(t testing.TB) PushSubscription {
	t.Helper()
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	if _, err := rand.Read(auth); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	n := len(r.subs)
	r.subs = append(r.subs, &pushSub{key: key, auth: auth})
	r.mu.Unlock()
	var s PushSubscription
	s.Endpoint = r.URL + "/push/" + strconv.Itoa(n)
	s.Keys.P256dh = base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes())
	s.Keys.Auth = base64.RawURLEncoding.EncodeToString(auth)
	return s
}

// Slow makes the receiver wait d before it answers each message from now
// on, as a push service under load does (0: answer at once).
func (r *PushReceiver) Slow(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.delay = d
}

// Gone makes subscription n answer 410 Gone from now on.
func (r *PushReceiver) Gone(n int) { r.Fail(n, http.StatusGone) }

// Fail makes subscription n answer status from now on (0: accept again).
func (r *PushReceiver) Fail(n, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.subs[n].status = status
}

// Messages returns the messages accepted so far, in arrival order.
func (r *PushReceiver) Messages() []PushMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]PushMessage(nil), r.messages...)
}

// Rejected returns why each refused request was refused.
func (r *PushReceiver) Rejected() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.rejected...)
}

// WaitFor waits until at least n messages have been accepted, or fails
// the test after timeout, and returns them all.
func (r *PushReceiver) WaitFor(t testing.TB, n int, timeout time.Duration) []PushMessage {
	t.Helper()
	deadline := time.Now().Add(timeout)
	stop := time.AfterFunc(timeout, func() { r.mu.Lock(); r.cond.Broadcast(); r.mu.Unlock() })
	defer stop.Stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.messages) < n {
		if !time.Now().Before(deadline) {
			t.Fatalf("push receiver: %d messages after %v, want %d (rejected: %v)", len(r.messages), timeout, n, r.rejected)
		}
		r.cond.Wait()
	}
	return append([]PushMessage(nil), r.messages...)
}

func (r *PushReceiver) reject(w http.ResponseWriter, status int, why string) {
	r.mu.Lock()
	r.rejected = append(r.rejected, why)
	r.cond.Broadcast()
	r.mu.Unlock()
	http.Error(w, why, status)
}

func (r *PushReceiver) serve(w http.ResponseWriter, req *http.Request) {
	rest, ok := strings.CutPrefix(req.URL.Path, "/push/")
	n, err := strconv.Atoi(rest)
	r.mu.Lock()
	var sub *pushSub
	if ok && err == nil && n >= 0 && n < len(r.subs) {
		sub = r.subs[n]
	}
	var status int
	if sub != nil {
		status = sub.status
	}
	r.mu.Unlock()
	if req.Method != http.MethodPost || sub == nil {
		r.reject(w, http.StatusNotFound, "no such subscription")
		return
	}
	if status != 0 {
		w.WriteHeader(status)
		return
	}
	subject, vapidKey, err := checkVAPID(req.Header.Get("Authorization"), r.URL, time.Now())
	if err != nil {
		r.reject(w, http.StatusUnauthorized, "vapid: "+err.Error())
		return
	}
	if req.Header.Get("Content-Encoding") != "aes128gcm" {
		r.reject(w, http.StatusBadRequest, "content encoding is not aes128gcm")
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 8192))
	if err != nil {
		r.reject(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	plain, err := DecryptWebPush(sub.key, sub.auth, body)
	if err != nil {
		r.reject(w, http.StatusBadRequest, "decrypt: "+err.Error())
		return
	}
	r.mu.Lock()
	delay := r.delay
	r.mu.Unlock()
	time.Sleep(delay)
	r.mu.Lock()
	r.messages = append(r.messages, PushMessage{
		Subscription: n, Endpoint: r.URL + req.URL.Path, Topic: req.Header.Get("Topic"), TTL: req.Header.Get("TTL"),
		Urgency: req.Header.Get("Urgency"), Payload: plain, Subject: subject, VAPIDKey: vapidKey, Raw: body,
	})
	r.cond.Broadcast()
	r.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
}

// DecryptWebPush opens an aes128gcm Web Push body (RFC 8291 section 3.4,
// RFC 8188) with the subscription's private key and auth secret.
func DecryptWebPush(key *ecdh.PrivateKey, authSecret, body []byte) ([]byte, error) {
	// Header: salt (16) | record size (4) | key id length (1) | key id (the
	// sender's public key, 65 bytes for P-256).
	if len(body) < 21 {
		return nil, errors.New("body too short")
	}
	salt := body[:16]
	rs := binary.BigEndian.Uint32(body[16:20])
	idLen := int(body[20])
	if len(body) < 21+idLen || idLen != 65 {
		return nil, errors.New("bad key id")
	}
	senderPub, err := ecdh.P256().NewPublicKey(body[21 : 21+idLen])
	if err != nil {
		return nil, fmt.Errorf("sender key: %w", err)
	}
	records := body[21+idLen:]
	if rs < 18 || len(records) == 0 || len(records) > int(rs) {
		return nil, fmt.Errorf("record size %d for %d bytes: a single record was expected", rs, len(records))
	}
	shared, err := key.ECDH(senderPub)
	if err != nil {
		return nil, err
	}
	// IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" 0x00 ua_public as_public, 32)
	info := append([]byte("WebPush: info\x00"), key.PublicKey().Bytes()...)
	info = append(info, senderPub.Bytes()...)
	ikm, err := hkdf.Key(sha256.New, shared, authSecret, string(info), 32)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Key(sha256.New, ikm, salt, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	padded, err := gcm.Open(nil, nonce, records, nil)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	// The last record ends with the delimiter 0x02 followed by zero padding.
	i := bytes.LastIndexByte(padded, 2)
	if i < 0 || len(bytes.Trim(padded[i+1:], "\x00")) != 0 {
		return nil, errors.New("no last-record delimiter")
	}
	return padded[:i], nil
}

// checkVAPID verifies "vapid t=<jwt>, k=<key>": the JWT is ES256, signed by
// k, its aud is origin and its exp is after now. It returns sub and k.
func checkVAPID(header, origin string, now time.Time) (subject, key string, err error) {
	rest, ok := strings.CutPrefix(header, "vapid ")
	if !ok {
		return "", "", errors.New("no vapid scheme")
	}
	var token string
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			token = v
		case "k":
			key = v
		}
	}
	if token == "" || key == "" {
		return "", "", errors.New("t or k missing")
	}
	pub, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(key, "="))
	if err != nil {
		return "", "", fmt.Errorf("k: %w", err)
	}
	if _, err := ecdh.P256().NewPublicKey(pub); err != nil {
		return "", "", fmt.Errorf("k: %w", err)
	}
	ecpub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), pub)
	if err != nil {
		return "", "", fmt.Errorf("k: %w", err)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", "", errors.New("jwt is not three parts")
	}
	var head struct {
		Alg string `json:"alg"`
	}
	if err := decodeJWTPart(parts[0], &head); err != nil || head.Alg != "ES256" {
		return "", "", fmt.Errorf("jwt header: alg %q, %v", head.Alg, err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return "", "", errors.New("jwt signature is not 64 bytes")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(ecpub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return "", "", errors.New("jwt signature does not verify with k")
	}
	var claims struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}
	if err := decodeJWTPart(parts[1], &claims); err != nil {
		return "", "", fmt.Errorf("jwt claims: %w", err)
	}
	if claims.Aud != origin {
		return "", "", fmt.Errorf("aud %q is not %q", claims.Aud, origin)
	}
	if claims.Exp <= now.Unix() || claims.Exp > now.Add(24*time.Hour).Unix() {
		return "", "", errors.New("exp is not within the next 24 hours")
	}
	if !strings.HasPrefix(claims.Sub, "mailto:") && !strings.HasPrefix(claims.Sub, "https:") {
		return "", "", fmt.Errorf("sub %q is not a mailto: or https: URL", claims.Sub)
	}
	return claims.Sub, key, nil
}

func decodeJWTPart(s string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
