package eventbridge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// routeIndex holds the enabled rules that have targets, keyed by the
// sources their patterns allow (anySource for patterns that allow any).
type routeIndex struct {
	bySource  map[string][]*rule
	anySource []*rule
}

func (s *Service) index() *routeIndex {
	if s.routes != nil {
		return s.routes
	}
	idx := &routeIndex{bySource: map[string][]*rule{}}
	for _, r := range s.order {
		if !r.enabled() || len(r.targets) == 0 {
			continue
		}
		if r.pattern.sources == nil {
			idx.anySource = append(idx.anySource, r)
			continue
		}
		for _, src := range sortedKeys(r.pattern.sources) {
			idx.bySource[src] = append(idx.bySource[src], r)
		}
	}
	s.routes = idx
	return idx
}

// candidates returns, in creation order, the rules that could match an
// event with this source and detail-type.
func (s *Service) candidates(source, detailType string) []*rule {
	idx := s.index()
	a, b := idx.bySource[source], idx.anySource
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	var out []*rule
	for len(a) > 0 || len(b) > 0 {
		var r *rule
		if len(b) == 0 || (len(a) > 0 && a[0].seq < b[0].seq) {
			r, a = a[0], a[1:]
		} else {
			r, b = b[0], b[1:]
		}
		if dt := r.pattern.detailTypes; dt == nil || dt[detailType] {
			out = append(out, r)
		}
	}
	return out
}

// Emit publishes an event from an AWS service on the default bus
// (core.EventSink). Events no rule can want cost two map lookups.
func (s *Service) Emit(ev core.Event) {
	cands := s.candidates(ev.Source, ev.DetailType)
	if len(cands) == 0 {
		return
	}
	env, err := s.newEnvelope(ev, s.env.Now())
	if err != nil {
		s.failed++
		return
	}
	s.route(cands, env)
}

// newEnvelope wraps ev as the default bus does, stamped with time at.
func (s *Service) newEnvelope(ev core.Event, at time.Time) (envelope, error) {
	detail := []byte("{}")
	if ev.Detail != nil {
		b, err := json.Marshal(ev.Detail)
		if err != nil {
			return envelope{}, fmt.Errorf("event %s: detail: %w", ev.DetailType, err)
		}
		detail = b
	}
	return envelope{
		Version: "0", ID: s.env.UUID(), DetailType: ev.DetailType, Source: ev.Source,
		Account: s.env.Account, Time: core.EventTime(at), Region: s.env.Region,
		Resources: nonNil(ev.Resources), Detail: detail,
	}, nil
}

// Envelope returns ev as EventBridge delivers it to an SQS target (the
// message body: version, id, detail-type, source, account, time, region,
// resources, detail), stamped with time at instead of now, without routing
// it; a scenario delivers such bodies itself (a stale or duplicated
// event). The error is a detail that does not marshal to JSON.
//
// Source: "Event structure reference", EventBridge User Guide
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html).
func (s *Service) Envelope(ev core.Event, at time.Time) (string, error) {
	env, err := s.newEnvelope(ev, at)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(env)
	if err != nil {
		return "", fmt.Errorf("event %s: %w", ev.DetailType, err)
	}
	return string(b), nil
}

// envelope is the event as EventBridge delivers it to an SQS target, with
// the members in AWS's order.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// route matches the envelope against the candidate rules and delivers it
// to the targets of each rule that matches.
func (s *Service) route(cands []*rule, env envelope) {
	body, err := json.Marshal(env)
	if err != nil {
		s.failed++
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		s.failed++
		return
	}
	for _, r := range cands {
		if !r.pattern.MatchValue(generic) {
			continue
		}
		for _, t := range r.targets {
			out, ok := t.render(body, generic)
			if !ok {
				s.failed++
				continue
			}
			s.deliver(t.arn, out)
		}
	}
}

// render applies Input or InputPath.
func (t *target) render(body []byte, generic any) (string, bool) {
	switch {
	case t.input != "":
		return t.input, true
	case t.inputPath != "":
		v, ok := lookupPath(generic, t.inputPath)
		if !ok {
			return "", false
		}
		b, err := json.Marshal(v)
		return string(b), err == nil
	}
	return string(body), true
}

// lookupPath resolves a simple JSONPath ($, $.a.b).
func lookupPath(v any, path string) (any, bool) {
	rest := strings.TrimPrefix(path, "$")
	for _, key := range strings.Split(strings.TrimPrefix(rest, "."), ".") {
		if key == "" {
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[key]; !ok {
			return nil, false
		}
	}
	return v, true
}

func (s *Service) deliver(arn, body string) {
	send := func() {
		if err := s.queues.SendToARN(arn, body); err != nil {
			s.failed++
			return
		}
		s.delivered++
	}
	if s.delay <= 0 {
		send()
		return
	}
	s.env.After(s.delay, send)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
