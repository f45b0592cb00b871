package skills

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Modality is a therapy a skill is taught in; the library tags each skill
// with the ones it belongs to.
type Modality string

// The modalities of the library.
const (
	DBT           Modality = "DBT"
	DBTA          Modality = "DBT-A"
	CBT           Modality = "CBT"
	MBT           Modality = "MBT"
	Psychodynamic Modality = "psychodynamic"
)

// Caution is a medical caution a skill carries (safety-rules.md section 8);
// wherever the skill is shown, the caution is shown with it, word for word.
type Caution string

// CautionTIPP is the caution for cold water and intense exercise.
const CautionTIPP Caution = "tipp"

// MessageID is the catalogue id of the caution's text.
func (c Caution) MessageID() string { return "skills.caution." + string(c) }

// Module is a group of skills: the four modules of DBT (five in DBT-A, with
// Walking the Middle Path), CBT-based skills, and mentalizing and
// reflective skills.
type Module struct {
	ID         string
	Modalities []Modality
}

// NameID is the catalogue id of the module's name.
func (m Module) NameID() string { return "skills.module." + m.ID }

// Modules lists the modules in the order the library shows them.
var Modules = []Module{
	{"mindfulness", []Modality{DBT, DBTA}},
	{"distress_tolerance", []Modality{DBT, DBTA}},
	{"emotion_regulation", []Modality{DBT, DBTA}},
	{"interpersonal_effectiveness", []Modality{DBT, DBTA}},
	{"middle_path", []Modality{DBTA}},
	{"cbt", []Modality{CBT}},
	{"mentalizing", []Modality{MBT, Psychodynamic}},
}

// FindModule returns the module with id.
func FindModule(id string) (Module, bool) {
	i := slices.IndexFunc(Modules, func(m Module) bool { return m.ID == id })
	if i < 0 {
		return Module{}, false
	}
	return Modules[i], true
}

// Skill is one skill of the library. Its name, description and steps are
// catalogue messages (Tend's own plain-language words, written from
// clinical/skills.md), so the library reads in the person's language.
type Skill struct {
	// ID is stable: homework, favourites and practice logs refer to it.
	ID     string
	Module string
	// Acronym is the standard acronym of the therapy ("DEAR MAN"), or "".
	Acronym string
	// Steps is how many steps (an acronym's letters) the skill lists.
	Steps int
	// Worksheet is the worksheet practice of this skill fills in, or "".
	Worksheet string
	// Caution is shown wherever the skill is, or "".
	Caution Caution
}

// NameID, DescriptionID and StepID are the catalogue ids of the skill's texts.
func (s Skill) NameID() string        { return "skills." + s.ID + ".name" }
func (s Skill) DescriptionID() string { return "skills." + s.ID + ".description" }
func (s Skill) StepID(i int) string   { return "skills." + s.ID + ".step" + strconv.Itoa(i+1) }

// Modalities are the therapies the skill is taught in (its module's).
func (s Skill) Modalities() []Modality {
	m, _ := FindModule(s.Module)
	return m.Modalities
}

// MessageIDs lists every catalogue id the skill uses.
func (s Skill) MessageIDs() []string {
	ids := []string{s.NameID(), s.DescriptionID()}
	for i := range s.Steps {
		ids = append(ids, s.StepID(i))
	}
	if s.Caution != "" {
		ids = append(ids, s.Caution.MessageID())
	}
	return ids
}

