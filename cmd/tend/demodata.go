package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/config"
	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/keys"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/vault"
)

const demoDataUsage = `Usage:
  tend demo-data [--people N] [--days D] [--seed S] [--today YYYY-MM-DD] [--therapist EMAIL] [--every-day] [--data DIR | --db URL]

Fills a demo database with made-up people (demo-person-0001, ...) with what
the clinic pages and the service outcomes report show. Each person has an
episode of care with the demo service's clinicians (three in four in Lee's
Riverside DBT team, which morgan@example.org leads, one in four in Kim's
Northside team), in one of the service's modalities:

  - most started and ended within the D days (12 to 30 weeks of treatment),
    most with consent to follow-up at discharge; some go on filling in
    diary cards after it, some stop;
  - some are still in treatment, and a few referrals were never accepted;
  - weekly sessions (a few people left after fewer than three), the odd
    incident recorded by a clinician, PHQ-9 and GAD-7 every two weeks in
    treatment and at the follow-up points, and diary cards from the day
    they joined (some improving, some not, some with many days not filled
    in), with care-team memberships and the service's default sharing.

Most episodes end in one calendar year, the report's year, which demo-data
prints. The first three people have MBT episodes in the Riverside team that
end in that year: a small cell, which the report shows as "fewer than 5".
The same seed and --today make the same people. The database is the one
'tend serve --demo' uses with the same --data or --db; a new one is made a
demo database and seeded with the demo service first. The people sign in
with the demo password (TEND_DEMO_PASSWORD, or the one kept in the data
folder). Running it again adds more people after the ones already made.

It refuses a database that holds real data, so that no real service fills up
with made-up people. A staging copy set up outside demo mode can be filled
for load tests with --allow-live and --therapist naming one of its
clinicians.

For load tests, --every-day gives every person a card on every one of the D
days, with no gaps (they joined by the first of them at the latest); the
episodes and everything else stay the same.

Flags:
`

// demoDataBatchCards bounds the cards written in one transaction.
const demoDataBatchCards = 40_000

// demoDataNotesFor is how many people write an occasional note: each
// note is sealed with its person's data key, made in the key store.
const demoDataNotesFor = 200

