package settings

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/diary"
	"github.com/tendcare/tend/internal/followup"
	"github.com/tendcare/tend/internal/notify"
	"github.com/tendcare/tend/internal/outcome"
	"github.com/tendcare/tend/internal/retention"
	"github.com/tendcare/tend/internal/rights"
	"golang.org/x/text/language"
)

// Settings are the service's own settings.
type Settings struct {
	Name         string   `json:"name"`          // the service's name, shown on pages
	Country      string   `json:"country"`       // ISO 3166-1 alpha-2, the help page's default country
	TimeZone     string   `json:"time_zone"`     // IANA zone for working hours and reports
	Locale       string   `json:"locale"`        // BCP 47 tag of the service's language
	WorkingHours Hours    `json:"working_hours"` // when the care team reads what people send
	Holidays     []string `json:"holidays"`      // closed days, YYYY-MM-DD
	OutOfHours   string   `json:"out_of_hours"`  // where to turn when the service is closed
	Emergency    string   `json:"emergency"`     // what to do in an emergency, naming the nearest emergency department
	Lines        []Line   `json:"lines"`         // the service's own lines, shown before national ones
	// QuickExitURL is the neutral site the quick-exit button opens
	// (safety-rules.md section 9); empty opens a blank page.
	QuickExitURL string `json:"quick_exit_url,omitempty"`
	// YoungConfidentiality is the service's own words on confidentiality,
	// shown to under-18s before anything else when they join
	// (young-people.md). Without it, under-18s are asked to talk to their
	// care team before joining.
	YoungConfidentiality string `json:"young_confidentiality,omitempty"`
	// DutyTeam is the team (of kind duty) that takes follow-up tasks after
	// discharge or when a person has no active clinician (DESIGN.md
	// "Lifecycle"; safety-rules.md section 4: every person has a route).
	// Until it is chosen, the admin home asks for it.
	DutyTeam tend.ID `json:"duty_team,omitempty"`
	// Confirmed records, per country, that an admin checked the crisis lines
	// Tend ships for it (DESIGN.md "Deployment"): until then the help page
	// shows only the service's own routes for that country.
	Confirmed map[string]Confirmation `json:"confirmed,omitempty"`
	// Triggers sets what each safety prompt does for the care team: a
	// follow-up task now (the default), a flag for the next session, or
	// nothing; and the urge-to-die rating that fires one (safety-rules.md
	// section 4). Clinicians may set them per person.
	Triggers followup.Rules `json:"triggers,omitzero"`
	// Modalities is the service's list of therapy modalities an episode of
	// care chooses from; empty means episodes.DefaultModalities.
	Modalities []string `json:"modalities,omitempty"`
	// FollowUpWindowWeeks is how many weeks either side of each follow-up
	// point (3, 6 and 12 months after discharge) its window reaches; 0
	// means episodes.DefaultWindowWeeks (outcomes.md "Episodes of care and
	// periods").
	FollowUpWindowWeeks int `json:"follow_up_window_weeks,omitempty"`
	// Diary holds the diary card's settings: the urge rating at or above
	// which an urge not acted on counts as ridden out (default 3), and
	// whether the self-harm and suicide rows may be hidden (default no).
	Diary diary.Settings `json:"diary,omitzero"`
	// EvidenceStatement is the service's short, hopeful statement that
	// leads the evidence page, before the research figures
	// (clinical/evidence.md "How to present this"); empty shows Tend's
	// default.
	EvidenceStatement string `json:"evidence_statement,omitempty"`
	// Outcomes holds the outcome reports' settings (outcomes.md:
	// "configurable"): the days of the baseline and end periods, the
	// coverage per-person change needs, the disclosure thresholds and the
	// resamples of the rate ratio's interval. Zero fields take
	// outcome.Defaults.
	Outcomes outcome.Settings `json:"outcomes,omitzero"`
	// Records holds the service's records settings for the person's data
	// rights (docs/data-rights.md): whether clinician notes go into a
	// person's download (default no), and the hold before an erasure
	// (default rights.DefaultErasureHoldDays).
	Records rights.Settings `json:"records,omitzero"`
	// Notifications holds the wording of notifications and e-mails (and
	// their discreet wording and sender name), whether staff get e-mail
	// too, and the push services subscriptions may use
	// (docs/notifications.md). Zero fields take notify's defaults.
	Notifications notify.Settings `json:"notifications,omitzero"`
	// Retention holds how long unsent drafts are kept (docs/jobs.md;
	// default retention.DefaultDraftDays).
	Retention retention.Settings `json:"retention,omitzero"`
	// Nudges set when a follow-up task nobody has acknowledged reminds the
	// care team, then the team lead: "1 working day", "4 working hours" or
	// "off" for each, counted in the working hours above, holidays
	// skipped. Zero fields take the default, one working day each
	// (docs/follow-up-tasks.md "Reminders").
	Nudges followup.Nudges `json:"nudges,omitzero"`
}

