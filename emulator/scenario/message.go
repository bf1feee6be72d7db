package scenario

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/emulator"
	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/core"
	"github.com/drainer-dev/drainer/emulator/sqs"
)

// sendMessage does a send-message step: it renders the body (the literal
// one or the template's) and sends it Duplicate times through SQS
// SendMessage, as any other sender would.
func (r *Run) sendMessage(st Step) (instance, detail string, err error) {
	w := r.World
	body, instance, what := st.Body, "", "a message"
	if st.Template != "" {
		body, instance, what, err = r.render(st)
		if err != nil {
			return instance, "", err
		}
	}
	url, err := emulator.Invoke(w, Caller, w.SQS.GetQueueUrl, sqs.GetQueueUrlInput{QueueName: st.Queue})
	if err != nil {
		return instance, "", err
	}
	times := max(st.Duplicate, 1)
	detail = "sent " + what + " to queue " + st.Queue
	if times > 1 {
		detail += fmt.Sprintf(", %d times", times)
	}
	for range times {
		if _, err := emulator.Invoke(w, Caller, w.SQS.SendMessage, sqs.SendMessageInput{QueueUrl: url.QueueUrl, MessageBody: body}); err != nil {
			return instance, detail, err
		}
	}
	return instance, detail, nil
}

// render builds the message a send-message template describes, with the
// services' own builders, and says in words what it is.
func (r *Run) render(st Step) (body, instance, what string, err error) {
	w := r.World
	if instance, err = r.pick(st); err != nil {
		return "", "", "", err
	}
	offset := st.TimeOffset.D()
	skew := ""
	if offset != 0 {
		skew = fmt.Sprintf(", time %+v", offset)
	}
	switch st.Template {
	case TemplateSpotWarning:
		w.Do(func() { body, err = w.EventBridge.Envelope(w.EC2.SpotWarningEvent(instance), w.Now().Add(offset)) })
		return body, instance, "a Spot interruption warning for " + instance + skew, err
	case TemplateRebalance:
		w.Do(func() { body, err = w.EventBridge.Envelope(w.EC2.RebalanceEvent(instance), w.Now().Add(offset)) })
		return body, instance, "a rebalance recommendation for " + instance + skew, err
	}

	// The lifecycle templates.
	var token string
	w.Do(func() {
		group := st.Group
		if group == "" {
			var ok bool
			if group, ok = w.AutoScaling.GroupOf(instance); !ok {
				err = fmt.Errorf("instance %s is in no Auto Scaling group: name the message's group", instance)
				return
			}
		}
		var m autoscaling.LifecycleMessage
		var pending bool
		if m, pending, err = w.AutoScaling.TerminationNotice(group, instance, st.Hook); err != nil {
			return
		}
		switch {
		case st.Token == TokenWrong:
			m.LifecycleActionToken = w.Env.UUID()
			token = "a token Auto Scaling never issued"
		case pending:
			token = "the pending action's token"
		default:
			token = "no pending action, a token Auto Scaling never issued"
		}
		var at time.Time
		if at, err = time.Parse(time.RFC3339, m.Time); err != nil {
			err = fmt.Errorf("lifecycle message time %q: %w", m.Time, err)
			return
		}
		at = at.Add(offset)
		m.Time = core.ISOTime(at)
		what = fmt.Sprintf("a lifecycle message for %s (group %s, hook %s, %s%s)", instance, group, m.LifecycleHookName, token, skew)
		if st.Template == TemplateLifecycleEventBridge {
			what = strings.Replace(what, "a lifecycle message", "an EventBridge lifecycle event", 1)
			body, err = w.EventBridge.Envelope(w.AutoScaling.LifecycleEvent(m), at)
			return
		}
		var b []byte
		b, err = json.Marshal(m)
		body = string(b)
	})
	return body, instance, what, err
}
