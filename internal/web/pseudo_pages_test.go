package web_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tendcare/tend/internal/crisis"
	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/testenv"
)

// TestPseudoLocaleSignedIn renders the signed-in pages in the pseudo-locale:
// any visible words that are neither from the catalogue nor data (names,
// usernames, teams, dates, the service's settings) were hard-coded.
func TestPseudoLocaleSignedIn(t *testing.T) {
	d := newDemoServerIn(t, testenv.Discard(), i18n.PseudoLocale)
	data := []string{"sam", "alex", "riley", "Lee", "Priya", "Jo", "Kim", "Morgan", "Ash (admin)", "Casey", "Nia", "Dana",
		"Riverside DBT team", "Northside team", "Duty team", "Riverside (demo service)", "GB", "Europe/London", "en-GB"}
	dir, _ := crisis.Load()
	for _, c := range dir.Listed {
		data = append(data, c.Name)
		for _, l := range c.Lines {
			data = append(data, l.Name)
		}
	}
	data = append(data, "demo set-up") // the device the demo's own joins are recorded with
	data = append(data, "admin@example.org", "lee@example.org", "priya@example.org", "jo@example.org", "kim@example.org",
		"morgan@example.org", "casey@example.org", "nia@example.org", "dana@example.org")
	tags := regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<textarea.*?</textarea>|<option[^>]*>[^<]*</option>|<code>[^<]*</code>|<[^>]+>`)
	dates := regexp.MustCompile(`\d{1,2} [A-Z][a-z]{2} \d{4}( \d{2}:\d{2})?`)
	for _, tt := range []struct{ who, path string }{
		{"sam", "/me"}, {"sam", "/me/sharing"}, {"sam", "/me/who-looked"}, {"sam", "/me/settings"}, {"sam", "/me/reminders"}, {"sam", "/me/supporters"},
		{"lee@example.org", "/clinic"}, {"lee@example.org", "/clinic/people/" + string(d.people["sam"])},
		{"admin@example.org", "/admin"}, {"admin@example.org", "/admin/staff"}, {"admin@example.org", "/admin/invites"},
		{"admin@example.org", "/admin/teams"}, {"admin@example.org", "/admin/care-teams"}, {"admin@example.org", "/admin/settings"},
		{"", "/signin"}, {"", "/join"}, {"", "/reset"}, {"", "/supporter/join"},
		{"sam", "/me/toolbox/manage"}, {"sam", "/me/toolbox/log"}, {"admin@example.org", "/admin/toolbox"},
		{"admin@example.org", "/admin/jobs"},
	} {
		t.Run(tt.who+tt.path, func(t *testing.T) {
			res := d.get(t, tt.who, tt.path)
			if res.Code != http.StatusOK {
				t.Fatalf("%s as %s: %d", tt.path, tt.who, res.Code)
			}
			text := html.UnescapeString(tags.ReplaceAllString(res.Body.String(), "\n"))
			text = dates.ReplaceAllString(text, " ")
			for _, s := range data {
				text = strings.ReplaceAll(text, s, " ")
			}
			if left := i18n.Unmarked(text); len(left) > 0 {
				t.Errorf("text not from the catalogue: %q", left)
			}
		})
	}
}
