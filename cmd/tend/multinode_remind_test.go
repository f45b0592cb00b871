package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/notify"
	"github.com/tendcare/tend/internal/notify/channel"
	"github.com/tendcare/tend/internal/remind"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// reminderRound is the number of reminders that fall due in each round.
const reminderRound = 100

// reminderSweep is how often the nodes look for reminders that have
// fallen due (TEND_REMIND_EVERY; a minute by default).
const reminderSweep = 2 * time.Second

// reminderEnv points the nodes at the test's loopback receivers: push
// endpoints on loopback are allowed, e-mail goes to the test's SMTP server.
func (c *cluster) reminderEnv() map[string]string {
	return map[string]string{
		"TEND_PUSH_ALLOW_LOOPBACK": "true",
		"TEND_SMTP_URL":            c.mail.URL(),
		"TEND_MAIL_FROM":           "reminders@tend.example.org",
		"TEND_REMIND_EVERY":        reminderSweep.String(),
	}
}

// reminderPerson is one person with a diary reminder: a push subscription
// on the test's receiver, and for every other person a verified e-mail
// address too.
type reminderPerson struct {
	id       tend.ID
	username string
	zone     string
	sub      int    // the push receiver's subscription number
	email    string // "" for none
}

// reminderServices are the notification and reminder services over the
// cluster's database, for the test to set people up as they would
// themselves in their settings.
type reminderServices struct {
	notify *notify.Service
	remind *remind.Service
}

func (c *cluster) reminderServices(t *testing.T) reminderServices {
	t.Helper()
	smtp, err := channel.NewSMTP(c.mail.URL(), "reminders@tend.example.org", "")
	if err != nil {
		t.Fatal(err)
	}
	n := notify.NewService(store.For[notify.Tx](c.db), c.vault, tend.SystemClock{}, nil,
		notify.Options{PublicURL: multiNodePublicURL, Mailer: smtp, Pusher: channel.NewWebPush(), AllowLoopback: true, Log: testenv.Discard()})
	r := remind.NewService(store.For[remind.Tx](c.db), access.NewChecker(c.db), nil, tend.SystemClock{})
	return reminderServices{notify: n, remind: r}
}

// reminderPeople makes n people named prefix-i, half in Europe/London and
// half in Australia/Sydney, each with a push subscription and every other
// one with a verified e-mail address.
func (c *cluster) reminderPeople(t *testing.T, rs reminderServices, prefix string, n int) []reminderPerson {
	t.Helper()
	ctx := context.Background()
	zones := []string{"Europe/London", "Australia/Sydney"}
	out := make([]reminderPerson, 0, n)
	for i := range n {
		p := reminderPerson{username: fmt.Sprintf("%s-%03d", prefix, i), zone: zones[i%2]}
		p.id = c.person(t, p.username, p.zone)
		me := tend.Actor{Kind: tend.KindPerson, ID: p.id}
		sub := c.push.Subscribe(t)
		if err := rs.notify.Subscribe(ctx, me, sub.JSON()); err != nil {
			t.Fatalf("subscribe %s: %v", p.username, err)
		}
		p.sub = subscriptionNumber(t, sub.Endpoint)
		if i%2 == 0 {
			p.email = p.username + "@example.org"
			before := len(c.mail.Messages())
			if err := rs.notify.SetEmail(ctx, me, p.email); err != nil {
				t.Fatalf("set e-mail of %s: %v", p.username, err)
			}
			msgs := c.mail.WaitFor(t, before+1, 10*time.Second)
			if err := rs.notify.VerifyEmail(ctx, verifyToken(t, msgs[before].Body)); err != nil {
				t.Fatalf("verify e-mail of %s: %v", p.username, err)
			}
		}
		out = append(out, p)
	}
	return out
}

// subscriptionNumber is n in the receiver's endpoint ".../push/n".
func subscriptionNumber(t *testing.T, endpoint string) int {
	t.Helper()
	i := strings.LastIndex(endpoint, "/push/")
	var n int
	if _, err := fmt.Sscanf(endpoint[i+len("/push/"):], "%d", &n); i < 0 || err != nil {
		t.Fatalf("endpoint %q", endpoint)
	}
	return n
}

