package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/access"
	"github.com/tendcare/tend/internal/auth"
)

// Supporters (young-people.md): the person invites a family member or
// friend from /me/supporters and chooses exactly what they see; the
// supporter joins at /supporter/join with the code the person gives them,
// signs in at /signin like people, and lands on /supporter. What a
// supporter may see is decided by careteam and access, never here.

type itemChoice struct {
	Value   string // the access.SupporterItem
	Label   string
	Checked bool
}

type supporterRow struct {
	ID      tend.ID
	Invited string // the date the person invited them
	Items   []itemChoice
}

type createdSupporterCode struct {
	Code, JoinURL, Expires string
}

type meSupportersPage struct {
	Base
	Supporters []supporterRow
	New        []itemChoice
	Created    *createdSupporterCode
	Problem    string
	Saved      string // a saved message, already translated
}

// itemChoices offers every item a supporter can be given, in plain words,
// with chosen ones checked.
func (s *Server) itemChoices(chosen []access.SupporterItem) []itemChoice {
	p := s.printer()
	out := make([]itemChoice, 0, len(access.SupporterItems))
	for _, it := range access.SupporterItems {
		out = append(out, itemChoice{Value: string(it), Label: p.T("supporter.item." + string(it)), Checked: slices.Contains(chosen, it)})
	}
	return out
}

func (s *Server) supportersPageFor(r *http.Request, a tend.Actor) (*meSupportersPage, error) {
	sups, err := s.opt.CareTeam.Supporters(r.Context(), a, a.ID)
	if err != nil {
		return nil, err
	}
	loc, err := s.personZone(r)
	if err != nil {
		return nil, err
	}
	p := s.printer()
	page := &meSupportersPage{Base: Base{Title: p.T("supporter.me_title"), QuickExit: true}, New: s.itemChoices(nil)}
	for _, sup := range sups {
		page.Supporters = append(page.Supporters, supporterRow{ID: sup.ID,
			Invited: p.T("supporter.invited_on", sup.CreatedAt.In(loc).Format("2 January 2006")), Items: s.itemChoices(sup.Items)})
	}
	return page, nil
}

// formItems reads the ticked items of a form. Anything outside
// access.SupporterItems is passed on as it is, for careteam to refuse.
func formItems(r *http.Request) []access.SupporterItem {
	var out []access.SupporterItem
	for _, v := range r.PostForm["item"] {
		out = append(out, access.SupporterItem(strings.TrimSpace(v)))
	}
	return out
}

// supportersShow is the person's supporters page.
func (s *Server) supportersShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	page, err := s.supportersPageFor(r, a)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("saved") {
	case "items":
		page.Saved = page.T("supporter.saved_items")
	case "ended":
		page.Saved = page.T("supporter.saved_ended")
	}
	return s.render(w, r, http.StatusOK, "me_supporters", page)
}

// supporterCreate adds a supporter with the items the person ticked and
// shows their invite code once (never in a URL, never stored in plain).
func (s *Server) supporterCreate(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	items := formItems(r)
	fail := func(err error) error {
		status, ok := shownInPlace(err)
		if !ok {
			return err
		}
		page, perr := s.supportersPageFor(r, a)
		if perr != nil {
			return perr
		}
		page.New, page.Problem = s.itemChoices(items), tend.ErrorMessage(err)
		return s.render(w, r, status, "me_supporters", page)
	}
	sup, err := s.opt.CareTeam.AddSupporter(r.Context(), a, a.ID, items)
	if err != nil {
		return fail(err)
	}
	code, inv, err := s.opt.Accounts.CreateSupporterInvite(r.Context(), a, sup.ID)
	if err != nil {
		return fail(err)
	}
	page, err := s.supportersPageFor(r, a)
	if err != nil {
		return err
	}
	loc, err := s.personZone(r)
	if err != nil {
		return err
	}
	join := "/supporter/join"
	if s.opt.PublicURL != nil {
		join = strings.TrimSuffix(s.opt.PublicURL.String(), "/") + join
	}
	page.Created = &createdSupporterCode{Code: code, JoinURL: join, Expires: inv.ExpiresAt.In(loc).Format("Monday 2 January 2006, 15:04")}
	noStore(w)
	return s.render(w, r, http.StatusOK, "me_supporters", page)
}

