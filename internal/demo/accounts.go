package demo

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/chain"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/groups"
	"github.com/tendcare/tend/internal/hopebox"
	"github.com/tendcare/tend/internal/journal"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/medication"
	"github.com/tendcare/tend/internal/notes"
	"github.com/tendcare/tend/internal/remind"
	"github.com/tendcare/tend/internal/skills"
	"github.com/tendcare/tend/internal/toolbox"
)

// Teams of the demo service.
const (
	TeamRiverside = "Riverside DBT team"
	TeamNorthside = "Northside team"
)

// staffAccount is one demo staff member.
type staffAccount struct {
	email, name string
	role        tend.Role
	team        string
}

// The demo staff (issue "People, care teams and trust", item 10).
var staff = []staffAccount{
	{"admin@example.org", "Ash (admin)", tend.RoleAdmin, ""},
	{"lee@example.org", "Lee", tend.RoleClinician, TeamRiverside},
	{"priya@example.org", "Priya", tend.RoleClinician, TeamRiverside},
	{"jo@example.org", "Jo", tend.RoleClinician, TeamRiverside},
	{"morgan@example.org", "Morgan", tend.RoleLead, TeamRiverside},
	{"kim@example.org", "Kim", tend.RoleClinician, TeamNorthside},
}

// The demo people and their teams.
var people = []struct{ username, team, ageBand string }{
	{"sam", TeamRiverside, "18_25"},
	{"alex", TeamRiverside, "under_18"},
	{"riley", TeamNorthside, "over_25"},
}

// The demo care teams: who is what for whom.
var careTeams = []struct {
	person, staff string
	role          tend.CareRole
}{
	{"sam", "lee@example.org", tend.CareTherapist},
	{"alex", "lee@example.org", tend.CareTherapist},
	{"sam", "priya@example.org", tend.CarePrescriber},
	{"sam", "jo@example.org", tend.CareGroupFacilitator},
	{"riley", "kim@example.org", tend.CareTherapist},
}

// Services are what seeding goes through, so demo data is made exactly as
// real data is: checked, audited, hashed.
type Services struct {
	Accounts *auth.Service
	CareTeam *careteam.Service
	// Toolbox, when given, gets a little demo content (seedToolbox).
	Toolbox *toolbox.Service
	// Skills, when given, gets one piece of homework for sam (seedHomework).
	Skills *skills.Service
	// Journal and HopeBox, when given, get a little of sam's own content
	// (seedJournal, seedHopeBox).
	Journal *journal.Service
	HopeBox *hopebox.Service
	// Medication, Groups and Notes, when given, get sam's medication list
	// (kept by priya), jo's skills group and one of lee's notes.
	Medication *medication.Service
	Groups     *groups.Service
	Notes      *notes.Service
	// Episodes, when given, gets episodes of care for sam and alex, and
	// sam's sessions (seedEpisodes).
	Episodes *episodes.Service
	// Chains, when given, gets one completed chain analysis that Lee and
	// sam did together (seedChain); sam lets Lee see and edit them.
	Chains *chain.Service
	// DiaryAt and Backdate, when both given, give sam two weeks of diary
	// cards and alex a few (seedDiary). DiaryAt returns the diary service
	// running on clock, so that each card is saved on its own day; Backdate
	// moves a demo person's join time back (store.DB.BackdateDemoPerson).
	DiaryAt  func(clock tend.Clock) *diary.Service
	Backdate func(ctx context.Context, personID tend.ID, joined time.Time) error
	// FollowUp, when given, has Lee resolve the task that sam's seeded
	// self-harm act opened, as after a call the next day.
	FollowUp *followup.Service
	// MeasureAt, when given, gives sam an earlier PHQ-9 and GAD-7 and
	// alex an earlier PHQ-9 (seedQuestionnaires). It returns the measure
	// service running on clock, so that each is answered on its own day.
	MeasureAt func(clock tend.Clock) *measure.Service
	// Reminders, when given, gives sam a diary card reminder at 20:00
	// (seedReminders).
	Reminders *remind.Service
}

// ErrSeeded means the demo accounts already exist.
var ErrSeeded = errors.New("demo: accounts already exist")

