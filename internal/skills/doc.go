// Package skills owns the skills library (clinical/skills.md "The skills
// library"), the worksheets, the person's favourite skills, and homework: a
// skill or worksheet a clinician assigns, and the practice the person logs
// for it. Skill names and descriptions live in the message catalogue, never
// in code. It checks access once per call, audits every staff read and
// every write, and seals every free-text field through the vault; it never
// touches SQL or HTTP, and never shows a "missed" count or a streak.
package skills
