package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/i18n"
)

//go:embed templates
var templateFS embed.FS

// pages declares every page and the template file that holds its content.
// Start-up fails if a template file is not declared here, or fails to parse.
var pages = map[string]string{
	"home":          "home.html",
	"help":          "help.html",
	"error":         "error.html",
	"signin":        "signin.html",
	"join":          "join.html",
	"mfa":           "mfa.html",
	"me_home":       "me/home.html",
	"me_who_looked": "me/who_looked.html",
	"clinic_home":   "clinic/home.html",
	"clinic_person": "clinic/person.html",
	"me_sharing":    "me/sharing.html",
	"me_settings":   "me/settings.html",
	"email_verify":  "notify/verify.html",
	"me_unlock":     "me/unlock.html",
	"admin_home":    "admin/home.html",

	// The admin pages of staff, invites, teams, care teams and settings.
	"admin_staff":      "admin/staff.html",
	"admin_invites":    "admin/invites.html",
	"admin_teams":      "admin/teams.html",
	"admin_care_teams": "admin/care_teams.html",
	"admin_settings":   "admin/settings.html",
	"admin_jobs":       "admin/jobs.html",

	// Supporters: the person's page, and the supporter's own pages.
	"me_supporters":  "me/supporters.html",
	"supporter_home": "supporter/home.html",
	"supporter_join": "supporter/join.html",

	// Account recovery.
	"recovery_reset": "recovery/reset.html",

	// The person's data rights.
	"me_data":  "me/data.html",
	"me_erase": "me/erase.html",

	// The person's reminders.
	"me_reminders": "me/reminders.html",

	// Follow-up tasks: "Ask my care team to contact me" and the staff inbox.
	"me_contact":      "me/contact.html",
	"me_contact_sent": "me/contact_sent.html",
	"clinic_tasks":    "clinic/tasks.html",
	"clinic_task":     "clinic/task.html",

	// My safety plan, and a care-team member's view of it.
	"me_plan":         "me/plan.html",
	"me_prompts":      "me/prompts.html",
	"me_safety":       "me/safety.html",
	"clinic_prompts":  "clinic/prompts.html",
	"clinic_queue":    "clinic/queue.html",
	"me_plan_edit":    "me/plan_edit.html",
	"me_plan_history": "me/plan_history.html",
	"clinic_plan":     "clinic/plan.html",

	// The coping toolbox, a care-team member's view of its log, and the
	// service's own activities.
	"me_toolbox":        "me/toolbox.html",
	"me_toolbox_use":    "me/toolbox_use.html",
	"me_toolbox_log":    "me/toolbox_log.html",
	"me_toolbox_manage": "me/toolbox_manage.html",
	"clinic_toolbox":    "clinic/toolbox.html",
	"admin_toolbox":     "admin/toolbox.html",

	// The skills library and homework.
	"me_skills":       "me/skills.html",
	"me_skill":        "me/skill.html",
	"me_homework":     "me/homework.html",
	"clinic_homework": "clinic/homework.html",

	// The reflective journal and the hope box.
	"me_journal":             "me/journal.html",
	"me_journal_entry":       "me/journal_entry.html",
	"clinic_journal":         "clinic/journal.html",
	"clinic_journal_prompts": "clinic/journal_prompts.html",
	"admin_journal_prompts":  "admin/journal_prompts.html",
	"me_hope_box":            "me/hope_box.html",

	// Behaviour chain analyses.
	"me_chains":     "me/chains.html",
	"me_chain":      "me/chain.html",
	"clinic_chains": "clinic/chains.html",
	"clinic_chain":  "clinic/chain.html",

	// The diary card's set-up, and the clinician's weekly grid.
	"me_diary_setup":     "me/diary_setup.html",
	"clinic_diary":       "clinic/diary.html",
	"clinic_diary_print": "clinic/diary_print.html",

	// Clinician notes, the medication list and support groups.
	"clinic_notes":         "clinic/notes.html",
	"clinic_medication":    "clinic/medication.html",
	"me_medication":        "me/medication.html",
	"clinic_groups":        "clinic/groups.html",
	"clinic_group":         "clinic/group.html",
	"clinic_person_groups": "clinic/person_groups.html",
	"me_groups":            "me/groups.html",

	// The person's diary card, its history, and their progress.
	"me_diary":         "me/diary.html",
	"me_diary_history": "me/diary_history.html",
	"me_progress":      "me/progress.html",

	// Episodes of care, sessions and incidents.
	"clinic_episodes": "clinic/episodes.html",
	"me_care":         "me/care.html",

	// A person's questionnaires as a care-team member sees them, one
	// response, and the admin's instruments.
	"clinic_questionnaires":         "clinic/questionnaires.html",
	"clinic_questionnaire_response": "clinic/questionnaire_response.html",
	"admin_instruments":             "admin/instruments.html",

	// The person's questionnaires: what is waiting, one questionnaire, and
	// their scores.
	"me_questionnaires":       "me/questionnaires.html",
	"me_questionnaire":        "me/questionnaire.html",
	"me_questionnaire_scores": "me/questionnaire_scores.html",

	// The service outcomes report for leads.
	"clinic_report_outcomes": "clinic/report_outcomes.html",

	// The session preparation view of one person.
	"clinic_prepare": "clinic/prepare.html",

	// What research says about therapy for self-harm: public, like help.
	"evidence": "evidence.html",
}

