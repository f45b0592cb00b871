package auth_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

var ctx = context.Background()

// start is a Monday morning in UTC, on a 30-second TOTP boundary.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

type env struct {
	t        *testing.T
	db       *store.DB
	clock    *tend.FixedClock
	svc      *auth.Service
	teamMade bool
}

func newEnv(t *testing.T, opt auth.Options) *env {
	t.Helper()
	clock := &tend.FixedClock{T: start}
	db := testenv.Store(t, clock)
	if opt.TimeZone == "" {
		opt.TimeZone = "Europe/London"
	}
	if opt.Country == "" {
		opt.Country = "GB"
	}
	return &env{t: t, db: db, clock: clock, svc: auth.NewService(store.For[auth.Tx](db), clock, opt)}
}

const staffPassword = "correct horse battery"

// staff creates a staff member with a known password in team "North".
func (e *env) staff(email string, role tend.Role) auth.StaffAccount {
	e.t.Helper()
	a, _, err := e.svc.CreateStaff(ctx, tend.System, auth.NewStaff{Email: email, Name: "Lee Example", Role: role, Team: "North", Password: staffPassword})
	if err != nil {
		e.t.Fatalf("create staff: %v", err)
	}
	return a
}

func (e *env) invite(n auth.NewInvite) string {
	e.t.Helper()
	if n.Team == "" && n.TeamID == "" {
		n.Team = "North"
	}
	code, _, err := e.svc.CreateInvite(ctx, tend.System, n)
	if err != nil {
		e.t.Fatalf("create invite: %v", err)
	}
	return code
}

const personPassword = "my own long password"

// person makes a team (through a staff member) and a person who joined.
func (e *env) person(username string) auth.Joined {
	e.t.Helper()
	e.ensureTeam()
	j, err := e.svc.Join(ctx, auth.JoinRequest{Code: e.invite(auth.NewInvite{}), Username: username, Password: personPassword}, auth.Client{Address: "192.0.2.9", Device: "Firefox on Android"})
	if err != nil {
		e.t.Fatalf("join: %v", err)
	}
	return j
}

// ensureTeam makes team "North" (through a staff member in it) once.
func (e *env) ensureTeam() {
	if !e.teamMade {
		e.teamMade = true
		e.staff("team-maker@example.org", tend.RoleClinician)
	}
}

func wantKind(t *testing.T, err error, kind string) {
	t.Helper()
	if tend.ErrorKind(err) != kind {
		t.Fatalf("error = %v, want kind %s", err, kind)
	}
}

// wantAudit checks that an event with action and outcome was written.
func (e *env) wantAudit(action, outcome string) tend.AuditEvent {
	e.t.Helper()
	evs, err := e.db.FindAuditEvents(ctx, store.AuditFilter{Actions: []string{action}})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Outcome == outcome {
			return ev
		}
	}
	e.t.Fatalf("no audit event %s/%s (found %d with that action)", action, outcome, len(evs))
	return tend.AuditEvent{}
}

func TestHasher(t *testing.T) {
	h := auth.NewHasher(2)
	phc, err := h.Hash(ctx, "a password of some length")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK/PHCParameters", func(t *testing.T) {
		parts := strings.Split(phc, "$")
		if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v=19" || parts[3] != "m=19456,t=2,p=1" {
			t.Fatalf("PHC string %q, want $argon2id$v=19$m=19456,t=2,p=1$salt$hash", phc)
		}
		salt, err := base64.RawStdEncoding.DecodeString(parts[4])
		if err != nil || len(salt) != 16 {
			t.Errorf("salt %q: %d bytes, want 16 (%v)", parts[4], len(salt), err)
		}
		key, err := base64.RawStdEncoding.DecodeString(parts[5])
		if err != nil || len(key) != 32 {
			t.Errorf("hash: %d bytes, want 32 (%v)", len(key), err)
		}
	})
	t.Run("OK/Verifies", func(t *testing.T) {
		if ok, err := h.Verify(ctx, phc, "a password of some length"); !ok || err != nil {
			t.Fatalf("Verify(right) = %v, %v", ok, err)
		}
	})
	t.Run("Refused/WrongPassword", func(t *testing.T) {
		if ok, err := h.Verify(ctx, phc, "a password of some lengtH"); ok || err != nil {
			t.Fatalf("Verify(wrong) = %v, %v", ok, err)
		}
	})
	t.Run("OK/SaltedDifferently", func(t *testing.T) {
		again, _ := h.Hash(ctx, "a password of some length")
		if again == phc {
			t.Fatal("two hashes of one password are equal: the salt is not random")
		}
	})
	t.Run("ErrInvalid/ShortPassword", func(t *testing.T) {
		err := auth.CheckPassword("nine char")
		wantKind(t, err, tend.EINVALID)
		if !strings.Contains(tend.ErrorMessage(err), "at least 10 characters") {
			t.Errorf("message %q does not say the minimum", tend.ErrorMessage(err))
		}
		if err := auth.CheckPassword("ten chars!"); err != nil {
			t.Errorf("10 characters refused: %v", err)
		}
	})
	t.Run("OK/ConcurrencyCapped", func(t *testing.T) {
		one := auth.NewHasher(1)
		one.Acquire() // the only slot is busy
		done := make(chan error, 1)
		go func() { _, err := one.Hash(ctx, "waits for the slot"); done <- err }()
		select {
		case err := <-done:
			t.Fatalf("hash ran while the only slot was taken (err %v)", err)
		case <-time.After(100 * time.Millisecond):
		}
		one.Release()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrUnavailable/CancelledWhileQueued", func(t *testing.T) {
		one := auth.NewHasher(1)
		one.Acquire()
		defer one.Release()
		c, cancel := context.WithCancel(ctx)
		cancel()
		_, err := one.Hash(c, "queued behind")
		wantKind(t, err, tend.EUNAVAILABLE)
	})
}

