package web_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/demo"
)

// staffID returns a demo staff member's id.
func (d *demoServer) staffID(t *testing.T, email string) string {
	t.Helper()
	a, err := d.accounts.FindStaffByEmail(context.Background(), tend.System, email)
	if err != nil {
		t.Fatal(err)
	}
	return string(a.ID)
}

// memberID finds, on the admin's care-teams page, the id of the membership
// of the person whose section it is, held by the staff member named name.
func (d *demoServer) memberID(t *testing.T, person, name string) string {
	t.Helper()
	page := d.get(t, "admin@example.org", "/admin/care-teams").Body.String()
	i := strings.Index(page, `id="person-`+string(d.people[person])+`"`)
	if i < 0 {
		t.Fatalf("the care-teams page has no section for %s", person)
	}
	section, _, _ := strings.Cut(page[i:], "</section>")
	m := regexp.MustCompile(`<tr><td>` + regexp.QuoteMeta(name) + `</td>.*?name="member_id" value="([^"]+)"`).FindStringSubmatch(strings.ReplaceAll(section, "\n", " "))
	if m == nil {
		t.Fatalf("%s is not on %s's care team", name, person)
	}
	return m[1]
}

// settingsForm is the demo service's settings as the settings form sends
// them, with changes.
func settingsForm(t *testing.T, change func(url.Values)) url.Values {
	t.Helper()
	s, err := demo.Settings()
	if err != nil {
		t.Fatal(err)
	}
	f := url.Values{
		"name": {s.Name}, "country": {s.Country}, "time_zone": {s.TimeZone}, "locale": {s.Locale},
		"working_hours": {s.WorkingHours.String()}, "holidays": {strings.Join(s.Holidays, "\n")},
		"out_of_hours": {s.OutOfHours}, "emergency": {s.Emergency}, "quick_exit_url": {s.QuickExitURL},
		"young_confidentiality": {s.YoungConfidentiality},
	}
	if change != nil {
		change(f)
	}
	return f
}

type adminCase struct {
	name            string
	who             string
	method, path    string
	form            url.Values
	wantStatus      int
	wantLocation    string
	wantContains    []string
	wantNotContains []string
}

func (d *demoServer) run(t *testing.T, tests []adminCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res *httptest.ResponseRecorder
			if tt.method == http.MethodPost {
				form := tt.form
				if form == nil {
					form = url.Values{}
				}
				res = d.post(t, tt.who, tt.path, form)
			} else {
				res = d.get(t, tt.who, tt.path)
			}
			if res.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", res.Code, tt.wantStatus)
			}
			if tt.wantLocation != "" && res.Header().Get("Location") != tt.wantLocation {
				t.Errorf("Location = %q, want %q", res.Header().Get("Location"), tt.wantLocation)
			}
			body := res.Body.String()
			for _, s := range tt.wantContains {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q", s)
				}
			}
			for _, s := range tt.wantNotContains {
				if strings.Contains(body, s) {
					t.Errorf("body contains %q", s)
				}
			}
			if strings.Contains(body, ">admin.") || strings.Contains(body, "\"admin.") {
				t.Error("the page shows a raw message id")
			}
		})
	}
}