// Base is the data every page has; page structs embed it.
type Base struct {
	Title string // already translated
	Lang  string
	Nonce string
	Demo  bool
	HTMX  bool // load htmx (pages with enhanced forms only; the help page never)
	// QuickExit shows the quick-exit button (every person page,
	// safety-rules.md section 9); QuickExitURL is where it goes.
	QuickExit    bool
	QuickExitURL string
	SignedIn     bool
	// Discreet shows a neutral name instead of Tend and no page names
	// (the person's discreet mode, safety-rules.md section 9).
	Discreet bool
	// PersonPage is set for a signed-in person, whose pages all link to
	// "My safety plan" one tap away (safety-plan.md).
	PersonPage bool
	// Owner tags the signed-in account's pages (accountTag), so that the
	// offline queue sends an entry only for the account that wrote it.
	Owner string
	// Alerts counts the follow-up tasks that reached a staff member since
	// they last opened their tasks (safety-rules.md section 4: a neutral
	// alert, no content).
	Alerts int
	p      *i18n.Printer
}

// T translates a message id through the page's printer.
func (b *Base) T(id string, args ...any) string { return b.p.T(id, args...) }

// page is what every page struct provides to render.
type page interface{ base() *Base }

func (b *Base) base() *Base { return b }

type templates map[string]*template.Template

var (
	parseOnce    sync.Once
	parsed       templates
	errTemplates error
)

// parseTemplates returns the layout, the partials and each declared page,
// parsed once per process: they come from the embedded files and hold no
// functions of their own, and html/template makes a parsed template safe
// for any number of servers and requests at once.
func parseTemplates() (templates, error) {
	parseOnce.Do(func() { parsed, errTemplates = parseTemplateFiles() })
	return parsed, errTemplates
}

// parseTemplateFiles parses the layout, the partials and each declared page.
func parseTemplateFiles() (templates, error) {
	var declared = map[string]bool{"layout.html": true}
	for _, f := range pages {
		declared[f] = true
	}
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(p, "templates/partials/") {
			return err
		}
		if !declared[strings.TrimPrefix(p, "templates/")] {
			return fmt.Errorf("web: template %s is not declared in pages", p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	partials, _ := fs.Glob(templateFS, "templates/partials/*.html")
	definedIn := map[string]string{} // a partial's template -> its file
	for _, f := range partials {
		b, err := templateFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, m := range templateDefine.FindAllSubmatch(b, -1) {
			definedIn[string(m[1])] = f
		}
	}
	t := templates{}
	for name, file := range pages {
		page := path.Join("templates", file)
		used, err := partialsUsed(partials, definedIn, "templates/layout.html", page)
		if err != nil {
			return nil, fmt.Errorf("web: page %s: %w", name, err)
		}
		files := append([]string{"templates/layout.html"}, used...)
		files = append(files, page)
		tp, err := template.New(name).ParseFS(templateFS, files...)
		if err != nil {
			return nil, fmt.Errorf("web: page %s: %w", name, err)
		}
		if tp.Lookup("content") == nil {
			return nil, fmt.Errorf("web: page %s defines no content", name)
		}
		t[name] = tp
	}
	return t, nil
}

var (
	templateDefine = regexp.MustCompile(`\{\{-?\s*(?:define|block)\s+"([^"]+)"`)
	templateCall   = regexp.MustCompile(`\{\{-?\s*(?:template|block)\s+"([^"]+)"`)
)

// partialsUsed returns the partial files that the given files call, and
// those that these call in turn, in the order of partials. Each page holds
// only the partials it uses: html/template keeps a parsed copy of every
// partial in every page that parses it, and parsing them all into each page
// held most of the server's memory when idle.
func partialsUsed(partials []string, definedIn map[string]string, files ...string) ([]string, error) {
	use := map[string]bool{}
	for len(files) > 0 {
		f := files[0]
		files = files[1:]
		b, err := templateFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, m := range templateCall.FindAllSubmatch(b, -1) {
			if p, ok := definedIn[string(m[1])]; ok && !use[p] {
				use[p] = true
				files = append(files, p)
			}
		}
	}
	var out []string
	for _, p := range partials {
		if use[p] {
			out = append(out, p)
		}
	}
	return out, nil
}

// render writes page name with data: the whole layout, or, for an htmx
// request that is not boosted, only the fragment named after the element it
// replaces (HX-Target), when the page defines one.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data page) error {
	tp, ok := s.tmpl[name]
	if !ok {
		return fmt.Errorf("web: render: no page %q", name)
	}
	b := data.base()
	b.p = s.printer()
	b.Lang = b.p.Tag()
	b.Nonce = nonceFrom(r.Context())
	b.Demo = s.opt.Demo
	b.SignedIn = actorFrom(r).Kind != ""
	b.Discreet = s.discreetFor(r)
	b.PersonPage = actorFrom(r).Kind == tend.KindPerson
	if a := actorFrom(r); a.Kind != "" {
		b.Owner = accountTag("queue", a.ID)
	}
	if a := actorFrom(r); a.Kind == tend.KindStaff && a.Role != tend.RoleAdmin && s.opt.FollowUp != nil {
		// A neutral alert: only that tasks are waiting, never what.
		if n, err := s.opt.FollowUp.Alerts(r.Context(), a); err == nil {
			b.Alerts = n
		}
	}
	if b.QuickExit {
		st, _ := s.opt.Settings.Get()
		b.QuickExitURL = st.QuickExitURL
		if b.QuickExitURL == "" {
			b.QuickExitURL = "about:blank"
		}
	}
	entry := "layout"
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Boosted") != "true" {
		if target := r.Header.Get("HX-Target"); target != "" && tp.Lookup(target) != nil {
			entry = target
		}
	}
	var buf bytes.Buffer
	if err := tp.ExecuteTemplate(&buf, entry, data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Add("Vary", "Accept-Encoding")
	body := buf.Bytes()
	if acceptsGzip(r) && len(body) > 512 {
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
		_, _ = zw.Write(body)
		_ = zw.Close()
		w.Header().Set("Content-Encoding", "gzip")
		body = gz.Bytes()
	}
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

var messageRef = regexp.MustCompile(`\bT "([a-z0-9_.]+)"`)

// templateMessageIDs lists the message ids the templates name, found once
// per process (the templates are embedded).
var templateMessageIDs = sync.OnceValue(func() []string {
	var ids []string
	_ = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFS.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range messageRef.FindAllSubmatch(b, -1) {
			ids = append(ids, string(m[1]))
		}
		return nil
	})
	return ids
})

