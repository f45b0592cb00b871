package chain

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/journal"
	"github.com/tendcare/tend/internal/skills"
	"github.com/tendcare/tend/internal/vault"
)

// The audit actions this package records, besides access actions.
const (
	AuditOpened   = "chain_analysis.opened"   // a clinician opened an analysis
	AuditMerged   = "chain_analysis.merged"   // a save from an older revision was merged
	AuditComplete = "chain_analysis.complete" // marked complete
	AuditReopened = "chain_analysis.reopened" // reopened after being complete
)

// Limits, so a form cannot fill the database.
const (
	MaxSectionChars = 10000 // characters of one section, link or solution
	MaxLinks        = 40
	MaxSolutions    = 40
)

// table is the table whose body column sealing binds each ciphertext to.
const table = "chain_analyses"

// idempotencyTTL is how long an API open request's key is remembered.
const idempotencyTTL = 7 * 24 * time.Hour

var targetPattern = regexp.MustCompile(`^[a-z0-9._-]{1,40}$`)

// ValidTarget reports whether id is a well-formed diary target id.
func ValidTarget(id string) bool { return targetPattern.MatchString(id) }

// Service keeps chain analyses.
type Service struct {
	store    Store
	checker  Checker
	sealer   Sealer
	homework Homework
	clock    tend.Clock
}

// NewService returns a Service. homework may be nil: solutions then cannot
// become homework (EUNAVAILABLE).
func NewService(store Store, checker Checker, sealer Sealer, homework Homework, clock tend.Clock) *Service {
	if clock == nil {
		clock = tend.SystemClock{}
	}
	return &Service{store: store, checker: checker, sealer: sealer, homework: homework, clock: clock}
}

