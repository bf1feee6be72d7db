package sqs

// DeleteMessageInput is the DeleteMessage request.
type DeleteMessageInput struct {
	QueueUrl      string `json:"QueueUrl"`
	ReceiptHandle string `json:"ReceiptHandle"`
}

// DeleteMessageOutput is the (empty) DeleteMessage response.
type DeleteMessageOutput struct{}

// DeleteMessage deletes the message a receipt handle came from. As in SQS,
// a handle of a message already deleted succeeds, and so does an outdated
// handle (the message was received again since), without deleting.
func (s *Service) DeleteMessage(in DeleteMessageInput) (*DeleteMessageOutput, error) {
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := s.deleteByHandle(q, in.ReceiptHandle); err != nil {
		return nil, err
	}
	return &DeleteMessageOutput{}, nil
}

func (s *Service) deleteByHandle(q *queue, h string) error {
	m, current, err := s.lookupHandle(q, h)
	if err != nil {
		return err
	}
	if m != nil && current {
		q.remove(m)
	}
	return nil
}

// DeleteMessageBatchRequestEntry is one handle to delete.
type DeleteMessageBatchRequestEntry struct {
	Id            string `json:"Id"`
	ReceiptHandle string `json:"ReceiptHandle"`
}

// DeleteMessageBatchResultEntry is one deleted entry.
type DeleteMessageBatchResultEntry struct {
	Id string `json:"Id"`
}

// DeleteMessageBatchInput is the DeleteMessageBatch request.
type DeleteMessageBatchInput struct {
	QueueUrl string                           `json:"QueueUrl"`
	Entries  []DeleteMessageBatchRequestEntry `json:"Entries" query:"DeleteMessageBatchRequestEntry,flat"`
}

// DeleteMessageBatchOutput is the DeleteMessageBatch response.
type DeleteMessageBatchOutput struct {
	Successful []DeleteMessageBatchResultEntry `json:"Successful" query:"DeleteMessageBatchResultEntry,flat"`
	Failed     []BatchResultErrorEntry         `json:"Failed" query:"BatchResultErrorEntry,flat"`
}

// DeleteMessageBatch deletes up to 10 messages; entries fail one by one.
func (s *Service) DeleteMessageBatch(in DeleteMessageBatchInput) (*DeleteMessageBatchOutput, error) {
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkBatchIDs("DeleteMessageBatchRequestEntry", ids); err != nil {
		return nil, err
	}
	out := &DeleteMessageBatchOutput{Successful: []DeleteMessageBatchResultEntry{}, Failed: []BatchResultErrorEntry{}}
	for _, e := range in.Entries {
		if err := s.deleteByHandle(q, e.ReceiptHandle); err != nil {
			out.Failed = append(out.Failed, failEntry(e.Id, err))
			continue
		}
		out.Successful = append(out.Successful, DeleteMessageBatchResultEntry{Id: e.Id})
	}
	return out, nil
}