// TestAdminPages: the admin opens every admin page; nobody else does.
// Expectations are written by hand from DESIGN.md "Who sees what" and the
// demo accounts.
func TestAdminPages(t *testing.T) {
	d := newDemoServer(t)
	d.run(t, []adminCase{
		{name: "HomeLinksEveryPage", who: "admin@example.org", method: "GET", path: "/admin", wantStatus: 200,
			wantContains: []string{`href="/admin/staff"`, `href="/admin/invites"`, `href="/admin/teams"`, `href="/admin/care-teams"`,
				`href="/admin/settings"`, "Crisis lines to confirm"}},
		{name: "StaffList", who: "admin@example.org", method: "GET", path: "/admin/staff", wantStatus: 200,
			wantContains: []string{"<td>Lee</td>", "<td>lee@example.org</td>", "<td>Riverside DBT team</td>", "<td>team lead</td>",
				"Second factor set up", "<td>No</td>", "<td>Active</td>", `name="email"`}},
		{name: "InvitesForm", who: "admin@example.org", method: "GET", path: "/admin/invites", wantStatus: 200,
			wantContains: []string{`<option value="Riverside DBT team"`, `<option value="under_18">Under 18</option>`, `name="birth_date"`, `name="days"`}},
		{name: "TeamsList", who: "admin@example.org", method: "GET", path: "/admin/teams", wantStatus: 200,
			wantContains: []string{"<td>Riverside DBT team</td><td>Care team</td>", "<td>Northside team</td>", `<option value="duty">Duty team</option>`}},
		{name: "CareTeamsShowUsernameAndTeamOnly", who: "admin@example.org", method: "GET", path: "/admin/care-teams", wantStatus: 200,
			wantContains: []string{">sam <span class=\"muted\">(Riverside DBT team)</span>", "<tr><td>Lee</td><td>therapist</td><td>Active</td>",
				"<tr><td>Kim</td><td>therapist</td><td>Active</td>", `name="staff_id"`},
			// Nothing about a person's care beyond who is on the team:
			// no state of treatment, no age, no sharing choices.
			wantNotContains: []string{"In treatment", "in treatment", "under_18", "diary card", "Ash (admin) ("}},
		{name: "SettingsForm", who: "admin@example.org", method: "GET", path: "/admin/settings", wantStatus: 200,
			wantContains: []string{`value="Riverside (demo service)"`, `value="mon-fri 09:00-17:00"`, "NHS 111", `value="https://www.bbc.co.uk/weather"`,
				`name="line.4.name"`, `id="default.therapist.diary"`, "Sharing defaults"}},

		{name: "AnonymousSignsIn", method: "GET", path: "/admin/staff", wantStatus: 303, wantLocation: "/signin"},
		{name: "ErrPersonHasNoAdmin", who: "sam", method: "GET", path: "/admin/settings", wantStatus: 404},
		{name: "ErrClinicianStaff", who: "lee@example.org", method: "GET", path: "/admin/staff", wantStatus: 403, wantNotContains: []string{"lee@example.org"}},
		{name: "ErrLeadStaff", who: "morgan@example.org", method: "GET", path: "/admin/staff", wantStatus: 403},
		{name: "ErrLeadCareTeams", who: "morgan@example.org", method: "GET", path: "/admin/care-teams", wantStatus: 403, wantNotContains: []string{"sam"}},
		{name: "ErrClinicianSettings", who: "lee@example.org", method: "GET", path: "/admin/settings", wantStatus: 403},
		{name: "ErrClinicianCreatesStaff", who: "lee@example.org", method: "POST", path: "/admin/staff",
			form: url.Values{"email": {"sneaky@example.org"}, "name": {"Sneaky"}, "role": {"admin"}}, wantStatus: 403},
		{name: "ErrLeadInvites", who: "morgan@example.org", method: "POST", path: "/admin/invites",
			form: url.Values{"team": {demo.TeamRiverside}, "age_band": {"over_25"}, "days": {"3"}}, wantStatus: 403, wantNotContains: []string{"/join"}},
		{name: "ErrLeadAddsToCareTeam", who: "morgan@example.org", method: "POST", path: "/admin/care-teams/" + string(d.people["sam"]) + "/members",
			form: url.Values{"staff_id": {d.staffID(t, "kim@example.org")}, "role": {"prescriber"}}, wantStatus: 403},
		{name: "ErrPersonSavesSettings", who: "sam", method: "POST", path: "/admin/settings", form: settingsForm(t, nil), wantStatus: 404},
	})
	if res := d.get(t, "admin@example.org", "/admin/staff"); strings.Contains(res.Body.String(), "Sneaky") {
		t.Error("a clinician created a staff account")
	}
}