// Seed creates the demo accounts and care teams, all with password. It
// returns ErrSeeded when they exist already.
func Seed(ctx context.Context, s Services, password string) error {
	if _, err := s.Accounts.FindStaffByEmail(ctx, tend.System, staff[0].email); err == nil {
		return ErrSeeded
	} else if tend.ErrorKind(err) != tend.ENOTFOUND {
		return err
	}
	ids := map[string]tend.ID{}
	var admin tend.Actor
	for _, st := range staff {
		a, _, err := s.Accounts.CreateStaff(ctx, tend.System, auth.NewStaff{Email: st.email, Name: st.name, Role: st.role, Team: st.team, Password: password})
		if err != nil {
			return fmt.Errorf("demo: staff %s: %w", st.email, err)
		}
		ids[st.email] = a.ID
		if st.role == tend.RoleAdmin {
			admin = tend.Actor{Kind: tend.KindStaff, ID: a.ID, Role: tend.RoleAdmin, MFA: true}
		}
	}
	for _, p := range people {
		code, _, err := s.Accounts.CreateInvite(ctx, tend.System, auth.NewInvite{Team: p.team, AgeBand: p.ageBand, State: tend.StateInTreatment})
		if err != nil {
			return fmt.Errorf("demo: invite %s: %w", p.username, err)
		}
		j, err := s.Accounts.Join(ctx, auth.JoinRequest{Code: code, Username: p.username, Password: password}, auth.Client{Address: "127.0.0.1", Device: "demo set-up"})
		if err != nil {
			return fmt.Errorf("demo: join %s: %w", p.username, err)
		}
		ids[p.username] = j.Person.ID
	}
	for _, c := range careTeams {
		if _, err := s.CareTeam.AddMember(ctx, admin, ids[c.person], ids[c.staff], c.role); err != nil {
			return fmt.Errorf("demo: care team of %s: %w", c.person, err)
		}
	}
	if s.Skills != nil {
		if err := seedHomework(ctx, s.Skills, ids["lee@example.org"], ids["sam"]); err != nil {
			return fmt.Errorf("demo: homework: %w", err)
		}
	}
	if s.Reminders != nil {
		if err := seedReminders(ctx, s.Reminders, ids["sam"]); err != nil {
			return fmt.Errorf("demo: reminders: %w", err)
		}
	}
	if s.Toolbox != nil {
		if err := seedToolbox(ctx, s.Toolbox, ids["sam"]); err != nil {
			return fmt.Errorf("demo: toolbox: %w", err)
		}
	}
	if s.Journal != nil {
		if err := seedJournal(ctx, s.Journal, ids["sam"]); err != nil {
			return fmt.Errorf("demo: journal: %w", err)
		}
	}
	if s.HopeBox != nil {
		if err := seedHopeBox(ctx, s.HopeBox, ids["sam"]); err != nil {
			return fmt.Errorf("demo: hope box: %w", err)
		}
	}
	if s.Medication != nil {
		if err := seedMedication(ctx, s.Medication, ids["priya@example.org"], ids["sam"]); err != nil {
			return fmt.Errorf("demo: medication: %w", err)
		}
	}
	if s.Groups != nil {
		if err := seedGroup(ctx, s.Groups, ids["jo@example.org"], ids["sam"]); err != nil {
			return fmt.Errorf("demo: groups: %w", err)
		}
	}
	if s.Notes != nil {
		if err := seedNote(ctx, s.Notes, ids["lee@example.org"], ids["sam"]); err != nil {
			return fmt.Errorf("demo: notes: %w", err)
		}
	}
	if s.Episodes != nil {
		if err := seedEpisodes(ctx, s.Episodes, ids["lee@example.org"], ids["sam"], ids["alex"]); err != nil {
			return fmt.Errorf("demo: episodes: %w", err)
		}
	}
	if s.Chains != nil {
		if err := seedChain(ctx, s.CareTeam, s.Chains, ids["lee@example.org"], ids["sam"]); err != nil {
			return fmt.Errorf("demo: chain analysis: %w", err)
		}
	}
	if s.DiaryAt != nil && s.Backdate != nil {
		if err := seedDiary(ctx, s, ids["lee@example.org"], ids["sam"], ids["alex"]); err != nil {
			return err
		}
	}
	if s.MeasureAt != nil {
		if err := seedQuestionnaires(ctx, s.MeasureAt, ids["lee@example.org"], ids["sam"], ids["alex"]); err != nil {
			return err
		}
	}
	return nil
}

// seedToolbox gives sam a pinned favourite and one gentle use in their
// toolbox log, so the demo shows both.
func seedToolbox(ctx context.Context, tb *toolbox.Service, samID tend.ID) error {
	sam := tend.Actor{Kind: tend.KindPerson, ID: samID}
	if err := tb.Choose(ctx, sam, samID, "breathe.paced", toolbox.ChangePin); err != nil {
		return err
	}
	_, _, err := tb.Log(ctx, sam, samID, toolbox.NewUse{Key: "demo-seed-1", Question: toolbox.QuestionUrge, UrgeBefore: 6,
		ActivityID: "distract.senses", Minutes: 10, UrgeAfter: 3, Helpful: true})
	return err
}

// Password returns the demo password: TEND_DEMO_PASSWORD when given,
// otherwise one generated once and kept in the demo data folder, so it
// survives restarts (DESIGN.md "Demo").
func Password(dataDir, fromEnv string) (string, error) {
	if fromEnv != "" {
		return fromEnv, nil
	}
	path := filepath.Join(dataDir, "demo-password")
	if b, err := os.ReadFile(path); err == nil { // #nosec G304 -- in the demo data folder.
		if p := strings.TrimSpace(string(b)); p != "" {
			return p, nil
		}
	}
	raw := make([]byte, 10)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	p := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw))
	if err := os.WriteFile(path, []byte(p+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("demo: keep the password: %w", err)
	}
	return p, nil
}

// TeamDuty is the demo service's duty team.
const TeamDuty = "Riverside duty team"

// SeedDutyTeam creates the demo's duty team and returns its id, for the
// service settings (every person has a route, safety-rules.md section 4).
func SeedDutyTeam(ctx context.Context, accounts *auth.Service) (tend.ID, error) {
	t, err := accounts.CreateTeam(ctx, tend.System, TeamDuty, auth.TeamDuty)
	if err != nil {
		return "", fmt.Errorf("demo: duty team: %w", err)
	}
	return t.ID, nil
}
