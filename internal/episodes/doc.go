// Package episodes owns a person's episodes of care (from referral through
// acceptance, start and discharge to the follow-up points at 3, 6 and 12
// months), the sessions that belong to them and the incidents clinicians
// record, and moves the person along the lifecycle of DESIGN.md with them.
// It holds no free text about a person, never a method of self-harm, and
// never adds incidents to the person's own diary counts.
package episodes
