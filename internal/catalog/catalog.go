// Package catalog assembles the whole fact catalogue. Facts are defined by
// the domain packages that measure them (or will measure them), at package
// init; a program or test that needs every fact, such as the assessment's
// scheme lint or the documentation test, imports this one package instead
// of listing the domains, so that a new domain is added in one place.
package catalog

import (
	_ "gridwork/internal/care"    // special care
	_ "gridwork/internal/duty"    // duty: logins, meetings, leave, work sheets, activities, reports
	_ "gridwork/internal/events"  // events, their clocks and cards
	_ "gridwork/internal/inspect" // spot checks, quizzes, undercover findings and complaints
	_ "gridwork/internal/patrol"  // GPS patrols
	_ "gridwork/internal/records" // base records and platforms
	_ "gridwork/internal/survey"  // satisfaction surveys
)