func runDemoData(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var people, days int
	var seed uint64
	var therapist, todayFlag string
	var allowLive, everyDay bool
	cfg, rest, err := config.Load("demo-data", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.Usage = func() {
			fmt.Fprint(fs.Output(), demoDataUsage)
			fs.PrintDefaults()
		}
		fs.IntVar(&people, "people", 50, "how many people to make (1 to 100000)")
		fs.IntVar(&days, "days", 365, "the days the episodes and diary cards span, the last one today (1 to 1000)")
		fs.Uint64Var(&seed, "seed", 1, "the seed: the same seed makes the same people")
		fs.StringVar(&todayFlag, "today", "", "the last day of the cards, YYYY-MM-DD (default: today in the service's time zone); with the same seed, the same data")
		fs.StringVar(&therapist, "therapist", "", "put every person on this clinician's caseload, in their team (default: lee@example.org's and kim@example.org's teams)")
		fs.BoolVar(&everyDay, "every-day", false, "for load tests: every person fills in a card on every one of the D days, with no gaps")
		fs.BoolVar(&allowLive, "allow-live", false, "also fill a database that is not a demo database (a staging copy; never one with real people); needs --therapist")
	})
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("demo-data: unexpected %q", rest[0])
	}
	if people < 1 || people > 100_000 {
		return errors.New("demo-data: --people must be between 1 and 100000")
	}
	if days < 1 || days > 1000 {
		return errors.New("demo-data: --days must be between 1 and 1000")
	}
	var lastDay time.Time
	if todayFlag != "" {
		if lastDay, err = time.Parse(time.DateOnly, todayFlag); err != nil {
			return errors.New("demo-data: --today must be a date, YYYY-MM-DD")
		}
	}
	cfg.Demo = true
	log := newLogger(cfg, stderr)

	db, err := openMigrated(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	mode, err := db.Mode(ctx)
	if err != nil {
		return err
	}
	live := mode == store.ModeLive
	switch {
	case live && !allowLive:
		return errors.New("demo-data: this database holds real data. demo-data fills only a demo database (one made by 'tend serve --demo' or by demo-data), " +
			"so that no real service fills up with made-up people. To fill a staging copy for load tests anyway, add --allow-live and --therapist")
	case live && therapist == "":
		return errors.New("demo-data: --allow-live needs --therapist: the clinician whose caseload the people join")
	case mode == "":
		if err := db.ClaimMode(ctx, store.ModeDemo); err != nil {
			return errors.New(tend.ErrorMessage(err))
		}
	}
	if !live {
		if err := prepareDemoFolder(cfg); err != nil {
			return err
		}
		if err := firstSettings(ctx, cfg, db); err != nil {
			return err
		}
	}
	kf, err := keys.Load(cfg.KeyFile)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("demo-data: %s", keyFileProblem(cfg.KeyFile))
		}
		return err
	}
	sk, err := kf.CurrentKey()
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	db.SetAuditChain(audit.NewChain(sk, fmt.Sprintf("%s-cli-%d", host, os.Getpid())))
	cache := settings.NewCache(db)
	if err := cache.Refresh(ctx); err != nil {
		return err
	}
	dir, err := crisis.Load()
	if err != nil {
		return err
	}
	ks, err := store.OpenKeyStore(ctx, cfg.KeyStore)
	if err != nil {
		return fmt.Errorf("key store: %w", err)
	}
	defer ks.Close()
	v, err := vault.New(kf, ks, tend.SystemClock{})
	if err != nil {
		return err
	}
	if err := v.EnsureRecordsKey(ctx); err != nil {
		return err
	}
	svc := wire(cfg, db, v, cache, dir, tend.SystemClock{})
	var password string
	if live {
		password, err = demo.Password(cfg.DataDir, getenv("TEND_DEMO_PASSWORD"))
	} else {
		// The demo service itself first (nothing when it exists already).
		password, err = seedDemo(ctx, cfg, getenv, db, svc, cache)
	}
	if err != nil {
		return err
	}

	clinic, teamName, err := demoClinic(ctx, db, therapist)
	if err != nil {
		return err
	}
	st, _ := cache.Get()
	clinic.TimeZone, clinic.Country = st.TimeZone, st.Country
	clinic.RiddenOutLevel = st.Diary.Level()
	clinic.Modalities = st.Modalities
	now, err := demoNow(time.Now(), lastDay, st.TimeZone)
	if err != nil {
		return err
	}
	if clinic.Defaults, err = db.FindSharingDefaults(ctx); err != nil {
		return err
	}
	// One hash of the shared demo password for everyone: hashing is
	// deliberately slow (argon2id), and these people are all made-up.
	if clinic.PasswordHash, err = auth.NewHasher(1).Hash(ctx, password); err != nil {
		return err
	}
	clinic.Sealer, clinic.NotesFor = v, demoDataNotesFor

	made, err := db.CountPeopleByUsernamePrefix(ctx, demo.UsernamePrefix)
	if err != nil {
		return err
	}
	pop := demo.Population{People: people, Days: days, Seed: seed, First: made + 1, Now: now, EveryDay: everyDay}
	year, err := pop.ReportYear(st.TimeZone)
	if err != nil {
		return err
	}
	start := time.Now()
	batch := max(1, demoDataBatchCards/days)
	var cards, rows int
	stages := map[demo.Stage]int{}
	endedInYear, smallCell := 0, 0
	for n := pop.First; n < pop.First+people; n += batch {
		var ps []demo.Person
		for i := n; i < min(n+batch, pop.First+people); i++ {
			p, err := pop.Person(ctx, clinic, i)
			if err != nil {
				return err
			}
			ps = append(ps, p)
		}
		var written int
		if err := db.Bulk(ctx, func(w *store.BulkWriter) error {
			if err := writePeople(ctx, w, ps); err != nil {
				return err
			}
			written = w.Rows()
			return nil
		}); err != nil {
			return err
		}
		rows += written
		for _, p := range ps {
			cards += len(p.Cards)
			stages[p.Stage]++
			if e := p.Episode.EndedOn; e != nil && e.Year() == year {
				endedInYear++
				if p.Number <= demo.SmallCellPeople {
					smallCell++
				}
			}
		}
	}
	last := pop.First + people - 1
	err = db.InTx(ctx, func(tx *store.Tx) error {
		return tx.AppendAudit(ctx, tend.AuditEvent{ActorKind: tend.KindSystem, ActorRole: string(tend.KindSystem), Action: "demo_data.created",
			Target: fmt.Sprintf("demo_data:%s..%s", demo.Username(pop.First), demo.Username(last))})
	})
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "Made %d made-up people, %s to %s, with %d diary cards over %d days (%d rows in %.1f s, seed %d).\n",
		people, demo.Username(pop.First), demo.Username(last), cards, days, rows, took.Seconds(), seed)
	fmt.Fprintf(stdout, "Episodes of care: %d ended (%d of them in %d), %d in treatment, %d referrals not accepted.\n",
		stages[demo.StageEnded], endedInYear, year, stages[demo.StageInTreatment], stages[demo.StageNotAccepted])
	if smallCell > 0 {
		fmt.Fprintf(stdout, "The outcomes report for %d has a small cell: %s to %s, %s in the %s, ended in %d.\n",
			year, demo.Username(1), demo.Username(smallCell), demo.SmallCellModality, teamName, year)
	}
	if live {
		fmt.Fprintln(stdout, "They sign in with the password kept in the data folder's demo-password file (or TEND_DEMO_PASSWORD).")
	} else {
		fmt.Fprintf(stdout, "They sign in with the demo password. Start Tend on them with: tend serve --demo %s\n", dataFlags(cfg))
	}
	return nil
}

// dataFlags repeats where the database is, for the next command.
func dataFlags(cfg config.Config) string {
	if cfg.SQLitePath() == "" {
		return "--data " + cfg.DataDir + " --db <the same database>"
	}
	return "--data " + cfg.DataDir
}

