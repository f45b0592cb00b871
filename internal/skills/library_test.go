package skills_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tendcare/tend/internal/i18n"
	"github.com/tendcare/tend/internal/skills"
)

// caution is safety-rules.md section 8, word for word.
const caution = "Very cold water slows the heart quickly; intense exercise speeds it up. Check with your doctor first if you have a heart problem or other medical condition, a slow heart rate, take medicines that affect heart rate (such as beta blockers), have an eating disorder or low body weight, or react badly to cold. Use cold, not icy, water (above 10 °C), or a cold pack on your eyes and cheeks, for about 30 seconds. Don't put your face in water if you have been drinking or taking drugs or feel faint; use a cold pack. Never hold ice on your skin."

func english(t *testing.T) *i18n.Printer {
	t.Helper()
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	return cat.Printer(i18n.Source)
}

// TestLibraryHasEverySkill lists, by hand from clinical/skills.md "The
// skills library", every skill with its module and standard acronym.
func TestLibraryHasEverySkill(t *testing.T) {
	p := english(t)
	want := []struct{ module, name, acronym string }{
		{"mindfulness", "Wise mind", ""},
		{"mindfulness", "Observe", ""},
		{"mindfulness", "Describe", ""},
		{"mindfulness", "Participate", ""},
		{"mindfulness", "Non-judgmental stance", ""},
		{"mindfulness", "One-mindfully", ""},
		{"mindfulness", "Effectively", ""},
		{"distress_tolerance", "STOP", "STOP"},
		{"distress_tolerance", "Pros and cons", ""},
		{"distress_tolerance", "TIPP", "TIPP"},
		{"distress_tolerance", "Wise mind ACCEPTS", "ACCEPTS"},
		{"distress_tolerance", "Self-soothe", ""},
		{"distress_tolerance", "IMPROVE the moment", "IMPROVE"},
		{"distress_tolerance", "Radical acceptance", ""},
		{"distress_tolerance", "Turning the mind", ""},
		{"distress_tolerance", "Willingness", ""},
		{"distress_tolerance", "Half-smiling and willing hands", ""},
		{"emotion_regulation", "Check the facts", ""},
		{"emotion_regulation", "Opposite action", ""},
		{"emotion_regulation", "Problem solving", ""},
		{"emotion_regulation", "ABC", "ABC"},
		{"emotion_regulation", "PLEASE", "PLEASE"},
		{"interpersonal_effectiveness", "DEAR MAN", "DEAR MAN"},
		{"interpersonal_effectiveness", "GIVE", "GIVE"},
		{"interpersonal_effectiveness", "FAST", "FAST"},
		{"interpersonal_effectiveness", "Validation", ""},
		{"middle_path", "Dialectics", ""},
		{"middle_path", "Validation", ""},
		{"middle_path", "Behaviour change", ""},
		{"cbt", "Thought record", ""},
		{"cbt", "Behavioural activation", ""},
		{"cbt", "Problem solving, step by step", ""},
		{"cbt", "Coping card", ""},
		{"mentalizing", "Stop, rewind, explore", ""},
		{"mentalizing", "Reflective journal", ""},
	}
	if len(skills.Library) != len(want) {
		t.Errorf("the library has %d skills, want %d", len(skills.Library), len(want))
	}
	for i, w := range want {
		if i >= len(skills.Library) {
			break
		}
		sk := skills.Library[i]
		if got := p.T(sk.NameID()); got != w.name || sk.Module != w.module || sk.Acronym != w.acronym {
			t.Errorf("skill %d = %q in %s (%q), want %q in %s (%q)", i, got, sk.Module, sk.Acronym, w.name, w.module, w.acronym)
		}
		for _, id := range sk.MessageIDs() {
			if got := p.T(id); got == "" || got == id {
				t.Errorf("%s: no text for %s", sk.ID, id)
			}
		}
	}
	// Ids are unique: homework and favourites refer to them.
	seen := map[string]bool{}
	for _, sk := range skills.Library {
		if seen[sk.ID] {
			t.Errorf("skill id %q twice", sk.ID)
		}
		seen[sk.ID] = true
	}
}

// TestAcronymSteps: each acronym's steps spell it (DEAR MAN, GIVE, ...), as
// the therapy teaches them.
func TestAcronymSteps(t *testing.T) {
	p := english(t)
	for _, sk := range skills.Library {
		if sk.Acronym == "" {
			continue
		}
		letters := strings.ReplaceAll(sk.Acronym, " ", "")
		if sk.ID == "please" {
			letters = "PEASE" // treat PhysicaL illness is the P and the L together
		}
		if sk.Steps != len(letters) {
			t.Errorf("%s has %d steps, want %d", sk.Acronym, sk.Steps, len(letters))
			continue
		}
		for i := range sk.Steps {
			step := p.T(sk.StepID(i))
			if !strings.ContainsRune(step, rune(letters[i])) && !strings.ContainsRune(strings.ToUpper(step[:1]), rune(letters[i])) {
				t.Errorf("%s step %d %q does not carry %c", sk.Acronym, i+1, step, letters[i])
			}
		}
	}
}

