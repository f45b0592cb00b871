package notify_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/journal"
	"github.com/tendcare/tend/internal/notify"
	"github.com/tendcare/tend/internal/notify/channel"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

const publicURL = "https://tend.example"

type fixture struct {
	db       *store.DB
	clock    *tend.FixedClock
	v        *vault.Vault
	accounts *auth.Service
	journal  *journal.Service
	push     *testenv.PushReceiver
	smtp     *testenv.SMTPServer
	set      notify.Settings
	svc      *notify.Service
	sam, lee tend.Actor
	canary   string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := &tend.FixedClock{T: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	db := testenv.Store(t, clock)
	s, err := demo.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if err := settings.Save(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	v, err := vault.New(testenv.ServiceKeys, testenv.KeyStore(t, testenv.KeyStoreDSN(t)), tend.SystemClock{})
	if err != nil {
		t.Fatal(err)
	}
	checker := access.NewChecker(db)
	accounts := auth.NewService(store.For[auth.Tx](db), clock, auth.Options{Demo: true, TimeZone: s.TimeZone, Country: s.Country, CareTeam: db,
		Secrets: vault.StaffSecrets{V: v}})
	careTeam := careteam.NewService(store.For[careteam.Tx](db), checker, clock)
	if err := demo.Seed(ctx, demo.Services{Accounts: accounts, CareTeam: careTeam}, "a demo password for tests"); err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, clock: clock, v: v, accounts: accounts, journal: journal.NewService(store.For[journal.Tx](db), checker, v, clock),
		push: testenv.NewPushReceiver(t), smtp: testenv.NewSMTPServer(t)}
	p, err := db.FindPersonAccountByUsername(ctx, "sam")
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.FindStaffAccountByEmail(ctx, "lee@example.org")
	if err != nil {
		t.Fatal(err)
	}
	f.sam = tend.Actor{Kind: tend.KindPerson, ID: p.ID}
	f.lee = tend.Actor{Kind: tend.KindStaff, ID: a.ID, Role: tend.RoleClinician, MFA: true}

	// A canary in the person's username, the staff member's name and the
	// person's journal: none of it may reach a notification.
	f.canary = strings.ReplaceAll(testenv.Canary("notify"), "-", "")[:24]
	if _, err := db.Writer().ExecContext(ctx, `UPDATE people SET username = $1 WHERE id = $2`, f.canary, string(p.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Writer().ExecContext(ctx, `UPDATE staff SET name = $1 WHERE id = $2`, f.canary+" Staff", string(a.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.journal.Create(ctx, f.sam, f.sam.ID, "k1", "Today I wrote "+f.canary+" in my journal.", ""); err != nil {
		t.Fatal(err)
	}
	f.svc = f.service(t, true)
	return f
}

// service builds the notification service on the fixture's receivers.
func (f *fixture) service(t *testing.T, loopback bool) *notify.Service {
	t.Helper()
	mailer, err := channel.NewSMTP(f.smtp.URL(), "noreply@tend.example", "")
	if err != nil {
		t.Fatal(err)
	}
	return notify.NewService(store.For[notify.Tx](f.db), f.v, f.clock, func() notify.Settings { return f.set }, notify.Options{
		PublicURL: publicURL, Mailer: mailer, Pusher: channel.NewWebPush(), AllowLoopback: loopback, Limiter: f.accounts, Log: testenv.Logger(t),
	})
}

// verifyEmail adds address for actor and uses the link the verification
// e-mail carries.
func (f *fixture) verifyEmail(t *testing.T, actor tend.Actor, address string) {
	t.Helper()
	ctx := context.Background()
	n := len(f.smtp.Messages())
	if err := f.svc.SetEmail(ctx, actor, address); err != nil {
		t.Fatal(err)
	}
	msgs := f.smtp.WaitFor(t, n+1, 10*time.Second)
	if err := f.svc.VerifyEmail(ctx, tokenFrom(t, msgs[n])); err != nil {
		t.Fatal(err)
	}
}

func tokenFrom(t *testing.T, m testenv.SMTPMessage) string {
	t.Helper()
	i := strings.Index(m.Body, publicURL+notify.VerifyPath+"?t=")
	if i < 0 {
		t.Fatalf("no verification link in %q", m.Body)
	}
	link := strings.Fields(m.Body[i:])[0]
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("t")
}

type payload struct {
	Title, Body, Path, Tag string
}

func TestDeliverPushAndEmailHoldNothingPersonal(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sub := f.push.Subscribe(t)
	if err := f.svc.Subscribe(ctx, f.sam, sub.JSON()); err != nil {
		t.Fatal(err)
	}
	f.verifyEmail(t, f.sam, "person@example.org")

	res, err := f.svc.Deliver(ctx, notify.Recipient{Kind: tend.KindPerson, ID: f.sam.ID}, notify.Message{ID: "msg-1", Kind: notify.KindReminder, Path: "/me"})
	if err != nil {
		t.Fatal(err)
	}
	if res != (notify.Result{Push: 1, Email: 1}) {
		t.Fatalf("result %+v, want one push and one e-mail", res)
	}
	pm := f.push.WaitFor(t, 1, 10*time.Second)[0]
	var p payload
	if err := json.Unmarshal(pm.Payload, &p); err != nil {
		t.Fatalf("payload %q: %v", pm.Payload, err)
	}
	if p.Title != notify.DefaultReminderText || p.Path != "/me" || p.Tag == "" || p.Tag != pm.Topic {
		t.Fatalf("payload %+v, topic %q", p, pm.Topic)
	}
	if strings.Contains(string(pm.Raw), notify.DefaultReminderText) {
		t.Fatal("the push body went out unencrypted")
	}
	if !strings.HasPrefix(pm.Subject, "mailto:") && !strings.HasPrefix(pm.Subject, "https:") {
		t.Fatalf("VAPID subject %q", pm.Subject)
	}
	key, err := f.svc.VAPIDPublicKey(ctx)
	if err != nil || key != pm.VAPIDKey {
		t.Fatalf("VAPID key %q sent, %q served (%v)", pm.VAPIDKey, key, err)
	}
	msgs := f.smtp.WaitFor(t, 2, 10*time.Second)
	m := msgs[1]
	if got := m.Header.Get("Subject"); got != notify.DefaultReminderText {
		t.Fatalf("subject %q", got)
	}
	if !strings.Contains(m.Header.Get("Message-Id"), pm.Topic) {
		t.Fatalf("Message-ID %q does not derive from the message id (topic %q)", m.Header.Get("Message-Id"), pm.Topic)
	}
	if len(m.To) != 1 || m.To[0] != "person@example.org" || !strings.Contains(m.Body, publicURL+"/me") {
		t.Fatalf("to %v, body %q", m.To, m.Body)
	}
	for what, text := range map[string]string{"push payload": string(pm.Payload), "e-mail": m.Raw} {
		if strings.Contains(text, f.canary) || strings.Contains(strings.ToLower(text), "journal") {
			t.Errorf("the %s holds personal content: %q", what, text)
		}
	}
	for _, msg := range msgs {
		if strings.Contains(msg.Raw, f.canary) {
			t.Errorf("an e-mail holds the canary: %q", msg.Raw)
		}
	}

	// A retry of the same delivery carries the same topic and Message-ID.
	if _, err := f.svc.Deliver(ctx, notify.Recipient{Kind: tend.KindPerson, ID: f.sam.ID}, notify.Message{ID: "msg-1", Kind: notify.KindReminder, Path: "/me"}); err != nil {
		t.Fatal(err)
	}
	again := f.push.WaitFor(t, 2, 10*time.Second)[1]
	mails := f.smtp.WaitFor(t, 3, 10*time.Second)
	if again.Topic != pm.Topic || mails[2].Header.Get("Message-Id") != m.Header.Get("Message-Id") {
		t.Fatal("a retry's topic or Message-ID changed")
	}
}

func TestDiscreetModeChangesWordingAndSender(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.set = notify.Settings{DiscreetText: "Something new", DiscreetSender: "Updates"}
	if err := f.svc.Subscribe(ctx, f.sam, f.push.Subscribe(t).JSON()); err != nil {
		t.Fatal(err)
	}
	f.verifyEmail(t, f.sam, "person@example.org")
	to := notify.Recipient{Kind: tend.KindPerson, ID: f.sam.ID}
	if _, err := f.svc.Deliver(ctx, to, notify.Message{ID: "a", Kind: notify.KindWeeklySummary, Path: "/me"}); err != nil {
		t.Fatal(err)
	}
	if err := f.accounts.SetDiscreet(ctx, f.sam, true); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Deliver(ctx, to, notify.Message{ID: "b", Kind: notify.KindWeeklySummary, Path: "/me"}); err != nil {
		t.Fatal(err)
	}
	pms := f.push.WaitFor(t, 2, 10*time.Second)
	mails := f.smtp.WaitFor(t, 3, 10*time.Second)
	var plain, discreet payload
	_ = json.Unmarshal(pms[0].Payload, &plain)
	_ = json.Unmarshal(pms[1].Payload, &discreet)
	if plain.Title != notify.DefaultSummaryText || discreet.Title != "Something new" {
		t.Fatalf("titles %q then %q", plain.Title, discreet.Title)
	}
	if from := mails[1].Header.Get("From"); !strings.Contains(from, "Tend") {
		t.Fatalf("plain sender %q", from)
	}
	d := mails[2]
	if d.Header.Get("Subject") != "Something new" || !strings.Contains(d.Header.Get("From"), "Updates") {
		t.Fatalf("discreet subject %q from %q", d.Header.Get("Subject"), d.Header.Get("From"))
	}
	if strings.Contains(d.Raw, "Tend") || strings.Contains(d.Raw, "summary") {
		t.Fatalf("the discreet e-mail names the app or the kind: %q", d.Raw)
	}
}

func TestGoneSubscriptionIsDeletedAndBusyIsRetried(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	to := notify.Recipient{Kind: tend.KindPerson, ID: f.sam.ID}
	for range 2 {
		if err := f.svc.Subscribe(ctx, f.sam, f.push.Subscribe(t).JSON()); err != nil {
			t.Fatal(err)
		}
	}
	f.push.Gone(0)
	res, err := f.svc.Deliver(ctx, to, notify.Message{ID: "m1", Kind: notify.KindReminder, Path: "/me"})
	if err != nil || res.Push != 1 {
		t.Fatalf("deliver: %+v, %v", res, err)
	}
	if n, _ := f.svc.PushCount(ctx, f.sam); n != 1 {
		t.Fatalf("%d subscriptions after a 410, want 1", n)
	}
	f.push.Fail(1, 503)
	res, err = f.svc.Deliver(ctx, to, notify.Message{ID: "m2", Kind: notify.KindReminder, Path: "/me"})
	if err == nil || res != (notify.Result{}) {
		t.Fatalf("a busy push service and no other channel: %+v, %v; want an error to retry", res, err)
	}
	if n, _ := f.svc.PushCount(ctx, f.sam); n != 1 {
		t.Fatal("a 503 removed the subscription")
	}
	// Nothing set up: nothing sent, no error.
	res, err = f.svc.Deliver(ctx, notify.Recipient{Kind: tend.KindStaff, ID: f.lee.ID}, notify.Message{ID: "m3", Kind: notify.KindTaskWaiting, Path: "/clinic/tasks"})
	if err != nil || res != (notify.Result{}) {
		t.Fatalf("no channels: %+v, %v", res, err)
	}
}

func TestSubscribeRefusesHostsNotAllowed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	strict := f.service(t, false)
	sub := f.push.Subscribe(t)
	if err := strict.Subscribe(ctx, f.sam, sub.JSON()); tend.ErrorKind(err) != tend.EINVALID {
		t.Fatalf("loopback endpoint without the loopback option: %v", err)
	}
	for _, endpoint := range []string{
		"https://push.evil.example/push/1",
		"http://fcm.googleapis.com/fcm/send/abc",
		"https://fcm.googleapis.com:8443/fcm/send/abc",
		"https://fcm.googleapis.com.evil.example/fcm/send/abc",
		"https://notify.windows.com/w/abc",
	} {
		bad := sub
		bad.Endpoint = endpoint
		if err := strict.Subscribe(ctx, f.sam, bad.JSON()); tend.ErrorKind(err) != tend.EINVALID {
			t.Errorf("%s: %v, want EINVALID", endpoint, err)
		}
	}
	for _, endpoint := range []string{"https://fcm.googleapis.com/fcm/send/abc", "https://wns2-db5p.notify.windows.com/w/?token=x"} {
		good := sub
		good.Endpoint = endpoint
		if err := strict.Subscribe(ctx, f.sam, good.JSON()); err != nil {
			t.Errorf("%s: %v", endpoint, err)
		}
	}
	bad := sub
	bad.Keys.Auth = "c2hvcnQ"
	if err := f.svc.Subscribe(ctx, f.sam, bad.JSON()); tend.ErrorKind(err) != tend.EINVALID {
		t.Errorf("a short auth secret: %v", err)
	}
	// A host the service removes from its list is no longer sent to.
	f.set.PushHosts = []string{"web.push.apple.com"}
	if n, _ := strict.PushCount(ctx, f.sam); n != 2 {
		t.Fatalf("%d subscriptions, want 2", n)
	}
	if err := strict.Subscribe(ctx, f.sam, sub.JSON()); tend.ErrorKind(err) != tend.EINVALID {
		t.Fatal("fcm accepted after the service removed it")
	}
	// Unsubscribe forgets one.
	good := sub
	good.Endpoint = "https://fcm.googleapis.com/fcm/send/abc"
	if err := strict.Unsubscribe(ctx, f.sam, good.JSON()); err != nil {
		t.Fatal(err)
	}
	if n, _ := strict.PushCount(ctx, f.sam); n != 1 {
		t.Fatalf("%d subscriptions after unsubscribing, want 1", n)
	}
	// Subscribing is rate limited.
	var err error
	for range 30 {
		if err = f.svc.Subscribe(ctx, f.sam, f.push.Subscribe(t).JSON()); err != nil {
			break
		}
	}
	if tend.ErrorKind(err) != tend.ERATELIMITED {
		t.Fatalf("30 subscriptions in an hour: %v, want ERATELIMITED", err)
	}
}

func TestUnverifiedAddressGetsNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.svc.SetEmail(ctx, f.sam, "person@example.org"); err != nil {
		t.Fatal(err)
	}
	f.smtp.WaitFor(t, 1, 10*time.Second)
	st, err := f.svc.Email(ctx, f.sam)
	if err != nil || st.Address != "person@example.org" || st.Verified {
		t.Fatalf("status %+v, %v", st, err)
	}
	res, err := f.svc.Deliver(ctx, notify.Recipient{Kind: tend.KindPerson, ID: f.sam.ID}, notify.Message{ID: "x", Kind: notify.KindReminder, Path: "/me"})
	if err != nil || res != (notify.Result{}) {
		t.Fatalf("deliver to an unverified address: %+v, %v", res, err)
	}
	time.Sleep(100 * time.Millisecond)
	if n := len(f.smtp.Messages()); n != 1 {
		t.Fatalf("%d e-mails, want only the verification one", n)
	}
	if testenv.RawContains(t, f.db, "person@example.org", "person_emails") {
		t.Fatal("the address is stored in plain text")
	}
	// Staff can't read it; removing it forgets it.
	if _, err := f.svc.Email(ctx, f.lee); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Fatalf("staff reading a person's address: %v", err)
	}
	if err := f.svc.RemoveEmail(ctx, f.sam); err != nil {
		t.Fatal(err)
	}
	if st, _ := f.svc.Email(ctx, f.sam); st.Address != "" {
		t.Fatal("the address is still there")
	}
}

func TestVerificationLinkIsSingleUseAndExpires(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.svc.SetEmail(ctx, f.sam, "person@example.org"); err != nil {
		t.Fatal(err)
	}
	token := tokenFrom(t, f.smtp.WaitFor(t, 1, 10*time.Second)[0])
	if err := f.svc.VerifyEmail(ctx, token); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.VerifyEmail(ctx, token); tend.ErrorKind(err) != tend.EINVALID {
		t.Fatalf("a used link: %v, want EINVALID", err)
	}
	if st, _ := f.svc.Email(ctx, f.sam); !st.Verified {
		t.Fatal("not verified")
	}
	// A change of address needs a new verification; the old link is dead.
	if err := f.svc.SetEmail(ctx, f.sam, "other@example.org"); err != nil {
		t.Fatal(err)
	}
	token = tokenFrom(t, f.smtp.WaitFor(t, 2, 10*time.Second)[1])
	if st, _ := f.svc.Email(ctx, f.sam); st.Verified || st.Address != "other@example.org" {
		t.Fatalf("after a change: %+v", st)
	}
	f.clock.Advance(notify.TokenValidFor + time.Second)
	if err := f.svc.VerifyEmail(ctx, token); tend.ErrorKind(err) != tend.EINVALID {
		t.Fatalf("an expired link: %v, want EINVALID", err)
	}
	if err := f.svc.VerifyEmail(ctx, "not-a-token"); tend.ErrorKind(err) != tend.EINVALID {
		t.Fatalf("a made-up link: %v", err)
	}
	if testenv.RawContains(t, f.db, token, "person_emails") {
		t.Fatal("the token is stored as it is, not hashed")
	}
}

func TestStaffEmailWhenTurnedOn(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	to := notify.Recipient{Kind: tend.KindStaff, ID: f.lee.ID}
	msg := notify.Message{ID: "t1", Kind: notify.KindTaskWaiting, Path: "/clinic/tasks"}
	if res, err := f.svc.Deliver(ctx, to, msg); err != nil || res.Email != 0 {
		t.Fatalf("staff e-mail off: %+v, %v", res, err)
	}
	if err := f.svc.Subscribe(ctx, f.lee, f.push.Subscribe(t).JSON()); err != nil {
		t.Fatal(err)
	}
	f.set.StaffEmail = true
	res, err := f.svc.Deliver(ctx, to, msg)
	if err != nil || res != (notify.Result{Push: 1, Email: 1}) {
		t.Fatalf("staff: %+v, %v", res, err)
	}
	m := f.smtp.WaitFor(t, 1, 10*time.Second)[0]
	if m.To[0] != "lee@example.org" || m.Header.Get("Subject") != notify.DefaultTaskText {
		t.Fatalf("to %v subject %q", m.To, m.Header.Get("Subject"))
	}
	if strings.Contains(m.Raw, f.canary) || strings.Contains(m.Header.Get("To"), "Staff") {
		t.Fatalf("the staff e-mail names someone: %q", m.Raw)
	}
	pm := f.push.WaitFor(t, 1, 10*time.Second)[0]
	if strings.Contains(string(pm.Payload), f.canary) || !strings.Contains(string(pm.Payload), "/clinic/tasks") {
		t.Fatalf("payload %q", pm.Payload)
	}
	// A failing SMTP server with push accepted: no retry.
	f.smtp.Refuse("451 4.3.0 try later")
	if _, err := f.svc.Deliver(ctx, to, notify.Message{ID: "t2", Kind: notify.KindTaskWaiting, Path: "/clinic/tasks"}); err != nil {
		t.Fatalf("push accepted, e-mail deferred: %v", err)
	}
	f.push.Fail(0, 500)
	if _, err := f.svc.Deliver(ctx, to, notify.Message{ID: "t3", Kind: notify.KindTaskWaiting, Path: "/clinic/tasks"}); err == nil {
		t.Fatal("both channels failing temporarily: no error to retry")
	}
	f.smtp.Refuse("550 5.7.1 no")
	f.push.Fail(0, 0)
	f.push.Gone(0)
	if _, err := f.svc.Deliver(ctx, to, notify.Message{ID: "t4", Kind: notify.KindTaskWaiting, Path: "/clinic/tasks"}); err != nil {
		t.Fatalf("permanent failures are not retried: %v", err)
	}
}

func TestDeliverRefusesBadMessages(t *testing.T) {
	f := newFixture(t)
	to := notify.Recipient{Kind: tend.KindPerson, ID: f.sam.ID}
	for _, m := range []notify.Message{
		{ID: "", Kind: notify.KindReminder, Path: "/me"},
		{ID: "x", Kind: "other", Path: "/me"},
		{ID: "x", Kind: notify.KindReminder, Path: "https://evil.example/"},
		{ID: "x", Kind: notify.KindReminder, Path: "//evil.example/"},
	} {
		if _, err := f.svc.Deliver(context.Background(), to, m); tend.ErrorKind(err) != tend.EINVALID {
			t.Errorf("%+v: %v", m, err)
		}
	}
}

// TestRetryErrorsNameNoEndpointOrAddress checks that an error to retry, which
// the job queue keeps and the jobs page shows, says which channel failed and
// never the push endpoint or an address a server echoed.
func TestRetryErrorsNameNoEndpointOrAddress(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var sub map[string]any
	if err := json.Unmarshal(f.push.Subscribe(t).JSON(), &sub); err != nil {
		t.Fatal(err)
	}
	// A push service that cannot be reached, at an endpoint only this
	// subscription has.
	const endpointCanary = "endpoint-canary-5c1e"
	sub["endpoint"] = "http://127.0.0.1:1/push/" + endpointCanary
	raw, err := json.Marshal(sub)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Subscribe(ctx, f.sam, raw); err != nil {
		t.Fatal(err)
	}
	const address = "address-canary-9d2b@example.org"
	f.verifyEmail(t, f.sam, address)
	f.smtp.Refuse("451 4.2.1 mailbox <" + address + "> busy, try later")

	res, err := f.svc.Deliver(ctx, notify.Recipient{Kind: tend.KindPerson, ID: f.sam.ID}, notify.Message{ID: "m-retry", Kind: notify.KindReminder, Path: "/me"})
	if err == nil || res != (notify.Result{}) {
		t.Fatalf("both channels failing for now: %+v, %v; want an error to retry", res, err)
	}
	if tend.ErrorKind(err) != tend.EUNAVAILABLE {
		t.Fatalf("error kind %q, want %q", tend.ErrorKind(err), tend.EUNAVAILABLE)
	}
	for _, canary := range []string{endpointCanary, "127.0.0.1:1", "address-canary-9d2b"} {
		if strings.Contains(err.Error(), canary) {
			t.Fatalf("the error to retry names %q: %v", canary, err)
		}
	}
}
