// Package chain owns behaviour chain analyses (clinical/chain-analysis.md):
// the nine sections a clinician and the person fill in together about one
// action on one diary day, every word sealed with the person's key. A
// clinician opens one; it is never pushed to the person (safety-rules.md
// section 7), never prompts for methods, never loses either writer's words,
// and never touches SQL or HTTP.
package chain
