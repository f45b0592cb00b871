package auth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/store"
)

const supporterPassword = "a supporter's long password"

// supporterFor adds a supporter of the person through careteam, as the
// person's page does, and returns the supporter record and its code.
func (e *env) supporterFor(person auth.Joined, items ...access.SupporterItem) (careteam.Supporter, string) {
	e.t.Helper()
	ct := careteam.NewService(store.For[careteam.Tx](e.db), access.NewChecker(e.db), e.clock)
	actor := tend.Actor{Kind: tend.KindPerson, ID: person.Person.ID, MFA: true}
	sup, err := ct.AddSupporter(ctx, actor, person.Person.ID, items)
	if err != nil {
		e.t.Fatalf("add supporter: %v", err)
	}
	code, _, err := e.svc.CreateSupporterInvite(ctx, actor, sup.ID)
	if err != nil {
		e.t.Fatalf("supporter invite: %v", err)
	}
	return sup, code
}

var supporterClient = auth.Client{Address: "192.0.2.44", Device: "Safari / iPhone"}

func TestSupporterInvite(t *testing.T) {
	e := newEnv(t, auth.Options{})
	sam, alex := e.person("sam"), e.person("alex")
	sup, code := e.supporterFor(sam, access.ItemSteps3to5)
	t.Run("OK", func(t *testing.T) {
		raw := strings.ReplaceAll(code, "-", "")
		if len(raw) != 16 { // 80 bits
			t.Fatalf("code %q has %d characters, want 16", code, len(raw))
		}
		ev := e.wantAudit("auth.supporter_invite_created", tend.OutcomeOK)
		if ev.PersonID != sam.Person.ID {
			t.Errorf("audit person = %s, want sam", ev.PersonID)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, _, err := e.svc.CreateSupporterInvite(ctx, tend.Actor{Kind: tend.KindPerson, ID: alex.Person.ID}, sup.ID)
		wantKind(t, err, tend.ENOTFOUND) // alex cannot make codes for sam's supporter
		staff := e.staff("lee@example.org", tend.RoleClinician)
		_, _, err = e.svc.CreateSupporterInvite(ctx, tend.Actor{Kind: tend.KindStaff, ID: staff.ID, Role: tend.RoleClinician, MFA: true}, sup.ID)
		wantKind(t, err, tend.ENOTFOUND) // nobody but the person invites a supporter
	})
}

func TestJoinSupporter(t *testing.T) {
	e := newEnv(t, auth.Options{})
	sam := e.person("sam")
	sup, code := e.supporterFor(sam, access.ItemSteps3to5, access.ItemWhoToCall)

	t.Run("UsernameOfAPerson", func(t *testing.T) {
		_, err := e.svc.JoinSupporter(ctx, auth.SupporterJoinRequest{Code: code, Username: "SAM", Password: supporterPassword}, supporterClient)
		wantKind(t, err, tend.ECONFLICT) // one namespace with people, in any letter case
	})
	var joined auth.SupporterJoined
	t.Run("OK", func(t *testing.T) {
		var err error
		joined, err = e.svc.JoinSupporter(ctx, auth.SupporterJoinRequest{Code: strings.ToLower(code), Username: "sams-mum", Password: supporterPassword}, supporterClient)
		if err != nil {
			t.Fatal(err)
		}
		if joined.Account.ID != sup.ID {
			t.Errorf("account id = %s, want the supporter's %s", joined.Account.ID, sup.ID)
		}
		actor, _, err := e.svc.Authenticate(ctx, joined.Token)
		if err != nil {
			t.Fatal(err)
		}
		if actor.Kind != tend.KindSupporter || actor.ID != sup.ID || actor.Role != "" {
			t.Errorf("actor = %+v, want supporter %s", actor, sup.ID)
		}
		e.wantAudit("auth.supporter_invite_redeemed", tend.OutcomeOK)
	})
	t.Run("CodeUsedUp", func(t *testing.T) {
		_, err := e.svc.JoinSupporter(ctx, auth.SupporterJoinRequest{Code: code, Username: "sams-dad", Password: supporterPassword}, supporterClient)
		wantKind(t, err, tend.EINVALID)
		e.wantAudit("auth.supporter_invite_redeemed", tend.OutcomeFailed)
	})
	t.Run("PersonCannotTakeSupporterName", func(t *testing.T) {
		e.ensureTeam()
		_, err := e.svc.Join(ctx, auth.JoinRequest{Code: e.invite(auth.NewInvite{}), Username: "Sams-Mum", Password: personPassword}, supporterClient)
		wantKind(t, err, tend.ECONFLICT)
	})
	t.Run("SignIn", func(t *testing.T) {
		tok, _, err := e.svc.SignInPerson(ctx, "Sams-Mum", supporterPassword, supporterClient)
		if err != nil {
			t.Fatal(err)
		}
		actor, _, err := e.svc.Authenticate(ctx, tok)
		if err != nil || actor.Kind != tend.KindSupporter || actor.ID != sup.ID {
			t.Fatalf("actor = %+v, %v; want supporter", actor, err)
		}
		_, _, err = e.svc.SignInPerson(ctx, "sams-mum", "not the password", supporterClient)
		wantKind(t, err, tend.EUNAUTHORIZED)
	})
	t.Run("EndedSupporterIsSignedOut", func(t *testing.T) {
		ct := careteam.NewService(store.For[careteam.Tx](e.db), access.NewChecker(e.db), e.clock)
		if err := ct.EndSupporter(ctx, tend.Actor{Kind: tend.KindPerson, ID: sam.Person.ID}, sam.Person.ID, sup.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.svc.Authenticate(ctx, joined.Token)
		wantKind(t, err, tend.EUNAUTHORIZED)
		_, _, err = e.svc.SignInPerson(ctx, "sams-mum", supporterPassword, supporterClient)
		wantKind(t, err, tend.EUNAUTHORIZED) // as unknown as a name nobody holds
		_, _, err = e.svc.CreateSupporterInvite(ctx, tend.Actor{Kind: tend.KindPerson, ID: sam.Person.ID}, sup.ID)
		wantKind(t, err, tend.EINVALID)
	})
}

func TestJoinSupporterRefusesCodes(t *testing.T) {
	e := newEnv(t, auth.Options{})
	sam := e.person("sam")
	join := func(code string) error {
		_, err := e.svc.JoinSupporter(ctx, auth.SupporterJoinRequest{Code: code, Username: "a-friend", Password: supporterPassword}, supporterClient)
		return err
	}
	t.Run("Unknown", func(t *testing.T) {
		wantKind(t, join("AAAA-BBBB-CCCC-DDDD"), tend.EINVALID)
	})
	t.Run("PersonInviteIsNotASupporterCode", func(t *testing.T) {
		e.ensureTeam()
		wantKind(t, join(e.invite(auth.NewInvite{})), tend.EINVALID)
	})
	t.Run("Expired", func(t *testing.T) {
		_, code := e.supporterFor(sam, access.ItemWhoToCall)
		e.clock.Advance(73 * time.Hour)
		wantKind(t, join(code), tend.EINVALID)
	})
	t.Run("SupporterEnded", func(t *testing.T) {
		sup, code := e.supporterFor(sam, access.ItemWhoToCall)
		ct := careteam.NewService(store.For[careteam.Tx](e.db), access.NewChecker(e.db), e.clock)
		if err := ct.EndSupporter(ctx, tend.Actor{Kind: tend.KindPerson, ID: sam.Person.ID}, sam.Person.ID, sup.ID); err != nil {
			t.Fatal(err)
		}
		wantKind(t, join(code), tend.EINVALID)
	})
}