// demoClinic places the people: with the demo service's therapists by
// default (three in four in Lee's Riverside DBT team, with Priya
// prescribing and Jo's skills group for some, one in four in Kim's
// Northside team), or all with one named clinician. It also returns the
// name of the first team, which holds the small cell.
func demoClinic(ctx context.Context, db *store.DB, therapist string) (demo.Clinic, string, error) {
	find := func(email string) (tend.ID, error) {
		a, err := db.FindStaffAccountByEmail(ctx, email)
		if err != nil {
			if tend.ErrorKind(err) == tend.ENOTFOUND {
				return "", fmt.Errorf("demo-data: there is no staff member %s", email)
			}
			return "", err
		}
		return a.ID, nil
	}
	var c demo.Clinic
	if therapist != "" {
		a, err := db.FindStaffAccountByEmail(ctx, therapist)
		if err != nil || a.Role != tend.RoleClinician || a.DisabledAt != nil {
			return c, "", fmt.Errorf("demo-data: --therapist %s is not an active clinician here", therapist)
		}
		team, err := db.FindStaffTeamID(ctx, a.ID)
		if err != nil {
			return c, "", fmt.Errorf("demo-data: --therapist %s is in no team", therapist)
		}
		c.Teams = []demo.CareTeamPlan{{TeamID: team, Therapists: []tend.ID{a.ID}, Weight: 1}}
		if admin, err := find("admin@example.org"); err == nil {
			c.AddedBy = admin
		}
		return c, "team of " + therapist, nil
	}
	ids := map[string]tend.ID{}
	for _, email := range []string{"admin@example.org", "lee@example.org", "priya@example.org", "jo@example.org", "kim@example.org"} {
		id, err := find(email)
		if err != nil {
			return c, "", err
		}
		ids[email] = id
	}
	riverside, err := db.FindTeamIDByName(ctx, demo.TeamRiverside)
	if err != nil {
		return c, "", err
	}
	northside, err := db.FindTeamIDByName(ctx, demo.TeamNorthside)
	if err != nil {
		return c, "", err
	}
	c.AddedBy = ids["admin@example.org"]
	// Each team's ended episodes fall in a few modalities, so that with a
	// couple of hundred people every team x modality cell of the report's
	// year but the small one holds well over ten.
	c.Teams = []demo.CareTeamPlan{
		{TeamID: riverside, Therapists: []tend.ID{ids["lee@example.org"]}, Prescriber: ids["priya@example.org"], Facilitator: ids["jo@example.org"], Weight: 3,
			Modalities: []demo.Share{{Modality: "DBT", Weight: 7}, {Modality: "CBT", Weight: 3}}},
		{TeamID: northside, Therapists: []tend.ID{ids["kim@example.org"]}, Weight: 1,
			Modalities: []demo.Share{{Modality: "CBT", Weight: 1}, {Modality: "psychodynamic", Weight: 1}}},
	}
	return c, demo.TeamRiverside, nil
}

// demoNow is the moment the cards run up to: now, or 21:30 on lastDay in
// the service's time zone. lastDay may not be after today.
func demoNow(now, lastDay time.Time, zone string) (time.Time, error) {
	if lastDay.IsZero() {
		return now, nil
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return time.Time{}, err
	}
	if y, m, d := now.In(loc).Date(); lastDay.After(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) {
		return time.Time{}, errors.New("demo-data: --today cannot be after today")
	}
	return time.Date(lastDay.Year(), lastDay.Month(), lastDay.Day(), 21, 30, 0, 0, loc), nil
}

// writePeople writes a batch of made-up people with everything about them.
func writePeople(ctx context.Context, w *store.BulkWriter, ps []demo.Person) error {
	var (
		accounts  []auth.PersonAccount
		members   []careteam.Member
		grants    []careteam.Grant
		eps       []episodes.Episode
		sessions  []episodes.Session
		incidents []episodes.Incident
		cards     []diary.CardRecord
		assigned  []measure.Assignment
		due       []measure.Due
		answered  []measure.Response
	)
	for _, p := range ps {
		accounts = append(accounts, p.Account)
		members = append(members, p.Members...)
		grants = append(grants, p.Grants...)
		eps = append(eps, p.Episode)
		sessions = append(sessions, p.Sessions...)
		incidents = append(incidents, p.Incidents...)
		cards = append(cards, p.Cards...)
		assigned = append(assigned, p.Questionnaires.Assignments...)
		due = append(due, p.Questionnaires.Due...)
		answered = append(answered, p.Questionnaires.Responses...)
	}
	if err := w.People(ctx, accounts); err != nil {
		return err
	}
	if err := w.CareTeams(ctx, members, grants); err != nil {
		return err
	}
	if err := w.Episodes(ctx, eps, sessions); err != nil {
		return err
	}
	if err := w.Incidents(ctx, incidents); err != nil {
		return err
	}
	if err := w.DiaryCards(ctx, cards); err != nil {
		return err
	}
	return w.Measures(ctx, assigned, due, answered)
}
