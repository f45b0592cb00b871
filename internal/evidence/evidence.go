package evidence

// Certainty is the certainty of evidence a review gives a finding (GRADE).
// The zero value means the source gives none, and none may be shown.
type Certainty string

// The GRADE certainties evidence.md uses.
const (
	CertaintyHigh     Certainty = "high"
	CertaintyModerate Certainty = "moderate"
	CertaintyLow      Certainty = "low"
	CertaintyVeryLow  Certainty = "very low"
)

// Group is who a review's participants were.
type Group string

// The groups evidence.md's reviews cover.
const (
	GroupYoung  Group = "young"
	GroupAdults Group = "adults"
)

// Source is a publication that figures were read from.
type Source struct {
	Citation  string // short, as a row names it: "Witt KG et al. 2021"
	Reference string // the full reference, as evidence.md gives it
	URL       string // the full publication
	// Size is the review's number of trials and participants, when
	// evidence.md gives it.
	Size string
	// Via and ViaURL name where the figures were read, when not in the
	// publication itself.
	Via, ViaURL string
	// Earlier marks an earlier version of a review that a later one
	// updates: it is shown labelled "earlier review (2016), since updated".
	Earlier bool
}

// Finding is one row of a review's table in evidence.md.
type Finding struct {
	Therapy    string
	Comparison string
	Outcome    string // the outcome and its timepoint
	// Result is the result as published ("OR 0.35 (0.12 to 1.02)"). The
	// young people's table gives its odds ratio and confidence interval in
	// columns of their own instead: OddsRatio and Interval.
	Result              string
	OddsRatio, Interval string
	K, N                string // trials and participants; "" where not given
	// NWithheld: versions of the review differ on N, so none is shown.
	NWithheld bool
	Certainty Certainty // "" where the source gives none
	Plain     string    // the finding in plain words
}

// Review is one table of findings from one publication.
type Review struct {
	Group    Group
	Source   Source
	Findings []Finding
}

// Trial is a single trial that a therapy rests on: an example, never
// pooled evidence.
type Trial struct {
	Citation   string // "Guthrie et al. 2001, BMJ 323:135"
	Who        string
	Comparison string
	Outcome    string
	Result     string // as published
	URL        string
}

// The publications evidence.md reads.
var (
	wittYoung = Source{
		Citation:  "Witt KG et al. 2021",
		Reference: "Witt KG et al. 2021, Interventions for self-harm in children and adolescents, Cochrane Database of Systematic Reviews, Issue 3, CD013667.pub2, doi:10.1002/14651858.CD013667.pub2",
		URL:       "https://doi.org/10.1002/14651858.CD013667.pub2",
		Size:      "17 trials, 2,280 participants",
		Via:       "the review abstract as quoted by the Public Health Wales evidence map",
		ViaURL:    "https://phw-evidence-maps.azurewebsites.net/evidence/5/?evidence_map_pk=1&intervention_pk=20&population_group_pk=9",
	}
	wittAdults = Source{
		Citation:  "Witt KG et al. 2021",
		Reference: "Witt KG et al. 2021, Psychosocial interventions for self-harm in adults, Cochrane Database of Systematic Reviews, Issue 4, CD013668.pub2, doi:10.1002/14651858.CD013668.pub2",
		URL:       "https://doi.org/10.1002/14651858.CD013668.pub2",
		Size:      "76 trials, 21,414 participants",
		Via:       "abstract as quoted by the Public Health Wales evidence map",
		ViaURL:    "https://phw-evidence-maps.azurewebsites.net/evidence/3/?evidence_map_pk=1&intervention_pk=17&population_group_pk=9",
	}
	hawton = Source{
		Citation:  "Hawton K et al. 2016",
		Reference: "Hawton K et al. 2016, Psychosocial interventions following self-harm in adults: a systematic review and meta-analysis, Lancet Psychiatry",
		URL:       "https://www.thelancet.com/journals/lanpsy/article/PIIS2215-0366(16)30070-0/fulltext",
		Earlier:   true,
	}
)

// youngOutcome is the outcome of every row of the young people's table.
const youngOutcome = "repetition of self-harm, post-intervention"

