package hopebox_test

import (
	"bytes"
	"context"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
	"github.com/tendcare/tend/internal/careteam"
	"github.com/tendcare/tend/internal/demo"
	"github.com/tendcare/tend/internal/hopebox"
	"github.com/tendcare/tend/internal/settings"
	"github.com/tendcare/tend/internal/store"
	"github.com/tendcare/tend/internal/testenv"
	"github.com/tendcare/tend/internal/vault"
)

type fixture struct {
	db        *store.DB
	box       *hopebox.Service
	sam, alex tend.Actor
	lee, kim  tend.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := testenv.Store(t, nil)
	s, err := demo.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if err := settings.Save(ctx, db, s); err != nil {
		t.Fatal(err)
	}
	clock := tend.SystemClock{}
	v, err := vault.New(testenv.ServiceKeys, testenv.KeyStore(t, testenv.KeyStoreDSN(t)), clock)
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
	f := &fixture{db: db, box: hopebox.NewService(store.For[hopebox.Tx](db), checker, v, clock)}
	person := func(name string) tend.Actor {
		p, err := db.FindPersonAccountByUsername(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return tend.Actor{Kind: tend.KindPerson, ID: p.ID}
	}
	staff := func(email string) tend.Actor {
		a, err := db.FindStaffAccountByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return tend.Actor{Kind: tend.KindStaff, ID: a.ID, Role: tend.RoleClinician, MFA: true}
	}
	f.sam, f.alex, f.lee, f.kim = person("sam"), person("alex"), staff("lee@example.org"), staff("kim@example.org")
	return f
}

func TestPhotoIsStrippedAndTurned(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	raw := testenv.JPEGWithExif(t, 64, 32, 6) // stored sideways: turn 90 degrees clockwise
	if !bytes.Contains(raw, []byte(testenv.LocationMarker)) {
		t.Fatal("the test photo carries no location marker: the test cannot fail")
	}
	p, err := f.box.AddPhoto(ctx, f.sam, f.sam.ID, raw)
	if err != nil {
		t.Fatal(err)
	}
	if p.ContentType != hopebox.TypeJPEG || p.Width != 32 || p.Height != 64 {
		t.Errorf("photo = %+v, want a 32x64 JPEG (turned upright)", p)
	}
	for _, thumb := range []bool{false, true} {
		b, ct, err := f.box.PhotoBytes(ctx, f.sam, f.sam.ID, string(p.ID), thumb)
		if err != nil {
			t.Fatal(err)
		}
		if ct != hopebox.TypeJPEG || hopebox.Sniff(b) != hopebox.TypeJPEG {
			t.Errorf("thumb %v: content type %q, sniffed %q", thumb, ct, hopebox.Sniff(b))
		}
		if bytes.Contains(b, []byte(testenv.LocationMarker)) || bytes.Contains(b, []byte("Exif")) {
			t.Errorf("thumb %v: the kept photo still has its EXIF data", thumb)
		}
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if thumb {
			continue
		}
		// Orientation 6: the left (red) half is now the top half.
		top, bottom := img.At(16, 8), img.At(16, 56)
		if r, _, bl, _ := top.RGBA(); r < bl {
			t.Errorf("top of the turned photo is %v, want red", top)
		}
		if r, _, bl, _ := bottom.RGBA(); bl < r {
			t.Errorf("bottom of the turned photo is %v, want blue", bottom)
		}
	}
}

func TestPNGKeptAsPNG(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testenv.Picture(800, 400)); err != nil {
		t.Fatal(err)
	}
	p, err := f.box.AddPhoto(ctx, f.sam, f.sam.ID, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	b, ct, err := f.box.PhotoBytes(ctx, f.sam, f.sam.ID, string(p.ID), true)
	if err != nil || ct != hopebox.TypePNG {
		t.Fatalf("thumbnail: %q, %v", ct, err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width != hopebox.ThumbSide || cfg.Height != hopebox.ThumbSide/2 {
		t.Errorf("thumbnail is %dx%d (%v), want %dx%d", cfg.Width, cfg.Height, err, hopebox.ThumbSide, hopebox.ThumbSide/2)
	}
}

func TestPhotoRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	gif := []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	jpegNamedText := append([]byte(nil), []byte("just some text pretending to be a photo.jpg")...)
	truncated := testenv.JPEGWithExif(t, 64, 64, 1)[:200]
	big := append([]byte("\xff\xd8\xff"), make([]byte, hopebox.MaxPhotoBytes)...)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"Empty", nil, "Choose a photo"},
		{"GIF", gif, "JPEG or PNG"},
		{"Text", jpegNamedText, "JPEG or PNG"},
		{"Truncated", truncated, "JPEG or PNG"},
		{"TooBig", big, "5 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.box.AddPhoto(ctx, f.sam, f.sam.ID, tt.data)
			if tend.ErrorKind(err) != tend.EINVALID || !strings.Contains(tend.ErrorMessage(err), tt.want) {
				t.Errorf("err = %v, want EINVALID saying %q", err, tt.want)
			}
		})
	}
	b, err := f.box.Box(ctx, f.sam, f.sam.ID)
	if err != nil || len(b.Photos) != 0 {
		t.Errorf("photos after refusals = %d, %v; want none", len(b.Photos), err)
	}
}

