package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tendcare/tend"
	"golang.org/x/crypto/argon2"
)

// The argon2id parameters (DESIGN.md: m=19 MiB, t=2, p=1), the OWASP
// minimum for argon2id; about 47 ms a hash on the reference machine.
const (
	ArgonMemoryKiB  = 19 * 1024
	ArgonTime       = 2
	ArgonThreads    = 1
	argonSaltLen    = 16
	argonKeyLen     = 32
	MinPasswordLen  = 10
	maxPasswordLen  = 1024                                       // longer input only burns CPU
	dummyPassword   = "tend: no such account, but the same work" // #nosec G101 -- not a credential: hashed for unknown accounts
	passwordMessage = "Choose a password of at least 10 characters. A few unrelated words make a good one."
)

// Hasher hashes and checks secrets with argon2id. A semaphore caps how many
// hashes run at once, so a burst of sign-ins queues instead of using all
// memory (19 MiB each) and CPU.
type Hasher struct {
	sem chan struct{}
}

// NewHasher returns a Hasher that runs at most n hashes at once (n >= 1).
func NewHasher(n int) *Hasher {
	return &Hasher{sem: make(chan struct{}, max(1, n))}
}

// Hash returns secret's argon2id hash as a PHC string:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (unpadded base64).
func (h *Hasher) Hash(ctx context.Context, secret string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(secret), salt, ArgonTime, ArgonMemoryKiB, ArgonThreads, argonKeyLen)
	h.release()
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, ArgonMemoryKiB, ArgonTime, ArgonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether secret matches the PHC string phc. The parameters
// come from phc, so hashes made with older parameters still verify.
func (h *Hasher) Verify(ctx context.Context, phc, secret string) (bool, error) {
	p, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(secret), p.salt, p.t, p.m, p.p, uint32(len(p.key))) // #nosec G115 -- key length is 32
	h.release()
	return subtle.ConstantTimeCompare(key, p.key) == 1, nil
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return tend.Wrap(tend.EUNAVAILABLE, ctx.Err(), "Tend is busy; please try again.")
	}
}

func (h *Hasher) release() { <-h.sem }

type phc struct {
	m, t      uint32
	p         uint8
	salt, key []byte
}

func parsePHC(s string) (phc, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return phc{}, fmt.Errorf("auth: not an argon2id PHC string")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return phc{}, fmt.Errorf("auth: unsupported argon2 version %q", parts[2])
	}
	var out phc
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &out.m, &out.t, &out.p); err != nil || out.t == 0 || out.p == 0 {
		return phc{}, fmt.Errorf("auth: bad argon2 parameters %q", parts[3])
	}
	var err error
	if out.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil {
		return phc{}, fmt.Errorf("auth: bad salt: %w", err)
	}
	if out.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(out.key) == 0 {
		return phc{}, fmt.Errorf("auth: bad hash")
	}
	return out, nil
}

// CheckPassword returns EINVALID with a message saying what is wrong when
// password cannot be used.
func CheckPassword(password string) error {
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLen {
		return tend.Errorf(tend.EINVALID, "%s", passwordMessage)
	}
	if len(password) > maxPasswordLen {
		return tend.Errorf(tend.EINVALID, "That password is too long; use at most %d characters.", maxPasswordLen)
	}
	return nil
}
