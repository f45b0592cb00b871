package measure

import "strconv"

// The instruments Tend ships, exactly as clinical/instruments.md gives them
// (adult forms). Instrument wording is never in the message catalogue: each
// language is its own instrument version.

// frequency is the answer scale of PHQ-9 items 1-9 and GAD-7 items 1-7,
// with its LOINC answer codes.
func frequency() []Option {
	return []Option{
		{Value: 0, Label: "Not at all", Code: &Coding{System: LOINC, Code: "LA6568-5", Display: "Not at all"}},
		{Value: 1, Label: "Several days", Code: &Coding{System: LOINC, Code: "LA6569-3", Display: "Several days"}},
		{Value: 2, Label: "More than half the days", Code: &Coding{System: LOINC, Code: "LA6570-1", Display: "More than half the days"}},
		{Value: 3, Label: "Nearly every day", Code: &Coding{System: LOINC, Code: "LA6571-9", Display: "Nearly every day"}},
	}
}

func loinc(code, display string) *Coding {
	return &Coding{System: LOINC, Code: code, Display: display}
}

func ptr(f float64) *float64 { return &f }

// talkingTherapies names the source of the fixed PHQ-9 and GAD-7 thresholds.
const talkingTherapies = "NHS Talking Therapies (formerly IAPT) fixed thresholds"

// pfizerTerms is the PHQ-9 and GAD-7 terms of use with their source.
const pfizerTerms = `"No permission required to reproduce, translate, display or distribute" (Pfizer; quoted in HL7/sdc input/examples/questionnaire-sdc-profile-example-PHQ9.json and in the CamCOPS docs).`

// PHQ9 returns the PHQ-9 (clinical/instruments.md).
func PHQ9() Instrument {
	items := []struct{ text, code string }{
		{"Little interest or pleasure in doing things", "44250-9"},
		{"Feeling down, depressed, or hopeless", "44255-8"},
		{"Trouble falling or staying asleep, or sleeping too much", "44259-0"},
		{"Feeling tired or having little energy", "44254-1"},
		{"Poor appetite or overeating", "44251-7"},
		{"Feeling bad about yourself - or that you are a failure or have let yourself or your family down", "44258-2"},
		{"Trouble concentrating on things, such as reading the newspaper or watching television", "44252-5"},
		{"Moving or speaking so slowly that other people could have noticed? Or the opposite - being so fidgety or restless that you have been moving around a lot more than usual", "44253-3"},
		{"Thoughts that you would be better off dead or of hurting yourself in some way", "44260-8"},
	}
	in := Instrument{
		ID: MakeID("phq-9", "1", "en"), Key: "phq-9", Title: "Patient Health Questionnaire (PHQ-9)", Short: "PHQ-9",
		Version: "1", Language: "en", Audience: "adult", Builtin: true,
		Stem:      "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
		Panel:     loinc("44249-1", ""),
		TotalCode: loinc("44261-6", ""),
		Licence:   pfizerTerms,
	}
	var scored []string
	for i, it := range items {
		id := strconv.Itoa(i + 1)
		in.Items = append(in.Items, Item{LinkID: id, Text: it.text, Code: loinc(it.code, ""), Options: frequency()})
		scored = append(scored, id)
	}
	in.Items = append(in.Items, Item{LinkID: "10",
		Text: "If you checked off any problems, how difficult have these problems made it for you to do your work, take care of things at home, or get along with other people?",
		Options: []Option{
			{Value: 0, Label: "Not difficult at all"}, {Value: 1, Label: "Somewhat difficult"},
			{Value: 2, Label: "Very difficult"}, {Value: 3, Label: "Extremely difficult"},
		}})
	in.Scoring = Scoring{
		Method: MethodSum, Items: scored, RequireAll: true, Direction: HigherIsWorse,
		Bands: []Band{
			{From: 0, To: 4, Label: "minimal"}, {From: 5, To: 9, Label: "mild"}, {From: 10, To: 14, Label: "moderate"},
			{From: 15, To: 19, Label: "moderately severe"}, {From: 20, To: 27, Label: "severe"},
		},
		Threshold: ptr(10),
		Change:    &ReliableChange{Points: 6, Source: talkingTherapies},
		Prompts:   []PromptItem{{LinkID: "9", From: 1}},
	}
	return in
}

// GAD7 returns the GAD-7 (clinical/instruments.md).
func GAD7() Instrument {
	items := []struct{ text, code string }{
		{"Feeling nervous, anxious, or on edge", "69725-0"},
		{"Not being able to stop or control worrying", "68509-9"},
		{"Worrying too much about different things", "69733-4"},
		{"Trouble relaxing", "69734-2"},
		{"Being so restless that it is hard to sit still", "69735-9"},
		{"Becoming easily annoyed or irritable", "69689-8"},
		{"Feeling afraid, as if something awful might happen", "69736-7"},
	}
	in := Instrument{
		ID: MakeID("gad-7", "1", "en"), Key: "gad-7", Title: "Generalized Anxiety Disorder (GAD-7)", Short: "GAD-7",
		Version: "1", Language: "en", Audience: "adult", Builtin: true,
		Stem:      "Over the last 2 weeks, how often have you been bothered by the following problems?",
		Panel:     loinc("69737-5", ""),
		TotalCode: loinc("70274-6", ""),
		Licence:   pfizerTerms + " Terms as PHQ-9 (same family of Pfizer instruments; CamCOPS docs/source/tasks/gad7.rst).",
	}
	var scored []string
	for i, it := range items {
		id := strconv.Itoa(i + 1)
		in.Items = append(in.Items, Item{LinkID: id, Text: it.text, Code: loinc(it.code, ""), Options: frequency()})
		scored = append(scored, id)
	}
	in.Scoring = Scoring{
		Method: MethodSum, Items: scored, RequireAll: true, Direction: HigherIsWorse,
		Bands: []Band{
			{From: 0, To: 4, Label: "minimal"}, {From: 5, To: 9, Label: "mild"},
			{From: 10, To: 14, Label: "moderate"}, {From: 15, To: 21, Label: "severe"},
		},
		Threshold: ptr(8),
		Change:    &ReliableChange{Points: 4, Source: talkingTherapies},
	}
	return in
}

// Builtin returns the shipped instruments, PHQ-9 first.
func Builtin() []Instrument { return []Instrument{PHQ9(), GAD7()} }
