// Package evidence holds what published research says about therapies for
// self-harm, as the public evidence page shows it (clinical/evidence.md):
// each figure exactly as the source published it, with its comparison,
// outcome, timepoint, certainty where the source gives one, and citation.
// It computes nothing: no figure is recomputed, rounded or added here, and
// nothing that is not in evidence.md belongs in it.
package evidence