// supporterItemsUpdate replaces what one supporter sees; it holds from the
// supporter's next request.
func (s *Server) supporterItemsUpdate(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	if err := s.opt.CareTeam.SetSupporterItems(r.Context(), a, a.ID, id, formItems(r)); err != nil {
		status, ok := shownInPlace(err)
		if !ok {
			return err
		}
		page, perr := s.supportersPageFor(r, a)
		if perr != nil {
			return perr
		}
		page.Problem = tend.ErrorMessage(err)
		return s.render(w, r, status, "me_supporters", page)
	}
	http.Redirect(w, r, "/me/supporters?saved=items", http.StatusSeeOther)
	return nil
}

// supporterEnd stops a supporter: they are signed out on their next request
// and their code, if unused, no longer works.
func (s *Server) supporterEnd(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindPerson)
	if err != nil {
		return err
	}
	id, err := tend.ParseID(r.PathValue("id"))
	if err != nil {
		return tend.ErrNotFound
	}
	if err := s.opt.CareTeam.EndSupporter(r.Context(), a, a.ID, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/me/supporters?saved=ended", http.StatusSeeOther)
	return nil
}

type sharedItem struct {
	Label, Empty string
}

type supporterHomePage struct {
	Base
	Intro string
	Items []sharedItem
}

// supporterHomeShow is a supporter's home: whose supporter they are (the
// person's username only) and what the person gave them.
func (s *Server) supporterHomeShow(w http.ResponseWriter, r *http.Request) error {
	a, err := requireKind(r, tend.KindSupporter)
	if err != nil {
		return err
	}
	v, err := s.opt.CareTeam.SupporterHome(r.Context(), a)
	if err != nil {
		return err
	}
	p := s.printer()
	page := &supporterHomePage{Base: Base{Title: p.T("supporter.home_title")}, Intro: p.T("supporter.home_intro", v.PersonUsername)}
	for _, it := range v.Items {
		// The safety plan arrives with its own issue; until then every part
		// shared is shown as not yet written.
		page.Items = append(page.Items, sharedItem{Label: p.T("supporter.shared." + string(it)), Empty: p.T("supporter.not_written", v.PersonUsername)})
	}
	return s.render(w, r, http.StatusOK, "supporter_home", page)
}

type supporterJoinPage struct {
	Base
	Code, Username string
	Problem        string
}

func (s *Server) supporterJoinShow(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "supporter_join", &supporterJoinPage{Base: Base{Title: s.printer().T("supporter.join_title")}})
}

// supporterJoinCreate makes a supporter's account from the code the person
// gave them and signs them in.
func (s *Server) supporterJoinCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	f := r.PostForm
	page := &supporterJoinPage{Base: Base{Title: s.printer().T("supporter.join_title")},
		Code: strings.TrimSpace(f.Get("code")), Username: strings.TrimSpace(f.Get("username"))}
	joined, err := s.opt.Accounts.JoinSupporter(r.Context(), auth.SupporterJoinRequest{Code: page.Code, Username: page.Username, Password: f.Get("password")}, s.client(r))
	if err != nil {
		status, ok := shownInPlace(err, tend.ERATELIMITED)
		if !ok {
			return err
		}
		page.Problem = tend.ErrorMessage(err)
		return s.render(w, r, status, "supporter_join", page)
	}
	s.setSession(w, joined.Token)
	http.Redirect(w, r, "/supporter", http.StatusSeeOther)
	return nil
}

// supporterMessageIDs are the ids this file names in Go code, for
// checkMessages (templates are checked by reading them).
var supporterMessageIDs = func() []string {
	ids := []string{"supporter.me_title", "supporter.invited_on", "supporter.saved_items", "supporter.saved_ended",
		"supporter.home_title", "supporter.home_intro", "supporter.not_written", "supporter.join_title"}
	for _, it := range access.SupporterItems {
		ids = append(ids, "supporter.item."+string(it), "supporter.shared."+string(it))
	}
	return ids
}()