// checkMessages refuses to start when a template, or the Go code of this
// package, names a message id the catalogue lacks, so no page ever shows a
// raw id.
func (s *Server) checkMessages() error {
	ids := slices.Clone(templateMessageIDs())
	ids = append(ids, dayIDs[:]...)
	for _, group := range [][]string{
		{"role.therapist", "role.prescriber", "role.group_facilitator", "role.care_coordinator"},
		{"staffrole.clinician", "staffrole.lead", "staffrole.admin"},
		{"state.referred", "state.accepted", "state.in_treatment", "state.discharged", "state.follow_up", "state.closed"},
		{"area.diary", "area.safety_plan", "area.questionnaires", "area.toolbox_log", "area.journal", "area.chain_analysis", "area.hope_box", "area.test_area"},
		{"notice.joined", "notice.ended", "notice.follow_up", "notice.shared", "notice.changed", "notice.someone", "notice.transfer", "notice.transfer_offer"},
		{"prompts.person.task_now", "prompts.person.next_session", "prompts.person.none", "prompts.staff.task_now", "prompts.staff.next_session", "prompts.staff.none",
			"prompts.response.task_now", "prompts.response.next_session", "prompts.response.none", "prompts.person_kind.act", "prompts.person_kind.urge_to_die",
			"prompts.person_kind.phq9_item9", "prompts.person_kind.questionnaire_item", "prompts.person_kind.contact_request", "clinic.order.tasks", "clinic.order.name", "clinic.order.session"},
		{"level.none", "level.see", "level.edit", "sharing.title", "join.title", "who.supporter", "who.supporter_role", "who.unknown_device", "action.supporter.viewed"},
		{"signin.title", "mfa.title", "mfa.start_again", "me.title", "who.title", "clinic.title", "admin.title"},
	} {
		ids = append(ids, group...)
	}
	ids = append(ids, settingsMessageIDs...)
	ids = append(ids, remindMessageIDs...)
	ids = append(ids, notifyMessageIDs...)
	ids = append(ids, supporterMessageIDs...)
	ids = append(ids, recoveryMessageIDs...)
	ids = append(ids, followUpMessageIDs...)
	ids = append(ids, skillsMessageIDs()...)
	ids = append(ids, diaryMessageIDs...)
	ids = append(ids, chainMessageIDs()...)
	ids = append(ids, diaryGridMessageIDs()...)
	ids = append(ids, questionnairesClinicMessageIDs()...)
	ids = append(ids, prepareMessageIDs()...)
	ids = append(ids, evidenceMessageIDs()...)
	for _, id := range messageIDs {
		ids = append(ids, id)
	}
	ids = append(ids, "hours.window", "hours.range", "error.title", "error.forbidden_origin", "help.title", "home.title")
	var missing []string
	for _, id := range ids {
		if !s.opt.Catalog.Has(id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("web: message ids missing from the catalogue: %s", strings.Join(missing, ", "))
	}
	return nil
}