// MaxEvidenceStatementChars bounds the evidence page's statement: a
// sentence or two, not an essay.
const MaxEvidenceStatementChars = 300

// Limits on the episode settings.
const (
	MaxModalities     = 20
	MaxModalityChars  = 40
	MaxFollowUpWindow = 12 // weeks: wider windows would overlap the 3 and 6 month points
)

// Confirmation is an admin's check of one country's crisis lines.
type Confirmation struct {
	By       tend.ID   `json:"by"`
	At       time.Time `json:"at"`
	Compiled string    `json:"compiled"` // the crisis-lines file's date the admin checked
}

// ConfirmedFor reports whether the lines for country were confirmed
// against the crisis-lines file compiled on compiled. A newer file needs a
// new confirmation.
func (s Settings) ConfirmedFor(country, compiled string) bool {
	c, ok := s.Confirmed[country]
	return ok && c.Compiled == compiled
}

// Line is one of the service's own contact lines.
type Line struct {
	Name  string `json:"name"`
	Call  string `json:"call,omitempty"`
	Text  string `json:"text,omitempty"`
	Hours string `json:"hours,omitempty"`
}

// ValidationError maps a field name to what is wrong with it, in words that
// can be shown next to the field.
type ValidationError map[string]string

func (p ValidationError) Error() string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", k, p[k])
	}
	return b.String()
}

var (
	countryRe = regexp.MustCompile(`^[A-Z]{2}$`)
	numberRe  = regexp.MustCompile(`^\+?[0-9][0-9 \-]{1,19}$`)
)

