// Package reportbench measures the service outcomes report against its
// budget (DESIGN.md "Budgets"): 10,000 people with a year of diary cards,
// under 5 s on SQLite and under 3 s on PostgreSQL, with memory flat in the
// number of cards.
//
// The database is made by 'tend demo-data', built from this tree and run
// as a separate process, exactly as an operator would; the report is then
// built in this process through (*report.Service).Outcomes, for
// morgan@example.org (the lead of the Riverside DBT team) over the year
// in which the demo's episodes end. It runs only when BENCH_REPORT=1, so
// 'go test ./...' never builds the data:
//
//	BENCH_REPORT=1 go test ./bench/report -run '^$' -bench Outcomes -benchtime 3x -timeout 60m
//
// bench/report.sh runs it on both engines and prints the figures.
package reportbench

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the admin connection that makes the benchmark's database
	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/audit"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/keys"
	"github.com/tendcare/tend/internal/outcome"
	"github.com/tendcare/tend/internal/report"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
)

// The sizes measured unless BENCH_REPORT_PEOPLE says otherwise: the
// budget's 10,000 people, and 2,000 to show how memory grows.
const defaultPeople = "10000,2000"

const (
	defaultDays = 365
	seed        = 1
	lead        = "morgan@example.org"
	password    = "a password for the report benchmark"
)

// postgresURL is the server the benchmark runs on, or "" for SQLite.
func postgresURL() string {
	if u := os.Getenv("BENCH_POSTGRES"); u != "" {
		return u
	}
	return os.Getenv("TEND_TEST_POSTGRES")
}

func BenchmarkOutcomes(b *testing.B) {
	if os.Getenv("BENCH_REPORT") != "1" {
		b.Skip("set BENCH_REPORT=1 to build the data and measure the outcomes report (minutes; see bench/README.md)")
	}
	days := defaultDays
	if s := os.Getenv("BENCH_REPORT_DAYS"); s != "" {
		var err error
		if days, err = strconv.Atoi(s); err != nil {
			b.Fatalf("BENCH_REPORT_DAYS=%q", s)
		}
	}
	sizes := os.Getenv("BENCH_REPORT_PEOPLE")
	if sizes == "" {
		sizes = defaultPeople
	}
	engine := "sqlite"
	if postgresURL() != "" {
		engine = "postgres"
	}
	for _, s := range strings.Split(sizes, ",") {
		people, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || people < 1 {
			b.Fatalf("BENCH_REPORT_PEOPLE=%q", sizes)
		}
		b.Run(fmt.Sprintf("%s/people=%d/days=%d", engine, people, days), func(b *testing.B) {
			benchOutcomes(b, people, days)
		})
	}
}

func benchOutcomes(b *testing.B, people, days int) {
	ctx := context.Background()
	d := filled(b, people, days)
	db, err := store.Open(ctx, d.dsn, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	kf, err := keys.Load(filepath.Join(d.dataDir, "tend.key"))
	if err != nil {
		b.Fatal(err)
	}
	key, err := kf.CurrentKey()
	if err != nil {
		b.Fatal(err)
	}
	db.SetAuditChain(audit.NewChain(key, "bench-report"))
	cache := settings.NewCache(db)
	if err := cache.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	cat, err := i18n.New()
	if err != nil {
		b.Fatal(err)
	}
	// The settings as 'tend serve' reads them (cmd/tend/wire_report.go).
	svc := report.NewService(store.For[report.Tx](db), access.NewChecker(db), tend.SystemClock{}, func() report.Settings {
		s, _ := cache.Get()
		ep := cache.Episodes()
		return report.Settings{Outcome: s.Outcomes, Modalities: ep.Modalities, WindowWeeks: ep.WindowWeeks, Location: ep.Location,
			Texts: cat.Printer(s.Locale)}
	})
	a, err := db.FindStaffAccountByEmail(ctx, lead)
	if err != nil {
		b.Fatal(err)
	}
	morgan := tend.Actor{Kind: tend.KindStaff, ID: a.ID, Role: a.Role, MFA: true}
	cohort := outcome.Cohort{Year: d.year}
	cards, eps := d.count(b, db)

	// One report first, outside the timing: it also checks that the
	// report holds the cohort.
	rep, err := svc.Outcomes(ctx, morgan, cohort)
	if err != nil {
		b.Fatal(err)
	}
	if len(rep.Scopes) == 0 || len(rep.Columns) == 0 {
		b.Fatalf("the report for %d is empty: %+v", d.year, rep)
	}

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := sampleHeap()
	start := time.Now()
	n := 0
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.Outcomes(ctx, morgan, cohort); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.StopTimer()
	took := time.Since(start)
	top := peak()
	runtime.ReadMemStats(&after)
	perReport := took.Seconds() / float64(n)
	b.ReportMetric(perReport, "s/report")
	b.ReportMetric(float64(top-before.HeapInuse)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(n)/(1<<20), "alloc-MB/report")
	b.ReportMetric(float64(cards), "cards")
	b.ReportMetric(float64(eps), "episodes")
	b.Logf("%d people, %d cards, %d episodes ending in %d in Morgan's teams: %.2f s a report; heap in use %.1f MB before, %.1f MB at the peak; %.1f MB allocated a report",
		people, cards, eps, d.year, perReport, float64(before.HeapInuse)/(1<<20), float64(top)/(1<<20),
		float64(after.TotalAlloc-before.TotalAlloc)/float64(n)/(1<<20))
}

// sampleHeap samples the heap in use (runtime.MemStats.HeapInuse, read
// through runtime/metrics so that sampling does not stop the world) every
// few milliseconds until the returned function is called, which returns
// the largest sample.
func sampleHeap() func() uint64 {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	read := func() uint64 {
		metrics.Read(samples)
		return samples[0].Value.Uint64() + samples[1].Value.Uint64()
	}
	var top uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			top = max(top, read())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return max(top, read())
	}
}