func TestOnlyThePersonEverSeesTheBox(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	w, err := f.box.AddWords(ctx, f.sam, f.sam.ID, "  My sister's laugh  ")
	if err != nil || w.Text != "My sister's laugh" {
		t.Fatalf("add words: %+v, %v", w, err)
	}
	p, err := f.box.AddPhoto(ctx, f.sam, f.sam.ID, testenv.JPEGWithExif(t, 16, 16, 1))
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.box.Box(ctx, f.sam, f.sam.ID)
	if err != nil || len(b.Words) != 1 || len(b.Photos) != 1 {
		t.Fatalf("sam's box = %+v, %v", b, err)
	}
	for name, who := range map[string]tend.Actor{"lee": f.lee, "kim": f.kim, "alex": f.alex, "system": tend.System} {
		t.Run(name, func(t *testing.T) {
			if _, err := f.box.Box(ctx, who, f.sam.ID); tend.ErrorKind(err) != tend.ENOTFOUND {
				t.Errorf("box: %v, want ENOTFOUND", err)
			}
			if _, _, err := f.box.PhotoBytes(ctx, who, f.sam.ID, string(p.ID), false); tend.ErrorKind(err) != tend.ENOTFOUND {
				t.Errorf("photo: %v, want ENOTFOUND", err)
			}
			if _, err := f.box.AddWords(ctx, who, f.sam.ID, "x"); tend.ErrorKind(err) != tend.ENOTFOUND {
				t.Errorf("add words: %v, want ENOTFOUND", err)
			}
			if err := f.box.DeleteWords(ctx, who, f.sam.ID, string(w.ID)); tend.ErrorKind(err) != tend.ENOTFOUND {
				t.Errorf("delete words: %v, want ENOTFOUND", err)
			}
		})
	}
	// Alex asking for sam's photo as if it were alex's own finds nothing.
	if _, _, err := f.box.PhotoBytes(ctx, f.alex, f.alex.ID, string(p.ID), false); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("alex's own box with sam's photo id: %v, want ENOTFOUND", err)
	}
	if err := f.box.DeletePhoto(ctx, f.alex, f.alex.ID, string(p.ID)); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("alex deleting sam's photo: %v, want ENOTFOUND", err)
	}
	// The hope box leaves no audit trail.
	ev, err := f.db.FindAuditEvents(ctx, store.AuditFilter{PersonID: &f.sam.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ev {
		if strings.Contains(e.Action, "hope") || strings.Contains(e.Target, "hope") {
			t.Errorf("audit event about the hope box: %+v", e)
		}
	}
	if err := f.box.DeleteWords(ctx, f.sam, f.sam.ID, string(w.ID)); err != nil {
		t.Fatal(err)
	}
	if err := f.box.DeletePhoto(ctx, f.sam, f.sam.ID, string(p.ID)); err != nil {
		t.Fatal(err)
	}
	if err := f.box.DeletePhoto(ctx, f.sam, f.sam.ID, string(p.ID)); tend.ErrorKind(err) != tend.ENOTFOUND {
		t.Errorf("deleting twice: %v, want ENOTFOUND", err)
	}
	if b, _ := f.box.Box(ctx, f.sam, f.sam.ID); len(b.Words)+len(b.Photos) != 0 {
		t.Errorf("box after deleting = %+v", b)
	}
}

func TestWordsRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, text := range []string{"", "   ", strings.Repeat("x", 2001)} {
		if _, err := f.box.AddWords(ctx, f.sam, f.sam.ID, text); tend.ErrorKind(err) != tend.EINVALID {
			t.Errorf("words of %d characters: %v, want EINVALID", len(text), err)
		}
	}
}

// TestBoxIsSealedAtRest looks for a canary written into the box's words
// and into a photo's pixels-free bytes in the raw database, with a
// control: the photo's content type, stored in plain text, must be found.
func TestBoxIsSealedAtRest(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	canary := testenv.Canary("hope_box")
	if _, err := f.box.AddWords(ctx, f.sam, f.sam.ID, canary+" words"); err != nil {
		t.Fatal(err)
	}
	// A PNG's bytes are recognisable: its signature and chunk names.
	var buf bytes.Buffer
	if err := png.Encode(&buf, testenv.Picture(8, 8)); err != nil {
		t.Fatal(err)
	}
	p, err := f.box.AddPhoto(ctx, f.sam, f.sam.ID, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	tables := []string{"hope_box_words", "hope_box_photos"}
	if !testenv.RawContains(t, f.db, string(p.ID), tables...) {
		t.Fatalf("control %q not found in the raw database: the search cannot fail", p.ID)
	}
	if testenv.RawContains(t, f.db, canary, tables...) {
		t.Errorf("hope box words %q are readable in the raw database", canary)
	}
	if testenv.RawContains(t, f.db, "IHDR", tables...) {
		t.Error("photo bytes are readable in the raw database (a PNG header was found)")
	}
}
