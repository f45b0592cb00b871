package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/episodes"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
)

// bulkDB returns a migrated store with one team, two clinicians and an
// admin, all with fixed ids, so two such stores can be compared row by row.
func bulkDB(t *testing.T) *store.DB {
	t.Helper()
	db := testenv.Store(t, nil)
	at := time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)
	for _, q := range []string{
		`INSERT INTO teams (id, name, kind, created_at) VALUES ('t1', 'One', 'care', $1)`,
		`INSERT INTO staff (id, email, name, role, password_hash, created_at) VALUES ('lee', 'lee@example.org', 'Lee', 'clinician', 'x', $1),
			('pri', 'pri@example.org', 'Pri', 'clinician', 'x', $1), ('jo', 'jo@example.org', 'Jo', 'clinician', 'x', $1),
			('adm', 'adm@example.org', 'Adm', 'admin', 'x', $1)`,
	} {
		if _, err := db.Writer().Exec(q, at); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return db
}

func bulkClinic(t *testing.T, db *store.DB) demo.Clinic {
	t.Helper()
	defaults, err := db.FindSharingDefaults(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return demo.Clinic{Teams: []demo.CareTeamPlan{{TeamID: "t1", Therapists: []tend.ID{"lee"}, Prescriber: "pri", Facilitator: "jo", Weight: 1}},
		Defaults: defaults, PasswordHash: "x", TimeZone: "Europe/London", Country: "GB", AddedBy: "adm"}
}

// bulkFill makes pop's people and writes them in batches of three people.
func bulkFill(t *testing.T, db *store.DB, pop demo.Population) []demo.Person {
	t.Helper()
	ctx := context.Background()
	c := bulkClinic(t, db)
	var all []demo.Person
	for n := pop.First; n < pop.First+pop.People; n += 3 {
		var ps []demo.Person
		for i := n; i < min(n+3, pop.First+pop.People); i++ {
			p, err := pop.Person(ctx, c, i)
			if err != nil {
				t.Fatal(err)
			}
			ps = append(ps, p)
		}
		err := db.Bulk(ctx, func(w *store.BulkWriter) error {
			for _, p := range ps {
				if err := w.People(ctx, []auth.PersonAccount{p.Account}); err != nil {
					return err
				}
				if err := w.CareTeams(ctx, p.Members, p.Grants); err != nil {
					return err
				}
				if err := w.Episodes(ctx, []episodes.Episode{p.Episode}, p.Sessions); err != nil {
					return err
				}
				if err := w.DiaryCards(ctx, p.Cards); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, ps...)
	}
	return all
}

// bulkDump returns every row the bulk writer writes, in a fixed order.
func bulkDump(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for table, order := range map[string]string{
		"people": "id", "care_team_members": "id", "grants": "member_id, area", "episodes": "id", "care_sessions": "id",
		"diary_cards": "id", "diary_values": "card_id, field",
	} {
		out[table] = dumpTable(t, db, table, order)
	}
	return out
}

func dumpTable(t *testing.T, db *store.DB, table, order string) []string {
	t.Helper()
	var out []string
	rows, err := db.Writer().Query(`SELECT * FROM ` + table + ` ORDER BY ` + order)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if tm, ok := v.(time.Time); ok {
				vals[i] = tm.UTC().Format(time.RFC3339Nano)
			}
			if b, ok := v.([]byte); ok {
				vals[i] = string(b)
			}
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

var bulkNow = time.Date(2026, 3, 29, 21, 45, 0, 0, time.UTC)

func TestBulkDemoData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pop := demo.Population{People: 7, Days: 90, Seed: 42, First: 1, Now: bulkNow}
	db := bulkDB(t)
	people := bulkFill(t, db, pop)

	t.Run("Counts", func(t *testing.T) {
		want := map[string]int{"people": 7, "episodes": 7}
		for _, p := range people {
			want["care_team_members"] += len(p.Members)
			want["grants"] += len(p.Grants)
			want["care_sessions"] += len(p.Sessions)
			want["diary_cards"] += len(p.Cards)
			for _, c := range p.Cards {
				want["diary_values"] += len(c.Values)
			}
		}
		if want["diary_cards"] < 7*90/3 || want["diary_values"] < 10*want["diary_cards"] {
			t.Fatalf("too little made: %v", want)
		}
		for table, n := range want {
			var got int
			if err := db.Writer().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != n {
				t.Errorf("%s holds %d rows, want %d", table, got, n)
			}
		}
		if n, err := db.CountPeopleByUsernamePrefix(ctx, demo.UsernamePrefix); err != nil || n != 7 {
			t.Errorf("demo people = %d, %v", n, err)
		}
	})

	t.Run("SummariesAsRead", func(t *testing.T) {
		cfg := diary.Config{Targets: diary.Defaults()}
		checked := 0
		for _, p := range people {
			first, today := diary.Today(bulkNow, time.UTC).AddDate(0, 0, -pop.Days), diary.Today(bulkNow, time.UTC)
			cards, err := db.FindDiaryCards(ctx, p.Account.ID, first, today)
			if err != nil {
				t.Fatal(err)
			}
			if len(cards) != len(p.Cards) {
				t.Fatalf("%s: read %d cards, wrote %d", p.Account.Username, len(cards), len(p.Cards))
			}
			for i, c := range cards {
				if want := diary.Summarize(cfg, c.Values, diary.DefaultRiddenOutLevel); c.Summary != want {
					t.Fatalf("%s %s: summary %+v, values say %+v", p.Account.Username, c.Day.Format(diary.DayLayout), c.Summary, want)
				}
				if len(c.Values) != len(p.Cards[i].Values) || !c.FirstSavedAt.Equal(p.Cards[i].FirstSavedAt) {
					t.Fatalf("%s: card %d read back differently", p.Account.Username, i)
				}
				checked++
			}
		}
		if checked == 0 {
			t.Fatal("no cards checked")
		}
	})

	t.Run("SameSeedSameRows", func(t *testing.T) {
		again := bulkDB(t)
		bulkFill(t, again, pop)
		a, b := bulkDump(t, db), bulkDump(t, again)
		for table, rows := range a {
			if strings.Join(rows, "\n") != strings.Join(b[table], "\n") {
				t.Errorf("%s differs between two runs of seed %d", table, pop.Seed)
			}
		}
		other := bulkDB(t)
		pop2 := pop
		pop2.Seed++
		bulkFill(t, other, pop2)
		if c := bulkDump(t, other); strings.Join(c["diary_values"], "\n") == strings.Join(a["diary_values"], "\n") {
			t.Error("another seed made the same cards")
		}
	})
}

func TestBulkRollsBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := bulkDB(t)
	p, err := demo.Population{People: 1, Days: 5, Seed: 1, First: 1, Now: bulkNow}.Person(ctx, bulkClinic(t, db), 1)
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err = db.Bulk(ctx, func(w *store.BulkWriter) error {
		if err := w.People(ctx, []auth.PersonAccount{p.Account}); err != nil {
			return err
		}
		if err := w.DiaryCards(ctx, p.Cards); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	var n int
	if err := db.Writer().QueryRow(`SELECT (SELECT COUNT(*) FROM people) + (SELECT COUNT(*) FROM diary_cards)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("after a failed bulk write %d rows remain (%v)", n, err)
	}
}

func TestBackdateDemoPerson(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := bulkDB(t)
	p, err := demo.Population{People: 1, Days: 1, Seed: 1, First: 1, Now: bulkNow}.Person(ctx, bulkClinic(t, db), 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Bulk(ctx, func(w *store.BulkWriter) error { return w.People(ctx, []auth.PersonAccount{p.Account}) }); err != nil {
		t.Fatal(err)
	}
	joined := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	if err := db.BackdateDemoPerson(ctx, p.Account.ID, joined); tend.ErrorKind(err) != tend.ECONFLICT {
		t.Fatalf("backdating in an unmarked database = %v, want ECONFLICT", err)
	}
	if err := db.ClaimMode(ctx, store.ModeDemo); err != nil {
		t.Fatal(err)
	}
	if err := db.BackdateDemoPerson(ctx, p.Account.ID, joined); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindPersonAccountByID(ctx, p.Account.ID)
	if err != nil || !got.CreatedAt.Equal(joined) {
		t.Errorf("joined = %v (%v), want %v", got.CreatedAt, err, joined)
	}
	if err := db.BackdateDemoPerson(ctx, "nobody", joined); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("unknown person = %v", err)
	}
}