// TestModules: four modules in DBT, five in DBT-A (with Walking the Middle
// Path), and the other modalities' skills.
func TestModules(t *testing.T) {
	count := func(m skills.Modality) int {
		n := 0
		for _, mod := range skills.Modules {
			if slices.Contains(mod.Modalities, m) {
				n++
			}
		}
		return n
	}
	if got := count(skills.DBT); got != 4 {
		t.Errorf("DBT has %d modules, want 4", got)
	}
	if got := count(skills.DBTA); got != 5 {
		t.Errorf("DBT-A has %d modules, want 5", got)
	}
	mp, _ := skills.Find("dialectics")
	if !slices.Equal(mp.Modalities(), []skills.Modality{skills.DBTA}) {
		t.Errorf("Walking the Middle Path is tagged %v, want DBT-A only", mp.Modalities())
	}
	sre, _ := skills.Find("stop_rewind_explore")
	if !slices.Contains(sre.Modalities(), skills.MBT) || !slices.Contains(sre.Modalities(), skills.Psychodynamic) {
		t.Errorf("stop, rewind, explore is tagged %v, want MBT and psychodynamic", sre.Modalities())
	}
	tr, _ := skills.Find("thought_record")
	if !slices.Equal(tr.Modalities(), []skills.Modality{skills.CBT}) {
		t.Errorf("thought record is tagged %v, want CBT", tr.Modalities())
	}
}

// TestTIPPCaution: TIPP carries safety-rules.md section 8's caution word
// for word, and no other skill carries a caution.
func TestTIPPCaution(t *testing.T) {
	p := english(t)
	for _, sk := range skills.Library {
		switch {
		case sk.ID == "tipp":
			if sk.Caution != skills.CautionTIPP || p.T(sk.Caution.MessageID()) != caution {
				t.Errorf("TIPP's caution is %q", p.T(sk.Caution.MessageID()))
			}
		case sk.Caution != "":
			t.Errorf("%s carries a caution", sk.ID)
		}
	}
}

func TestSearch(t *testing.T) {
	p := english(t)
	ids := func(ss []skills.Skill) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return out
	}
	tests := []struct {
		name, q string
		want    []string
	}{
		{"Acronym", "DEAR MAN", []string{"dear_man"}},
		{"AcronymLowerCase", "accepts", []string{"accepts"}},
		{"AcronymTIPP", "tipp", []string{"tipp"}},
		{"WordOfDescription", "wave", []string{"observe"}},
		{"WordOfStep", "paced", []string{"tipp"}},
		{"EveryWordMustMatch", "middle ground", []string{"dialectics"}},
		{"AccentsIgnored", "sélf-soothe", []string{"self_soothe"}},
		{"ModuleName", "interpersonal", []string{"dear_man", "give", "fast", "validation"}},
		{"NoMatch", "zebra", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(skills.Search(p, tt.q)); !slices.Equal(got, tt.want) {
				t.Errorf("Search(%q) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
	if got := skills.Search(p, "  "); len(got) != len(skills.Library) {
		t.Errorf("an empty search finds %d skills, want all %d", len(got), len(skills.Library))
	}
}

func TestWorksheets(t *testing.T) {
	p := english(t)
	var got []string
	for _, w := range skills.Worksheets {
		got = append(got, w.ID)
		for _, id := range w.MessageIDs() {
			if s := p.T(id); s == "" || s == id {
				t.Errorf("%s: no text for %s", w.ID, id)
			}
		}
		if _, ok := skills.Find(w.Skill); !ok {
			t.Errorf("%s practises %q, which is not in the library", w.ID, w.Skill)
		}
	}
	// Chain analysis follow-up belongs with the diary's chain analysis, not here.
	if want := []string{"thought_record", "activation_plan", "coping_card"}; !slices.Equal(got, want) {
		t.Errorf("worksheets %v, want %v", got, want)
	}
	tr, _ := skills.FindWorksheet("thought_record")
	t.Run("OK", func(t *testing.T) {
		got, err := tr.Clean(map[string]string{"situation": "  at school ", "strength_before": "70", "unknown": "x", "thought": ""})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got["situation"] != "at school" || got["strength_before"] != "70" {
			t.Errorf("Clean = %v", got)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, v := range []string{"101", "-1", "seventy", "7.5"} {
			if _, err := tr.Clean(map[string]string{"strength_before": v}); err == nil {
				t.Errorf("rating %q accepted", v)
			}
		}
	})
}
