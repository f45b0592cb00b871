// Package e2e holds Tend's end-to-end tests. They build the tend binary once,
// start real `tend serve` processes on 127.0.0.1:0 with their own data
// folders, and drive them over HTTP and, for the help page, in headless
// Chromium through chromedp, with axe-core checking accessibility.
//
// What they prove, each by a check that fails when the promise breaks:
//   - the help page shows the crisis lines at phone and desktop widths with
//     0 axe-core violations, and with JavaScript off its forms (another
//     country, young people first) still work; the home page header links to
//     it (TestHelpPage);
//   - it keeps working offline after one visit: the server process is killed
//     and the service worker answers (TestHelpOffline);
//   - it keeps working while the database is unreadable, when /readyz says
//     the node is not ready (TestHelpWithoutDatabase);
//   - the public evidence page leads with the service's statement, folds the
//     figures under "See the research figures", and opened at 390 px shows
//     them with their certainty in words, 0 axe-core violations and no
//     request to another origin (TestEvidencePage);
//   - on a demo filled by 'tend demo-data', a lead reaches the service
//     outcomes report from the clinic home and reads it at 390 px and 1280 px
//     (the note above the figures, a chart, no sideways scroll, 0 axe-core
//     violations), while a clinician gets 404 on it, its exports and the API
//     (TestOutcomesReportInBrowser);
//   - each role's journey (person, clinician, prescriber, facilitator, lead,
//     admin) works at 390 px with the keyboard only and at 1280 px, with 0
//     axe-core violations, a visible focus at every Tab stop, nothing lost
//     at 200% text and no motion under prefers-reduced-motion; the card
//     saved offline reaches the clinician's grid and PHQ-9 item 9 opens a
//     follow-up task (TestJourneys, docs/accessibility.md);
//   - the periodic prune job runs once per period with two serve processes
//     on one PostgreSQL (TestPeriodicJobTwoNodes).
//
// Needs: Chromium (Debian's chromium package) for the browser tests,
// `npm ci --prefix e2e` for axe-core, and TEND_TEST_POSTGRES for the two-node
// test. A test whose need is missing skips, saying which; with
// TEND_REQUIRE_ALL=1 (as .ci/run sets it) it fails instead. Screenshots go
// to the folder TEND_ARTIFACTS names (relative paths start at the module
// root), or to the test's temporary folder.
//
// The package has only tests; this file exists to say what they hold.
package e2e
