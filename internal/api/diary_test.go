package api_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// TestDiaryRetryAnswersTheSame: an offline queue resends a save that
// recorded an act today; the retry changes nothing and tells the app the
// same about the safety screen, also for a token that may only write the
// diary (it then promises no route it cannot read).
func TestDiaryRetryAnswersTheSame(t *testing.T) {
	e := newEnv(t)
	writer, _ := e.token(t, "sam", 30*24*time.Hour, "diary.write")
	type safety struct {
		Prompted            bool   `json:"prompted"`
		PhysicalSafetyFirst bool   `json:"physical_safety_first"`
		Response            string `json:"response"`
		Route               string `json:"route"`
	}
	type saved struct {
		Created bool     `json:"created"`
		Replay  bool     `json:"replay"`
		Applied []string `json:"applied"`
		Safety  safety   `json:"safety"`
		Card    struct {
			Values map[string]struct {
				Value *int `json:"value"`
			} `json:"values"`
		} `json:"card"`
	}
	put := func(who, key, body string) (int, saved) {
		t.Helper()
		_, res := e.doKey(who, http.MethodPut, "/api/v1/me/diary/2026-03-02", body, key)
		var out saved
		if res.Code < 300 {
			if err := json.Unmarshal(res.Body.Bytes(), &out); err != nil {
				t.Fatal(err)
			}
		}
		return res.Code, out
	}
	const act = `{"time_zone":"Europe/London","changes":[{"field":"act:a.attempt","value":1},{"field":"urge:u.die","value":5}]}`
	for _, who := range []string{"sam", "bearer:" + writer} {
		key := "retry-" + who[:3]
		code, first := put(who, key, act)
		if code != http.StatusCreated && code != http.StatusOK {
			t.Fatalf("%s: first save %d", who, code)
		}
		want := safety{Prompted: true, PhysicalSafetyFirst: true, Response: "task_now", Route: "care_team"}
		if first.Safety != want {
			t.Errorf("%s: first answer %+v, want %+v", who, first.Safety, want)
		}
		code, again := put(who, key, act)
		if code != http.StatusOK || !again.Replay {
			t.Fatalf("%s: retry %d, replay %v", who, code, again.Replay)
		}
		if who == "sam" && again.Safety != first.Safety {
			t.Errorf("%s: retry says %+v, first said %+v", who, again.Safety, first.Safety)
		}
		if again.Safety.Prompted != first.Safety.Prompted || again.Safety.PhysicalSafetyFirst != first.Safety.PhysicalSafetyFirst ||
			again.Safety.Response != first.Safety.Response || (again.Safety.Route != first.Safety.Route && again.Safety.Route != "none") {
			t.Errorf("%s: retry says %+v, first said %+v", who, again.Safety, first.Safety)
		}
		if v := again.Card.Values["urge:u.die"].Value; v == nil || *v != 5 {
			t.Errorf("%s: the card after the retry: %v", who, again.Card.Values)
		}
	}
	// A retry with the same key and other changes still changes nothing.
	code, again := put("sam", "retry-sam", `{"changes":[{"field":"urge:u.die","value":0}]}`)
	if code != http.StatusOK || !again.Replay {
		t.Fatalf("a retry with another body: %d, replay %v", code, again.Replay)
	}
	if v := again.Card.Values["urge:u.die"].Value; v == nil || *v != 5 {
		t.Errorf("a retry changed the card: %v", again.Card.Values)
	}
}
