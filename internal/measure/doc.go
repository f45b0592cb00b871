// Package measure keeps questionnaires (clinical/instruments.md): the
// instruments as data (items, answer options, the scoring definition, the
// licence), the PHQ-9 and GAD-7 Tend ships and those a service imports,
// assignments once or on a schedule with one due questionnaire per
// assignment and date, responses saved item by item and finished later,
// scores stored with the instrument's version, reliable change by the rule
// each instrument names (outcomes.md section 3), and the safety prompt an
// answer proposes (safety-rules.md section 4). No instrument ever produces a
// risk level: scores have bands with the instrument's own labels and a
// clinical threshold, nothing else.
package measure