func TestCreateStaff(t *testing.T) {
	e := newEnv(t, auth.Options{})
	t.Run("OK/EmailLowerCased", func(t *testing.T) {
		a, pw, err := e.svc.CreateStaff(ctx, tend.System, auth.NewStaff{Email: "  Lee@Example.ORG ", Name: "Lee", Role: tend.RoleClinician, Password: staffPassword})
		if err != nil {
			t.Fatal(err)
		}
		if a.Email != "lee@example.org" || pw != "" {
			t.Fatalf("email %q, one-time password %q; want lee@example.org and none", a.Email, pw)
		}
		e.wantAudit("auth.staff_created", tend.OutcomeOK)
	})
	t.Run("ErrConflict/EmailTakenInAnyCase", func(t *testing.T) {
		_, _, err := e.svc.CreateStaff(ctx, tend.System, auth.NewStaff{Email: "LEE@example.org", Name: "Lee 2", Role: tend.RoleLead, Password: staffPassword})
		wantKind(t, err, tend.ECONFLICT)
		if !strings.Contains(tend.ErrorMessage(err), "lee@example.org") {
			t.Errorf("message %q does not name the address", tend.ErrorMessage(err))
		}
	})
	t.Run("OK/OneTimePassword", func(t *testing.T) {
		_, pw, err := e.svc.CreateStaff(ctx, tend.System, auth.NewStaff{Email: "kim@example.org", Name: "Kim", Role: tend.RoleAdmin, Team: "South"})
		if err != nil || len(pw) != 19 {
			t.Fatalf("one-time password %q, %v; want 16 characters in groups of 4", pw, err)
		}
		_, ss, err := e.svc.SignInStaff(ctx, "kim@example.org", pw, auth.Client{Address: "192.0.2.1"})
		if err != nil || !ss.PasswordChangeRequired {
			t.Fatalf("sign-in with one-time password: %v, change required %v; want ok and true", err, ss.PasswordChangeRequired)
		}
		e.wantAudit("team.created", tend.OutcomeOK)
	})
	t.Run("ErrForbidden/Clinician", func(t *testing.T) {
		_, _, err := e.svc.CreateStaff(ctx, tend.Actor{Kind: tend.KindStaff, ID: tend.NewID(), Role: tend.RoleClinician, MFA: true},
			auth.NewStaff{Email: "x@example.org", Name: "X", Role: tend.RoleAdmin, Password: staffPassword})
		wantKind(t, err, tend.EFORBIDDEN)
	})
	t.Run("ErrInvalid/BadInput", func(t *testing.T) {
		for _, n := range []auth.NewStaff{
			{Email: "no-at-sign", Name: "A", Role: tend.RoleClinician, Password: staffPassword},
			{Email: "a@example.org", Name: " ", Role: tend.RoleClinician, Password: staffPassword},
			{Email: "a@example.org", Name: "A", Role: "therapist", Password: staffPassword},
			{Email: "a@example.org", Name: "A", Role: tend.RoleClinician, Password: "short"},
		} {
			_, _, err := e.svc.CreateStaff(ctx, tend.System, n)
			wantKind(t, err, tend.EINVALID)
		}
	})
}

