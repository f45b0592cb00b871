package main

import (
	"regexp"
	"strings"
	"testing"
)

func TestInvite(t *testing.T) {
	env, _ := accountsEnv(t)
	if _, err := runOut(t, env, "", "user", "create", "--email", "lee@example.org", "--name", "Lee", "--role", "clinician", "--team", "North"); err != nil {
		t.Fatal(err)
	}
	codeRE := regexp.MustCompile(`invite code: ([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4})\n`)
	t.Run("OK/AgeBand", func(t *testing.T) {
		out, err := runOut(t, env, "", "invite", "--team", "North", "--age-band", "under_18")
		if err != nil || !codeRE.MatchString(out) {
			t.Fatalf("%v\n%s", err, out)
		}
	})
	t.Run("OK/BirthDateAndExpiry", func(t *testing.T) {
		out, err := runOut(t, env, "", "invite", "--team", "North", "--birth-date", "2010-04-23", "--expires", "24h")
		if err != nil || !codeRE.MatchString(out) {
			t.Fatalf("%v\n%s", err, out)
		}
	})
	t.Run("ErrInvalid/UnknownTeam", func(t *testing.T) {
		_, err := runOut(t, env, "", "invite", "--team", "South")
		if err == nil || !strings.Contains(err.Error(), `no team named "South"`) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrInvalid/BothAges", func(t *testing.T) {
		_, err := runOut(t, env, "", "invite", "--team", "North", "--age-band", "under_18", "--birth-date", "2010-04-23")
		if err == nil || !strings.Contains(err.Error(), "not both") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("ErrInvalid/NoTeam", func(t *testing.T) {
		if _, err := runOut(t, env, "", "invite"); err == nil {
			t.Fatal("no error")
		}
	})
}