// TestAdminStaff: create (one-time password shown once), a taken e-mail,
// password and second-factor resets, and disabling, refused while the staff
// member still has people.
func TestAdminStaff(t *testing.T) {
	d := newDemoServer(t)
	lee, priya, kim := d.staffID(t, "lee@example.org"), d.staffID(t, "priya@example.org"), d.staffID(t, "kim@example.org")
	password := regexp.MustCompile(`<code>[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}</code>`)
	d.run(t, []adminCase{
		{name: "Create", who: "admin@example.org", method: "POST", path: "/admin/staff",
			form:       url.Values{"email": {"Rowan@Example.org"}, "name": {"Rowan"}, "role": {"clinician"}, "team": {demo.TeamNorthside}},
			wantStatus: 200, wantContains: []string{"The account rowan@example.org is ready.", "This is shown only once.", "<td>Rowan</td>"}},
		{name: "ErrTakenEmail", who: "admin@example.org", method: "POST", path: "/admin/staff",
			form:       url.Values{"email": {"lee@example.org"}, "name": {"Another Lee"}, "role": {"clinician"}},
			wantStatus: 409, wantContains: []string{"There is already a staff account for lee@example.org.", `value="Another Lee"`},
			wantNotContains: []string{"is ready"}},
		{name: "ErrNoName", who: "admin@example.org", method: "POST", path: "/admin/staff",
			form: url.Values{"email": {"nameless@example.org"}, "role": {"clinician"}}, wantStatus: 400,
			wantContains: []string{"Enter the staff member&#39;s name", `value="nameless@example.org"`}},
		{name: "ResetPriyaSecondFactor", who: "admin@example.org", method: "POST", path: "/admin/staff/" + priya + "/mfa",
			wantStatus: 303, wantLocation: "/admin/staff?done=mfa"},
		{name: "ErrDisableLeeWhoHasPeople", who: "admin@example.org", method: "POST", path: "/admin/staff/" + lee + "/disable",
			wantStatus: 409, wantContains: []string{"Lee is still on the care team of 2 people. Reassign them"}},
		{name: "LeeStillWorks", who: "lee@example.org", method: "GET", path: "/clinic", wantStatus: 200, wantContains: []string{">sam</a></td>"}},
		{name: "ErrUnknownStaff", who: "admin@example.org", method: "POST", path: "/admin/staff/" + string(d.people["sam"]) + "/password", wantStatus: 404},
	})
	if body := d.get(t, "admin@example.org", "/admin/staff").Body.String(); password.MatchString(body) {
		t.Error("a one-time password shows again on the staff list")
	}

	t.Run("ResetPasswordShowsItOnceAndSignsOut", func(t *testing.T) {
		res := d.post(t, "admin@example.org", "/admin/staff/"+lee+"/password", url.Values{})
		if res.Code != 200 || !strings.Contains(res.Body.String(), "New one-time password for Lee:") || !password.MatchString(res.Body.String()) {
			t.Fatalf("reset password: %d", res.Code)
		}
		if res.Header().Get("Cache-Control") != "no-store" {
			t.Error("a page with a one-time password may be cached")
		}
		if res := d.get(t, "lee@example.org", "/clinic"); res.Code != 303 {
			t.Errorf("Lee's old session still works after a password reset: %d", res.Code)
		}
	})

	t.Run("DisableKimOnceRileyIsReassigned", func(t *testing.T) {
		d.session(t, "kim@example.org") // Kim is signed in when the account is disabled
		if res := d.post(t, "admin@example.org", "/admin/staff/"+kim+"/disable", url.Values{}); res.Code != 409 {
			t.Fatalf("disabling Kim, who has riley: %d", res.Code)
		}
		member := d.memberID(t, "riley", "Kim")
		if res := d.post(t, "admin@example.org", "/admin/care-teams/"+string(d.people["riley"])+"/end", url.Values{"member_id": {member}}); res.Code != 303 {
			t.Fatalf("ending Kim's membership: %d", res.Code)
		}
		res := d.post(t, "admin@example.org", "/admin/staff/"+kim+"/disable", url.Values{})
		if res.Code != 303 || res.Header().Get("Location") != "/admin/staff?done=disabled" {
			t.Fatalf("disable Kim: %d\n%s", res.Code, res.Body.String())
		}
		if res := d.get(t, "kim@example.org", "/clinic"); res.Code != 303 {
			t.Errorf("Kim is still signed in after being disabled: %d", res.Code)
		}
		list := d.get(t, "admin@example.org", "/admin/staff?done=disabled").Body.String()
		if !strings.Contains(list, "The account was disabled") || !strings.Contains(list, "<td>Disabled</td>") {
			t.Error("the staff list does not show Kim disabled")
		}
		if res := d.post(t, "", "/signin", url.Values{"identifier": {"kim@example.org"}, "password": {demoPassword}}); res.Code != 401 {
			t.Errorf("a disabled account signs in: %d", res.Code)
		}
	})

	t.Run("DisableLeeOnceSamAndAlexAreReassigned", func(t *testing.T) {
		priya := d.staffID(t, "priya@example.org")
		for _, person := range []string{"sam", "alex"} {
			id := string(d.people[person])
			if res := d.post(t, "admin@example.org", "/admin/care-teams/"+id+"/members", url.Values{"staff_id": {priya}, "role": {"therapist"}}); res.Code != 303 {
				t.Fatalf("adding Priya as %s's therapist: %d\n%s", person, res.Code, res.Body.String())
			}
			if res := d.post(t, "admin@example.org", "/admin/staff/"+lee+"/disable", url.Values{}); res.Code != 409 {
				t.Fatalf("disabling Lee before %s's membership ends: %d", person, res.Code)
			}
			if res := d.post(t, "admin@example.org", "/admin/care-teams/"+id+"/end", url.Values{"member_id": {d.memberID(t, person, "Lee")}}); res.Code != 303 {
				t.Fatalf("ending Lee's membership of %s: %d", person, res.Code)
			}
		}
		if res := d.post(t, "admin@example.org", "/admin/staff/"+lee+"/disable", url.Values{}); res.Code != 303 {
			t.Fatalf("disable Lee after reassignment: %d\n%s", res.Code, res.Body.String())
		}
	})
}

