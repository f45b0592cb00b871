package fhir_test

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/tendcare/tend"
	"github.com/tendcare/tend/internal/fhir"
	"github.com/tendcare/tend/internal/fhir/fhirtest"
	"github.com/tendcare/tend/internal/measure"
	"github.com/tendcare/tend/internal/testenv"
)

func fixture(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/example-wellbeing.json")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func ptr[T any](v T) *T { return &v }

// testInstruments are made-up instruments that use what the shipped ones
// do not: a mean, reverse items, subscales, Jacobson-Truax, prompts, a
// better-is-higher direction, options with and without codes.
func testInstruments() []measure.Instrument {
	opts := func(n int) []measure.Option {
		var o []measure.Option
		for v := range n {
			o = append(o, measure.Option{Value: v, Label: strings.Repeat("x", v+1) + " answer"})
		}
		return o
	}
	mean := measure.Instrument{
		Key: "test-mean", Title: "Test mean scale", Short: "TMS", Version: "2.1", Language: "en-GB",
		Audience: "young_people", Licence: "Test fixture, free to use.",
		Stem: "Think of the last fortnight.",
		Items: []measure.Item{
			{LinkID: "a", Text: "First", Options: opts(4)},
			{LinkID: "b", Text: "Second", Code: &measure.Coding{System: "https://example.org/items", Code: "B"}, Options: opts(4)},
			{LinkID: "c", Text: "Third", Options: []measure.Option{
				{Value: -1, Label: "Less", Code: &measure.Coding{System: "https://example.org/answers", Code: "less", Display: "Less"}},
				{Value: 1, Label: "More", Code: &measure.Coding{System: "https://example.org/answers", Code: "more", Display: "More"}},
			}},
			{LinkID: "d", Text: "Not scored", Options: opts(2)},
		},
		Scoring: measure.Scoring{
			Method: measure.MethodMean, Items: []string{"a", "b", "c"}, Reverse: []string{"b"},
			MinAnswered: 2, Decimals: 2, Direction: measure.HigherIsBetter,
			Subscales: []measure.Subscale{{ID: "ab", Title: "A and B", Items: []string{"a", "b"}}},
			Bands:     []measure.Band{{From: -0.34, To: 0.99, Label: "lower"}, {From: 1, To: 2.34, Label: "upper"}},
			Threshold: ptr(1.25),
			Change:    &measure.ReliableChange{SD: 0.73, Reliability: 0.91, Source: "Made up"},
			Prompts:   []measure.PromptItem{{LinkID: "d", From: 1}, {LinkID: "a", From: 3}},
		},
		TotalCode: &measure.Coding{System: "https://example.org/totals", Code: "T", Display: "Total"},
	}
	sum := measure.Instrument{
		Key: "test_sum", Title: "Test sum", Short: "test_sum", Version: "1", Language: "fr",
		Licence: "Test fixture.",
		Items:   []measure.Item{{LinkID: "stem", Text: "An item called stem", Options: opts(3)}, {LinkID: "q2", Text: "Two", Options: opts(3)}},
		Scoring: measure.Scoring{Method: measure.MethodSum, Items: []string{"stem", "q2"}, RequireAll: true,
			Direction: measure.HigherIsWorse, Change: &measure.ReliableChange{Points: 2.5}},
		Stem: "A stem beside an item whose linkId is stem.",
	}
	for _, in := range []*measure.Instrument{&mean, &sum} {
		in.ID = measure.MakeID(in.Key, in.Version, in.Language)
	}
	return []measure.Instrument{mean, sum}
}

func TestExportBuiltinValidates(t *testing.T) {
	for _, in := range measure.Builtin() {
		t.Run(in.Short, func(t *testing.T) {
			q := fhir.QuestionnaireFromInstrument(in)
			if q.Code[0].Code != in.Panel.Code || q.Item[1].Code[0].System != measure.LOINC {
				t.Errorf("LOINC codes missing: %+v", q.Code)
			}
			got, err := json.MarshalIndent(q, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			testenv.Golden(t, in.Key+".questionnaire.json", append(got, '\n'))
			fhirtest.Validate(t, q)
		})
	}
}

func TestRoundTrip(t *testing.T) {
	imported, err := fhir.ParseQuestionnaire(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	all := append(measure.Builtin(), testInstruments()...)
	all = append(all, imported)
	for _, in := range all {
		t.Run(in.ID, func(t *testing.T) {
			if err := in.Validate(); err != nil {
				t.Fatalf("test instrument invalid: %v", err)
			}
			q := fhir.QuestionnaireFromInstrument(in)
			data, err := json.Marshal(q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := fhir.ParseQuestionnaire(data)
			if err != nil {
				t.Fatalf("ParseQuestionnaire(export): %v", err)
			}
			want := in
			want.Builtin = false
			if !reflect.DeepEqual(got, want) {
				g, _ := json.MarshalIndent(got, "", " ")
				w, _ := json.MarshalIndent(want, "", " ")
				t.Errorf("round trip changed the instrument:\ngot  %s\nwant %s", g, w)
			}
			fhirtest.Validate(t, q)
		})
	}
}

func TestParseQuestionnaireFixture(t *testing.T) {
	data := fixture(t)
	in, err := fhir.ParseQuestionnaire(data)
	if err != nil {
		t.Fatal(err)
	}
	if in.ID != "example-wellbeing.0.1.en" || in.Key != "example-wellbeing" || in.Short != "EWS-4" ||
		in.Title != "Example wellbeing scale (test fixture)" || in.Builtin {
		t.Errorf("identity: %q %q %q %q", in.ID, in.Key, in.Short, in.Title)
	}
	if in.Stem != "Over the last week, how often has each of these been true for you?" {
		t.Errorf("stem = %q", in.Stem)
	}
	var ids []string
	for _, it := range in.Items {
		ids = append(ids, it.LinkID)
	}
	if strings.Join(ids, ",") != "ew1,ew2,ew3,ew4,ew5" {
		t.Errorf("items = %v (groups flattened, display items skipped)", ids)
	}
	ew2, _ := in.Item("ew2")
	if o, ok := ew2.Option(3); !ok || o.Label != "Often" || o.Code == nil || o.Code.Code != "ex3" {
		t.Errorf("ew2 option 3 = %+v (ordinalValue on the coding)", o)
	}
	ew1, _ := in.Item("ew1")
	if o, ok := ew1.Option(4); !ok || o.Label != "All of the time" || o.Code != nil {
		t.Errorf("ew1 option 4 = %+v (ordinalValue on the option, coding without a system)", o)
	}
	ew4, _ := in.Item("ew4")
	if o, ok := ew4.Option(2); !ok || o.Label != "2" {
		t.Errorf("ew4 option 2 = %+v (valueInteger)", o)
	}
	s := in.Scoring
	if s.Method != measure.MethodMean || s.RequireAll || s.MinAnswered != 3 || s.Decimals != 1 ||
		s.Direction != measure.HigherIsBetter || *s.Threshold != 1.5 || len(s.Bands) != 3 || s.Bands[2].From != 3 ||
		!reflect.DeepEqual(s.Reverse, []string{"ew2"}) || s.Change == nil || !s.Change.JacobsonTruax() ||
		s.Change.SD != 0.8 || s.Change.Reliability != 0.85 ||
		!reflect.DeepEqual(s.Prompts, []measure.PromptItem{{LinkID: "ew5", From: 1}}) {
		t.Errorf("scoring = %+v", s)
	}

	// A mean of three of four answered items: (4 + (4-1) + 2) / 3 = 3.
	answers := measure.Answers{"ew1": 4, "ew2": 1, "ew3": 2, "ew5": 0}
	now := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	r := measure.Response{ID: "0193a5c2-7d4e-7000-8000-000000000001", Answers: answers, Score: in.Score(answers), Finished: true,
		UpdatedAt: now, FinishedAt: ptr(now)}
	if r.Score.Total == nil || *r.Score.Total != 3 {
		t.Fatalf("score = %+v", r.Score)
	}
	qr := fhir.QuestionnaireResponseFrom(in, r, "Patient/0193a5c2-7d4e-7000-8000-0000000000aa", fhir.QuestionnaireURL(in))
	if len(qr.Item) != 4 || len(qr.Extension) != 1 || qr.Extension[0].ValueDecimal != "3" {
		t.Errorf("response = %+v", qr)
	}
	// Last, as it skips the test when FHIR.js is not installed.
	fhirtest.Validate(t, json.RawMessage(data), qr)
}

func TestParseQuestionnaireErrors(t *testing.T) {
	base := func(t *testing.T) fhir.Questionnaire {
		var q fhir.Questionnaire
		if err := json.Unmarshal(fixture(t), &q); err != nil {
			t.Fatal(err)
		}
		return q
	}
	// scoring returns the sub-extensions of the scoring extension.
	scoring := func(q *fhir.Questionnaire) *[]fhir.Extension { return &q.Extension[0].Extension }
	part := func(q *fhir.Questionnaire, url string, n int) *fhir.Extension {
		for i, e := range *scoring(q) {
			if e.URL == url {
				if n == 0 {
					return &(*scoring(q))[i]
				}
				n--
			}
		}
		t.Fatalf("no part %s", url)
		return nil
	}
	item := func(q *fhir.Questionnaire, path ...int) *fhir.QuestionnaireItem {
		it := &q.Item[path[0]]
		for _, i := range path[1:] {
			it = &it.Item[i]
		}
		return it
	}
	tests := []struct {
		name   string
		raw    string
		change func(q *fhir.Questionnaire)
		want   string
	}{
		{name: "MalformedJSON", raw: `{"resourceType": "Questionnaire", "item": [`, want: "The file is not valid JSON"},
		{name: "BrokenJSON", raw: `{"resourceType": "Questionnaire",, }`, want: "The file is not valid JSON (the problem is near character"},
		{name: "Array", raw: `[{"resourceType": "Questionnaire"}]`, want: "must be one JSON object"},
		{name: "WrongKind", raw: `{"resourceType": "Questionnaire", "item": [{"linkId": 7}]}`, want: "value of the wrong kind at item.linkId"},
		{name: "NotAQuestionnaire", raw: `{"resourceType": "Patient", "id": "x"}`, want: "This is a FHIR Patient, not a Questionnaire."},
		{name: "NoResourceType", raw: `{"item": []}`, want: "no resourceType"},
		{name: "NoScoringExtension", change: func(q *fhir.Questionnaire) { q.Extension = nil }, want: "The questionnaire has no Tend scoring extension"},
		{name: "ScoringNamesUnknownItem", change: func(q *fhir.Questionnaire) { part(q, "item", 3).ValueString = "ew9" },
			want: `The total names item "ew9", which the instrument does not have.`},
		{name: "FreeTextItemScored", change: func(q *fhir.Questionnaire) { item(q, 2, 0).Type = "string"; item(q, 2, 0).AnswerOption = nil },
			want: `Item "ew3" counts towards the score but asks for a free-entry answer (type string)`},
		{name: "FreeTextItemUnscored", change: func(q *fhir.Questionnaire) { item(q, 3).Type = "text" },
			want: `Item "ew5" asks for a free-entry answer (type text)`},
		{name: "OpenChoice", change: func(q *fhir.Questionnaire) { item(q, 1, 0).Type = "open-choice" },
			want: `Item "ew1" counts towards the score but lets a person type an answer`},
		{name: "BandsLeaveGap", change: func(q *fhir.Questionnaire) { part(q, "band", 1).Extension[0].ValueDecimal = "1.8" },
			want: "The bands leave a gap between 1.4 and 1.8."},
		{name: "RiskBand", change: func(q *fhir.Questionnaire) { part(q, "band", 2).Extension[2].ValueString = "High risk" },
			want: `Band "High risk": Tend never labels a score as a risk level`},
		{name: "DuplicateOptionValues", change: func(q *fhir.Questionnaire) {
			item(q, 1, 0).AnswerOption[2].Extension[0].ValueDecimal = "1"
		}, want: `Item "ew1" gives the value 1 to two answers.`},
		{name: "MissingLanguage", change: func(q *fhir.Questionnaire) { q.Language = "" }, want: "The questionnaire needs its language"},
		{name: "MissingCopyright", change: func(q *fhir.Questionnaire) { q.Copyright = "" }, want: "licence or terms of use"},
		{name: "OptionWithoutValue", change: func(q *fhir.Questionnaire) { item(q, 3).AnswerOption[1] = fhir.AnswerOption{} },
			want: `Item "ew5": answer 2 has no value`},
		{name: "OptionWithoutScoreValue", change: func(q *fhir.Questionnaire) { item(q, 1, 0).AnswerOption[0].Extension = nil },
			want: `Item "ew1": answer "None of the time" has no score value`},
		{name: "OptionAsText", change: func(q *fhir.Questionnaire) {
			item(q, 3).AnswerOption[0] = fhir.AnswerOption{ValueString: "No"}
		}, want: `Item "ew5": answer "No" is given as text`},
		{name: "FractionalOrdinal", change: func(q *fhir.Questionnaire) { item(q, 1, 0).AnswerOption[0].Extension[0].ValueDecimal = "0.5" },
			want: "must be a whole number"},
		{name: "ValueSetAnswers", change: func(q *fhir.Questionnaire) {
			item(q, 3).AnswerOption = nil
			item(q, 3).AnswerValueSet = "http://example.org/vs"
		}, want: "takes its answers from a value set"},
		{name: "Repeats", change: func(q *fhir.Questionnaire) { item(q, 3).Repeats = ptr(true) }, want: "lets several answers be chosen"},
		{name: "EnableWhen", change: func(q *fhir.Questionnaire) {
			item(q, 3).EnableWhen = json.RawMessage(`[{"question":"ew1","operator":"exists","answerBoolean":true}]`)
		}, want: "asked only on a condition"},
		{name: "UnknownPart", change: func(q *fhir.Questionnaire) {
			*scoring(q) = append(*scoring(q), fhir.Extension{URL: "riskLevel", ValueString: "high"})
		}, want: `The scoring extension has a part Tend does not know, "riskLevel"`},
		{name: "NoMethod", change: func(q *fhir.Questionnaire) { part(q, "method", 0).ValueCode = "median" },
			want: `The scoring method "median" is not one Tend knows`},
		{name: "SumWithoutRequireAll", change: func(q *fhir.Questionnaire) { part(q, "method", 0).ValueCode = "sum" },
			want: "A summed score needs every scored item answered"},
		{name: "ReliableChangeBoth", change: func(q *fhir.Questionnaire) {
			rc := part(q, "reliableChange", 0)
			rc.Extension = append(rc.Extension, fhir.Extension{URL: "points", ValueDecimal: "1"})
		}, want: "not both"},
		{name: "PromptUnknownItem", change: func(q *fhir.Questionnaire) { part(q, "prompt", 0).Extension[0].ValueString = "ew7" },
			want: `Prompt item "ew7" is not an item of the instrument.`},
		{name: "ThresholdImpossible", change: func(q *fhir.Questionnaire) { part(q, "threshold", 0).ValueDecimal = "9" },
			want: "The clinical threshold must be a possible score"},
		{name: "NoDirection", change: func(q *fhir.Questionnaire) { part(q, "direction", 0).ValueCode = "up" },
			want: "needs a direction: higher-is-worse or higher-is-better"},
		{name: "NoName", change: func(q *fhir.Questionnaire) { q.Name = "" }, want: "The questionnaire needs a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.raw)
			if tt.change != nil {
				q := base(t)
				tt.change(&q)
				var err error
				if data, err = json.Marshal(q); err != nil {
					t.Fatal(err)
				}
			}
			_, err := fhir.ParseQuestionnaire(data)
			if err == nil {
				t.Fatalf("ParseQuestionnaire accepted it; want an error containing %q", tt.want)
			}
			if tend.ErrorKind(err) != tend.EINVALID {
				t.Errorf("kind = %s, want %s", tend.ErrorKind(err), tend.EINVALID)
			}
			msg := tend.ErrorMessage(err)
			if !strings.Contains(msg, tt.want) {
				t.Errorf("message = %q\nwant it to contain %q", msg, tt.want)
			}
			if r := []rune(msg)[0]; !unicode.IsUpper(r) {
				t.Errorf("message %q does not start with a capital letter", msg)
			}
			for _, jargon := range []string{"json:", "unmarshal", "struct", "nil", "Go "} {
				if strings.Contains(msg, jargon) {
					t.Errorf("message %q speaks of %q", msg, jargon)
				}
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		q := base(t)
		data, _ := json.Marshal(q)
		if _, err := fhir.ParseQuestionnaire(data); err != nil {
			t.Fatalf("the unchanged fixture is refused: %v", err)
		}
	})
}

// TestFHIRJSRejects shows the harness can fail: a resource with a code
// outside its required value set and an element R4 does not have.
func TestFHIRJSRejects(t *testing.T) {
	q := fhir.QuestionnaireFromInstrument(measure.PHQ9())
	q.Status = "finished"
	broken := map[string]any{"resourceType": "QuestionnaireResponse", "status": "completed", "authored": "yesterday", "riskLevel": "high"}
	errs := fhirtest.Errors(t, q, broken, fhir.QuestionnaireFromInstrument(measure.GAD7()))
	if len(errs[0]) == 0 {
		t.Errorf("FHIR.js accepted a Questionnaire with status %q", q.Status)
	}
	if len(errs[1]) < 2 {
		t.Errorf("FHIR.js found %d errors in a response with a bad date and an unknown element, want 2:\n%s", len(errs[1]), fhirtest.Join(errs[1]))
	}
	if len(errs[2]) != 0 {
		t.Errorf("FHIR.js refused the GAD-7:\n%s", fhirtest.Join(errs[2]))
	}
}

func FuzzParseQuestionnaire(f *testing.F) {
	f.Add(fixture(f))
	for _, in := range measure.Builtin() {
		data, _ := json.Marshal(fhir.QuestionnaireFromInstrument(in))
		f.Add(data)
	}
	f.Add([]byte(`{"resourceType":"Questionnaire","extension":[{"url":"` + fhir.ScoringURL + `"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := fhir.ParseQuestionnaire(data)
		if err != nil {
			if tend.ErrorKind(err) != tend.EINVALID {
				t.Fatalf("kind %s: %v", tend.ErrorKind(err), err)
			}
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("accepted an instrument Validate refuses: %v", err)
		}
		again, err := json.Marshal(fhir.QuestionnaireFromInstrument(in))
		if err != nil {
			t.Fatal(err)
		}
		back, err := fhir.ParseQuestionnaire(again)
		if err != nil || !reflect.DeepEqual(back, in) {
			t.Fatalf("export of an accepted instrument does not read back: %v", err)
		}
	})
}
