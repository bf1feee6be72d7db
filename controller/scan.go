package controller

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/cloud"
	"github.com/drainer-dev/drainer/scan"
)

// scanState holds the controller's scanner (package scan), built from the
// controller's options on first use.
type scanState struct {
	once    sync.Once
	scanner *scan.Scanner
	pages   int
}

func newScanState() scanState { return scanState{} }

// ScanReport says what one pass found and did (see scan.Report).
type ScanReport = scan.Report

// scanner returns the controller's scanner: it reads and acts through
// Options.Cloud, starts drains through the reconciler (the pass itself
// applies the disruption budget) and reads the groups' policies through the
// controller, whose cache the notices use too.
func (c *Controller) scanner() *scan.Scanner {
	c.scan.once.Do(func() {
		cfg := scan.Config{IdleAfter: c.opts.IdleAfter, MaxLifetime: c.opts.MaxLifetime, Budget: c.opts.Budget}
		c.scan.scanner = scan.NewScanner(c.opts.Cloud, c.rec, scanPolicies{c}, scan.Options{Config: cfg, Clusters: c.opts.Clusters, Clock: c.clock, Logger: c.log, OnPass: c.opts.OnScan, SweepAge: c.opts.SweepAge, Adopt: c.adopt, Locate: c.rec.Locate, Pages: c.scan.pages})
	})
	return c.scan.scanner
}

// SetScanPages sets how many pages of container instances each pass of
// the scans reads (scan.Options.Pages; 0 or less: scan.DefaultPages). It
// must come before the first pass (Scan, Pass or Run), which fixes it.
func (c *Controller) SetScanPages(pages int) { c.scan.pages = pages }

// Scan does one pass of the periodic scans (scan.Scanner.Pass, where its
// API-call cost per pass is documented). Without Options.Cloud it fails.
func (c *Controller) Scan(ctx context.Context) error {
	_, err := c.Pass(ctx)
	return err
}

// Pass is Scan returning what the pass found and did.
func (c *Controller) Pass(ctx context.Context) (ScanReport, error) {
	return c.scanner().Pass(ctx)
}

// TakeUp takes up an instance in Terminating:Wait in group that no drain
// of this process covers, as a pass takes up those an earlier pass found
// so (scan.Options.Adopt): for each owned termination hook whose
// lifecycle action Auto Scaling says is pending for the instance, it
// starts the drain a lifecycle message would have started; a drain
// another drainer recorded meanwhile on the container instance is joined
// (drain.Reconciler.Start merges the records), not started again. It does
// nothing for an instance a drain of this process covers. A caller whose
// process may not live to the next pass (the Lambda mode) so takes up
// what a pass noted (ScanReport.Noted). Its calls are a pass's take-up's:
// one DescribeLifecycleHooks, one RecordLifecycleActionHeartbeat per owned
// termination hook, and per drain started one DescribeScalingActivities
// and the start's; they wait behind drains' for AWS's rate buckets, as
// the scans' do. Its errors say what could not be read or started.
func (c *Controller) TakeUp(ctx context.Context, group, instanceID string) error {
	if c.rec.Draining(instanceID) {
		return nil
	}
	if err := c.adopt(cloud.WithPriority(ctx, cloud.PriorityBackground), group, instanceID); err != nil {
		return fmt.Errorf("take up %s of %s: %w", instanceID, group, err)
	}
	return nil
}

// Run scans every interval on the controller's clock until ctx ends (see
// scan.Scanner.Run). A failed pass is logged and the next one comes at the
// next interval.
func (c *Controller) Run(ctx context.Context, interval time.Duration) error {
	return c.scanner().Run(ctx, interval)
}

// scanPolicies gives the scanner the groups' policies from the
// controller's cache of capacity providers, which the notices use too.
type scanPolicies struct{ c *Controller }

// scanPolicyAge is how old the scans let the controller's copy of the
// capacity providers get before reading them again: half of policyMaxAge,
// so that the lifecycle notices, which read them again once they are
// policyMaxAge old, find them fresh while the scans run (a notice's
// handling then never waits for them).
const scanPolicyAge = policyMaxAge / 2

// GroupPolicies returns the policy of each of groups from the capacity
// providers of the served clusters, read again (one DescribeClusters and
// one DescribeCapacityProviders per cluster) when the copy is
// scanPolicyAge old: a change to a capacity provider's managed settings
// reaches the scans within 2 minutes 30 seconds and a pass.
func (p scanPolicies) GroupPolicies(ctx context.Context, groups []string) (map[string]scan.Policy, error) {
	c := p.c
	c.pol.mu.Lock()
	fresh := c.pol.loaded && c.clock.Now().Sub(c.pol.loadedAt) < scanPolicyAge
	c.pol.mu.Unlock()
	if !fresh {
		clusters, err := c.clusters(ctx)
		if err != nil {
			return nil, err
		}
		if err := c.refreshPolicies(ctx, clusters); err != nil {
			return nil, err
		}
	}
	out := make(map[string]scan.Policy, len(groups))
	for _, g := range groups {
		out[g] = p.c.cachedPolicy(g)
	}
	return out, nil
}