// Validate returns the problems with s, or nil. The required settings are
// those safety-rules.md section 3 names: working hours, the out-of-hours
// route and the emergency wording, plus what the help page needs.
func (s Settings) Validate() ValidationError {
	p := ValidationError{}
	if strings.TrimSpace(s.Name) == "" {
		p["name"] = "Enter the service's name."
	}
	if !countryRe.MatchString(s.Country) {
		p["country"] = "Enter a two-letter country code such as GB."
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" || s.TimeZone == "Local" {
		p["time_zone"] = "Enter a time zone such as Europe/London."
	}
	if _, err := language.Parse(s.Locale); err != nil || s.Locale == "" {
		p["locale"] = "Enter a language tag such as en-GB."
	}
	if len(s.WorkingHours) == 0 {
		p["working_hours"] = "Enter working hours such as mon-fri 09:00-17:00."
	}
	for _, d := range s.Holidays {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			p["holidays"] = fmt.Sprintf("%q is not a date in the form 2026-12-25.", d)
			break
		}
	}
	if strings.TrimSpace(s.OutOfHours) == "" {
		p["out_of_hours"] = "Say where people can turn when the service is closed."
	}
	if strings.TrimSpace(s.Emergency) == "" {
		p["emergency"] = "Say what to do in an emergency, naming the nearest emergency department."
	}
	for i, l := range s.Lines {
		switch {
		case strings.TrimSpace(l.Name) == "":
			p[fmt.Sprintf("lines.%d", i)] = "Each line needs a name."
		case l.Call == "" && l.Text == "":
			p[fmt.Sprintf("lines.%d", i)] = "Each line needs a number to call or text."
		case l.Call != "" && !numberRe.MatchString(l.Call), l.Text != "" && !numberRe.MatchString(l.Text):
			p[fmt.Sprintf("lines.%d", i)] = "Numbers may hold only digits, spaces, dashes and a leading +."
		}
	}
	if err := s.Triggers.Validate(); err != nil {
		p["triggers"] = "Safety prompts: " + err.Error() + "."
	}
	if msg := validModalities(s.Modalities); msg != "" {
		p["modalities"] = msg
	}
	if s.FollowUpWindowWeeks < 0 || s.FollowUpWindowWeeks > MaxFollowUpWindow {
		p["follow_up_window_weeks"] = fmt.Sprintf("Enter a whole number of weeks from 1 to %d, or leave it empty for 4.", MaxFollowUpWindow)
	}
	if s.Diary.RiddenOutLevel < 0 || s.Diary.RiddenOutLevel > diary.MaxRating {
		p["diary.ridden_out_level"] = fmt.Sprintf("Enter an urge rating from 1 to %d, or leave it empty for %d.", diary.MaxRating, diary.DefaultRiddenOutLevel)
	}
	if len([]rune(s.EvidenceStatement)) > MaxEvidenceStatementChars {
		p["evidence_statement"] = fmt.Sprintf("Keep the statement to %d characters.", MaxEvidenceStatementChars)
	}
	validOutcomes(s.Outcomes, p)
	if err := s.Nudges.Team.Validate(); err != nil {
		p["nudges.team"] = "Care team reminder: " + err.Error() + "."
	}
	if err := s.Nudges.Lead.Validate(); err != nil {
		p["nudges.lead"] = "Team lead reminder: " + err.Error() + "."
	}
	if msg := s.Records.Validate(); msg != "" {
		p["records.erasure_hold_days"] = msg
	}
	if err := s.Notifications.Validate(); err != nil {
		p["notifications"] = tend.ErrorMessage(err)
	}
	if msg := s.Retention.Validate(); msg != "" {
		p["retention.draft_days"] = msg
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// Location returns the service's time zone, or UTC when it is unset.
func (s Settings) Location() *time.Location {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil || s.TimeZone == "" {
		return time.UTC
	}
	return loc
}

// Store is what the settings service needs from storage.
type Store interface {
	// FindSettings returns the stored settings, or an error of kind
	// ENOTFOUND when the service has none yet.
	FindSettings(ctx context.Context) (Settings, int64, error)
	// SaveSettings stores s as the current settings.
	SaveSettings(ctx context.Context, s Settings) error
}

// Save validates s and stores it. Invalid settings change nothing and
// return a ValidationError error of kind EINVALID.
func Save(ctx context.Context, st Store, s Settings) error {
	s.Country = strings.ToUpper(strings.TrimSpace(s.Country))
	if p := s.Validate(); p != nil {
		return &tend.Error{Kind: tend.EINVALID, Message: "Some settings need a look: " + p.Error(), Err: p}
	}
	if err := st.SaveSettings(ctx, s); err != nil {
		return fmt.Errorf("settings: save: %w", err)
	}
	return nil
}

func validModalities(ms []string) string {
	if len(ms) > MaxModalities {
		return fmt.Sprintf("List at most %d modalities.", MaxModalities)
	}
	seen := map[string]bool{}
	for _, m := range ms {
		switch {
		case strings.TrimSpace(m) != m || m == "":
			return "Write each modality on its own line, without blank lines."
		case len([]rune(m)) > MaxModalityChars:
			return fmt.Sprintf("Keep each modality to %d characters.", MaxModalityChars)
		case seen[strings.ToLower(m)]:
			return fmt.Sprintf("%q is listed twice.", m)
		}
		seen[strings.ToLower(m)] = true
	}
	return ""
}