// data is a database filled by demo-data.
type data struct {
	dsn     string // for store.Open
	dataDir string // the data folder: the key file
	year    int    // the report's year, as demo-data printed it
}

// count returns the cards in the database and the episodes the report
// reads: those ending in the report's year in Morgan's team.
func (d data) count(b *testing.B, db *store.DB) (cards, eps int) {
	b.Helper()
	err := db.Writer().QueryRow(`SELECT (SELECT COUNT(*) FROM diary_cards),
		(SELECT COUNT(*) FROM episodes e JOIN people p ON p.id = e.person_id JOIN staff_teams st ON st.team_id = p.team_id
		 JOIN staff s ON s.id = st.staff_id WHERE s.email = $1 AND e.ended_on >= $2 AND e.ended_on <= $3)`,
		lead, fmt.Sprintf("%04d-01-01", d.year), fmt.Sprintf("%04d-12-31", d.year)).Scan(&cards, &eps)
	if err != nil {
		b.Fatal(err)
	}
	return cards, eps
}

var yearRe = regexp.MustCompile(`\((\d+) of them in (\d{4})\)`)

// filled returns a database of people made-up people with a card on each
// of the days, made by 'tend demo-data --seed 1 --every-day'. With
// BENCH_REPORT_DATA set, the data is kept in that folder (and on
// PostgreSQL in a database named after the size) and used again by later
// runs; otherwise it is made afresh in a temporary folder (and database)
// and removed at the end.
func filled(b *testing.B, people, days int) data {
	b.Helper()
	name := fmt.Sprintf("tend_bench_report_%d_%d", people, days)
	keep := os.Getenv("BENCH_REPORT_DATA")
	var d data
	if keep != "" {
		d.dataDir = filepath.Join(keep, name+"_"+enginePart())
	} else {
		d.dataDir = filepath.Join(b.TempDir(), "data")
	}
	if err := os.MkdirAll(d.dataDir, 0o700); err != nil {
		b.Fatal(err)
	}
	d.dsn = "sqlite:" + filepath.Join(d.dataDir, "tend.db")
	if u := postgresURL(); u != "" {
		if keep == "" {
			name += "_" + strconv.FormatInt(time.Now().UnixNano(), 36)
		}
		d.dsn = withDatabase(b, u, name)
	}
	marker := filepath.Join(d.dataDir, "made")
	if keep != "" {
		if y, err := os.ReadFile(marker); err == nil { // #nosec G304 -- the benchmark's own folder
			if d.year, err = strconv.Atoi(strings.TrimSpace(string(y))); err == nil {
				b.Logf("using the data made earlier in %s", d.dataDir)
				return d
			}
		}
	}
	if u := postgresURL(); u != "" {
		admin, err := sql.Open("pgx", u)
		if err != nil {
			b.Fatal(err)
		}
		defer admin.Close()
		db := strings.TrimPrefix(mustURL(b, d.dsn).Path, "/")
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)"); err != nil {
			b.Fatal(err)
		}
		if _, err := admin.Exec("CREATE DATABASE " + db); err != nil {
			b.Fatal(err)
		}
		if keep == "" {
			b.Cleanup(func() {
				if a, err := sql.Open("pgx", u); err == nil {
					_, _ = a.Exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)")
					_ = a.Close()
				}
			})
		}
	}
	bin := tendBinary(b)
	args := []string{"demo-data", "--people", strconv.Itoa(people), "--days", strconv.Itoa(days), "--seed", strconv.Itoa(seed), "--every-day"}
	cmd := exec.Command(bin, args...) // #nosec G204 -- the binary this benchmark built
	cmd.Env = append(os.Environ(), "TEND_DATA="+d.dataDir, "TEND_DEMO_PASSWORD="+password, "TEND_LOG_LEVEL=warn")
	if postgresURL() != "" {
		cmd.Env = append(cmd.Env, "TEND_DB="+d.dsn)
	}
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("tend %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	m := yearRe.FindSubmatch(out)
	if m == nil {
		b.Fatalf("demo-data did not say the report's year:\n%s", out)
	}
	d.year, _ = strconv.Atoi(string(m[2]))
	b.Logf("tend %s: %.0f s\n%s", strings.Join(args, " "), time.Since(start).Seconds(), strings.TrimSpace(string(out)))
	if keep != "" {
		if err := os.WriteFile(marker, []byte(strconv.Itoa(d.year)+"\n"), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	return d
}

func enginePart() string {
	if postgresURL() != "" {
		return "postgres"
	}
	return "sqlite"
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binPath   string
	errBuild  error
)

// tendBinary builds cmd/tend once per run.
func tendBinary(b *testing.B) string {
	b.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tend-bench-report-")
		if err != nil {
			errBuild = err
			return
		}
		binPath = filepath.Join(dir, "tend")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/tendcare/tend/cmd/tend").CombinedOutput() // #nosec G204 -- fixed arguments
		if err != nil {
			errBuild = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if errBuild != nil {
		b.Fatal(errBuild)
	}
	return binPath
}

func mustURL(b *testing.B, s string) *url.URL {
	b.Helper()
	u, err := url.Parse(s)
	if err != nil {
		b.Fatal(err)
	}
	return u
}

// withDatabase returns base with its database name replaced by name.
func withDatabase(b *testing.B, base, name string) string {
	b.Helper()
	u := mustURL(b, base)
	u.Path = "/" + name
	return u.String()
}