// verifyToken reads the token from a verification e-mail's link.
func verifyToken(t *testing.T, body string) string {
	t.Helper()
	for _, f := range strings.Fields(body) {
		if u, err := url.Parse(f); err == nil && strings.HasSuffix(u.Path, notify.VerifyPath) {
			return u.Query().Get("t")
		}
	}
	t.Fatalf("no verification link in:\n%s", body)
	return ""
}

// setReminders turns on each person's diary reminder at at (a whole
// minute), written in their own time zone.
func setReminders(t *testing.T, rs reminderServices, people []reminderPerson, at time.Time) {
	t.Helper()
	ctx := context.Background()
	for _, p := range people {
		loc, err := time.LoadLocation(p.zone)
		if err != nil {
			t.Fatal(err)
		}
		me := tend.Actor{Kind: tend.KindPerson, ID: p.id}
		saved, err := rs.remind.Save(ctx, me, p.id, remind.Preferences{Diary: true, At: at.In(loc).Format("15:04")})
		if err != nil {
			t.Fatalf("reminders of %s: %v", p.username, err)
		}
		if saved.NextDueAt == nil || !saved.NextDueAt.Equal(at) {
			t.Fatalf("reminder of %s next due at %v, want %v", p.username, saved.NextDueAt, at)
		}
	}
}

// roundCounts is where the receivers stood before a round.
type roundCounts struct{ push, mail int }

func (c *cluster) counts() roundCounts {
	return roundCounts{push: len(c.push.Messages()), mail: len(c.mail.Messages())}
}

// expected is how many push messages and e-mails a round sends.
func expected(people []reminderPerson) roundCounts {
	var want roundCounts
	for _, p := range people {
		want.push++
		if p.email != "" {
			want.mail++
		}
	}
	return want
}

// delivered is how many of a round's messages have arrived.
func (c *cluster) delivered(before roundCounts) roundCounts {
	now := c.counts()
	return roundCounts{push: now.push - before.push, mail: now.mail - before.mail}
}

// sendJobsOpen counts the reminder send jobs not yet finished.
func (c *cluster) sendJobsOpen(ctx context.Context) (int, error) {
	var n int
	err := c.db.Writer().QueryRowContext(ctx,
		`SELECT count(*) FROM river_job WHERE kind = $1 AND state NOT IN ('completed', 'discarded', 'cancelled')`,
		remind.SendArgs{}.Kind()).Scan(&n)
	return n, err
}

// sendsByNode counts the reminder send jobs each node finished, by the
// node that last worked them.
func (c *cluster) sendsByNode(ctx context.Context, since time.Time) (map[string]int, error) {
	rows, err := c.db.Writer().QueryContext(ctx,
		`SELECT attempted_by[array_length(attempted_by, 1)], count(*) FROM river_job
		 WHERE kind = $1 AND state = 'completed' AND created_at >= $2 GROUP BY 1`,
		remind.SendArgs{}.Kind(), since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var node string
		var n int
		if err := rows.Scan(&node, &n); err != nil {
			return nil, err
		}
		out[c.nodeName(node)] = n
	}
	return out, rows.Err()
}

// nodeName turns serve's node id (host-pid) into the test's name for it.
func (c *cluster) nodeName(id string) string {
	for _, n := range c.nodes {
		if strings.HasSuffix(id, fmt.Sprintf("-%d", n.cmd.Process.Pid)) {
			return n.name
		}
	}
	return id
}

// waitRound waits until the round's messages have all arrived and no send
// job is left to run, so that a repeat, were there one, would have come.
func (c *cluster) waitRound(t *testing.T, before, want roundCounts, d time.Duration) {
	t.Helper()
	ctx := context.Background()
	waitFor(t, d, fmt.Sprintf("%d push messages and %d e-mails", want.push, want.mail), func() (bool, error) {
		got := c.delivered(before)
		if got.push < want.push || got.mail < want.mail {
			return false, nil
		}
		open, err := c.sendJobsOpen(ctx)
		return open == 0, err
	})
}