func TestSignInStaff(t *testing.T) {
	e := newEnv(t, auth.Options{})
	lee := e.staff("lee@example.org", tend.RoleClinician)
	c := auth.Client{Address: "192.0.2.1", Device: "Firefox on Linux"}
	t.Run("OK/NotMFAPassedYet", func(t *testing.T) {
		tok, ss, err := e.svc.SignInStaff(ctx, "LEE@example.org", staffPassword, c)
		if err != nil {
			t.Fatal(err)
		}
		if ss.MFA || ss.MFAEnrolled {
			t.Errorf("session MFA %v enrolled %v; want both false before TOTP", ss.MFA, ss.MFAEnrolled)
		}
		actor, _, err := e.svc.Authenticate(ctx, tok)
		if err != nil || actor.ID != lee.ID || actor.Role != tend.RoleClinician || actor.MFA {
			t.Fatalf("Authenticate = %+v, %v; want lee, clinician, MFA false", actor, err)
		}
		ev := e.wantAudit("auth.sign_in", tend.OutcomeOK)
		if ev.ActorID != lee.ID {
			t.Errorf("audit actor %s, want %s", ev.ActorID, lee.ID)
		}
	})
	t.Run("ErrUnauthorized/WrongPasswordSameAsUnknownAccount", func(t *testing.T) {
		_, _, wrong := e.svc.SignInStaff(ctx, "lee@example.org", "not the password", c)
		_, _, unknown := e.svc.SignInStaff(ctx, "nobody@example.org", "not the password", c)
		wantKind(t, wrong, tend.EUNAUTHORIZED)
		wantKind(t, unknown, tend.EUNAUTHORIZED)
		if tend.ErrorMessage(wrong) != tend.ErrorMessage(unknown) {
			t.Errorf("answers differ: %q vs %q", tend.ErrorMessage(wrong), tend.ErrorMessage(unknown))
		}
		e.wantAudit("auth.sign_in", tend.OutcomeFailed)
	})
	t.Run("OK/SignInsRecorded", func(t *testing.T) {
		got, err := e.svc.FindSignIns(ctx, tend.Actor{Kind: tend.KindStaff, ID: lee.ID}, lee.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Outcome != tend.OutcomeFailed || got[1].Outcome != tend.OutcomeOK || got[1].Device != "Firefox on Linux" {
			t.Fatalf("sign-ins %+v; want failed then ok, newest first, with the device", got)
		}
	})
	t.Run("ErrNotFound/SomeoneElsesSignIns", func(t *testing.T) {
		_, err := e.svc.FindSignIns(ctx, tend.Actor{Kind: tend.KindStaff, ID: tend.NewID(), Role: tend.RoleAdmin, MFA: true}, lee.ID)
		wantKind(t, err, tend.ENOTFOUND)
	})
	t.Run("OK/DemoNeedsNoSecondFactor", func(t *testing.T) {
		demo := newEnv(t, auth.Options{Demo: true})
		demo.staff("lee@example.org", tend.RoleClinician)
		tok, ss, err := demo.svc.SignInStaff(ctx, "lee@example.org", staffPassword, c)
		if err != nil || !ss.MFA {
			t.Fatalf("demo sign-in: %v, MFA %v; want MFA true", err, ss.MFA)
		}
		if a, _, _ := demo.svc.Authenticate(ctx, tok); !a.MFA {
			t.Error("demo actor MFA false")
		}
	})
}

func TestMFA(t *testing.T) {
	e := newEnv(t, auth.Options{})
	lee := e.staff("lee@example.org", tend.RoleClinician)
	c := auth.Client{Address: "192.0.2.1"}
	tok, _, err := e.svc.SignInStaff(ctx, "lee@example.org", staffPassword, c)
	if err != nil {
		t.Fatal(err)
	}
	en, err := e.svc.BeginTOTP(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	code := func() string {
		s, err := totp.GenerateCode(en.Secret, e.clock.T)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	t.Run("ErrInvalid/WrongCodeAtEnrolment", func(t *testing.T) {
		_, err := e.svc.ConfirmTOTP(ctx, tok, "000000")
		wantKind(t, err, tend.EINVALID)
		e.wantAudit("auth.mfa_enrolled", tend.OutcomeFailed)
	})
	t.Run("OK/Enrolled", func(t *testing.T) {
		if !strings.HasPrefix(en.URL, "otpauth://totp/") || !strings.Contains(en.URL, "lee@example.org") {
			t.Errorf("URL %q", en.URL)
		}
		ss, err := e.svc.ConfirmTOTP(ctx, tok, code())
		if err != nil || !ss.MFA || !ss.MFAEnrolled {
			t.Fatalf("confirm: %v, %+v", err, ss)
		}
		a, err := e.db.FindStaffAccountByID(ctx, lee.ID)
		if err != nil || a.MFAEnrolledAt == nil || !a.MFAEnrolledAt.Equal(start) {
			t.Fatalf("mfa_enrolled_at %v, want %v", a.MFAEnrolledAt, start)
		}
		if actor, _, _ := e.svc.Authenticate(ctx, tok); !actor.MFA {
			t.Error("actor MFA false after enrolment")
		}
		e.wantAudit("auth.mfa_enrolled", tend.OutcomeOK)
	})
	tok2, ss2, err := e.svc.SignInStaff(ctx, "lee@example.org", staffPassword, c)
	if err != nil || ss2.MFA || !ss2.MFAEnrolled {
		t.Fatalf("second sign-in: %v, %+v; want MFA false, enrolled", err, ss2)
	}
	t.Run("ErrInvalid/ReplayedCode", func(t *testing.T) {
		_, err := e.svc.VerifyTOTP(ctx, tok2, code()) // the enrolment used this step
		wantKind(t, err, tend.EINVALID)
		if !strings.Contains(tend.ErrorMessage(err), "already used") {
			t.Errorf("message %q", tend.ErrorMessage(err))
		}
	})
	t.Run("OK/NextStep", func(t *testing.T) {
		e.clock.Advance(30 * time.Second)
		ss, err := e.svc.VerifyTOTP(ctx, tok2, code())
		if err != nil || !ss.MFA {
			t.Fatalf("verify: %v, MFA %v", err, ss.MFA)
		}
		e.wantAudit("auth.mfa_verified", tend.OutcomeOK)
	})
	t.Run("ErrInvalid/ReplayInAnotherSession", func(t *testing.T) {
		tok3, _, err := e.svc.SignInStaff(ctx, "lee@example.org", staffPassword, c)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.VerifyTOTP(ctx, tok3, code())
		wantKind(t, err, tend.EINVALID)
	})
	t.Run("ErrConflict/EnrolTwice", func(t *testing.T) {
		_, err := e.svc.BeginTOTP(ctx, tok2)
		wantKind(t, err, tend.ECONFLICT)
	})
	t.Run("OK/AdminReset", func(t *testing.T) {
		if err := e.svc.ResetMFA(ctx, tend.System, lee.ID); err != nil {
			t.Fatal(err)
		}
		a, _ := e.db.FindStaffAccountByID(ctx, lee.ID)
		if a.MFAEnrolledAt != nil {
			t.Error("still enrolled after reset")
		}
		if _, _, err := e.svc.Authenticate(ctx, tok2); tend.ErrorKind(err) != tend.EUNAUTHORIZED {
			t.Errorf("session survived the reset: %v", err)
		}
		e.wantAudit("auth.mfa_reset", tend.OutcomeOK)
	})
	t.Run("ErrForbidden/ResetByClinician", func(t *testing.T) {
		err := e.svc.ResetMFA(ctx, tend.Actor{Kind: tend.KindStaff, ID: tend.NewID(), Role: tend.RoleClinician, MFA: true}, lee.ID)
		wantKind(t, err, tend.EFORBIDDEN)
	})
}

func TestInvite(t *testing.T) {
	e := newEnv(t, auth.Options{})
	e.ensureTeam()
	c := auth.Client{Address: "198.51.100.7", Device: "Safari on iPhone"}
	t.Run("OK/CodeShape", func(t *testing.T) {
		code := e.invite(auth.NewInvite{AgeBand: auth.AgeUnder18})
		if len(code) != 19 || strings.Count(code, "-") != 3 {
			t.Fatalf("code %q; want 16 base32 characters in groups of 4", code)
		}
		e.wantAudit("auth.invite_created", tend.OutcomeOK)
	})
	t.Run("OK/JoinRecordsInvitesFacts", func(t *testing.T) {
		code := e.invite(auth.NewInvite{BirthDate: "2011-05-01", State: tend.StateInTreatment})
		j, err := e.svc.Join(ctx, auth.JoinRequest{Code: strings.ToLower(strings.ReplaceAll(code, "-", " ")), Username: "sam", Password: personPassword}, c)
		if err != nil {
			t.Fatal(err)
		}
		p := j.Person
		if p.BirthDate != "2011-05-01" || p.State != tend.StateInTreatment || p.TimeZone != "Europe/London" || p.Country != "GB" {
			t.Errorf("person %+v", p)
		}
		got, err := e.db.FindPersonAccountByID(ctx, p.ID)
		if err != nil || got.BirthDate != "2011-05-01" || got.TimeZone != "Europe/London" {
			t.Errorf("stored person %+v, %v", got, err)
		}
		if a, _, err := e.svc.Authenticate(ctx, j.Token); err != nil || a.Kind != tend.KindPerson || a.ID != p.ID {
			t.Errorf("joined session: %+v, %v", a, err)
		}
		ev := e.wantAudit("auth.invite_redeemed", tend.OutcomeOK)
		if ev.PersonID != p.ID {
			t.Errorf("audit person %s", ev.PersonID)
		}
		t.Run("ErrInvalid/SingleUse", func(t *testing.T) {
			_, err := e.svc.Join(ctx, auth.JoinRequest{Code: code, Username: "sam2", Password: personPassword}, c)
			wantKind(t, err, tend.EINVALID)
			if !strings.Contains(tend.ErrorMessage(err), "already been used") {
				t.Errorf("message %q", tend.ErrorMessage(err))
			}
		})
	})
	t.Run("OK/ChosenTimeZone", func(t *testing.T) {
		j, err := e.svc.Join(ctx, auth.JoinRequest{Code: e.invite(auth.NewInvite{}), Username: "alex", Password: personPassword, TimeZone: "Europe/Helsinki"}, c)
		if err != nil || j.Person.TimeZone != "Europe/Helsinki" || j.Person.State != tend.StateAccepted {
			t.Fatalf("%+v, %v", j.Person, err)
		}
	})
	t.Run("ErrInvalid/Expired", func(t *testing.T) {
		code := e.invite(auth.NewInvite{TTL: time.Hour})
		e.clock.Advance(time.Hour)
		defer func() { e.clock.T = start }()
		_, err := e.svc.Join(ctx, auth.JoinRequest{Code: code, Username: "late", Password: personPassword}, c)
		wantKind(t, err, tend.EINVALID)
		if !strings.Contains(tend.ErrorMessage(err), "expired") {
			t.Errorf("message %q", tend.ErrorMessage(err))
		}
	})
	t.Run("ErrInvalid/WrongCode", func(t *testing.T) {
		_, err := e.svc.Join(ctx, auth.JoinRequest{Code: "AAAA-BBBB-CCCC-DDDD", Username: "guess", Password: personPassword}, c)
		wantKind(t, err, tend.EINVALID)
		e.wantAudit("auth.invite_redeemed", tend.OutcomeFailed)
	})
	t.Run("ErrInvalid/BadInvite", func(t *testing.T) {
		for _, n := range []auth.NewInvite{
			{Team: "North", AgeBand: "child"},
			{Team: "North", AgeBand: auth.AgeUnder18, BirthDate: "2011-01-01"},
			{Team: "North", BirthDate: "01/02/2011"},
			{Team: "Nowhere"},
			{Team: "North", State: tend.StateClosed},
		} {
			_, _, err := e.svc.CreateInvite(ctx, tend.System, n)
			wantKind(t, err, tend.EINVALID)
		}
	})
	t.Run("ErrForbidden/StaffWithoutSecondFactor", func(t *testing.T) {
		_, _, err := e.svc.CreateInvite(ctx, tend.Actor{Kind: tend.KindStaff, ID: tend.NewID(), Role: tend.RoleClinician}, auth.NewInvite{Team: "North"})
		wantKind(t, err, tend.EFORBIDDEN)
	})
}

func TestUsername(t *testing.T) {
	e := newEnv(t, auth.Options{})
	tests := []struct {
		name, username string
		ok             bool
	}{
		{"OK/Pseudonym", "river.song_2", true},
		{"OK/ThreeCharacters", "abc", true},
		{"OK/ThirtyTwoCharacters", strings.Repeat("a", 32), true},
		{"ErrInvalid/TooShort", "ab", false},
		{"ErrInvalid/TooLong", strings.Repeat("a", 33), false},
		{"ErrInvalid/Space", "sam smith", false},
		{"ErrInvalid/At", "sam@home", false},
		{"ErrInvalid/NonASCII", "sämi", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := auth.CheckUsername(tt.username)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckUsername(%q) = %v, want ok %v", tt.username, err, tt.ok)
			}
		})
	}
	e.person("Sam")
	t.Run("ErrConflict/TakenInOtherCase", func(t *testing.T) {
		code := e.invite(auth.NewInvite{})
		_, err := e.svc.Join(ctx, auth.JoinRequest{Code: code, Username: "sAM", Password: personPassword}, auth.Client{Address: "192.0.2.1"})
		wantKind(t, err, tend.ECONFLICT)
		t.Run("OK/InviteStillUsable", func(t *testing.T) {
			if _, err := e.svc.Join(ctx, auth.JoinRequest{Code: code, Username: "sam.b", Password: personPassword}, auth.Client{Address: "192.0.2.1"}); err != nil {
				t.Fatal(err)
			}
		})
	})
	t.Run("OK/SignInAnyCase", func(t *testing.T) {
		if _, _, err := e.svc.SignInPerson(ctx, "SAM", personPassword, auth.Client{Address: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrInvalid/TimeZone", func(t *testing.T) {
		_, err := e.svc.Join(ctx, auth.JoinRequest{Code: e.invite(auth.NewInvite{}), Username: "tz", Password: personPassword, TimeZone: "Mars/Olympus"}, auth.Client{})
		wantKind(t, err, tend.EINVALID)
	})
}

func TestSessions(t *testing.T) {
	c := auth.Client{Address: "192.0.2.1"}
	t.Run("OK/ExtendedAtMostOnceAMinute", func(t *testing.T) {
		e := newEnv(t, auth.Options{})
		j := e.person("sam")
		raw := func() auth.Session {
			s, err := e.db.FindSessionByTokenHash(ctx, j.Session.TokenHash)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		first := raw().ExpiresAt
		e.clock.Advance(30 * time.Second)
		if _, _, err := e.svc.Authenticate(ctx, j.Token); err != nil {
			t.Fatal(err)
		}
		if got := raw().ExpiresAt; !got.Equal(first) {
			t.Fatalf("expires_at moved after 30 s: %v -> %v", first, got)
		}
		e.clock.Advance(31 * time.Second)
		if _, _, err := e.svc.Authenticate(ctx, j.Token); err != nil {
			t.Fatal(err)
		}
		want := start.Add(61*time.Second + 14*24*time.Hour)
		if got := raw(); !got.ExpiresAt.Equal(want) || !got.LastSeenAt.Equal(start.Add(61*time.Second)) {
			t.Fatalf("after 61 s expires_at %v last_seen %v; want %v", got.ExpiresAt, got.LastSeenAt, want)
		}
	})
	t.Run("ErrUnauthorized/PersonIdle", func(t *testing.T) {
		e := newEnv(t, auth.Options{})
		j := e.person("sam")
		e.clock.Advance(14 * 24 * time.Hour)
		_, _, err := e.svc.Authenticate(ctx, j.Token)
		wantKind(t, err, tend.EUNAUTHORIZED)
	})
	t.Run("ErrUnauthorized/PersonAbsolute", func(t *testing.T) {
		e := newEnv(t, auth.Options{PersonIdle: 10 * 24 * time.Hour, PersonAbsolute: 30 * 24 * time.Hour})
		j := e.person("sam")
		for range 3 { // active every 9 days: alive at 27 days
			e.clock.Advance(9 * 24 * time.Hour)
			if _, _, err := e.svc.Authenticate(ctx, j.Token); err != nil {
				t.Fatalf("at %v: %v", e.clock.T.Sub(start), err)
			}
		}
		e.clock.Advance(3 * 24 * time.Hour) // 30 days
		_, _, err := e.svc.Authenticate(ctx, j.Token)
		wantKind(t, err, tend.EUNAUTHORIZED)
	})
	t.Run("ErrUnauthorized/StaffIdle30Minutes", func(t *testing.T) {
		e := newEnv(t, auth.Options{})
		e.staff("lee@example.org", tend.RoleClinician)
		tok, _, _ := e.svc.SignInStaff(ctx, "lee@example.org", staffPassword, c)
		e.clock.Advance(29 * time.Minute)
		if _, _, err := e.svc.Authenticate(ctx, tok); err != nil {
			t.Fatalf("at 29 min: %v", err)
		}
		e.clock.Advance(30 * time.Minute)
		_, _, err := e.svc.Authenticate(ctx, tok)
		wantKind(t, err, tend.EUNAUTHORIZED)
	})
	t.Run("ErrUnauthorized/StaffAbsolute12Hours", func(t *testing.T) {
		e := newEnv(t, auth.Options{})
		e.staff("lee@example.org", tend.RoleClinician)
		tok, _, _ := e.svc.SignInStaff(ctx, "lee@example.org", staffPassword, c)
		for e.clock.T.Sub(start) < 12*time.Hour-20*time.Minute {
			e.clock.Advance(20 * time.Minute)
			if _, _, err := e.svc.Authenticate(ctx, tok); err != nil {
				t.Fatalf("at %v: %v", e.clock.T.Sub(start), err)
			}
		}
		e.clock.T = start.Add(12 * time.Hour)
		_, _, err := e.svc.Authenticate(ctx, tok)
		wantKind(t, err, tend.EUNAUTHORIZED)
	})
	t.Run("OK/SignOut", func(t *testing.T) {
		e := newEnv(t, auth.Options{})
		j := e.person("sam")
		if err := e.svc.SignOut(ctx, j.Token); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.svc.Authenticate(ctx, j.Token)
		wantKind(t, err, tend.EUNAUTHORIZED)
		e.wantAudit("auth.session_revoked", tend.OutcomeOK)
	})
	t.Run("OK/SignOutEverywhere", func(t *testing.T) {
		e := newEnv(t, auth.Options{})
		j := e.person("sam")
		other, _, err := e.svc.SignInPerson(ctx, "sam", personPassword, auth.Client{Address: "203.0.113.4"})
		if err != nil {
			t.Fatal(err)
		}
		n, err := e.svc.SignOutEverywhere(ctx, tend.Actor{Kind: tend.KindPerson, ID: j.Person.ID})
		if err != nil || n != 2 {
			t.Fatalf("ended %d sessions, %v; want 2", n, err)
		}
		for _, tok := range []string{j.Token, other} {
			_, _, err := e.svc.Authenticate(ctx, tok)
			wantKind(t, err, tend.EUNAUTHORIZED)
		}
		e.wantAudit("auth.sessions_revoked", tend.OutcomeOK)
	})
	t.Run("ErrUnauthorized/UnknownToken", func(t *testing.T) {
		e := newEnv(t, auth.Options{})
		for _, tok := range []string{"", "tses_nothing", "garbage"} {
			_, _, err := e.svc.Authenticate(ctx, tok)
			wantKind(t, err, tend.EUNAUTHORIZED)
		}
	})
}

func TestPIN(t *testing.T) {
	e := newEnv(t, auth.Options{})
	j := e.person("sam")
	me := tend.Actor{Kind: tend.KindPerson, ID: j.Person.ID}
	if err := e.svc.SetPIN(ctx, me, "12x4", 5); tend.ErrorKind(err) != tend.EINVALID {
		t.Fatalf("non-digit PIN: %v", err)
	}
	if err := e.svc.SetPIN(ctx, me, "2468", 5); err != nil {
		t.Fatal(err)
	}
	e.wantAudit("auth.pin_set", tend.OutcomeOK)
	t.Run("OK/UnlockedWhileActive", func(t *testing.T) {
		e.clock.Advance(4 * time.Minute)
		if _, ss, err := e.svc.Authenticate(ctx, j.Token); err != nil || ss.Locked {
			t.Fatalf("at 4 min: locked %v, %v", ss.Locked, err)
		}
	})
	t.Run("OK/LockedAfterAutoLockMinutes", func(t *testing.T) {
		e.clock.Advance(5 * time.Minute)
		if _, ss, err := e.svc.Authenticate(ctx, j.Token); err != nil || !ss.Locked {
			t.Fatalf("after 5 idle minutes: locked %v, %v; want locked", ss.Locked, err)
		}
	})
	t.Run("ErrInvalid/WrongPIN", func(t *testing.T) {
		_, err := e.svc.Unlock(ctx, j.Token, "1357")
		wantKind(t, err, tend.EINVALID)
	})
	t.Run("OK/Unlock", func(t *testing.T) {
		ss, err := e.svc.Unlock(ctx, j.Token, "2468")
		if err != nil || ss.Locked {
			t.Fatalf("unlock: %v, locked %v", err, ss.Locked)
		}
		if _, ss, _ := e.svc.Authenticate(ctx, j.Token); ss.Locked {
			t.Error("still locked")
		}
	})
	t.Run("OK/LockByHand", func(t *testing.T) {
		if err := e.svc.Lock(ctx, j.Token); err != nil {
			t.Fatal(err)
		}
		if _, ss, _ := e.svc.Authenticate(ctx, j.Token); !ss.Locked {
			t.Error("not locked")
		}
	})
	t.Run("OK/RemovingThePINUnlocks", func(t *testing.T) {
		// Removed from another device: nothing could unlock this one now.
		if err := e.svc.SetPIN(ctx, me, "", 0); err != nil {
			t.Fatal(err)
		}
		if _, ss, _ := e.svc.Authenticate(ctx, j.Token); ss.Locked {
			t.Error("a session stays locked with no PIN to unlock it")
		}
	})
}

func TestRateLimits(t *testing.T) {
	e := newEnv(t, auth.Options{})
	e.staff("lee@example.org", tend.RoleClinician)
	attacker := auth.Client{Address: "203.0.113.66"}
	t.Run("ErrRateLimited/BurstFromOneAddress", func(t *testing.T) {
		for i := range auth.DefaultLimits.SignInAccountAddress.Max {
			_, _, err := e.svc.SignInStaff(ctx, "lee@example.org", fmt.Sprintf("wrong guess %d!", i), attacker)
			wantKind(t, err, tend.EUNAUTHORIZED)
		}
		_, _, err := e.svc.SignInStaff(ctx, "lee@example.org", staffPassword, attacker)
		wantKind(t, err, tend.ERATELIMITED)
		if msg := tend.ErrorMessage(err); !strings.Contains(msg, "wait 15 minutes") || !strings.Contains(msg, "09:15 UTC") {
			t.Errorf("message %q does not say when to try again", msg)
		}
		e.wantAudit("auth.sign_in", tend.OutcomeDenied)
	})
	t.Run("OK/OwnerFromAnotherAddress", func(t *testing.T) {
		if _, _, err := e.svc.SignInStaff(ctx, "lee@example.org", staffPassword, auth.Client{Address: "192.0.2.10"}); err != nil {
			t.Fatalf("owner locked out: %v", err)
		}
	})
	t.Run("ErrRateLimited/UnknownAccountSameAnswer", func(t *testing.T) {
		var last error
		for i := 0; i <= auth.DefaultLimits.SignInAccountAddress.Max; i++ {
			_, _, last = e.svc.SignInStaff(ctx, "nobody@example.org", "wrong guess!!", attacker)
		}
		_, _, known := e.svc.SignInStaff(ctx, "lee@example.org", "wrong guess!!", attacker)
		wantKind(t, last, tend.ERATELIMITED)
		if tend.ErrorMessage(last) != tend.ErrorMessage(known) {
			t.Errorf("unknown %q vs known %q", tend.ErrorMessage(last), tend.ErrorMessage(known))
		}
	})
	t.Run("OK/NextWindow", func(t *testing.T) {
		e.clock.Advance(15 * time.Minute)
		if _, _, err := e.svc.SignInStaff(ctx, "lee@example.org", staffPassword, attacker); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrRateLimited/InviteGuesses", func(t *testing.T) {
		e.ensureTeam()
		for range auth.DefaultLimits.Invite.Max {
			_, err := e.svc.Join(ctx, auth.JoinRequest{Code: "AAAA-AAAA-AAAA-AAAA", Username: "guesser", Password: personPassword}, attacker)
			wantKind(t, err, tend.EINVALID)
		}
		_, err := e.svc.Join(ctx, auth.JoinRequest{Code: e.invite(auth.NewInvite{}), Username: "guesser", Password: personPassword}, attacker)
		wantKind(t, err, tend.ERATELIMITED)
	})
}

func TestResetCodes(t *testing.T) {
	e := newEnv(t, auth.Options{})
	j := e.person("sam")
	c := auth.Client{Address: "192.0.2.1"}
	const newPassword = "a brand new password"
	t.Run("OK/Redeem", func(t *testing.T) {
		code, rc, err := e.svc.IssueResetCode(ctx, tend.System, j.Person.ID)
		if err != nil || len(code) != 14 || !rc.ExpiresAt.Equal(start.Add(24*time.Hour)) {
			t.Fatalf("code %q expires %v, %v", code, rc.ExpiresAt, err)
		}
		ev := e.wantAudit("auth.reset_code_issued", tend.OutcomeOK)
		if ev.PersonID != j.Person.ID {
			t.Errorf("audit person %q", ev.PersonID)
		}
		tok, _, err := e.svc.ResetPassword(ctx, auth.ResetRequest{Username: "Sam", Code: code, NewPassword: newPassword}, c)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Authenticate(ctx, j.Token); tend.ErrorKind(err) != tend.EUNAUTHORIZED {
			t.Errorf("old session survived: %v", err)
		}
		if _, _, err := e.svc.Authenticate(ctx, tok); err != nil {
			t.Errorf("new session: %v", err)
		}
		if _, _, err := e.svc.SignInPerson(ctx, "sam", newPassword, c); err != nil {
			t.Errorf("new password: %v", err)
		}
		e.wantAudit("auth.password_reset", tend.OutcomeOK)
		t.Run("ErrInvalid/SingleUse", func(t *testing.T) {
			_, _, err := e.svc.ResetPassword(ctx, auth.ResetRequest{Username: "sam", Code: code, NewPassword: "yet another password"}, c)
			wantKind(t, err, tend.EINVALID)
		})
	})
	t.Run("ErrInvalid/Expired", func(t *testing.T) {
		code, _, err := e.svc.IssueResetCode(ctx, tend.System, j.Person.ID)
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(24 * time.Hour)
		defer func() { e.clock.T = start }()
		_, _, err = e.svc.ResetPassword(ctx, auth.ResetRequest{Username: "sam", Code: code, NewPassword: "yet another password"}, c)
		wantKind(t, err, tend.EINVALID)
		e.wantAudit("auth.password_reset", tend.OutcomeFailed)
	})
	t.Run("ErrInvalid/UnknownUsernameSameAnswer", func(t *testing.T) {
		code, _, _ := e.svc.IssueResetCode(ctx, tend.System, j.Person.ID)
		_, _, unknown := e.svc.ResetPassword(ctx, auth.ResetRequest{Username: "nobody", Code: code, NewPassword: "yet another password"}, c)
		_, _, wrong := e.svc.ResetPassword(ctx, auth.ResetRequest{Username: "sam", Code: "AAAA-BBBB-CCCC", NewPassword: "yet another password"}, c)
		if tend.ErrorKind(unknown) != tend.EINVALID || tend.ErrorMessage(unknown) != tend.ErrorMessage(wrong) {
			t.Fatalf("unknown %v vs wrong %v", unknown, wrong)
		}
	})
	t.Run("ErrNotFound/ClinicianNotOnCareTeam", func(t *testing.T) {
		_, _, err := e.svc.IssueResetCode(ctx, tend.Actor{Kind: tend.KindStaff, ID: tend.NewID(), Role: tend.RoleClinician, MFA: true}, j.Person.ID)
		wantKind(t, err, tend.ENOTFOUND)
	})
	t.Run("OK/CareTeamMemberIssues", func(t *testing.T) {
		lee := tend.Actor{Kind: tend.KindStaff, ID: tend.NewID(), Role: tend.RoleClinician, MFA: true}
		svc := auth.NewService(store.For[auth.Tx](e.db), e.clock, auth.Options{CareTeam: careTeam{lee.ID: j.Person.ID}})
		if _, _, err := svc.IssueResetCode(ctx, lee, j.Person.ID); err != nil {
			t.Fatal(err)
		}
	})
}

type careTeam map[tend.ID]tend.ID

func (c careTeam) IsCareTeamMember(_ context.Context, staffID, personID tend.ID) (bool, error) {
	return c[staffID] == personID, nil
}

func TestRecoveryCodes(t *testing.T) {
	e := newEnv(t, auth.Options{})
	e.ensureTeam()
	c := auth.Client{Address: "192.0.2.1"}
	j, err := e.svc.Join(ctx, auth.JoinRequest{Code: e.invite(auth.NewInvite{}), Username: "riley", Password: personPassword, RecoveryCodes: true}, c)
	if err != nil {
		t.Fatal(err)
	}
	if len(j.RecoveryCodes) != 10 {
		t.Fatalf("%d recovery codes, want 10", len(j.RecoveryCodes))
	}
	e.wantAudit("auth.recovery_codes_created", tend.OutcomeOK)
	t.Run("OK/Redeem", func(t *testing.T) {
		if _, _, err := e.svc.ResetPassword(ctx, auth.ResetRequest{Username: "riley", Code: j.RecoveryCodes[3], NewPassword: "recovered password"}, c); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrInvalid/SingleUse", func(t *testing.T) {
		_, _, err := e.svc.ResetPassword(ctx, auth.ResetRequest{Username: "riley", Code: j.RecoveryCodes[3], NewPassword: "recovered again!"}, c)
		wantKind(t, err, tend.EINVALID)
	})
	t.Run("OK/AnotherCode", func(t *testing.T) {
		if _, _, err := e.svc.ResetPassword(ctx, auth.ResetRequest{Username: "riley", Code: j.RecoveryCodes[4], NewPassword: "recovered again!"}, c); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTokens(t *testing.T) {
	e := newEnv(t, auth.Options{})
	j := e.person("sam")
	me := tend.Actor{Kind: tend.KindPerson, ID: j.Person.ID, MFA: true}
	t.Run("OK/Scoped", func(t *testing.T) {
		secret, tok, err := e.svc.CreateToken(ctx, me, []string{"diary.read", "diary.read", "measure.read"}, start.Add(30*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		a, err := e.svc.AuthenticateToken(ctx, secret)
		if err != nil || a.ID != j.Person.ID || strings.Join(a.Scopes, ",") != "diary.read,measure.read" {
			t.Fatalf("actor %+v, %v", a, err)
		}
		e.wantAudit("auth.token_created", tend.OutcomeOK)
		t.Run("ErrUnauthorized/Revoked", func(t *testing.T) {
			if err := e.svc.RevokeToken(ctx, me, tok.ID); err != nil {
				t.Fatal(err)
			}
			_, err := e.svc.AuthenticateToken(ctx, secret)
			wantKind(t, err, tend.EUNAUTHORIZED)
			e.wantAudit("auth.token_revoked", tend.OutcomeOK)
		})
	})
	t.Run("ErrUnauthorized/Expired", func(t *testing.T) {
		secret, _, err := e.svc.CreateToken(ctx, me, []string{"diary.read"}, start.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		defer func() { e.clock.T = start }()
		_, err = e.svc.AuthenticateToken(ctx, secret)
		wantKind(t, err, tend.EUNAUTHORIZED)
	})
	t.Run("ErrInvalid/NoExpiryOrTooLong", func(t *testing.T) {
		_, _, err := e.svc.CreateToken(ctx, me, []string{"diary.read"}, time.Time{})
		wantKind(t, err, tend.EINVALID)
		_, _, err = e.svc.CreateToken(ctx, me, []string{"diary.read"}, start.Add(367*24*time.Hour))
		wantKind(t, err, tend.EINVALID)
		_, _, err = e.svc.CreateToken(ctx, me, nil, start.Add(time.Hour))
		wantKind(t, err, tend.EINVALID)
	})
	t.Run("ErrNotFound/RevokeSomeoneElses", func(t *testing.T) {
		_, tok, _ := e.svc.CreateToken(ctx, me, []string{"diary.read"}, start.Add(time.Hour))
		err := e.svc.RevokeToken(ctx, tend.Actor{Kind: tend.KindPerson, ID: tend.NewID()}, tok.ID)
		wantKind(t, err, tend.ENOTFOUND)
	})
	t.Run("ErrForbidden/StaffWithoutSecondFactor", func(t *testing.T) {
		_, _, err := e.svc.CreateToken(ctx, tend.Actor{Kind: tend.KindStaff, ID: tend.NewID(), Role: tend.RoleClinician}, []string{"diary.read"}, start.Add(time.Hour))
		wantKind(t, err, tend.EFORBIDDEN)
	})
	t.Run("ErrUnauthorized/Garbage", func(t *testing.T) {
		_, err := e.svc.AuthenticateToken(ctx, "tapi_nope")
		wantKind(t, err, tend.EUNAUTHORIZED)
	})
}

// TestConcurrentSignIns signs 10 staff members in at once and logs the
// latency for the issue's note.
func TestConcurrentSignIns(t *testing.T) {
	e := newEnv(t, auth.Options{})
	for i := range 10 {
		e.staff(fmt.Sprintf("staff%d@example.org", i), tend.RoleClinician)
	}
	var wg sync.WaitGroup
	errs := make([]error, 10)
	took := make([]time.Duration, 10)
	begin := time.Now()
	for i := range 10 {
		wg.Go(func() {
			t0 := time.Now()
			_, _, errs[i] = e.svc.SignInStaff(ctx, fmt.Sprintf("staff%d@example.org", i), staffPassword, auth.Client{Address: fmt.Sprintf("192.0.2.%d", i+1)})
			took[i] = time.Since(t0)
		})
	}
	wg.Wait()
	total := time.Since(begin)
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	slowest := time.Duration(0)
	for _, d := range took {
		slowest = max(slowest, d)
	}
	t.Logf("sign-in latency with 10 concurrent sign-ins (%s, hash concurrency %d): all done in %v, slowest %v",
		testenv.Engine(), auth.DefaultHashConcurrency(), total.Round(time.Millisecond), slowest.Round(time.Millisecond))
	n, err := e.db.FindAuditEvents(ctx, store.AuditFilter{Actions: []string{"auth.sign_in"}})
	if err != nil || len(n) != 10 {
		t.Fatalf("%d sign-in events, %v; want 10", len(n), err)
	}
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t, auth.Options{})
	_, once, err := e.svc.CreateStaff(ctx, tend.System, auth.NewStaff{Email: "kim@example.org", Name: "Kim", Role: tend.RoleClinician})
	if err != nil {
		t.Fatal(err)
	}
	c := auth.Client{Address: "192.0.2.1"}
	tok, _, err := e.svc.SignInStaff(ctx, "kim@example.org", once, c)
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := e.svc.SignInStaff(ctx, "kim@example.org", once, c)
	t.Run("ErrInvalid/WrongCurrent", func(t *testing.T) {
		wantKind(t, e.svc.ChangePassword(ctx, tok, "not the current one", "my chosen password"), tend.EINVALID)
		e.wantAudit("auth.password_changed", tend.OutcomeFailed)
	})
	t.Run("OK/OthersSignedOutThisKept", func(t *testing.T) {
		if err := e.svc.ChangePassword(ctx, tok, once, "my chosen password"); err != nil {
			t.Fatal(err)
		}
		if _, ss, err := e.svc.Authenticate(ctx, tok); err != nil || ss.PasswordChangeRequired {
			t.Fatalf("this session: %v, change required %v", err, ss.PasswordChangeRequired)
		}
		_, _, err := e.svc.Authenticate(ctx, other)
		wantKind(t, err, tend.EUNAUTHORIZED)
		if _, _, err := e.svc.SignInStaff(ctx, "kim@example.org", "my chosen password", c); err != nil {
			t.Fatal(err)
		}
		e.wantAudit("auth.password_changed", tend.OutcomeOK)
	})
}

// TestCountImport: an account's FHIR imports are counted, refused or not,
// and past the limit the next one is refused until the window ends;
// another account is not held back by it.
func TestCountImport(t *testing.T) {
	e := newEnv(t, auth.Options{Limits: auth.Limits{Import: auth.Limit{Max: 2, Window: time.Hour}}})
	ctx := context.Background()
	sam := tend.Actor{Kind: tend.KindPerson, ID: tend.NewID()}
	alex := tend.Actor{Kind: tend.KindPerson, ID: tend.NewID()}
	for i := range 2 {
		if err := e.svc.CountImport(ctx, sam); err != nil {
			t.Fatalf("import %d: %v", i+1, err)
		}
	}
	if err := e.svc.CountImport(ctx, sam); tend.ErrorKind(err) != tend.ERATELIMITED {
		t.Fatalf("third import in the hour = %v, want ERATELIMITED", err)
	}
	if err := e.svc.CountImport(ctx, alex); err != nil {
		t.Errorf("another account's import: %v", err)
	}
	e.clock.Advance(time.Hour)
	if err := e.svc.CountImport(ctx, sam); err != nil {
		t.Errorf("an import in the next window: %v", err)
	}
}
