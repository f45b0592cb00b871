package web

import (
	"net/http"

	"github.com/tendcare/tend"
)

// route is one pattern Tend serves and its handler.
type route struct {
	pattern string
	handler http.Handler
}

// routeTable lists every route Tend serves. The authorization matrix test
// reads it, so a route added here without a row there fails the tests.
func (s *Server) routeTable() []route {
	h := func(fn func(http.ResponseWriter, *http.Request) error) http.Handler { return s.handle(fn) }
	t := []route{
		// The help page: no sign-in, no JavaScript, no database read.
		{"GET /help", h(s.helpShow)},
		{"GET /help/{country}", h(s.helpShow)},
		{"POST /help/young", h(s.helpYoung)},
		// What research says about therapy: public, for anyone.
		{"GET /evidence", h(s.evidenceShow)},

		{"GET /{$}", h(s.homeShow)},

		// Signing in and out.
		{"GET /signin", h(s.signInShow)},
		{"POST /signin", h(s.signInCreate)},
		{"GET /signin/mfa", h(s.mfaShow)},
		{"POST /signin/mfa", h(s.mfaCreate)},
		{"POST /signout", h(s.signOut)},
		// Single sign-on for staff through the service's identity provider.
		{"GET /signin/oidc", h(s.ssoStart)},
		{"GET /signin/oidc/callback", h(s.ssoCallback)},
		{"GET /join", h(s.joinShow)},
		{"POST /join", h(s.joinCreate)},

		// The person's own pages.
		{"GET /me", h(s.meShow)},
		{"GET /me/who-looked", h(s.whoLookedShow)},
		{"POST /me/notices/{id}/dismiss", h(s.noticeDismiss)},
		{"POST /me/notices/{id}/keep-sharing", h(s.noticeKeepSharing)},
		{"GET /me/sharing", h(s.sharingShow)},
		{"POST /me/sharing", h(s.sharingUpdate)},

		// My safety plan, and a care-team member's view of it.
		{"GET /me/plan", h(s.planShow)},
		{"GET /me/plan/edit", h(s.planEdit)},
		{"POST /me/plan", h(s.planSave)},
		{"GET /me/plan/history", h(s.planHistory)},
		{"POST /me/plan/device", h(s.planDevice)},
		{"GET /clinic/people/{id}/plan", h(s.clinicPlanShow)},
		{"POST /clinic/people/{id}/plan", h(s.clinicPlanSave)},
		{"POST /clinic/people/{id}/plan/reviewed", h(s.clinicPlanReviewed)},

		// The coping toolbox (skills.md "The toolbox"), a care-team
		// member's view of its log, and the service's own activities.
		{"GET /me/toolbox", h(s.withToolbox(s.toolboxShow))},
		{"POST /me/toolbox/step", h(s.withToolbox(s.toolboxStep))},
		{"POST /me/toolbox/uses", h(s.withToolbox(s.toolboxUseCreate))},
		{"GET /me/toolbox/uses/{id}", h(s.withToolbox(s.toolboxUseShow))},
		{"GET /me/toolbox/log", h(s.withToolbox(s.toolboxLogShow))},
		{"GET /me/toolbox/manage", h(s.withToolbox(s.toolboxManageShow))},
		{"POST /me/toolbox/activities", h(s.withToolbox(s.toolboxOwnCreate))},
		{"POST /me/toolbox/activities/{id}", h(s.withToolbox(s.toolboxChoose))},
		{"POST /me/toolbox/caution", h(s.withToolbox(s.toolboxCaution))},
		{"GET /clinic/people/{id}/toolbox", h(s.withToolbox(s.clinicToolboxShow))},
		{"GET /admin/toolbox", h(s.withToolbox(s.adminToolboxShow))},
		{"POST /admin/toolbox", h(s.withToolbox(s.adminToolboxCreate))},
		{"POST /admin/toolbox/{id}/retire", h(s.withToolbox(s.adminToolboxRetire))},

		// The skills library and homework.
		{"GET /me/skills", h(s.withSkills(s.skillsShow))},
		{"GET /me/skills/{id}", h(s.withSkills(s.skillShow))},
		{"POST /me/skills/{id}/favourite", h(s.withSkills(s.skillFavourite))},
		{"POST /me/skills/{id}/practice", h(s.withSkills(s.skillPractice))},
		{"GET /me/homework/{id}", h(s.withSkills(s.homeworkShow))},
		{"POST /me/homework/{id}/practice", h(s.withSkills(s.homeworkPractice))},
		{"GET /clinic/people/{id}/homework", h(s.withSkills(s.clinicHomeworkShow))},
		{"POST /clinic/people/{id}/homework", h(s.withSkills(s.clinicHomeworkAssign))},
		{"POST /clinic/people/{id}/homework/{homework}/end", h(s.withSkills(s.clinicHomeworkEnd))},

		// The person's settings.
		{"GET /me/settings", h(s.settingsShow)},
		{"GET /me/reminders", h(s.withReminders(s.remindersShow))},
		{"POST /me/reminders", h(s.withReminders(s.remindersSave))},
		{"POST /me/settings/password", h(s.settingsPassword)},
		{"POST /me/settings/sign-out-everywhere", h(s.settingsSignOutEverywhere)},
		{"POST /me/settings/pin", h(s.settingsPIN)},
		{"POST /me/settings/time-zone", h(s.settingsTimeZone)},
		{"POST /me/settings/discreet", h(s.settingsDiscreet)},
		// Notification channels (docs/notifications.md): a person's
		// e-mail address and its one-time confirmation link, and Web
		// Push for any signed-in account.
		{"POST /me/settings/email", h(s.settingsEmail)},
		{"POST /me/settings/email/remove", h(s.settingsEmailRemove)},
		{"GET /email/verify", h(s.emailVerifyShow)},
		{"POST /email/verify", h(s.emailVerify)},
		{"GET /push/key", h(s.pushKey)},
		{"POST /push", h(s.pushSubscribe)},
		{"POST /push/remove", h(s.pushUnsubscribe)},
		{"POST /me/lock", h(s.lockCreate)},
		{"GET /me/unlock", h(s.unlockShow)},
		{"POST /me/unlock", h(s.unlockCreate)},

		// Supporters.
		{"GET /me/supporters", h(s.supportersShow)},
		{"POST /me/supporters", h(s.supporterCreate)},
		{"POST /me/supporters/{id}/items", h(s.supporterItemsUpdate)},
		{"POST /me/supporters/{id}/end", h(s.supporterEnd)},
		{"GET /supporter", h(s.supporterHomeShow)},
		{"GET /supporter/join", h(s.supporterJoinShow)},
		{"POST /supporter/join", h(s.supporterJoinCreate)},

		// Staff pages.
		{"GET /clinic", h(s.clinicShow)},
		{"GET /clinic/people/{id}", h(s.clinicPersonShow)},

		// Follow-up tasks (safety-rules.md section 4).
		{"GET /me/contact", h(s.withFollowUp(s.contactShow))},
		{"POST /me/contact", h(s.withFollowUp(s.contactCreate))},
		{"POST /me/contact/notice", h(s.withFollowUp(s.contactNoticeSeen))},
		{"GET /me/contact/sent", h(s.withFollowUp(s.contactSentShow))},
		{"GET /clinic/tasks", h(s.withFollowUp(s.tasksShow))},
		{"GET /clinic/tasks/{id}", h(s.withFollowUp(s.taskShow))},
		{"POST /clinic/tasks/{id}/acknowledge", h(s.withFollowUp(s.taskAcknowledge))},
		{"POST /clinic/tasks/{id}/resolve", h(s.withFollowUp(s.taskResolve))},
		{"POST /clinic/tasks/{id}/reroute", h(s.withFollowUp(s.taskReroute))},
		{"GET /clinic/queue", h(s.withFollowUp(s.queueShow))},
		{"GET /me/safety-prompts", h(s.withFollowUp(s.myPromptsShow))},
		{"GET /clinic/people/{id}/safety-prompts", h(s.withFollowUp(s.clinicPromptsShow))},
		{"POST /clinic/people/{id}/safety-prompts", h(s.withFollowUp(s.clinicPromptsUpdate))},
		{"POST /clinic/people/{id}/flags/{flag}/discussed", h(s.withFollowUp(s.flagDiscussed))},

		// The reflective journal, a care-team member's reading of it, the
		// prompts a clinician assigns, and the service's open prompts.
		{"GET /me/journal", h(s.withJournal(s.journalShow))},
		{"GET /me/journal/new", h(s.withJournal(s.journalNew))},
		{"POST /me/journal", h(s.withJournal(s.journalSave))},
		{"GET /me/journal/{id}", h(s.withJournal(s.journalEntryShow))},
		{"GET /clinic/people/{id}/journal", h(s.withJournal(s.clinicJournalShow))},
		{"GET /clinic/people/{id}/journal/prompts", h(s.withJournal(s.clinicJournalPrompts))},
		{"POST /clinic/people/{id}/journal/prompts", h(s.withJournal(s.clinicJournalAssign))},
		{"POST /clinic/people/{id}/journal/prompts/withdraw", h(s.withJournal(s.clinicJournalWithdraw))},
		{"GET /admin/journal-prompts", h(s.withJournal(s.adminJournalPrompts))},
		{"POST /admin/journal-prompts", h(s.withJournal(s.adminJournalPromptAdd))},
		{"POST /admin/journal-prompts/retire", h(s.withJournal(s.adminJournalPromptRetire))},

		// Behaviour chain analyses: the person's own list (the only way they
		// find one; nothing is sent to them) and a care-team member's,
		// worked on together.
		{"GET /me/chains", h(s.withChains(s.chainsShow))},
		{"GET /me/chains/{cid}", h(s.withChains(s.chainShow))},
		{"POST /me/chains/{cid}", h(s.withChains(s.chainSave))},
		{"POST /me/chains/{cid}/state", h(s.withChains(s.chainState))},
		{"GET /clinic/people/{id}/chains", h(s.withChains(s.chainsShow))},
		{"POST /clinic/people/{id}/chains", h(s.withChains(s.chainOpen))},
		{"GET /clinic/people/{id}/chains/{cid}", h(s.withChains(s.chainShow))},
		{"POST /clinic/people/{id}/chains/{cid}", h(s.withChains(s.chainSave))},
		{"POST /clinic/people/{id}/chains/{cid}/state", h(s.withChains(s.chainState))},
		{"POST /clinic/people/{id}/chains/{cid}/homework", h(s.withChains(s.chainHomework))},

		// The diary card's set-up (the person's, and a care-team member's
		// with "see and edit"), and the clinician's weekly grid with its
		// print view and the "may not have been written by the person" note.
		{"GET /me/diary/setup", h(s.withDiaryGrid(s.diarySetupShow))},
		{"POST /me/diary/setup/rows", h(s.withDiaryGrid(s.diarySetupAdd))},
		{"POST /me/diary/setup/rows/change", h(s.withDiaryGrid(s.diarySetupChange))},
		{"POST /me/diary/setup/skills", h(s.withDiaryGrid(s.diarySetupSkills))},
		{"GET /clinic/people/{id}/diary", h(s.withDiaryGrid(s.clinicDiaryShow))},
		{"GET /clinic/people/{id}/diary/print", h(s.withDiaryGrid(s.clinicDiaryPrint))},
		{"POST /clinic/people/{id}/diary/flag", h(s.withDiaryGrid(s.clinicDiaryFlag))},
		{"GET /clinic/people/{id}/diary/setup", h(s.withDiaryGrid(s.diarySetupShow))},
		{"POST /clinic/people/{id}/diary/setup/rows", h(s.withDiaryGrid(s.diarySetupAdd))},
		{"POST /clinic/people/{id}/diary/setup/rows/change", h(s.withDiaryGrid(s.diarySetupChange))},
		{"POST /clinic/people/{id}/diary/setup/skills", h(s.withDiaryGrid(s.diarySetupSkills))},

		// Clinician notes (never the person's), the medication list, and
		// support groups with their attendance.
		{"GET /clinic/people/{id}/notes", h(s.withNotes(s.clinicNotesShow))},
		{"POST /clinic/people/{id}/notes", h(s.withNotes(s.clinicNoteCreate))},
		{"POST /clinic/people/{id}/notes/{note}/correct", h(s.withNotes(s.clinicNoteCorrect))},
		{"GET /me/medication", h(s.withMedication(s.myMedicationShow))},
		{"GET /clinic/people/{id}/medication", h(s.withMedication(s.clinicMedicationShow))},
		{"POST /clinic/people/{id}/medication", h(s.withMedication(s.clinicMedicationAdd))},
		{"POST /clinic/people/{id}/medication/{med}/stop", h(s.withMedication(s.clinicMedicationStop))},
		{"GET /me/groups", h(s.withGroups(s.myGroupsShow))},
		{"GET /clinic/groups", h(s.withGroups(s.groupsShow))},
		{"POST /clinic/groups", h(s.withGroups(s.groupCreate))},
		{"GET /clinic/groups/{id}", h(s.withGroups(s.groupShow))},
		{"POST /clinic/groups/{id}/members", h(s.withGroups(s.groupEnrol))},
		{"POST /clinic/groups/{id}/attendance", h(s.withGroups(s.groupAttendance))},
		{"GET /clinic/people/{id}/groups", h(s.withGroups(s.clinicPersonGroupsShow))},

		// The hope box: the person's alone, never shared.
		{"GET /me/hope-box", h(s.withHopeBox(s.hopeBoxShow))},
		{"POST /me/hope-box/words", h(s.withHopeBox(s.hopeBoxWordsAdd))},
		{"POST /me/hope-box/words/delete", h(s.withHopeBox(s.hopeBoxWordsDelete))},
		{"POST /me/hope-box/photos", h(s.withHopeBox(s.hopeBoxPhotoAdd))},
		{"POST /me/hope-box/photos/delete", h(s.withHopeBox(s.hopeBoxPhotoDelete))},
		{"GET /me/hope-box/photos/{id}", h(s.withHopeBox(s.hopeBoxPhotoShow))},

		// The person's DBT diary card and their progress (clinical/diary-card.md).
		{"GET /me/diary", h(s.withDiary(s.diaryToday))},
		{"POST /me/diary/notice", h(s.withDiary(s.diaryNoticeSeen))},
		{"GET /me/diary/blank", h(s.withDiary(s.diaryBlank))},
		{"GET /me/diary/{date}", h(s.withDiary(s.diaryShow))},
		{"POST /me/diary/{date}", h(s.withDiary(s.diarySave))},
		{"POST /me/diary/{date}/draft", h(s.withDiary(s.diaryDraft))},
		{"GET /me/diary/{date}/history", h(s.withDiary(s.diaryHistory))},
		{"GET /me/progress", h(s.withDiary(s.progressShow))},

		// Episodes of care, sessions and incidents: the care team's page,
		// and the person's own summary.
		{"GET /clinic/people/{id}/episodes", h(s.withEpisodes(s.clinicEpisodesShow))},
		{"POST /clinic/people/{id}/episodes", h(s.withEpisodes(s.episodeStep("referral", s.episodeRefer)))},
		{"POST /clinic/people/{id}/episodes/{episode}/decision", h(s.withEpisodes(s.episodeStep("decision", s.episodeDecide)))},
		{"POST /clinic/people/{id}/episodes/{episode}/start", h(s.withEpisodes(s.episodeStep("start", s.episodeStart)))},
		{"POST /clinic/people/{id}/episodes/{episode}/discharge", h(s.withEpisodes(s.episodeStep("discharge", s.episodeDischarge)))},
		{"POST /clinic/people/{id}/close", h(s.withEpisodes(s.episodeStep("close", s.episodeClose)))},
		{"POST /clinic/people/{id}/sessions", h(s.withEpisodes(s.episodeStep("session", s.sessionRecord)))},
		{"POST /clinic/people/{id}/sessions/{session}/attendance", h(s.withEpisodes(s.episodeStep("attendance", s.sessionAttendance)))},
		{"POST /clinic/people/{id}/incidents", h(s.withEpisodes(s.episodeStep("incident", s.incidentRecord)))},
		{"GET /me/care", h(s.withEpisodes(s.meCareShow))},

		// The person's questionnaires: what is waiting, one questionnaire
		// to answer (a draft or finished), and their scores.
		{"GET /me/questionnaires", h(s.withMeasures(s.questionnairesShow))},
		{"GET /me/questionnaires/scores", h(s.withMeasures(s.questionnaireScores))},
		{"GET /me/questionnaires/{id}", h(s.withMeasures(s.questionnaireShow))},
		{"POST /me/questionnaires/{id}", h(s.withMeasures(s.questionnaireSave))},

		// Questionnaires: a care-team member's page of a person's
		// assignments, scores and reliable change, one response's answers,
		// and the admin's instruments with their import.
		{"GET /clinic/people/{id}/questionnaires", h(s.withMeasureStaff(s.clinicQuestionnairesShow))},
		{"POST /clinic/people/{id}/questionnaires/assign", h(s.withMeasureStaff(s.clinicQuestionnaireAssign))},
		{"POST /clinic/people/{id}/questionnaires/assignments/{assignment}/end", h(s.withMeasureStaff(s.clinicQuestionnaireEnd))},
		{"GET /clinic/people/{id}/questionnaires/responses/{response}", h(s.withMeasureStaff(s.clinicQuestionnaireResponseShow))},
		{"GET /admin/instruments", h(s.withMeasureStaff(s.adminInstrumentsShow))},
		{"POST /admin/instruments", h(s.withMeasureStaff(s.adminInstrumentImport))},
		{"POST /admin/instruments/{id}/retire", h(s.withMeasureStaff(s.adminInstrumentRetire))},
		{"POST /admin/instruments/{id}/prompts", h(s.withMeasureStaff(s.adminInstrumentPrompts))},

		// The service outcomes report for leads, and its exports.
		{"GET /clinic/reports/outcomes", h(s.withReports(s.reportOutcomesShow))},
		{"GET /clinic/reports/outcomes.csv", h(s.withReports(s.reportOutcomesCSV))},
		{"GET /clinic/reports/outcomes.json", h(s.withReports(s.reportOutcomesJSON))},

		// The session preparation view: one page per person for their care
		// team before each session, printable.
		{"GET /clinic/people/{id}/prepare", h(s.withPrepare(s.prepareShow))},

		// Admin pages.
		{"GET /admin", h(s.adminShow)},
		{"GET /admin/jobs", h(s.adminJobsShow)},
		{"POST /admin/jobs/{id}/retry", h(s.adminJobRetry)},
		{"POST /admin/crisis-lines/{country}/confirm", h(s.crisisLinesConfirm)},
		{"GET /admin/staff", h(s.adminStaffShow)},
		{"POST /admin/staff", h(s.adminStaffCreate)},
		{"POST /admin/staff/{id}/password", h(s.adminStaffPasswordReset)},
		{"POST /admin/staff/{id}/mfa", h(s.adminStaffMFAReset)},
		{"POST /admin/staff/{id}/disable", h(s.adminStaffDisable)},
		{"POST /admin/staff/{id}/sso", h(s.adminStaffSSOLink)},
		{"POST /admin/staff/{id}/sso/remove", h(s.adminStaffSSOUnlink)},
		{"GET /admin/invites", h(s.adminInvitesShow)},
		{"POST /admin/invites", h(s.adminInviteCreate)},
		{"GET /admin/teams", h(s.adminTeamsShow)},
		{"POST /admin/teams", h(s.adminTeamCreate)},
		{"GET /admin/care-teams", h(s.adminCareTeamsShow)},
		{"POST /admin/care-teams/{id}/members", h(s.adminCareTeamMemberAdd)},
		{"POST /admin/care-teams/{id}/end", h(s.adminCareTeamMemberEnd)},
		{"POST /admin/care-teams/{id}/transfer", h(s.adminCareTeamTransfer)},
		{"GET /admin/settings", h(s.adminSettingsShow)},
		{"POST /admin/settings", h(s.adminSettingsUpdate)},
		{"POST /admin/settings/sharing", h(s.adminSharingDefaultsUpdate)},

		// The person's data rights: their download, correcting, erasing.
		{"GET /me/data", h(s.withRights(s.dataShow))},
		{"POST /me/data/exports", h(s.withRights(s.dataExportCreate))},
		{"GET /me/data/exports/{id}", h(s.withRights(s.dataExportDownload))},
		{"GET /me/data/erase", h(s.withRights(s.eraseShow))},
		{"POST /me/data/erase", h(s.withRights(s.eraseCreate))},
		{"POST /me/data/erase/cancel", h(s.withRights(s.eraseCancel))},

		// Account recovery.
		{"GET /reset", h(s.resetShow)},
		{"POST /reset", h(s.resetCreate)},
		{"POST /clinic/people/{id}/reset-code", h(s.clinicPersonResetCode)},
		{"POST /admin/people/{id}/reset-code", h(s.adminPersonResetCode)},

		// Offline support and static files.
		{"GET /sw.js", h(s.serviceWorker)},
		{"GET /manifest.webmanifest", h(s.staticFile("manifest.webmanifest"))},
		{"GET /static/{path...}", h(s.staticShow)},

		// Operations.
		{"GET /healthz", http.HandlerFunc(s.healthz)},
		{"GET /readyz", http.HandlerFunc(s.readyz)},
		{"GET /metrics", s.metricsHandler()},

		{"/", s.statusError(tend.ENOTFOUND, "not found")},
	}
	if s.opt.API != nil {
		// The JSON API has its own routes and matrix (internal/api).
		t = append(t, route{"/api/v1/", s.opt.API})
	}
	if s.opt.FHIR != nil {
		// FHIR R4 has its own routes and tests (internal/api/fhir.go);
		// POST /fhir/r4 (a transaction or batch) is the base itself.
		t = append(t, route{"/fhir/r4/", s.opt.FHIR}, route{"/fhir/r4", s.opt.FHIR})
	}
	return t
}

// routes builds the handler: every route of routeTable behind the
// middleware every request passes through.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routeTable() {
		mux.Handle(rt.pattern, rt.handler)
	}

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, tend.Errorf(tend.EFORBIDDEN, "%s", s.printer().T("error.forbidden_origin")))
	}))
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		// The mux records the matched pattern on the request it was given;
		// hand it out to the logging middleware.
		if rt, ok := r.Context().Value(keyRoute).(*string); ok {
			*rt = r.Pattern
		}
	})
	h = cop.Handler(h)
	h = s.withSession(h)
	h = s.limitBody(h)
	h = s.observe(h)
	// secure comes first, so that the error page observe writes after a
	// panic has the security headers and the nonce of the CSP they carry.
	h = s.secure(h)
	return h
}
