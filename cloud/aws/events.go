package aws

import (
	"context"
	"errors"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/drainer-dev/drainer/cloud"
)

// PutEvents implements cloud.Events.
func (c *Client) PutEvents(ctx context.Context, events []cloud.Event) ([]cloud.Failure, error) {
	var failures []cloud.Failure
	for start := 0; start < len(events); start += maxPutEvents {
		batch := events[start:min(start+maxPutEvents, len(events))]
		entries := make([]ebtypes.PutEventsRequestEntry, len(batch))
		for i, ev := range batch {
			entries[i] = eventEntry(ev)
		}
		res, err := c.events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
		if err != nil {
			return failures, wrap(err, "put %d events", len(batch))
		}
		// Results line up with entries; failed ones carry an error code.
		for i, r := range res.Entries {
			if aws.ToString(r.ErrorCode) != "" {
				failures = append(failures, cloud.Failure{
					ID: strconv.Itoa(start + i), Code: aws.ToString(r.ErrorCode), Message: aws.ToString(r.ErrorMessage),
				})
			}
		}
	}
	return failures, nil
}

func eventEntry(ev cloud.Event) ebtypes.PutEventsRequestEntry {
	e := ebtypes.PutEventsRequestEntry{
		Source:     aws.String(ev.Source),
		DetailType: aws.String(ev.DetailType),
		Detail:     aws.String(ev.Detail),
		Resources:  ev.Resources,
	}
	if ev.Source == "" {
		e.Source = aws.String(cloud.EventSource)
	}
	if ev.Detail == "" {
		e.Detail = aws.String("{}")
	}
	if !ev.Time.IsZero() {
		e.Time = aws.Time(ev.Time)
	}
	if ev.Bus != "" {
		e.EventBusName = aws.String(ev.Bus)
	}
	return e
}

// RulesTargeting implements cloud.Events. A rule deleted between
// ListRules and its ListTargetsByRule (ResourceNotFoundException) is left
// out.
func (c *Client) RulesTargeting(ctx context.Context, targetARN string) ([]cloud.Rule, error) {
	var out []cloud.Rule
	var token *string
	for {
		res, err := c.events.ListRules(ctx, &eventbridge.ListRulesInput{NextToken: token})
		if err != nil {
			return nil, wrap(err, "list rules")
		}
		for _, r := range res.Rules {
			targets, err := c.events.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: r.Name})
			err = wrap(err, "list targets of rule %s", aws.ToString(r.Name))
			if errors.Is(err, cloud.ErrNotFound) {
				continue // deleted since it was listed
			}
			if err != nil {
				return nil, err
			}
			for _, t := range targets.Targets {
				if aws.ToString(t.Arn) == targetARN {
					out = append(out, cloud.Rule{Name: aws.ToString(r.Name), State: string(r.State), EventPattern: aws.ToString(r.EventPattern)})
					break
				}
			}
		}
		if res.NextToken == nil {
			return out, nil
		}
		token = res.NextToken
	}
}
