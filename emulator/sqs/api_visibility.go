package sqs

import (
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// ChangeMessageVisibilityInput is the ChangeMessageVisibility request.
type ChangeMessageVisibilityInput struct {
	QueueUrl          string `json:"QueueUrl"`
	ReceiptHandle     string `json:"ReceiptHandle"`
	VisibilityTimeout int32  `json:"VisibilityTimeout"`
}

// ChangeMessageVisibilityOutput is the (empty) ChangeMessageVisibility response.
type ChangeMessageVisibilityOutput struct{}

// ChangeMessageVisibility sets a new visibility timeout, counted from now,
// for a message in flight; 0 makes it visible at once. A message stays in
// flight at most 12 hours from its receive.
func (s *Service) ChangeMessageVisibility(in ChangeMessageVisibilityInput) (*ChangeMessageVisibilityOutput, error) {
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := s.changeVisibility(q, in.ReceiptHandle, in.VisibilityTimeout); err != nil {
		return nil, err
	}
	return &ChangeMessageVisibilityOutput{}, nil
}

func (s *Service) changeVisibility(q *queue, h string, vt int32) *core.Error {
	if vt < 0 || vt > maxVisibility {
		return errParam("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= %d, if provided.", vt, maxVisibility)
	}
	m, _, err := s.lookupHandle(q, h)
	if err != nil {
		return asError(err)
	}
	now := s.env.Now()
	if m == nil {
		return errParam("Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.", h)
	}
	if m.state(now) != stateInflight {
		return core.ClientError(codeMessageNotInflight, "Message not inflight.")
	}
	until := now.Add(time.Duration(vt) * time.Second)
	if until.Sub(m.receivedAt) > maxInflightLifetime {
		return errParam("Value %d for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]", vt)
	}
	m.visibleAt = until
	q.retime(m)
	s.arm(q)
	if vt == 0 {
		s.wake(q)
	}
	return nil
}

// ChangeMessageVisibilityBatchRequestEntry is one visibility change.
type ChangeMessageVisibilityBatchRequestEntry struct {
	Id                string `json:"Id"`
	ReceiptHandle     string `json:"ReceiptHandle"`
	VisibilityTimeout int32  `json:"VisibilityTimeout,omitempty"`
}

// ChangeMessageVisibilityBatchResultEntry is one changed entry.
type ChangeMessageVisibilityBatchResultEntry struct {
	Id string `json:"Id"`
}

// ChangeMessageVisibilityBatchInput is the ChangeMessageVisibilityBatch request.
type ChangeMessageVisibilityBatchInput struct {
	QueueUrl string                                     `json:"QueueUrl"`
	Entries  []ChangeMessageVisibilityBatchRequestEntry `json:"Entries" query:"ChangeMessageVisibilityBatchRequestEntry,flat"`
}

// ChangeMessageVisibilityBatchOutput is the ChangeMessageVisibilityBatch response.
type ChangeMessageVisibilityBatchOutput struct {
	Successful []ChangeMessageVisibilityBatchResultEntry `json:"Successful" query:"ChangeMessageVisibilityBatchResultEntry,flat"`
	Failed     []BatchResultErrorEntry                   `json:"Failed" query:"BatchResultErrorEntry,flat"`
}

// ChangeMessageVisibilityBatch changes up to 10 visibility timeouts.
func (s *Service) ChangeMessageVisibilityBatch(in ChangeMessageVisibilityBatchInput) (*ChangeMessageVisibilityBatchOutput, error) {
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkBatchIDs("ChangeMessageVisibilityBatchRequestEntry", ids); err != nil {
		return nil, err
	}
	out := &ChangeMessageVisibilityBatchOutput{Successful: []ChangeMessageVisibilityBatchResultEntry{}, Failed: []BatchResultErrorEntry{}}
	for _, e := range in.Entries {
		if err := s.changeVisibility(q, e.ReceiptHandle, e.VisibilityTimeout); err != nil {
			out.Failed = append(out.Failed, failEntry(e.Id, err))
			continue
		}
		out.Successful = append(out.Successful, ChangeMessageVisibilityBatchResultEntry{Id: e.Id})
	}
	return out, nil
}