// List returns the person's analyses, most recently changed first. A staff
// read needs the person's chain-analysis grant and is audited; the
// person's own reads write nothing. Errors as access.Checker.
func (s *Service) List(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Analysis, error) {
	if err := s.read(ctx, actor, personID, "chain_analyses:"+string(personID)); err != nil {
		return nil, err
	}
	recs, err := s.store.FindChainAnalyses(ctx, personID)
	if err != nil {
		return nil, err
	}
	out := make([]Analysis, 0, len(recs))
	for _, r := range recs {
		a, err := s.open(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, s.names(ctx, out)
}

// Get returns one of the person's analyses: ENOTFOUND for an id that is
// not theirs; access and audit as List.
func (s *Service) Get(ctx context.Context, actor tend.Actor, personID, id tend.ID) (Analysis, error) {
	if err := s.read(ctx, actor, personID, "chain_analysis:"+string(id)); err != nil {
		return Analysis{}, err
	}
	r, err := s.store.FindChainAnalysis(ctx, personID, id)
	if err != nil {
		return Analysis{}, err
	}
	a, err := s.open(ctx, r)
	if err != nil {
		return Analysis{}, err
	}
	out := []Analysis{a}
	if err := s.names(ctx, out); err != nil {
		return Analysis{}, err
	}
	return out[0], nil
}

// Readers returns the care-team members who can read the person's chain
// analyses now, as the access policy decides for each of them, so that
// every box can say who reads it. Only the person asks (ENOTFOUND for
// anyone else).
func (s *Service) Readers(ctx context.Context, actor tend.Actor, personID tend.ID) ([]Member, error) {
	if err := s.checker.Check(ctx, actor, access.ChainAnalysisRead, personID); err != nil {
		return nil, err
	}
	if actor.Kind != tend.KindPerson || actor.ID != personID {
		return nil, tend.ErrNotFound
	}
	members, err := s.store.FindChainMembers(ctx, personID)
	if err != nil {
		return nil, err
	}
	out := []Member{}
	seen := map[tend.ID]bool{}
	for _, m := range members {
		// Each member is judged exactly as their own request would be.
		staff := tend.Actor{Kind: tend.KindStaff, ID: m.StaffID, Role: tend.RoleClinician, MFA: true}
		err := s.checker.Check(ctx, staff, access.ChainAnalysisRead, personID)
		switch {
		case err == nil:
			if !seen[m.StaffID] {
				seen[m.StaffID] = true
				out = append(out, m)
			}
		case tend.ErrorKind(err) != tend.EFORBIDDEN && tend.ErrorKind(err) != tend.ENOTFOUND:
			return nil, err
		}
	}
	return out, nil
}

// MayEdit reports whether actor may change the person's analyses now.
func (s *Service) MayEdit(ctx context.Context, actor tend.Actor, personID tend.ID) bool {
	return s.checker.Check(ctx, actor, access.ChainAnalysisWrite, personID) == nil
}

// MayOpen reports whether actor may open an analysis for the person: a
// care-team member the person lets edit their chain analyses.
func (s *Service) MayOpen(ctx context.Context, actor tend.Actor, personID tend.ID) bool {
	return actor.Kind == tend.KindStaff && s.MayEdit(ctx, actor, personID)
}

func (s *Service) read(ctx context.Context, actor tend.Actor, personID tend.ID, target string) error {
	if err := s.checker.Check(ctx, actor, access.ChainAnalysisRead, personID); err != nil {
		return err
	}
	if actor.Kind != tend.KindStaff {
		return nil
	}
	return s.store.InTx(ctx, func(tx Tx) error {
		return tx.AppendAudit(ctx, event(actor, string(access.ChainAnalysisRead), personID, target))
	})
}

// MayHomework reports whether actor may turn a solution into homework for
// the person (the rule skills.Service.Assign applies).
func (s *Service) MayHomework(ctx context.Context, actor tend.Actor, personID tend.ID) bool {
	return s.homework != nil && actor.Kind == tend.KindStaff &&
		s.checker.CheckTarget(ctx, actor, access.HomeworkWrite, personID, access.Target{AssignedBy: actor.ID}) == nil
}

// Start is what opening an analysis needs.
type Start struct {
	// ID names the new analysis: the form carries a fresh one, so a
	// repeated post opens one analysis, not two. "" lets Key name it.
	ID string
	// Key is an API client's idempotency key, used when ID is "".
	Key string
	// Day is the diary day (YYYY-MM-DD); Target the diary target id.
	Day    string
	Target string
}

// Opened says what Open did.
type Opened struct {
	Analysis Analysis
	// Unchanged is true for a retry that found the analysis already open.
	Unchanged bool
}

// Open starts a chain analysis for the person, as a draft with empty
// sections. Only a care-team member with the person's "see and edit"
// grant opens one: it is done together, never pushed to the person after
// an act (safety-rules.md section 7), so nothing is sent to them. EINVALID
// for a bad day, target, id or key; EFORBIDDEN for the person themselves;
// access errors as access.Checker.
func (s *Service) Open(ctx context.Context, actor tend.Actor, personID tend.ID, st Start) (Opened, error) {
	if err := s.checker.Check(ctx, actor, access.ChainAnalysisWrite, personID); err != nil {
		return Opened{}, err
	}
	if actor.Kind != tend.KindStaff {
		return Opened{}, tend.Errorf(tend.EFORBIDDEN, "Your clinician starts a chain analysis with you, in a session.")
	}
	day := strings.TrimSpace(st.Day)
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return Opened{}, tend.Errorf(tend.EINVALID, "Give the day as year-month-day, like 2026-03-14.")
	}
	target := strings.TrimSpace(st.Target)
	if !ValidTarget(target) {
		return Opened{}, tend.Errorf(tend.EINVALID, "Choose the action from the diary card.")
	}
	key := strings.TrimSpace(st.Key)
	var id tend.ID
	switch {
	case strings.TrimSpace(st.ID) != "":
		var err error
		if id, err = tend.ParseID(strings.TrimSpace(st.ID)); err != nil {
			return Opened{}, tend.Errorf(tend.EINVALID, "Something was missing from the form. Please open the page again.")
		}
	case key == "" || len(key) > 100:
		return Opened{}, tend.Errorf(tend.EINVALID, "Send an Idempotency-Key, the same on every retry of this request.")
	default:
		id = tend.NewID()
	}
	var res Opened
	err := s.store.InTx(ctx, func(tx Tx) error {
		scope := "chain_analysis:" + string(personID)
		if key != "" && st.ID == "" {
			prev, err := tx.FindIdempotencyKeyTx(ctx, scope, key)
			if err == nil {
				id = tend.ID(prev)
			} else if tend.ErrorKind(err) != tend.ENOTFOUND {
				return err
			}
		}
		if cur, err := tx.ChainAnalysisForUpdate(ctx, personID, id); err == nil {
			a, err := s.open(ctx, cur)
			res = Opened{Analysis: a, Unchanged: true}
			return err
		} else if tend.ErrorKind(err) != tend.ENOTFOUND {
			return err
		}
		now := s.now()
		a := Analysis{ID: id, PersonID: personID, Day: day, Target: target, State: StateDraft, Revision: 1,
			Content: Content{Links: []Link{}, Solutions: []Solution{}}, OpenedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
		rec, err := s.record(ctx, a)
		if err != nil {
			return err
		}
		if err := tx.CreateChainAnalysis(ctx, rec); err != nil {
			if tend.ErrorKind(err) == tend.ECONFLICT {
				return tend.ErrNotFound // another person's id: never say so
			}
			return err
		}
		if key != "" && st.ID == "" {
			if err := tx.PutIdempotencyKey(ctx, scope, key, string(id), now.Add(idempotencyTTL)); err != nil {
				return err
			}
		}
		res = Opened{Analysis: a}
		return tx.AppendAudit(ctx, event(actor, AuditOpened, personID, "chain_analysis:"+string(id)))
	})
	if err != nil {
		return Opened{}, err
	}
	out := []Analysis{res.Analysis}
	if err := s.names(ctx, out); err != nil {
		return Opened{}, err
	}
	res.Analysis = out[0]
	return res, nil
}

// Draft is one save of an analysis.
type Draft struct {
	// BasedOn is the revision the writer started from.
	BasedOn int
	Content Content
}

// SaveResult says what a save did.
type SaveResult struct {
	Analysis Analysis
	// Merged is true when the analysis had been saved by someone else
	// since the writer's revision: both writers' words were kept.
	Merged bool
	// Unchanged is true when nothing changed (a retry).
	Unchanged bool
}

// Save writes the sections of the person's analysis: the person always
// may; a care-team member with the person's "see and edit" grant may. The
// latest text wins, except that a save from an older revision keeps both
// writers' words (section by section, link by link). EINVALID for a bad
// revision, link type, skill or an overlong text; ECONFLICT when the
// analysis is complete (reopen it first); access errors as access.Checker.
func (s *Service) Save(ctx context.Context, actor tend.Actor, personID, id tend.ID, d Draft) (SaveResult, error) {
	if err := s.checker.Check(ctx, actor, access.ChainAnalysisWrite, personID); err != nil {
		return SaveResult{}, err
	}
	if d.BasedOn < 1 {
		return SaveResult{}, tend.Errorf(tend.EINVALID, "That revision of the chain analysis is not valid. Open it again.")
	}
	c, err := Clean(d.Content)
	if err != nil {
		return SaveResult{}, err
	}
	var res SaveResult
	err = s.store.InTx(ctx, func(tx Tx) error {
		cur, err := tx.ChainAnalysisForUpdate(ctx, personID, id)
		if err != nil {
			return err
		}
		a, err := s.open(ctx, cur)
		if err != nil {
			return err
		}
		switch {
		case d.BasedOn > cur.Revision:
			return tend.Errorf(tend.EINVALID, "That revision of the chain analysis does not exist. Open it again.")
		case a.State == StateComplete:
			return tend.Errorf(tend.ECONFLICT, "This chain analysis is marked complete. Reopen it to change it.")
		case equal(a.Content, c):
			res = SaveResult{Analysis: a, Unchanged: true}
			return nil
		case d.BasedOn < cur.Revision:
			c = MergeContent(a.Content, c)
			res.Merged = true
		}
		a.Content, a.Revision, a.UpdatedAt = c, cur.Revision+1, s.now()
		rec, err := s.record(ctx, a)
		if err != nil {
			return err
		}
		rec.CompletedAt, rec.CompletedBy = cur.CompletedAt, cur.CompletedBy
		if err := tx.UpdateChainAnalysis(ctx, rec); err != nil {
			return err
		}
		events := []tend.AuditEvent{event(actor, string(access.ChainAnalysisWrite), personID, "chain_analysis:"+string(id))}
		if res.Merged {
			events = append(events, event(actor, AuditMerged, personID, "chain_analysis:"+string(id)))
		}
		res.Analysis = a
		return tx.AppendAudit(ctx, events...)
	})
	if err != nil {
		return SaveResult{}, err
	}
	out := []Analysis{res.Analysis}
	if err := s.names(ctx, out); err != nil {
		return SaveResult{}, err
	}
	res.Analysis = out[0]
	return res, nil
}

// SetComplete marks the analysis complete (done true) or reopens it as a
// draft (done false); either writer may. Marking it as it already is
// changes nothing. Access errors as Save.
func (s *Service) SetComplete(ctx context.Context, actor tend.Actor, personID, id tend.ID, done bool) (Analysis, error) {
	if err := s.checker.Check(ctx, actor, access.ChainAnalysisWrite, personID); err != nil {
		return Analysis{}, err
	}
	var a Analysis
	err := s.store.InTx(ctx, func(tx Tx) error {
		cur, err := tx.ChainAnalysisForUpdate(ctx, personID, id)
		if err != nil {
			return err
		}
		if a, err = s.open(ctx, cur); err != nil {
			return err
		}
		want, action := StateDraft, AuditReopened
		if done {
			want, action = StateComplete, AuditComplete
		}
		if a.State == want {
			return nil
		}
		now := s.now()
		rec := cur
		rec.State, rec.Revision, rec.UpdatedAt = want, cur.Revision+1, now
		rec.CompletedAt, rec.CompletedBy = nil, ""
		a.CompletedAt = time.Time{}
		if done {
			rec.CompletedAt, rec.CompletedBy, a.CompletedAt = &now, actor.ID, now
		}
		if err := tx.UpdateChainAnalysis(ctx, rec); err != nil {
			return err
		}
		a.State, a.Revision, a.UpdatedAt = want, rec.Revision, now
		return tx.AppendAudit(ctx, event(actor, action, personID, "chain_analysis:"+string(id)))
	})
	if err != nil {
		return Analysis{}, err
	}
	out := []Analysis{a}
	if err := s.names(ctx, out); err != nil {
		return Analysis{}, err
	}
	return out[0], nil
}

// SetState sets the analysis to state: SetComplete for a state named by
// a form or a client. EINVALID for another state, after the access check.
func (s *Service) SetState(ctx context.Context, actor tend.Actor, personID, id tend.ID, state State) (Analysis, error) {
	if err := s.checker.Check(ctx, actor, access.ChainAnalysisWrite, personID); err != nil {
		return Analysis{}, err
	}
	if state != StateDraft && state != StateComplete {
		return Analysis{}, tend.Errorf(tend.EINVALID, "Choose whether the chain analysis is complete.")
	}
	return s.SetComplete(ctx, actor, personID, id, state == StateComplete)
}

// HomeworkRequest is how often, or by when, the person practises the
// skill a solution names, and the clinician's note.
type HomeworkRequest struct {
	SolutionID string
	Due        string // YYYY-MM-DD, or ""
	PerWeek    int    // 1 to 7, or 0
	Note       string
}

// MakeHomework turns a solution that names a skill into homework for the
// person, through the skills service (which checks that actor may assign
// homework and audits it). The actor must be able to read the analysis.
// ENOTFOUND for an unknown analysis or solution; EINVALID for a solution
// that names no skill; errors of skills.Service.Assign.
func (s *Service) MakeHomework(ctx context.Context, actor tend.Actor, personID, id tend.ID, req HomeworkRequest) (skills.Homework, error) {
	if s.homework == nil {
		return skills.Homework{}, tend.Errorf(tend.EUNAVAILABLE, "Homework cannot be set here.")
	}
	a, err := s.Get(ctx, actor, personID, id)
	if err != nil {
		return skills.Homework{}, err
	}
	var sol *Solution
	for i := range a.Content.Solutions {
		if a.Content.Solutions[i].ID == strings.TrimSpace(req.SolutionID) {
			sol = &a.Content.Solutions[i]
		}
	}
	if sol == nil {
		return skills.Homework{}, tend.ErrNotFound
	}
	if sol.SkillID == "" {
		return skills.Homework{}, tend.Errorf(tend.EINVALID, "This idea names no skill from the library. Choose one for it first.")
	}
	return s.homework.Assign(ctx, actor, personID, skills.Assignment{Item: "skill:" + sol.SkillID, Due: req.Due, PerWeek: req.PerWeek, Note: req.Note})
}

// Clean trims and checks content: empty links and solutions are dropped,
// missing ids are given, link types and skills must be known, and a
// solution's link must be one of the links (else it is general).
func Clean(c Content) (Content, error) {
	out := Content{Links: []Link{}, Solutions: []Solution{}}
	src, dst := c.Sections(), out.Sections()
	for i := range src {
		text := strings.ReplaceAll(*src[i].Text, "\r\n", "\n")
		if strings.TrimSpace(text) == "" {
			text = ""
		}
		if utf8.RuneCountInString(text) > MaxSectionChars {
			return Content{}, tend.Errorf(tend.EINVALID, "Section %d is too long to save. Please make it shorter.", src[i].Number)
		}
		*dst[i].Text = text
	}
	seen := map[string]bool{}
	for _, l := range c.Links {
		l.Text = strings.TrimSpace(strings.ReplaceAll(l.Text, "\r\n", "\n"))
		if l.Text == "" {
			continue
		}
		if !l.Type.Valid() {
			return Content{}, tend.Errorf(tend.EINVALID, "Choose what each link is from the list.")
		}
		if utf8.RuneCountInString(l.Text) > MaxSectionChars {
			return Content{}, tend.Errorf(tend.EINVALID, "A link is too long to save. Please make it shorter.")
		}
		l.ID = cleanID(l.ID, seen)
		out.Links = append(out.Links, l)
	}
	if len(out.Links) > MaxLinks {
		return Content{}, tend.Errorf(tend.EINVALID, "A chain can have up to %d links.", MaxLinks)
	}
	links := map[string]bool{}
	for _, l := range out.Links {
		links[l.ID] = true
	}
	for _, so := range c.Solutions {
		so.Text = strings.TrimSpace(strings.ReplaceAll(so.Text, "\r\n", "\n"))
		so.SkillID = strings.TrimSpace(so.SkillID)
		if so.Text == "" && so.SkillID == "" {
			continue
		}
		if so.SkillID != "" {
			if _, ok := skills.Find(so.SkillID); !ok {
				return Content{}, tend.Errorf(tend.EINVALID, "Choose a skill from the list, or write your own idea.")
			}
		}
		if utf8.RuneCountInString(so.Text) > MaxSectionChars {
			return Content{}, tend.Errorf(tend.EINVALID, "An idea is too long to save. Please make it shorter.")
		}
		if !links[so.LinkID] {
			so.LinkID = ""
		}
		so.ID = cleanID(so.ID, seen)
		out.Solutions = append(out.Solutions, so)
	}
	if len(out.Solutions) > MaxSolutions {
		return Content{}, tend.Errorf(tend.EINVALID, "A chain analysis can have up to %d ideas.", MaxSolutions)
	}
	return out, nil
}

// cleanID keeps a well-formed id not yet used, or makes a new one.
func cleanID(id string, seen map[string]bool) string {
	id = strings.TrimSpace(id)
	if _, err := tend.ParseID(id); err != nil || seen[id] {
		id = string(tend.NewID())
	}
	seen[id] = true
	return id
}

// MergeContent combines the content saved since a writer's revision
// (current) with the writer's own, losing neither: each section as
// journal.Merge does; links and solutions matched by id (or identical
// words), the writer's order first, then any only current holds.
func MergeContent(current, saver Content) Content {
	out := saver
	src, dst := current.Sections(), out.Sections()
	for i := range src {
		*dst[i].Text = mergeText(*src[i].Text, *dst[i].Text)
	}
	out.Links = mergeList(current.Links, saver.Links, func(l Link) (string, string) { return l.ID, string(l.Type) + "\x00" + l.Text },
		func(cur, mine Link) Link { mine.Text = mergeText(cur.Text, mine.Text); return mine })
	out.Solutions = mergeList(current.Solutions, saver.Solutions, func(s Solution) (string, string) { return s.ID, s.LinkID + "\x00" + s.SkillID + "\x00" + s.Text },
		func(cur, mine Solution) Solution {
			mine.Text = mergeText(cur.Text, mine.Text)
			if mine.SkillID == "" {
				mine.SkillID = cur.SkillID
			}
			return mine
		})
	return out
}

func mergeText(current, saver string) string {
	switch {
	case current == saver || current == "":
		return saver
	case saver == "":
		return current
	}
	return journal.Merge(current, saver)
}

func mergeList[T any](current, saver []T, key func(T) (id, words string), merge func(cur, mine T) T) []T {
	byID, byWords := map[string]int{}, map[string]int{}
	for i, c := range current {
		id, words := key(c)
		byID[id], byWords[words] = i, i
	}
	used := map[int]bool{}
	out := make([]T, 0, len(current)+len(saver))
	for _, m := range saver {
		id, words := key(m)
		if i, ok := byID[id]; ok && !used[i] {
			used[i] = true
			out = append(out, merge(current[i], m))
			continue
		}
		if i, ok := byWords[words]; ok && !used[i] {
			used[i] = true
		}
		out = append(out, m)
	}
	for i, c := range current {
		if !used[i] {
			out = append(out, c)
		}
	}
	return out
}

func equal(a, b Content) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

func field(id tend.ID) vault.Field { return vault.Field{Table: table, Column: "body", Row: id} }

func (s *Service) record(ctx context.Context, a Analysis) (Record, error) {
	b, err := json.Marshal(a.Content)
	if err != nil {
		return Record{}, fmt.Errorf("chain: encode: %w", err)
	}
	body, err := s.sealer.SealPerson(ctx, a.PersonID, field(a.ID), b)
	if err != nil {
		return Record{}, fmt.Errorf("chain: seal: %w", err)
	}
	r := Record{ID: a.ID, PersonID: a.PersonID, Day: a.Day, Target: a.Target, State: a.State, Revision: a.Revision, Body: body,
		OpenedBy: a.OpenedBy, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	return r, nil
}

func (s *Service) open(ctx context.Context, r Record) (Analysis, error) {
	a := Analysis{ID: r.ID, PersonID: r.PersonID, Day: r.Day, Target: r.Target, State: r.State, Revision: r.Revision,
		OpenedBy: r.OpenedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.CompletedAt != nil {
		a.CompletedAt = *r.CompletedAt
	}
	b, err := s.sealer.OpenPerson(ctx, r.PersonID, field(r.ID), r.Body)
	if err != nil {
		return Analysis{}, fmt.Errorf("chain: open: %w", err)
	}
	if err := json.Unmarshal(b, &a.Content); err != nil {
		return Analysis{}, fmt.Errorf("chain: decode: %w", err)
	}
	if a.Content.Links == nil {
		a.Content.Links = []Link{}
	}
	if a.Content.Solutions == nil {
		a.Content.Solutions = []Solution{}
	}
	return a, nil
}

func (s *Service) names(ctx context.Context, as []Analysis) error {
	if len(as) == 0 {
		return nil
	}
	ids := make([]tend.ID, 0, len(as))
	for _, a := range as {
		ids = append(ids, a.OpenedBy)
	}
	names, err := s.store.FindStaffNames(ctx, ids)
	if err != nil {
		return err
	}
	for i := range as {
		as[i].OpenedByName = names[as[i].OpenedBy]
	}
	return nil
}

func event(actor tend.Actor, action string, personID tend.ID, target string) tend.AuditEvent {
	role := string(actor.Role)
	if role == "" {
		role = string(actor.Kind)
	}
	return tend.AuditEvent{ActorKind: actor.Kind, ActorID: actor.ID, ActorRole: role, Action: action, PersonID: personID, Target: target}
}
