// Package toolbox owns the coping toolbox (clinical/skills.md "The
// toolbox"): the activities of each kind, the person's own activities,
// hidden ones and favourites, the activities a service adds, "pick one for
// me", and the log of each use. It never ships, suggests or accepts from a
// service an activity that causes pain, marks the body or imitates
// self-harm (safety-rules.md section 7), and its 0-10 ratings never feed
// the diary card, safety prompts or outcome reports.
package toolbox