// checkRound checks that each person got the round's reminder exactly
// once on each of their channels, that nothing personal was in any of
// them, and that the database records each send once, as sent.
func (c *cluster) checkRound(t *testing.T, people []reminderPerson, before roundCounts) {
	t.Helper()
	ctx := context.Background()
	pushes := c.push.Messages()[before.push:]
	mails := c.mail.Messages()[before.mail:]
	bySub := map[int]reminderPerson{}
	byMail := map[string]reminderPerson{}
	for _, p := range people {
		bySub[p.sub] = p
		if p.email != "" {
			byMail[p.email] = p
		}
	}
	// Push: one message per subscription, each with its own Topic.
	gotSub := map[int]int{}
	topics := map[string]int{}
	for _, m := range pushes {
		p, ok := bySub[m.Subscription]
		if !ok {
			t.Errorf("a push message went to subscription %d, of no one in this round", m.Subscription)
			continue
		}
		gotSub[m.Subscription]++
		topics[m.Topic]++
		if m.Topic == "" {
			t.Errorf("the push message to %s has no Topic", p.username)
		}
		checkNeutral(t, "push payload", string(m.Payload), people)
		var pl map[string]any
		if err := json.Unmarshal(m.Payload, &pl); err != nil {
			t.Errorf("push payload %q: %v", m.Payload, err)
			continue
		}
		for k := range pl {
			if k != "title" && k != "body" && k != "path" && k != "tag" {
				t.Errorf("push payload holds %q: %s", k, m.Payload)
			}
		}
		if pl["title"] != notify.DefaultReminderText || pl["path"] != "/me/diary" {
			t.Errorf("push payload = %s, want the neutral reminder opening /me/diary", m.Payload)
		}
	}
	// Every node signs with the one VAPID key pair in the database: a
	// browser subscribed with its public key accepts no other.
	vapid := map[string]int{}
	for _, m := range c.push.Messages() {
		vapid[m.VAPIDKey]++
	}
	if len(vapid) != 1 {
		t.Errorf("the nodes signed with %d VAPID keys, want one: %v", len(vapid), vapid)
	}
	for _, p := range people {
		if n := gotSub[p.sub]; n != 1 {
			t.Errorf("%s's browser got %d push messages, want 1", p.username, n)
		}
	}
	for topic, n := range topics {
		if n != 1 {
			t.Errorf("Topic %s came %d times", topic, n)
		}
	}
	// E-mail: one reminder per verified address, each its own Message-ID.
	gotMail := map[string]int{}
	ids := map[string]int{}
	for _, m := range mails {
		if len(m.To) != 1 {
			t.Errorf("an e-mail went to %v", m.To)
			continue
		}
		p, ok := byMail[m.To[0]]
		if !ok {
			t.Errorf("an e-mail went to %s, of no one in this round", m.To[0])
			continue
		}
		gotMail[p.email]++
		ids[m.Header.Get("Message-Id")]++
		if s := m.Header.Get("Subject"); s != notify.DefaultReminderText {
			t.Errorf("the e-mail to %s has subject %q", p.username, s)
		}
		checkNeutral(t, "e-mail body", m.Body, people)
		checkNeutral(t, "e-mail subject", m.Header.Get("Subject"), people)
	}
	for _, p := range people {
		if p.email != "" && gotMail[p.email] != 1 {
			t.Errorf("%s got %d reminder e-mails, want 1", p.username, gotMail[p.email])
		}
	}
	for id, n := range ids {
		if id == "" || n != 1 {
			t.Errorf("Message-ID %q came %d times", id, n)
		}
	}
	// The record: one send per person, sent, with the channels it reached.
	for _, p := range people {
		sends, err := c.db.FindReminderSends(ctx, p.id, 5)
		if err != nil {
			t.Fatal(err)
		}
		wantMail := 0
		if p.email != "" {
			wantMail = 1
		}
		if len(sends) != 1 || sends[0].State != remind.StateSent || sends[0].Push != 1 || sends[0].Email != wantMail {
			t.Errorf("%s's sends = %+v, want one sent to 1 browser and %d e-mail address", p.username, sends, wantMail)
		}
	}
}

// checkNeutral fails when text names anyone of people: their username,
// their id or their address.
func checkNeutral(t *testing.T, what, text string, people []reminderPerson) {
	t.Helper()
	for _, p := range people {
		for _, s := range []string{p.username, string(p.id), p.email} {
			if s != "" && strings.Contains(text, s) {
				t.Errorf("a %s holds %q, of %s: %q", what, s, p.username, text)
				return
			}
		}
	}
}

// nextMinute is the first whole minute at least lead after now.
func nextMinute(lead time.Duration) time.Time {
	return time.Now().Add(lead).Truncate(time.Minute).Add(time.Minute).UTC()
}