// Library is every skill, module by module, in the order clinical/skills.md
// gives them. Ids never change once shipped.
var Library = []Skill{
	// DBT: Mindfulness.
	{ID: "wise_mind", Module: "mindfulness"},
	{ID: "observe", Module: "mindfulness"},
	{ID: "describe", Module: "mindfulness"},
	{ID: "participate", Module: "mindfulness"},
	{ID: "non_judgmental", Module: "mindfulness"},
	{ID: "one_mindfully", Module: "mindfulness"},
	{ID: "effectively", Module: "mindfulness"},

	// DBT: Distress tolerance.
	{ID: "stop", Module: "distress_tolerance", Acronym: "STOP", Steps: 4},
	{ID: "pros_and_cons", Module: "distress_tolerance"},
	{ID: "tipp", Module: "distress_tolerance", Acronym: "TIPP", Steps: 4, Caution: CautionTIPP},
	{ID: "accepts", Module: "distress_tolerance", Acronym: "ACCEPTS", Steps: 7},
	{ID: "self_soothe", Module: "distress_tolerance"},
	{ID: "improve", Module: "distress_tolerance", Acronym: "IMPROVE", Steps: 7},
	{ID: "radical_acceptance", Module: "distress_tolerance"},
	{ID: "turning_the_mind", Module: "distress_tolerance"},
	{ID: "willingness", Module: "distress_tolerance"},
	{ID: "half_smile", Module: "distress_tolerance"},

	// DBT: Emotion regulation.
	{ID: "check_the_facts", Module: "emotion_regulation"},
	{ID: "opposite_action", Module: "emotion_regulation"},
	{ID: "problem_solving", Module: "emotion_regulation"},
	{ID: "abc", Module: "emotion_regulation", Acronym: "ABC", Steps: 3},
	{ID: "please", Module: "emotion_regulation", Acronym: "PLEASE", Steps: 5},

	// DBT: Interpersonal effectiveness.
	{ID: "dear_man", Module: "interpersonal_effectiveness", Acronym: "DEAR MAN", Steps: 7},
	{ID: "give", Module: "interpersonal_effectiveness", Acronym: "GIVE", Steps: 4},
	{ID: "fast", Module: "interpersonal_effectiveness", Acronym: "FAST", Steps: 4},
	{ID: "validation", Module: "interpersonal_effectiveness"},

	// DBT-A: Walking the Middle Path.
	{ID: "dialectics", Module: "middle_path"},
	{ID: "middle_path_validation", Module: "middle_path"},
	{ID: "behaviour_change", Module: "middle_path"},

	// CBT-based skills.
	{ID: "thought_record", Module: "cbt", Steps: 6, Worksheet: "thought_record"},
	{ID: "behavioural_activation", Module: "cbt", Worksheet: "activation_plan"},
	{ID: "cbt_problem_solving", Module: "cbt", Steps: 7},
	{ID: "coping_cards", Module: "cbt", Worksheet: "coping_card"},

	// Mentalizing and reflective skills.
	{ID: "stop_rewind_explore", Module: "mentalizing", Steps: 5},
	{ID: "reflective_journal", Module: "mentalizing"},
}

// Find returns the skill with id.
func Find(id string) (Skill, bool) {
	i := slices.IndexFunc(Library, func(s Skill) bool { return s.ID == id })
	if i < 0 {
		return Skill{}, false
	}
	return Library[i], true
}

// InModule returns the module's skills in library order.
func InModule(module string) []Skill {
	var out []Skill
	for _, s := range Library {
		if s.Module == module {
			out = append(out, s)
		}
	}
	return out
}

// Texts words catalogue messages in one language (i18n.Printer).
type Texts interface {
	T(id string, args ...any) string
}

// Search returns the skills whose name, acronym, steps, description or
// module name, in the language of t, contain every word of q (ignoring
// case and accents), in library order. An empty q returns every skill.
func Search(t Texts, q string) []Skill {
	words := strings.Fields(fold(q))
	if len(words) == 0 {
		return slices.Clone(Library)
	}
	var out []Skill
	for _, s := range Library {
		m, _ := FindModule(s.Module)
		parts := []string{t.T(s.NameID()), s.Acronym, t.T(s.DescriptionID()), t.T(m.NameID())}
		for i := range s.Steps {
			parts = append(parts, t.T(s.StepID(i)))
		}
		text := fold(strings.Join(parts, " "))
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(text, w) }) {
			out = append(out, s)
		}
	}
	return out
}

// fold lower-cases s and drops combining accents of common Latin letters,
// so "DEAR MAN", "dear man" and "Dear Man" match alike.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if f, ok := accents[r]; ok {
			r = f
		}
		b.WriteRune(r)
	}
	return b.String()
}

var accents = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'ä': 'a', 'ã': 'a', 'å': 'a', 'ç': 'c', 'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e',
	'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i', 'ñ': 'n', 'ò': 'o', 'ó': 'o', 'ô': 'o', 'ö': 'o', 'õ': 'o',
	'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u', 'ý': 'y', 'ÿ': 'y', 'ŵ': 'w', 'ŷ': 'y',
}

// MessageID is the catalogue id of the modality's name.
func (m Modality) MessageID() string {
	return "skills.modality." + strings.ReplaceAll(strings.ToLower(string(m)), "-", "_")
}
