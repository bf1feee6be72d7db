package property

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/drainer-dev/drainer/emulator/scenario"
)

// Dimensions are the features of a world the generator must cover, as
// Features names them: each appears in a good share of seeds.
var Dimensions = func() []string {
	d := []string{
		"clusters:1", "clusters:2", "clusters:3", "serves:some-clusters",
		"routing:direct", "routing:eventbridge", "events:ec2", "events:ecs",
		"hook:owned", "hook:owned-renamed", "hooks:owned-two", "hook:other-team", "hook:other-on-drainer-queue",
		"hook:launching", "hook:abandon",
		"service:daemon", "service:load-balanced", "service:awsvpc", "job:standalone", "job:repeating",
		"spot:all", "spot:mixed", "spot:capacity-rebalance", "spot:agent-draining", "hosts:no-group", "hosts:spot",
		"provider:none", "provider:protection+draining", "provider:protection-only", "provider:draining-only", "provider:neither",
		"fault:throttling", "fault:errors", "fault:latency", "fault:aws-throttling", "fault:aws-latency", "fault:stuck-stopping", "fault:leak-eni",
		"fault:duplicate-messages", "fault:delayed-messages",
		"message:wrong-token", "message:stale-time", "message:future-time", "message:eventbridge",
		"message:other-hook", "message:duplicate", "message:raw", "message:spot-warning", "message:rebalance",
		"refresh:Refresh", "refresh:Ignore", "refresh:Wait",
	}
	for _, s := range limitShapes {
		d = append(d, limitName(s))
	}
	for _, a := range actionNames {
		d = append(d, "action:"+a)
	}
	for _, s := range []string{"cluster", "hook", "scan-interval", "idle-after", "max-lifetime", "budget", "protect",
		"standalone", "registration-grace", "agent-grace", "drain-on-rebalance", "fallback-poll", "preset"} {
		d = append(d, "setting:"+s)
	}
	return d
}()

func limitName(s [2]int) string {
	if s[0] < 0 {
		return "limits:default"
	}
	return fmt.Sprintf("limits:%d/%d", s[0], s[1])
}

// Features names the dimensions of Dimensions that sc has, sorted.
func Features(sc *scenario.Scenario) []string {
	f := map[string]bool{}
	add := func(name string) { f[name] = true }
	add("clusters:" + strconv.Itoa(len(sc.Clusters)))
	owned := map[string]bool{"drainer": true}
	if hooks, ok := sc.Drainer["hook"]; ok {
		owned = map[string]bool{}
		for _, h := range splitList(string(hooks)) {
			owned[h] = true
		}
		if len(owned) > 1 {
			add("hooks:owned-two")
		}
		if !owned["drainer"] {
			add("hook:owned-renamed")
		}
	}
	if _, ok := sc.Drainer["cluster"]; ok && len(splitList(string(sc.Drainer["cluster"]))) < len(sc.Clusters) {
		add("serves:some-clusters")
	}
	for name := range sc.Drainer {
		add("setting:" + name)
	}
	for _, r := range sc.Rules {
		p := string(r.Pattern)
		for src, name := range map[string]string{"aws.autoscaling": "routing:eventbridge", "aws.ec2": "events:ec2", "aws.ecs": "events:ecs"} {
			if strings.Contains(p, src) {
				add(name)
			}
		}
	}
	awsvpc := map[string]bool{}
	for _, td := range sc.TaskDefinitions {
		awsvpc[td.Family] = td.NetworkMode == "awsvpc"
	}
	for _, g := range sc.Groups {
		for _, h := range g.Hooks {
			switch {
			case h.Transition == "launching":
				add("hook:launching")
			case owned[h.Name]:
				add("hook:owned")
				if h.Queue == Queue {
					add("routing:direct")
				}
			default:
				add("hook:other-team")
				if h.Queue == Queue {
					add("hook:other-on-drainer-queue")
				}
			}
			if h.DefaultResult == "ABANDON" {
				add("hook:abandon")
			}
		}
		switch {
		case g.SpotPercent == 100:
			add("spot:all")
		case g.SpotPercent > 0:
			add("spot:mixed")
		}
		if g.CapacityRebalance {
			add("spot:capacity-rebalance")
		}
		if g.SpotDraining {
			add("spot:agent-draining")
		}
		switch cp := g.CapacityProvider; {
		case cp == nil:
			add("provider:none")
		case cp.ManagedTerminationProtection && cp.ManagedDraining:
			add("provider:protection+draining")
		case cp.ManagedTerminationProtection:
			add("provider:protection-only")
		case cp.ManagedDraining:
			add("provider:draining-only")
		default:
			add("provider:neither")
		}
	}
	for _, is := range sc.Instances {
		add("hosts:no-group")
		if is.Spot {
			add("hosts:spot")
		}
	}
	for _, s := range sc.Services {
		if s.Daemon {
			add("service:daemon")
			continue
		}
		shape := [2]int{-1, -1}
		if s.MinHealthyPercent != nil && s.MaxPercent != nil {
			shape = [2]int{*s.MinHealthyPercent, *s.MaxPercent}
		}
		add(limitName(shape))
		if s.LoadBalanced {
			add("service:load-balanced")
		}
		if awsvpc[s.TaskDefinition] {
			add("service:awsvpc")
		}
	}
	for _, j := range sc.Jobs {
		add("job:standalone")
		if j.Every > 0 {
			add("job:repeating")
		}
	}
	if fl := sc.Faults; fl != nil {
		for _, r := range fl.API {
			if r.Rate > 0 {
				add("fault:throttling")
			}
			if r.ErrorRate > 0 {
				add("fault:errors")
			}
			if r.Latency > 0 {
				add("fault:latency")
			}
		}
		if fl.Throttle != "" {
			add("fault:aws-throttling")
		}
		if fl.Latency != "" {
			add("fault:aws-latency")
		}
		if fl.StuckStoppingRate > 0 {
			add("fault:stuck-stopping")
		}
		if fl.LeakENIRate > 0 {
			add("fault:leak-eni")
		}
		for _, q := range fl.Queues {
			if q.DuplicateRate > 0 {
				add("fault:duplicate-messages")
			}
			if q.DelayRate > 0 {
				add("fault:delayed-messages")
			}
		}
	}
	for _, st := range sc.Timeline {
		add("action:" + st.Action)
		if st.ScaleInProtectedInstances != "" {
			add("refresh:" + st.ScaleInProtectedInstances)
		}
		if st.Action != scenario.ActionSendMessage {
			continue
		}
		switch st.Template {
		case "":
			add("message:raw")
		case scenario.TemplateLifecycleEventBridge:
			add("message:eventbridge")
		case scenario.TemplateSpotWarning:
			add("message:spot-warning")
		case scenario.TemplateRebalance:
			add("message:rebalance")
		}
		if st.Token == scenario.TokenWrong {
			add("message:wrong-token")
		}
		switch {
		case st.TimeOffset < 0:
			add("message:stale-time")
		case st.TimeOffset > 0:
			add("message:future-time")
		}
		if st.Hook != "" && !owned[st.Hook] {
			add("message:other-hook")
		}
		if st.Duplicate > 1 {
			add("message:duplicate")
		}
	}
	out := make([]string, 0, len(f))
	for name := range f {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
