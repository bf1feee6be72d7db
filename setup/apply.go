package setup

import (
	"context"
	"fmt"

	"github.com/drainer-dev/drainer/cloud"
)

// Result is what Apply did.
type Result struct {
	// Created, Updated and Deleted count the steps carried out, by action.
	Created, Updated, Deleted int
	// QueueURLs are the URLs of the queues the steps created or found,
	// by name.
	QueueURLs map[string]string
}

// Apply carries out steps (a Plan) in order, calling done, when not nil,
// after each step that changed something. Keep steps do nothing. The
// first step that fails stops it: its error names the step, and the
// steps before it stay done (a second run plans what is left).
//
// Per step: a queue, CreateQueue (with its attributes and tags),
// SetQueueAttributes or DeleteQueue; a rule, PutRule and PutTargets, or
// RemoveTargets and DeleteRule; a hook, PutLifecycleHook or
// DeleteLifecycleHook.
func Apply(ctx context.Context, c Cloud, steps []Step, done func(Step)) (Result, error) {
	res := Result{QueueURLs: map[string]string{}}
	for _, s := range steps {
		if s.QueueURL != "" {
			res.QueueURLs[s.Name] = s.QueueURL
		}
		if !s.Changes() {
			continue
		}
		if err := apply(ctx, c, s, &res); err != nil {
			return res, fmt.Errorf("%s %s %s: %w", s.Action, s.Kind, s.Resource(), err)
		}
		switch s.Action {
		case Create:
			res.Created++
		case Update:
			res.Updated++
		case Delete:
			res.Deleted++
		}
		if done != nil {
			done(s)
		}
	}
	return res, nil
}

// apply carries out one step.
func apply(ctx context.Context, c Cloud, s Step, res *Result) error {
	switch s.Kind {
	case KindQueue, KindDeadLetterQueue:
		switch s.Action {
		case Create:
			url, err := c.CreateQueue(ctx, s.Name, s.Attributes, s.Tags)
			if err != nil {
				return err
			}
			res.QueueURLs[s.Name] = url
		case Update:
			return c.SetQueueAttributes(ctx, s.QueueURL, s.Attributes)
		case Delete:
			delete(res.QueueURLs, s.Name)
			return c.DeleteQueue(ctx, s.QueueURL)
		}
	case KindRule:
		if s.PutRule {
			if _, err := c.PutRule(ctx, s.Rule, s.Tags); err != nil {
				return err
			}
		}
		if s.PutTarget {
			if err := c.PutTargets(ctx, s.Name, []cloud.Target{s.Target}); err != nil {
				return err
			}
		}
		if s.RemoveTarget {
			if err := c.RemoveTargets(ctx, s.Name, []string{TargetID}); err != nil {
				return err
			}
		}
		if s.Action == Delete {
			return c.DeleteRule(ctx, s.Name)
		}
	case KindHook:
		if s.Action == Delete {
			return c.DeleteLifecycleHook(ctx, s.Group, s.Name)
		}
		return c.PutLifecycleHook(ctx, s.Hook)
	}
	return nil
}
