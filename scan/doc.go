// Package scan is the one home of drainer's periodic scans: the work that
// no message announces. Once per pass it resumes the drains recorded on
// the container instances (first pass only), keeps scale-in protection on
// the busy instances of the groups that want it (managed termination
// protection), replaces instances past their time-to-live, reclaims idle
// instances above their group's minimum — both within the disruption
// budget — and reports instances kept past their group's maximum lifetime
// by that protection.
//
// A pass is split the way a drain is: the Scanner observes (an
// Observation: groups, container instances, busy answers, launch times,
// drains in progress, policies), Decide turns the observation into a Plan
// (a pure function with table tests), and the Scanner acts on the plan
// (SetInstanceProtection, drains started through a Starter). The rules
// Decide uses (Protection, Expired, Idle, LifetimeTraps) are exported for
// `drainer doctor`.
//
// A pass costs a bounded number of calls whatever the size of the
// clusters: it reads at most Options.Pages pages of container instances,
// each cluster's listing resuming where the pass before stopped, and
// keeps what earlier passes read. It acts only on instances it read, or
// read again right before acting (verify, then act); see Scanner for the
// bound on how old what it knows can be.
package scan
