package api

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/remind"
)

// The person's reminders (docs/reminders.md): the same settings as the
// /me/reminders page. Only the person reads or sets them.

type remindersJSON struct {
	Diary          bool       `json:"diary"`
	Homework       bool       `json:"homework"`
	Questionnaires bool       `json:"questionnaires"`
	Weekly         bool       `json:"weekly"`
	WeeklyDay      int        `json:"weekly_day"` // 0 Sunday .. 6 Saturday
	At             string     `json:"at"`         // HH:MM in time_zone
	QuietFrom      string     `json:"quiet_from,omitempty"`
	QuietTo        string     `json:"quiet_to,omitempty"`
	TimeZone       string     `json:"time_zone"`
	NextDueAt      *time.Time `json:"next_due_at,omitempty"`
}

type remindersInJSON struct {
	Diary          bool    `json:"diary"`
	Homework       bool    `json:"homework"`
	Questionnaires bool    `json:"questionnaires"`
	Weekly         bool    `json:"weekly"`
	WeeklyDay      *int    `json:"weekly_day"`
	At             *string `json:"at"`
	QuietFrom      string  `json:"quiet_from"`
	QuietTo        string  `json:"quiet_to"`
}

func remindersOn(h *Handler) bool { return h.opt.Reminders != nil }

func remindersOut(p remind.Preferences, zone string) remindersJSON {
	return remindersJSON{Diary: p.Diary, Homework: p.Homework, Questionnaires: p.Questionnaires, Weekly: p.Weekly,
		WeeklyDay: int(p.WeeklyDay), At: p.At, QuietFrom: p.QuietFrom, QuietTo: p.QuietTo, TimeZone: zone, NextDueAt: p.NextDueAt}
}

// remindersShow is the person's reminder preferences.
func (h *Handler) remindersShow(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	v, err := h.opt.Reminders.Preferences(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, remindersOut(v.Preferences, v.TimeZone))
}

// remindersSave replaces the person's reminder preferences.
func (h *Handler) remindersSave(w http.ResponseWriter, r *http.Request, a tend.Actor) error {
	var in remindersInJSON
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.At == nil || in.WeeklyDay == nil {
		return tend.Errorf(tend.EINVALID, "Send at (HH:MM) and weekly_day (0 for Sunday to 6 for Saturday).")
	}
	p := remind.Preferences{Diary: in.Diary, Homework: in.Homework, Questionnaires: in.Questionnaires, Weekly: in.Weekly,
		WeeklyDay: time.Weekday(*in.WeeklyDay), At: *in.At, QuietFrom: in.QuietFrom, QuietTo: in.QuietTo}
	saved, err := h.opt.Reminders.Save(r.Context(), a, a.ID, p)
	var inv *remind.InvalidError
	if errors.As(err, &inv) {
		fields := make([]string, 0, len(inv.Problems))
		for f := range inv.Problems {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		msgs := make([]string, 0, len(fields))
		for _, f := range fields {
			msgs = append(msgs, f+": "+inv.Problems[f])
		}
		return tend.Errorf(tend.EINVALID, "%s", strings.Join(msgs, " "))
	}
	if err != nil {
		return err
	}
	v, err := h.opt.Reminders.Preferences(r.Context(), a, a.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, remindersOut(saved, v.TimeZone))
}