// Reviews returns the reviews' tables in evidence.md's order: young people,
// then adults (Witt 2021, then the earlier Hawton 2016 that it updates).
func Reviews() []Review {
	return []Review{
		{Group: GroupYoung, Source: wittYoung, Findings: []Finding{
			{Therapy: "DBT for adolescents (DBT-A)", Comparison: "TAU, EUC or another psychotherapy", Outcome: youngOutcome,
				OddsRatio: "0.46", Interval: "0.26 to 0.82", K: "4", N: "270", Certainty: CertaintyHigh,
				Plain: "Fewer young people repeated self-harm: 30% with DBT-A vs 43% with the comparison"},
			{Therapy: "Individual CBT-based psychotherapy", Comparison: "TAU", Outcome: youngOutcome,
				OddsRatio: "0.93", Interval: "0.12 to 7.24", K: "2", N: "51", Certainty: CertaintyLow,
				Plain: "Too little evidence to tell"},
			{Therapy: "Mentalization-based therapy for adolescents (MBT-A)", Comparison: "TAU", Outcome: youngOutcome,
				OddsRatio: "0.70", Interval: "0.06 to 8.46", K: "2", N: "85", Certainty: CertaintyVeryLow,
				Plain: "Too little evidence to tell"},
			{Therapy: "Family therapy", Comparison: "TAU or EUC", Outcome: youngOutcome,
				OddsRatio: "1.00", Interval: "0.49 to 2.07", K: "2", N: "191", Certainty: CertaintyModerate,
				Plain: "Probably no difference"},
		}},
		{Group: GroupAdults, Source: wittAdults, Findings: []Finding{
			{Therapy: "Individual CBT-based psychotherapy", Comparison: "TAU or another comparator", Outcome: "repetition of self-harm, end of intervention",
				Result: "OR 0.35 (0.12 to 1.02)", K: "4", N: "238", Certainty: CertaintyLow,
				Plain: "May reduce repetition; the estimate is imprecise"},
			{Therapy: "DBT", Comparison: "TAU or another psychotherapy", Outcome: "people repeating self-harm, post-intervention",
				Result: "66.0% vs 68.2% repeated",
				Plain:  `Uncertain whether DBT reduces how many people repeat self-harm; the review also reports "some evidence of effectiveness of standard DBT on frequency of SH repetition" (see the next table)`},
		}},
		{Group: GroupAdults, Source: hawton, Findings: []Finding{
			{Therapy: "CBT-based psychotherapy", Comparison: "TAU", Outcome: "people repeating self-harm, 6 months",
				Result: "OR 0.54 (0.34 to 0.85)", K: "12", N: "1317",
				Plain: "Fewer people repeated self-harm at 6 months"},
			{Therapy: "CBT-based psychotherapy", Comparison: "TAU", Outcome: "people repeating self-harm, 12 months",
				Result: "OR 0.80 (0.65 to 0.98)", K: "10", NWithheld: true,
				Plain: "Fewer people repeated self-harm at 12 months"},
			{Therapy: "DBT", Comparison: "comparison treatments", Outcome: "number of repeat self-harm episodes, post-intervention",
				Result: "mean difference -18.80 episodes (-36.70 to -0.95)", K: "3", N: "292",
				Plain: "Fewer repeat episodes, but not fewer people repeating"},
		}},
	}
}

// Trials returns the single trials that the therapies rest on, in
// evidence.md's order.
func Trials() []Trial {
	return []Trial{
		{Citation: "Guthrie et al. 2001, BMJ 323:135", Who: "119 adults after self-poisoning",
			Comparison: "brief psychodynamic interpersonal therapy (4 home sessions) vs usual care",
			Outcome:    "self-reported repeat self-harm at 6 months",
			Result:     "9% vs 28% (difference 19%, CI 9% to 30%)",
			URL:        "https://pmc.ncbi.nlm.nih.gov/articles/PMC34723"},
		{Citation: "McCauley et al. 2018, JAMA Psychiatry 75(8):777-785", Who: "173 adolescents at high risk of suicide",
			Comparison: "DBT vs individual and group supportive therapy",
			Outcome:    "suicide attempt during 6 months of treatment",
			Result:     "no attempt: 65 of 72 (90.3%) vs 51 of 65 (78.9%, as published); OR for an attempt 0.30 (0.10 to 0.91). Fewer adolescents attempted during DBT; the trial reports that the advantage weakened over time",
			URL:        "https://pmc.ncbi.nlm.nih.gov/articles/PMC6584278"},
		{Citation: "Linehan et al. 2006, Arch Gen Psychiatry 63(7):757-766", Who: "101 women with borderline personality disorder and recent suicidal behaviour",
			Comparison: "DBT vs community treatment by experts",
			Outcome:    "suicide attempts over 2 years",
			Result:     `"half as likely to make a suicide attempt": in the comparison group the rate of attempts was 2.66 times that with DBT (hazard ratio 2.66; P = .005)`,
			URL:        "https://read.qxmd.com/read/16818865/"},
	}
}