// TestAdminInvites: an invite's code is shown once with what to tell the
// person, and it works at /join.
func TestAdminInvites(t *testing.T) {
	d := newDemoServer(t)
	res := d.post(t, "admin@example.org", "/admin/invites", url.Values{"team": {demo.TeamRiverside}, "age_band": {"under_18"}, "days": {"7"}})
	body := res.Body.String()
	if res.Code != 200 || !strings.Contains(body, "Go to /join and enter this code. The code works once, and it expires on ") {
		t.Fatalf("create invite: %d\n%s", res.Code, body)
	}
	m := regexp.MustCompile(`<code>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</code>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no invite code shown")
	}
	if res.Header().Get("Cache-Control") != "no-store" {
		t.Error("a page with an invite code may be cached")
	}
	join := d.post(t, "", "/join", url.Values{"code": {m[1]}})
	if join.Code != 200 || !strings.Contains(join.Body.String(), "Before you start") {
		t.Errorf("the code does not open the under-18 join: %d", join.Code)
	}
	if again := d.get(t, "admin@example.org", "/admin/invites").Body.String(); strings.Contains(again, m[1]) {
		t.Error("the invite code shows again")
	}
	d.run(t, []adminCase{
		{name: "BirthDate", who: "admin@example.org", method: "POST", path: "/admin/invites",
			form: url.Values{"team": {demo.TeamNorthside}, "birth_date": {"2001-05-06"}, "days": {"1"}}, wantStatus: 200,
			wantContains: []string{"Invite code for Northside team:", "expires on"}},
		{name: "ErrNoAge", who: "admin@example.org", method: "POST", path: "/admin/invites",
			form: url.Values{"team": {demo.TeamRiverside}, "days": {"3"}}, wantStatus: 400,
			wantContains: []string{"Choose an age band or enter a birth date."}, wantNotContains: []string{"<code>"}},
		{name: "ErrBoth", who: "admin@example.org", method: "POST", path: "/admin/invites",
			form: url.Values{"team": {demo.TeamRiverside}, "age_band": {"over_25"}, "birth_date": {"2001-05-06"}, "days": {"3"}}, wantStatus: 400,
			wantContains: []string{"Give an age band or a birth date, not both.", `value="2001-05-06"`}},
		{name: "ErrDays", who: "admin@example.org", method: "POST", path: "/admin/invites",
			form: url.Values{"team": {demo.TeamRiverside}, "age_band": {"over_25"}, "days": {"365"}}, wantStatus: 400,
			wantContains: []string{"Enter a number of days from 1 to 90."}},
	})
}

// TestAdminTeams: teams of both kinds, and a taken name.
func TestAdminTeams(t *testing.T) {
	d := newDemoServer(t)
	d.run(t, []adminCase{
		{name: "CreateDuty", who: "admin@example.org", method: "POST", path: "/admin/teams", form: url.Values{"name": {"Duty desk"}, "kind": {"duty"}},
			wantStatus: 303, wantLocation: "/admin/teams?created=1"},
		{name: "Listed", who: "admin@example.org", method: "GET", path: "/admin/teams?created=1", wantStatus: 200,
			wantContains: []string{"<td>Duty desk</td><td>Duty team</td>", "The team was added."}},
		{name: "ErrTaken", who: "admin@example.org", method: "POST", path: "/admin/teams", form: url.Values{"name": {demo.TeamRiverside}, "kind": {"care"}},
			wantStatus: 409, wantContains: []string{"There is already a team named &#34;Riverside DBT team&#34;."}},
		{name: "ErrKind", who: "admin@example.org", method: "POST", path: "/admin/teams", form: url.Values{"name": {"Odd"}, "kind": {"other"}},
			wantStatus: 400, wantContains: []string{"A team is a care team or a duty team.", `value="Odd"`}},
		{name: "ErrLead", who: "morgan@example.org", method: "POST", path: "/admin/teams", form: url.Values{"name": {"Morgan's"}, "kind": {"care"}}, wantStatus: 403},
	})
}

// TestAdminCareTeams: adding and ending memberships through the care-team
// service, which tells the person and refuses anyone adding themselves.
func TestAdminCareTeams(t *testing.T) {
	d := newDemoServer(t)
	sam := string(d.people["sam"])
	d.run(t, []adminCase{
		{name: "AddKimAsPrescriber", who: "admin@example.org", method: "POST", path: "/admin/care-teams/" + sam + "/members",
			form: url.Values{"staff_id": {d.staffID(t, "kim@example.org")}, "role": {"prescriber"}}, wantStatus: 303,
			wantLocation: "/admin/care-teams?saved=1#person-" + sam},
		{name: "Shown", who: "admin@example.org", method: "GET", path: "/admin/care-teams?saved=1", wantStatus: 200,
			wantContains: []string{"<tr><td>Kim</td><td>prescriber</td><td>Active</td>", "The person will be told"}},
		{name: "SamIsTold", who: "sam", method: "GET", path: "/me", wantStatus: 200, wantContains: []string{"Kim (prescriber) joined your care team."}},
		{name: "ErrNobodyAddsThemselves", who: "admin@example.org", method: "POST", path: "/admin/care-teams/" + sam + "/members",
			form: url.Values{"staff_id": {d.staffID(t, "admin@example.org")}, "role": {"therapist"}}, wantStatus: 403,
			wantContains: []string{"Nobody can add themselves to a care team."}},
		{name: "ErrAlreadyInRole", who: "admin@example.org", method: "POST", path: "/admin/care-teams/" + sam + "/members",
			form: url.Values{"staff_id": {d.staffID(t, "lee@example.org")}, "role": {"therapist"}}, wantStatus: 409,
			wantContains: []string{"That staff member is already on this care team in that role."}},
		{name: "ErrNoRole", who: "admin@example.org", method: "POST", path: "/admin/care-teams/" + sam + "/members",
			form: url.Values{"staff_id": {d.staffID(t, "kim@example.org")}}, wantStatus: 400, wantContains: []string{"Choose a care-team role"}},
		{name: "ErrUnknownPerson", who: "admin@example.org", method: "POST", path: "/admin/care-teams/" + string(tend.NewID()) + "/members",
			form: url.Values{"staff_id": {d.staffID(t, "kim@example.org")}, "role": {"therapist"}}, wantStatus: 404},
	})
	member := d.memberID(t, "sam", "Kim")
	d.run(t, []adminCase{
		{name: "EndKim", who: "admin@example.org", method: "POST", path: "/admin/care-teams/" + sam + "/end", form: url.Values{"member_id": {member}},
			wantStatus: 303},
		{name: "Gone", who: "admin@example.org", method: "GET", path: "/admin/care-teams", wantStatus: 200,
			wantNotContains: []string{"<tr><td>Kim</td><td>prescriber</td>"}},
		{name: "ErrEndTwice", who: "admin@example.org", method: "POST", path: "/admin/care-teams/" + sam + "/end", form: url.Values{"member_id": {member}},
			wantStatus: 409, wantContains: []string{"That membership has already ended."}},
	})
}

// TestAdminSettings: invalid settings re-render with the message next to the
// field and change nothing; a saved out-of-hours route shows on /help at
// once; the sharing defaults per role.
func TestAdminSettings(t *testing.T) {
	d := newDemoServer(t)
	const oldRoute = "When we are closed, in England call NHS 111 and choose the mental health option."
	const newRoute = "When we are closed, call the Riverside crisis team on 0300 123 4567."
	d.run(t, []adminCase{
		{name: "ErrNoOutOfHoursRoute", who: "admin@example.org", method: "POST", path: "/admin/settings",
			form:       settingsForm(t, func(f url.Values) { f.Set("out_of_hours", "  "); f.Set("name", "Renamed service") }),
			wantStatus: 400, wantContains: []string{"Nothing was saved.",
				`<span class="field-error" id="out_of_hours-error">Say where people can turn when the service is closed.</span>`,
				`aria-describedby="out_of_hours-hint out_of_hours-error" aria-invalid="true"`, `value="Renamed service"`}},
		{name: "HelpKeepsOldRoute", method: "GET", path: "/help", wantStatus: 200, wantContains: []string{oldRoute}, wantNotContains: []string{"Renamed service"}},
		{name: "ErrQuickExitNotHTTPS", who: "admin@example.org", method: "POST", path: "/admin/settings",
			form: settingsForm(t, func(f url.Values) { f.Set("quick_exit_url", "http://example.org") }), wantStatus: 400,
			wantContains: []string{`id="quick_exit_url-error">Enter an https address`}},
		{name: "ErrLineWithoutNumber", who: "admin@example.org", method: "POST", path: "/admin/settings",
			form: settingsForm(t, func(f url.Values) { f.Set("line.2.name", "Riverside crisis team") }), wantStatus: 400,
			wantContains: []string{`id="line-2-error">Each line needs a number to call or text.`, `value="Riverside crisis team"`}},
		{name: "ErrHours", who: "admin@example.org", method: "POST", path: "/admin/settings",
			form: settingsForm(t, func(f url.Values) { f.Set("working_hours", "weekdays nine to five") }), wantStatus: 400,
			wantContains: []string{`id="working_hours-error">Enter working hours such as mon-fri 09:00-17:00.`, `value="weekdays nine to five"`}},
		{name: "Save", who: "admin@example.org", method: "POST", path: "/admin/settings",
			form: settingsForm(t, func(f url.Values) {
				f.Set("out_of_hours", newRoute)
				f.Set("line.0.name", "Riverside crisis team")
				f.Set("line.0.call", "0300 123 4567")
				f.Set("line.0.hours", "every day, 17:00-09:00")
			}),
			wantStatus: 303, wantLocation: "/admin/settings?saved=1"},
		{name: "HelpShowsNewRouteAtOnce", method: "GET", path: "/help", wantStatus: 200,
			wantContains: []string{newRoute, "Riverside crisis team"}, wantNotContains: []string{oldRoute}},
		{name: "FormShowsSaved", who: "admin@example.org", method: "GET", path: "/admin/settings?saved=1", wantStatus: 200,
			wantContains: []string{"The settings were saved.", newRoute, `value="0300 123 4567"`}},
		// Confirmations of crisis lines are not part of the form: saving it
		// keeps them.
		{name: "ConfirmGB", who: "admin@example.org", method: "POST", path: "/admin/crisis-lines/GB/confirm", wantStatus: 303},
		{name: "SaveAgain", who: "admin@example.org", method: "POST", path: "/admin/settings", form: settingsForm(t, nil), wantStatus: 303},
		{name: "GBStaysConfirmed", who: "admin@example.org", method: "GET", path: "/admin", wantStatus: 200,
			wantNotContains: []string{"I have checked the lines for United Kingdom"}},

		{name: "SharingDefault", who: "admin@example.org", method: "POST", path: "/admin/settings/sharing",
			form: url.Values{"default.care_coordinator.journal": {"see"}}, wantStatus: 303, wantLocation: "/admin/settings?sharing=1#sharing"},
		{name: "SharingDefaultShown", who: "admin@example.org", method: "GET", path: "/admin/settings?sharing=1", wantStatus: 200,
			wantContains: []string{"The sharing defaults were saved.", `<select id="default.care_coordinator.journal" name="default.care_coordinator.journal">
<option value="none">Nothing</option>
<option value="see" selected>`}},
		{name: "ErrSharingLevel", who: "admin@example.org", method: "POST", path: "/admin/settings/sharing",
			form: url.Values{"default.therapist.diary": {"everything"}}, wantStatus: 400, wantContains: []string{"Choose see, see and edit, or nothing."}},
		{name: "ErrLeadSharing", who: "morgan@example.org", method: "POST", path: "/admin/settings/sharing",
			form: url.Values{"default.therapist.journal": {"edit"}}, wantStatus: 403},
	})
}

// TestDutyTeamSetting: the admin home asks for the duty or intake team until
// it is chosen, and the settings form offers only teams of kind duty.
func TestDutyTeamSetting(t *testing.T) {
	d := newDemoServer(t)
	if body := d.get(t, "admin@example.org", "/admin").Body.String(); !strings.Contains(body, "Choose the duty or intake team") {
		t.Fatal("the admin home does not ask for the duty team")
	}
	page := d.get(t, "admin@example.org", "/admin/settings").Body.String()
	m := regexp.MustCompile(`<option value="([0-9a-f-]{36})"[^>]*>Duty team</option>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the settings form does not offer the duty team")
	}
	if strings.Contains(page, ">"+demo.TeamRiverside+"</option>") {
		t.Error("a care team is offered as the duty team")
	}
	form := url.Values{}
	for _, f := range regexp.MustCompile(`<(?:input|textarea) id="[^"]+" name="([^"]+)"(?: value="([^"]*)")?[^>]*>(?:([^<]*)</textarea>)?`).FindAllStringSubmatch(page, -1) {
		v := f[2]
		if f[3] != "" {
			v = f[3]
		}
		form.Set(f[1], html.UnescapeString(v))
	}
	form.Set("duty_team", m[1])
	if res := d.post(t, "admin@example.org", "/admin/settings", form); res.Code != 303 {
		t.Fatalf("saving the duty team: %d\n%s", res.Code, res.Body.String())
	}
	if body := d.get(t, "admin@example.org", "/admin").Body.String(); strings.Contains(body, "Choose the duty or intake team") {
		t.Error("the admin home still asks for the duty team after it was chosen")
	}
}
