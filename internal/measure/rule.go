package measure

import "strconv"

// Texts gives the wording of messages in one language (i18n.Printer).
type Texts interface {
	T(id string, args ...any) string
}

// RuleMessageIDs are the messages RuleWords words a rule with.
var RuleMessageIDs = []string{
	"questionnaires_clinic.rule_points", "questionnaires_clinic.rule_points_source", "questionnaires_clinic.rule_jt",
	"questionnaires_clinic.rule_jt_plain", "questionnaires_clinic.rule_source",
}

// RuleWords names the instrument's reliable-change rule (outcomes.md
// section 3) in t's language, with the index when the rule is
// Jacobson-Truax and c is given: the words the clinician's questionnaire
// page and the outcome reports show beside a change. "" when the
// instrument has no rule.
func (in *Instrument) RuleWords(t Texts, c *Change) string {
	rc := in.Scoring.Change
	if rc == nil {
		return ""
	}
	src := rc.Source
	if !rc.JacobsonTruax() {
		if src == "" {
			return t.T("questionnaires_clinic.rule_points", in.FormatScore(rc.Points))
		}
		return t.T("questionnaires_clinic.rule_points_source", in.FormatScore(rc.Points), src)
	}
	sd := strconv.FormatFloat(rc.SD, 'f', -1, 64)
	rel := strconv.FormatFloat(rc.Reliability, 'f', -1, 64)
	crit := strconv.FormatFloat(JacobsonTruaxCritical, 'f', -1, 64)
	var words string
	if c != nil {
		words = t.T("questionnaires_clinic.rule_jt", strconv.FormatFloat(Round(c.RCI, 2), 'f', 2, 64), crit, sd, rel)
	} else {
		words = t.T("questionnaires_clinic.rule_jt_plain", crit, sd, rel)
	}
	if src != "" {
		words += " " + t.T("questionnaires_clinic.rule_source", src)
	}
	return words
}
