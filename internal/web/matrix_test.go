package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// The callers of the matrix, in the order of each row's statuses.
var matrixCallers = []string{
	"",                   // anonymous
	"sam",                // the person whose record the routes name
	"alex",               // another person, same therapist
	"riley",              // another person, another team
	"lee@example.org",    // sam's therapist
	"priya@example.org",  // sam's prescriber
	"jo@example.org",     // sam's group facilitator
	"kim@example.org",    // a clinician not on sam's team
	"morgan@example.org", // lead of sam's team
	"admin@example.org",  // an admin
	"casey@example.org",  // sam's care coordinator, to whom sam shares nothing (every area revoked)
	"nia@example.org",    // lead of another team
	"dana@example.org",   // a duty-team member with no open task for sam
}

// matrix is the authorization matrix of the pages, written by hand from
// DESIGN.md "Who sees what" and reviewed as a table: one row per route,
// one status per caller above. Routes that name a person name sam; routes
// that name a country name GB. A route of the router without a row here
// fails TestAuthorizationMatrix; never fill a row in from what the code
// does. The JSON API has its own matrix (internal/api).
var matrix = map[string][]int{
	//                                            anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /help":                     {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200},
	"GET /help/{country}":           {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200},
	"POST /help/young":              {303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303},
	"GET /evidence":                 {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200},
	"GET /{$}":                      {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200},
	"GET /signin":                   {200, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303},
	"POST /signin":                  {401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401},
	"GET /signin/mfa":               {303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303},
	"POST /signin/mfa":              {401, 401, 401, 401, 303, 303, 303, 303, 303, 303, 303, 303, 303},
	"GET /signin/oidc":              {404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /signin/oidc/callback":     {404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /signout":                 {303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303},
	"GET /join":                     {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200},
	"POST /join":                    {400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400},
	"GET /me":                       {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/who-looked":            {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/notices/{id}/dismiss": {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	// Keeping what was shared after a transfer names sam, who is no notice
	// (404 for people); staff have no notices (404). TestTransferPages
	// checks a real offer.
	"POST /me/notices/{id}/keep-sharing": {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/sharing":                    {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/sharing":                   {401, 303, 303, 303, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	// The person's own reminders: never staff's (an empty form has no time: 400).
	"GET /me/reminders":  {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/reminders": {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},

	// The person's data rights (docs/data-rights.md): only the person,
	// about themselves; staff have no such pages (404). A download named
	// by sam's id is nobody's download (404). Asking for a download
	// starts one (303). An erase form without the password erases nothing
	// (400); cancelling with nothing pending is 404.
	//                                        anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /me/data":               {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/data/exports":      {401, 303, 303, 303, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/data/exports/{id}":  {303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/data/erase":         {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/data/erase":        {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/data/erase/cancel": {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},

	// My safety plan (DESIGN.md "Who sees what"; safety-plan.md). /me/plan
	// pages are the signed-in person's own (staff: 404); an empty form has
	// no text to save (400). The staff view of sam's plan follows sam's
	// sharing: lee (therapist) has see-and-edit by the service's default;
	// priya (prescriber), jo (group facilitator) and casey (every area
	// revoked) know sam but are not shared the plan (403), as are morgan
	// (lead, no content) and the admin (no clinical data); kim, nia and dana
	// (duty team, no open task) have no relationship with sam (404). Lee's
	// empty save has no text (400) and an empty review names no version (400).
	//                                              anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /me/plan":                           {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/plan/edit":                      {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/plan":                          {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/plan/history":                   {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/plan/device":                   {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /clinic/people/{id}/plan":           {303, 404, 404, 404, 200, 403, 403, 404, 403, 403, 403, 404, 404},
	"POST /clinic/people/{id}/plan":          {401, 404, 404, 404, 400, 403, 403, 404, 403, 403, 403, 404, 404},
	"POST /clinic/people/{id}/plan/reviewed": {401, 404, 404, 404, 400, 403, 403, 404, 403, 403, 403, 404, 404},

	// Episodes of care, sessions and incidents (issue 5; DESIGN.md "Who
	// sees what": the care team's, and the person sees their own). Every
	// active member of sam's care team reads and records them whatever sam
	// shares: lee, priya, jo and casey (200; an empty form is 400, and
	// closing sam's record while sam is in treatment is 409). Morgan (lead)
	// and the admin know sam but see no episodes (403); kim, nia and dana
	// (duty, no open task) have no relationship with sam (404). /me/care is
	// the signed-in person's own (staff: 404).
	//                                                             anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /clinic/people/{id}/episodes":                       {303, 404, 404, 404, 200, 200, 200, 404, 403, 403, 200, 404, 404},
	"POST /clinic/people/{id}/episodes":                      {401, 404, 404, 404, 400, 400, 400, 404, 403, 403, 400, 404, 404},
	"POST /clinic/people/{id}/episodes/{episode}/decision":   {401, 404, 404, 404, 400, 400, 400, 404, 403, 403, 400, 404, 404},
	"POST /clinic/people/{id}/episodes/{episode}/start":      {401, 404, 404, 404, 400, 400, 400, 404, 403, 403, 400, 404, 404},
	"POST /clinic/people/{id}/episodes/{episode}/discharge":  {401, 404, 404, 404, 400, 400, 400, 404, 403, 403, 400, 404, 404},
	"POST /clinic/people/{id}/close":                         {401, 404, 404, 404, 409, 409, 409, 404, 403, 403, 409, 404, 404},
	"POST /clinic/people/{id}/sessions":                      {401, 404, 404, 404, 400, 400, 400, 404, 403, 403, 400, 404, 404},
	"POST /clinic/people/{id}/incidents":                     {401, 404, 404, 404, 400, 400, 400, 404, 403, 403, 400, 404, 404},
	"POST /clinic/people/{id}/sessions/{session}/attendance": {401, 404, 404, 404, 400, 400, 400, 404, 403, 403, 400, 404, 404},
	"GET /me/care": {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},

	// The coping toolbox (skills.md "The toolbox"). /me/toolbox pages are
	// the signed-in person's own (staff: 404); an empty step, use, own
	// activity, choice or caution form has nothing to go on and is
	// re-rendered with its problem (400); {id} is sam, who is no use (404).
	// The staff view of sam's toolbox log follows sam's sharing, and by the
	// service's defaults sam shares it with nobody: lee, priya, jo, casey,
	// morgan and the admin know sam but are not shared it (403); kim, nia
	// and dana have no relationship with sam (404). TestToolboxSharing
	// checks lee once sam shares it. Service activities are the admin's
	// (other staff 403); an empty form is re-rendered (400) and {id}, sam,
	// is no activity (404).
	//                                             anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /me/toolbox":                  {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/toolbox/step":            {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/toolbox/uses":            {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/toolbox/uses/{id}":        {303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/toolbox/log":              {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/toolbox/manage":           {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/toolbox/activities":      {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/toolbox/activities/{id}": {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/toolbox/caution":         {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /clinic/people/{id}/toolbox":  {303, 404, 404, 404, 403, 403, 403, 404, 403, 403, 403, 404, 404},
	"GET /admin/toolbox":               {303, 404, 404, 404, 403, 403, 403, 403, 403, 200, 403, 403, 403},
	"POST /admin/toolbox":              {401, 404, 404, 404, 403, 403, 403, 403, 403, 400, 403, 403, 403},
	"POST /admin/toolbox/{id}/retire":  {401, 404, 404, 404, 403, 403, 403, 403, 403, 404, 403, 403, 403},

	// The skills library and homework (clinical/skills.md). /me/skills and
	// /me/homework pages are the signed-in person's own (staff: 404). {id} is
	// sam, which names no skill and no homework, so those pages are 404 for
	// everyone signed in (TestSkillsAndHomework checks real ones caller by
	// caller). The staff view of sam's homework: any active member of sam's
	// care team may open it and assign (lee, priya, jo, casey: 200; each
	// sees only what the policy lets them, TestHomeworkWeb), and an empty
	// assign form names nothing to assign (400); morgan (lead) and the admin
	// know sam but may not (403); kim, nia and dana have no relationship
	// with sam (404). {homework} is no homework's id: ending it is 404.
	//                                                   anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /me/skills":                                   {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/skills/{id}":                              {303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/skills/{id}/favourite":                   {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/skills/{id}/practice":                    {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/homework/{id}":                            {303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/homework/{id}/practice":                  {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /clinic/people/{id}/homework":                 {303, 404, 404, 404, 200, 200, 200, 404, 403, 403, 200, 404, 404},
	"POST /clinic/people/{id}/homework":                {401, 404, 404, 404, 400, 400, 400, 404, 403, 403, 400, 404, 404},
	"POST /clinic/people/{id}/homework/{homework}/end": {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},

	// The reflective journal (skills.md; DESIGN.md "Who sees what"). /me
	// journal pages are the signed-in person's own (staff: 404); an empty
	// save names no entry (400); {id} is sam, who is no entry (404). The
	// staff view follows sam's sharing: sam shares the journal with nobody
	// by the service's defaults, so the care team (lee, priya, jo, casey),
	// morgan (lead, no content) and the admin (no clinical data) are refused
	// (403); kim, nia and dana have no relationship with sam (404). Prompts
	// follow the homework rule: the therapist, or a care-team member
	// assigning their own (lee, priya, jo, casey: an empty prompt is 400; an
	// empty withdrawal names no assignment, 404). The service's open prompts
	// are the admin's alone: everyone else on staff 403, people 404; an empty
	// prompt is 400 and retiring none is 404.
	//                                                            anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /me/journal":                                   {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/journal/new":                               {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/journal":                                  {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/journal/{id}":                              {303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /clinic/people/{id}/journal":                   {303, 404, 404, 404, 403, 403, 403, 404, 403, 403, 403, 404, 404},
	"GET /clinic/people/{id}/journal/prompts":           {303, 404, 404, 404, 200, 200, 200, 404, 403, 403, 200, 404, 404},
	"POST /clinic/people/{id}/journal/prompts":          {401, 404, 404, 404, 400, 400, 400, 404, 403, 403, 400, 404, 404},
	"POST /clinic/people/{id}/journal/prompts/withdraw": {401, 404, 404, 404, 404, 404, 404, 404, 403, 403, 404, 404, 404},
	"GET /admin/journal-prompts":                        {303, 404, 404, 404, 403, 403, 403, 403, 403, 200, 403, 403, 403},
	"POST /admin/journal-prompts":                       {401, 404, 404, 404, 403, 403, 403, 403, 403, 400, 403, 403, 403},
	"POST /admin/journal-prompts/retire":                {401, 404, 404, 404, 403, 403, 403, 403, 403, 404, 403, 403, 403},

	// Behaviour chain analyses (chain-analysis.md; DESIGN.md "Who sees
	// what": an area the person shares as see or see and edit). /me/chains
	// pages are the signed-in person's own (staff: 404); {cid} is no
	// analysis (404 once access is checked). The staff pages follow sam's
	// sharing: by the service's defaults sam shares chain analyses with
	// nobody, so the care team (lee, priya, jo, casey), morgan (lead, no
	// content) and the admin (no clinical data) are refused (403) before any
	// analysis is looked up, and starting one needs the edit grant (403);
	// kim, nia and dana have no relationship with sam (404).
	// TestChainPages checks lee with see, and with see and edit.
	//                                                         anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /me/chains":                                 {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/chains/{cid}":                           {303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/chains/{cid}":                          {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/chains/{cid}/state":                    {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /clinic/people/{id}/chains":                 {303, 404, 404, 404, 403, 403, 403, 404, 403, 403, 403, 404, 404},
	"POST /clinic/people/{id}/chains":                {401, 404, 404, 404, 403, 403, 403, 404, 403, 403, 403, 404, 404},
	"GET /clinic/people/{id}/chains/{cid}":           {303, 404, 404, 404, 403, 403, 403, 404, 403, 403, 403, 404, 404},
	"POST /clinic/people/{id}/chains/{cid}":          {401, 404, 404, 404, 403, 403, 403, 404, 403, 403, 403, 404, 404},
	"POST /clinic/people/{id}/chains/{cid}/state":    {401, 404, 404, 404, 403, 403, 403, 404, 403, 403, 403, 404, 404},
	"POST /clinic/people/{id}/chains/{cid}/homework": {401, 404, 404, 404, 403, 403, 403, 404, 403, 403, 403, 404, 404},

	// The diary card's set-up and the clinician's weekly grid (issue 6;
	// DESIGN.md "Who sees what"). /me/diary/setup is the signed-in person's
	// own (staff: 404): an empty add form names no kind of row and an empty
	// skills form no set (400, re-rendered); an empty change names no row
	// (404). The weekly grid, its print view and the "may not have been
	// written by the person" note follow sam's sharing: lee (therapist) sees
	// sam's diary by the service's default (200; an empty note names no day,
	// 400, re-rendered). The grid is not there for anyone else (404, the
	// issue's "Done when"): priya, jo and casey know sam but are not shared
	// the diary, morgan (lead) and the admin read no clinical areas, and kim,
	// nia and dana have no relationship with sam. The staff set-up needs
	// "see and edit" on the diary, which sam gives nobody by default: those
	// who know sam are refused (403), lee included; kim, nia and dana get
	// 404. TestDiarySetupPages checks lee with the edit grant.
	//                                                             anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /me/diary/setup":                              {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/diary/setup/rows":                        {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/diary/setup/rows/change":                 {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/diary/setup/skills":                      {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /clinic/people/{id}/diary":                    {303, 404, 404, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /clinic/people/{id}/diary/print":              {303, 404, 404, 404, 200, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /clinic/people/{id}/diary/flag":              {401, 404, 404, 404, 400, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /clinic/people/{id}/diary/setup":              {303, 404, 404, 404, 403, 403, 403, 404, 403, 403, 403, 404, 404},
	"POST /clinic/people/{id}/diary/setup/rows":        {401, 404, 404, 404, 403, 403, 403, 404, 403, 403, 403, 404, 404},
	"POST /clinic/people/{id}/diary/setup/rows/change": {401, 404, 404, 404, 403, 403, 403, 404, 403, 403, 403, 404, 404},
	"POST /clinic/people/{id}/diary/setup/skills":      {401, 404, 404, 404, 403, 403, 403, 404, 403, 403, 403, 404, 404},

	// Clinician notes, the medication list and support groups (DESIGN.md
	// "Who sees what"). Notes are for sam's therapist (lee), prescriber
	// (priya) and care coordinator (casey), whatever sam shares; never for
	// the group facilitator (jo: 403), never for any person (404, no such
	// page for people). Morgan (lead) and the admin know sam but are refused
	// (403); kim, nia and dana have no relationship with sam (404). An empty
	// note is re-rendered with its problem (400); {note} names no note, so a
	// correction is 404 for those who may write. The medication list: priya
	// keeps it (an empty form is 400; {med} names no medication, 404); lee
	// and casey read it and may not change it (403); jo, morgan and the admin
	// are refused (403). /me/medication and /me/groups are each person's own
	// (staff: 404). Support groups are run by clinicians and leads (the
	// admin: 403); each sees only their own groups, and {id}, sam, is no
	// group (404). A person's attendance is for their therapist (lee) and
	// group facilitator (jo); priya, casey, morgan and the admin are refused
	// (403). TestCareRecords checks real notes, medication and groups.
	//                                                      anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /clinic/people/{id}/notes":                  {303, 404, 404, 404, 200, 200, 403, 404, 403, 403, 200, 404, 404},
	"POST /clinic/people/{id}/notes":                 {401, 404, 404, 404, 400, 400, 403, 404, 403, 403, 400, 404, 404},
	"POST /clinic/people/{id}/notes/{note}/correct":  {401, 404, 404, 404, 404, 404, 403, 404, 403, 403, 404, 404, 404},
	"GET /me/medication":                             {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /clinic/people/{id}/medication":             {303, 404, 404, 404, 200, 200, 403, 404, 403, 403, 200, 404, 404},
	"POST /clinic/people/{id}/medication":            {401, 404, 404, 404, 403, 400, 403, 404, 403, 403, 403, 404, 404},
	"POST /clinic/people/{id}/medication/{med}/stop": {401, 404, 404, 404, 403, 404, 403, 404, 403, 403, 403, 404, 404},
	"GET /me/groups":                                 {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /clinic/groups":                             {303, 404, 404, 404, 200, 200, 200, 200, 200, 403, 200, 200, 200},
	"POST /clinic/groups":                            {401, 404, 404, 404, 400, 400, 400, 400, 400, 403, 400, 400, 400},
	"GET /clinic/groups/{id}":                        {303, 404, 404, 404, 404, 404, 404, 404, 404, 403, 404, 404, 404},
	"POST /clinic/groups/{id}/members":               {401, 404, 404, 404, 404, 404, 404, 404, 404, 403, 404, 404, 404},
	"POST /clinic/groups/{id}/attendance":            {401, 404, 404, 404, 404, 404, 404, 404, 404, 403, 404, 404, 404},
	"GET /clinic/people/{id}/groups":                 {303, 404, 404, 404, 200, 403, 200, 404, 403, 403, 403, 404, 404},

	// The hope box: the person's alone, never shareable, so every member of
	// staff gets 404 whatever sam shares. Empty forms: no words or photo
	// (400); removing nothing names nothing (404); {id} is sam, who is no
	// photo (404).
	//                                              anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /me/hope-box":                {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/hope-box/words":         {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/hope-box/words/delete":  {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/hope-box/photos":        {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/hope-box/photos/delete": {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/hope-box/photos/{id}":    {303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},

	// The person's settings: /me pages are the signed-in person's own, so
	// every person gets their own settings and staff get 404 (there is no
	// such page for them). Anonymous GETs go to sign in; anonymous POSTs are
	// 401. A POST with an empty form: a password, PIN, time zone or discreet
	// choice that is missing is re-rendered with its problem (400); "Lock
	// now" without a PIN is refused the same way (no demo person has a PIN);
	// signing out everywhere needs no input (303 to sign in; run last, as it
	// ends the caller's sessions). The unlock page is only for a locked
	// session: an unlocked person goes home (303).
	//                                             anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /me/settings":                      {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/settings/password":            {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/settings/sign-out-everywhere": {401, 303, 303, 303, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/settings/pin":                 {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/settings/time-zone":           {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/settings/discreet":            {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/lock":                         {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/unlock":                        {303, 303, 303, 303, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/unlock":                       {401, 303, 303, 303, 404, 404, 404, 404, 404, 404, 404, 404, 404},

	// A person's own e-mail address (docs/notifications.md): an empty
	// form is refused (400); removing none is 404; staff have no such
	// form (404). The confirmation page needs no sign-in (the one-time
	// token is the proof); without a token nothing is confirmed (400).
	// Web Push: the VAPID public key is public; any signed-in account
	// may subscribe, and an empty body is no subscription (400).
	//                                          anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"POST /me/settings/email":        {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/settings/email/remove": {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /email/verify":              {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200},
	"POST /email/verify":             {400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400},
	"GET /push/key":                  {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200},
	"POST /push":                     {401, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400},
	"POST /push/remove":              {401, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400},

	// Follow-up tasks (safety-rules.md section 4). /me/contact is the
	// signed-in person's own "Ask my care team to contact me" (staff: 404);
	// an empty request names no way to be contacted and is re-rendered
	// (400); reading the first-use notice needs no input (303). The task
	// inbox is every staff member's own list (admins': always empty); {id}
	// is sam, who is no task, so the task pages are 404 for everyone signed
	// in (TestFollowUpTasks checks a real task caller by caller).
	//                                                 anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /me/contact":                     {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/contact":                    {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/contact/notice":             {401, 303, 303, 303, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/contact/sent":                {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /clinic/tasks":                   {303, 404, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200},
	"GET /clinic/tasks/{id}":              {303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /clinic/tasks/{id}/acknowledge": {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /clinic/tasks/{id}/resolve":     {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /clinic/tasks/{id}/reroute":     {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /clinic/queue":                   {303, 404, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200},

	// Safety prompts (safety-rules.md section 4). Each person sees their
	// own (staff: 404). The care team page is for those a task reaches (lee
	// as therapist, casey as care coordinator, whatever sam shares) and the
	// lead of sam's team (metadata only); everyone else is 404, as for the
	// tasks, except admins, who know sam from care-team admin (403, as for
	// the plan). Only sam's clinicians (therapist, care coordinator) change
	// them: an empty form changes nothing (303); the others who know sam get
	// 403. Marking a flag discussed names no flag: 404 for everyone
	// (TestSafetyPromptPages checks a real flag).
	//                                                         anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /me/safety-prompts":                          {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /clinic/people/{id}/safety-prompts":          {303, 404, 404, 404, 200, 404, 404, 404, 200, 403, 200, 404, 404},
	"POST /clinic/people/{id}/safety-prompts":         {401, 404, 404, 404, 303, 403, 403, 404, 403, 403, 303, 404, 404},
	"POST /clinic/people/{id}/flags/{flag}/discussed": {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},

	// Supporters (young-people.md). /me/supporters is the signed-in
	// person's own page (staff: 404). An empty invite form, and an empty
	// items form, are re-rendered with the problem (400: a supporter must
	// be given at least one item); {id} is sam, who is nobody's supporter, so
	// ending it is 404. /supporter is a supporter's home: no page for people
	// or staff (404). Joining as a supporter is open to all, and an empty
	// form is re-rendered (400). The supporter as a caller is tested in
	// supporters_test.go against every route of the router.
	//                                     anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /me/supporters":             {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/supporters":            {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/supporters/{id}/items": {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/supporters/{id}/end":   {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /supporter":                 {303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /supporter/join":            {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200},
	"POST /supporter/join":           {400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400},

	"GET /clinic":             {303, 404, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200},
	"GET /clinic/people/{id}": {303, 404, 404, 404, 200, 200, 200, 404, 200, 403, 200, 404, 404},
	"GET /admin":              {303, 404, 404, 404, 403, 403, 403, 403, 403, 200, 403, 403, 403},
	"POST /admin/crisis-lines/{country}/confirm": {401, 404, 404, 404, 403, 403, 403, 403, 403, 303, 403, 403, 403},

	// The admin pages: staff, invites, teams, care teams and settings are
	// the admin's alone ("Who sees what"). People have no admin pages (404);
	// every other member of staff, the lead of sam's team included, is
	// refused the whole admin area (403) before any record is looked up, so
	// a route naming sam tells kim nothing about sam. Anonymous GETs go to
	// sign in; anonymous POSTs are 401. An admin's POST with an empty form:
	// the create forms re-render with the service's message (400); {id} is
	// sam, who is no staff account (404) and has no membership named by an
	// empty form (404); an empty sharing-defaults form changes nothing (303).
	//                                        anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /admin/staff":                     {303, 404, 404, 404, 403, 403, 403, 403, 403, 200, 403, 403, 403},
	"POST /admin/staff":                    {401, 404, 404, 404, 403, 403, 403, 403, 403, 400, 403, 403, 403},
	"POST /admin/staff/{id}/password":      {401, 404, 404, 404, 403, 403, 403, 403, 403, 404, 403, 403, 403},
	"POST /admin/staff/{id}/mfa":           {401, 404, 404, 404, 403, 403, 403, 403, 403, 404, 403, 403, 403},
	"POST /admin/staff/{id}/disable":       {401, 404, 404, 404, 403, 403, 403, 403, 403, 404, 403, 403, 403},
	"POST /admin/staff/{id}/sso":           {401, 404, 404, 404, 403, 403, 403, 403, 403, 404, 403, 403, 403},
	"POST /admin/staff/{id}/sso/remove":    {401, 404, 404, 404, 403, 403, 403, 403, 403, 404, 403, 403, 403},
	"GET /admin/invites":                   {303, 404, 404, 404, 403, 403, 403, 403, 403, 200, 403, 403, 403},
	"POST /admin/invites":                  {401, 404, 404, 404, 403, 403, 403, 403, 403, 400, 403, 403, 403},
	"GET /admin/teams":                     {303, 404, 404, 404, 403, 403, 403, 403, 403, 200, 403, 403, 403},
	"POST /admin/teams":                    {401, 404, 404, 404, 403, 403, 403, 403, 403, 400, 403, 403, 403},
	"GET /admin/care-teams":                {303, 404, 404, 404, 403, 403, 403, 403, 403, 200, 403, 403, 403},
	"POST /admin/care-teams/{id}/members":  {401, 404, 404, 404, 403, 403, 403, 403, 403, 400, 403, 403, 403},
	"POST /admin/care-teams/{id}/end":      {401, 404, 404, 404, 403, 403, 403, 403, 403, 404, 403, 403, 403},
	"POST /admin/care-teams/{id}/transfer": {401, 404, 404, 404, 403, 403, 403, 403, 403, 404, 403, 403, 403},
	"GET /admin/settings":                  {303, 404, 404, 404, 403, 403, 403, 403, 403, 200, 403, 403, 403},
	"POST /admin/settings":                 {401, 404, 404, 404, 403, 403, 403, 403, 403, 400, 403, 403, 403},
	"POST /admin/settings/sharing":         {401, 404, 404, 404, 403, 403, 403, 403, 403, 303, 403, 403, 403},
	// The jobs page (docs/jobs.md) is the admin's alone, like the rest;
	// {id} is sam's id, which is no job's number (404 for the admin).
	"GET /admin/jobs":             {303, 404, 404, 404, 403, 403, 403, 403, 403, 200, 403, 403, 403},
	"POST /admin/jobs/{id}/retry": {401, 404, 404, 404, 403, 403, 403, 403, 403, 404, 403, 403, 403},

	// Account recovery. /reset is a signed-out page: anyone signed in goes
	// home (303), like /signin. An empty reset form is re-rendered with its
	// problems (400), whoever sends it. A reset code for sam: auth issues
	// one to sam's care team (lee, priya, jo, casey: the code shows on sam's
	// page, 200) and to admins; on the staff view of sam everyone else
	// without a relationship to sam gets 404, morgan (who may see sam's page
	// but is on no care team of sam's) gets 404 from auth, and an admin is
	// refused sam's page itself (403) and uses the admin page instead, which
	// every other member of staff is refused (403) before sam is looked up.
	//                                        anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /reset":                          {200, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303, 303},
	"POST /reset":                         {400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400},
	"POST /clinic/people/{id}/reset-code": {401, 404, 404, 404, 200, 200, 200, 404, 404, 403, 200, 404, 404},
	"POST /admin/people/{id}/reset-code":  {401, 404, 404, 404, 403, 403, 403, 403, 403, 200, 403, 403, 403},

	"GET /sw.js":                {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200},
	"GET /manifest.webmanifest": {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200},
	"GET /static/{path...}":     {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200},
	"GET /healthz":              {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200},
	"GET /readyz":               {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200},
	"GET /metrics":              {200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200},
	"/":                         {404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	// A person's questionnaires as a care-team member sees them, and the
	// admin's instruments (issue 7; DESIGN.md "Who sees what"). The staff
	// pages follow sam's sharing of questionnaires: lee (therapist) sees
	// them by the service's default (200; an empty assign form names no
	// questionnaire, 400, re-rendered; {assignment} and {response} name
	// none of sam's, 404). Priya, jo and casey know sam but are not shared
	// the questionnaires, and morgan (lead) and the admin read no clinical
	// areas (403, as sam's plan); kim, nia and dana have no relationship
	// with sam (404); people have no staff pages (404). The instruments
	// are the service's settings, the admin's alone: other staff are
	// refused (403) as on every admin page; an empty import form has
	// nothing to import (400, re-rendered) and {id}, sam, is no imported
	// instrument (404).
	//                                                                              anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /clinic/people/{id}/questionnaires":                               {303, 404, 404, 404, 200, 403, 403, 404, 403, 403, 403, 404, 404},
	"POST /clinic/people/{id}/questionnaires/assign":                       {401, 404, 404, 404, 400, 403, 403, 404, 403, 403, 403, 404, 404},
	"POST /clinic/people/{id}/questionnaires/assignments/{assignment}/end": {401, 404, 404, 404, 404, 403, 403, 404, 403, 403, 403, 404, 404},
	"GET /clinic/people/{id}/questionnaires/responses/{response}":          {303, 404, 404, 404, 404, 403, 403, 404, 403, 403, 403, 404, 404},
	"GET /admin/instruments":                                               {303, 404, 404, 404, 403, 403, 403, 403, 403, 200, 403, 403, 403},
	"POST /admin/instruments":                                              {401, 404, 404, 404, 403, 403, 403, 403, 403, 400, 403, 403, 403},
	"POST /admin/instruments/{id}/retire":                                  {401, 404, 404, 404, 403, 403, 403, 403, 403, 404, 403, 403, 403},
	"POST /admin/instruments/{id}/prompts":                                 {401, 404, 404, 404, 403, 403, 403, 403, 403, 404, 403, 403, 403},

	// The session preparation view (issue 8, item 2): one page per person
	// for their care team. Every active member of sam's care team opens it
	// (lee, priya, jo, and casey to whom sam shares nothing: each section
	// then says what is not shared); for anyone else it does not exist
	// (404), a lead (morgan, who sees task metadata only) and the admin
	// included, and people never have it.
	//                                                anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /clinic/people/{id}/prepare": {303, 404, 404, 404, 200, 200, 200, 404, 404, 404, 200, 404, 404},

	// The person's diary card and progress (clinical/diary-card.md;
	// DESIGN.md "Who sees what"): /me pages are the signed-in person's own,
	// so staff get 404 and each person their own card ({date} is today in
	// the demo's zone). A save with no idempotency key is refused (400); an
	// empty draft removes the draft (200).
	//                                              anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /me/diary":                {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/diary/notice":        {401, 303, 303, 303, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/diary/blank":          {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/diary/{date}":         {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/diary/{date}":        {401, 400, 400, 400, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/diary/{date}/draft":  {401, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/diary/{date}/history": {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/progress":             {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},

	// The person's questionnaires (issue 7; DESIGN.md "Who sees what"):
	// /me pages are the signed-in person's own, so staff get 404. {id}, sam,
	// is nobody's due questionnaire (404 to every person, as is another
	// person's: TestQuestionnaireOthers404).
	//                                              anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /me/questionnaires":        {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/questionnaires/scores": {303, 200, 200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /me/questionnaires/{id}":   {303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"POST /me/questionnaires/{id}":  {401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},

	// The service outcomes report and its exports (issue 8; DESIGN.md "Who
	// sees what": a lead sees aggregate reports for their teams). Morgan
	// (lead of sam's team) and nia (lead of another team) open the page
	// (200); nobody in the demo has a discharged episode yet, so there is no
	// cohort and the exports have nothing to export (404 for them too:
	// TestOutcomesReport checks them with data). Everyone who leads no team
	// gets 404 from the report service: people, clinicians, the duty team
	// and the admin (who sees no clinical data, aggregate or not).
	//                                              anon sam  alex riley lee  priya jo   kim  morgan admin casey nia  dana
	"GET /clinic/reports/outcomes":      {303, 404, 404, 404, 404, 404, 404, 404, 200, 404, 404, 200, 404},
	"GET /clinic/reports/outcomes.csv":  {303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"GET /clinic/reports/outcomes.json": {303, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},

	// The API mount itself; each API route has its own row in internal/api.
	"/api/v1/": {404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404}, // no API route at the mount itself
	// The FHIR R4 mount (issue 9); each FHIR route has its own row in
	// internal/api/fhir_test.go (TestFHIRRead).
	"/fhir/r4/": {404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
	"/fhir/r4":  {404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404},
}

// TestAuthorizationMatrix sends every route of the router as every caller
// and compares the status with the hand-written matrix. Signing out (and
// out everywhere) runs last for each caller, since it ends their session.
func TestAuthorizationMatrix(t *testing.T) {
	d := newDemoServer(t)
	patterns := d.srv.Patterns()
	for _, p := range patterns {
		if _, ok := matrix[p]; !ok {
			t.Errorf("route %q has no row in the authorization matrix", p)
		}
	}
	seen := map[string]bool{}
	for _, p := range patterns {
		seen[p] = true
	}
	for p := range matrix {
		if !seen[p] {
			t.Errorf("the matrix has a row for %q, which the router does not serve", p)
		}
	}
	if t.Failed() {
		return
	}
	// Routes that end the caller's sessions run last.
	last := []string{"POST /me/settings/sign-out-everywhere", "POST /signout"}
	ordered := make([]string, 0, len(patterns))
	for _, p := range patterns {
		if !slices.Contains(last, p) {
			ordered = append(ordered, p)
		}
	}
	ordered = append(ordered, last...)
	cells := 0
	for _, p := range ordered {
		method, path, ok := strings.Cut(p, " ")
		if !ok {
			method, path = http.MethodGet, "/no/such/page"
		}
		path = strings.NewReplacer("{id}", string(d.people["sam"]), "{country}", "GB", "{path...}", "css/tend.css", "{$}", "").Replace(path)
		path = strings.ReplaceAll(path, "{date}", demoToday())
		for i, who := range matrixCallers {
			var req *http.Request
			if method == http.MethodPost {
				req = httptest.NewRequest(method, path, strings.NewReader(url.Values{}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			} else {
				req = httptest.NewRequest(method, path, nil)
			}
			// Each caller signs in from their own address, as in life; a
			// run of failed sign-ins from one address is slowed (429).
			req.RemoteAddr = fmt.Sprintf("192.0.2.%d:40000", i+1)
			name := who
			if name == "" {
				name = "anonymous"
			}
			var res *httptest.ResponseRecorder
			if who == "" {
				res = httptest.NewRecorder()
				d.srv.ServeHTTP(res, req)
			} else {
				res = d.do(t, who, req)
			}
			cells++
			if want := matrix[p][i]; res.Code != want {
				t.Errorf("%s as %s: %d, want %d", p, name, res.Code, want)
			}
		}
	}
	t.Logf("authorization matrix: %d routes x %d callers = %d cells", len(patterns), len(matrixCallers), cells)
}
