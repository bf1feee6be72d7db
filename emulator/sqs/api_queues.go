package sqs

import (
	"encoding/base64"
	"slices"
	"strings"

	"github.com/drainer-dev/drainer/emulator/core"
)

// CreateQueueInput is the CreateQueue request.
type CreateQueueInput struct {
	QueueName  string            `json:"QueueName"`
	Attributes map[string]string `json:"Attributes,omitempty" query:"Attribute,flat"`
	Tags       map[string]string `json:"tags,omitempty" query:"Tag,flat,key=Key,value=Value"`
}

// CreateQueueOutput is the CreateQueue response.
type CreateQueueOutput struct {
	QueueUrl string `json:"QueueUrl,omitempty"`
}

// CreateQueue creates a standard queue. With the name of an existing queue
// it succeeds when every given attribute has the queue's current value and
// answers QueueNameExists otherwise.
func (s *Service) CreateQueue(in CreateQueueInput) (*CreateQueueOutput, error) {
	if in.QueueName == "" {
		return nil, errMissing("QueueName")
	}
	if !validQueueName(in.QueueName) {
		if strings.HasSuffix(in.QueueName, ".fifo") {
			return nil, errParam("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length. (FIFO queues are not supported by this emulator.)")
		}
		return nil, errParam("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	changes, err := s.validateAttrs(in.Attributes)
	if err != nil {
		return nil, err
	}
	now := s.env.Now()
	if q := s.queues[in.QueueName]; q != nil {
		for _, c := range changes {
			cur, _ := q.attr(c.name, now)
			if cur != c.value {
				return nil, core.ClientError(codeQueueNameExists, "A queue already exists with the same name and a different value for attribute %s", c.name)
			}
		}
		return &CreateQueueOutput{QueueUrl: q.url}, nil
	}
	if at, ok := s.deleted[in.QueueName]; ok && now.Sub(at) < recreateInterval {
		return nil, core.ClientError(codeQueueDeletedRecently, "You must wait 60 seconds after deleting a queue before you can create another with the same name.")
	}
	delete(s.deleted, in.QueueName)
	q := newQueue(in.QueueName, s.queueURL(in.QueueName), s.queueARN(in.QueueName), now)
	q.apply(changes, now)
	if len(in.Tags) > 0 {
		q.tags = make(map[string]string, len(in.Tags))
		for k, v := range in.Tags {
			q.tags[k] = v
		}
	}
	s.queues[in.QueueName] = q
	return &CreateQueueOutput{QueueUrl: q.url}, nil
}

func validQueueName(n string) bool {
	if n == "" || len(n) > 80 {
		return false
	}
	for _, r := range n {
		if !(r == '_' || r == '-' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

// GetQueueUrlInput is the GetQueueUrl request.
type GetQueueUrlInput struct {
	QueueName              string `json:"QueueName"`
	QueueOwnerAWSAccountId string `json:"QueueOwnerAWSAccountId,omitempty"`
}

// GetQueueUrlOutput is the GetQueueUrl response.
type GetQueueUrlOutput struct {
	QueueUrl string `json:"QueueUrl,omitempty"`
}

// GetQueueUrl returns the URL of a queue by name.
func (s *Service) GetQueueUrl(in GetQueueUrlInput) (*GetQueueUrlOutput, error) {
	if in.QueueName == "" {
		return nil, errMissing("QueueName")
	}
	q := s.queues[in.QueueName]
	if q == nil || (in.QueueOwnerAWSAccountId != "" && in.QueueOwnerAWSAccountId != s.env.Account) {
		return nil, errNoQueue()
	}
	return &GetQueueUrlOutput{QueueUrl: q.url}, nil
}

// GetQueueAttributesInput is the GetQueueAttributes request.
type GetQueueAttributesInput struct {
	QueueUrl       string   `json:"QueueUrl"`
	AttributeNames []string `json:"AttributeNames,omitempty" query:"AttributeName,flat"`
}

// GetQueueAttributesOutput is the GetQueueAttributes response.
type GetQueueAttributesOutput struct {
	Attributes map[string]string `json:"Attributes,omitempty" query:"Attribute,flat"`
}

// GetQueueAttributes returns the named attributes, or all with "All".
func (s *Service) GetQueueAttributes(in GetQueueAttributesInput) (*GetQueueAttributesOutput, error) {
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	names := in.AttributeNames
	for _, n := range names {
		if n == "All" {
			names = readable
			break
		}
		if !isReadable(n) {
			return nil, core.ClientError(codeInvalidAttributeName, "Unknown Attribute %s.", n)
		}
	}
	now := s.env.Now()
	q.sweep(now)
	out := &GetQueueAttributesOutput{}
	for _, n := range names {
		if v, ok := q.attr(n, now); ok {
			if out.Attributes == nil {
				out.Attributes = map[string]string{}
			}
			out.Attributes[n] = v
		}
	}
	return out, nil
}

// SetQueueAttributesInput is the SetQueueAttributes request.
type SetQueueAttributesInput struct {
	QueueUrl   string            `json:"QueueUrl"`
	Attributes map[string]string `json:"Attributes" query:"Attribute,flat"`
}

// SetQueueAttributesOutput is the (empty) SetQueueAttributes response.
type SetQueueAttributesOutput struct{}

// SetQueueAttributes validates every attribute, then applies them all.
func (s *Service) SetQueueAttributes(in SetQueueAttributesInput) (*SetQueueAttributesOutput, error) {
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if len(in.Attributes) == 0 {
		return nil, errMissing("Attributes")
	}
	changes, err := s.validateAttrs(in.Attributes)
	if err != nil {
		return nil, err
	}
	q.apply(changes, s.env.Now())
	return &SetQueueAttributesOutput{}, nil
}

// ListQueuesInput is the ListQueues request.
type ListQueuesInput struct {
	QueueNamePrefix string `json:"QueueNamePrefix,omitempty"`
	NextToken       string `json:"NextToken,omitempty"`
	MaxResults      *int32 `json:"MaxResults,omitempty"`
}

// ListQueuesOutput is the ListQueues response.
type ListQueuesOutput struct {
	QueueUrls []string `json:"QueueUrls,omitempty" query:"QueueUrl,flat"`
	NextToken string   `json:"NextToken,omitempty"`
}

// ListQueues lists queue URLs sorted by name; without MaxResults it returns
// up to 1,000 and no token, as SQS does.
func (s *Service) ListQueues(in ListQueuesInput) (*ListQueuesOutput, error) {
	limit := 1000
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 1000 {
			return nil, errParam("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", *in.MaxResults)
		}
		limit = int(*in.MaxResults)
	}
	after := ""
	if in.NextToken != "" {
		b, err := base64.StdEncoding.DecodeString(in.NextToken)
		if err != nil || !strings.HasPrefix(string(b), "after:") {
			return nil, errParam("Invalid NextToken value.")
		}
		after = strings.TrimPrefix(string(b), "after:")
	}
	names := make([]string, 0, len(s.queues))
	for n := range s.queues {
		if strings.HasPrefix(n, in.QueueNamePrefix) && n > after {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	out := &ListQueuesOutput{}
	for i, n := range names {
		if i == limit {
			if in.MaxResults != nil {
				out.NextToken = base64.StdEncoding.EncodeToString([]byte("after:" + names[i-1]))
			}
			break
		}
		out.QueueUrls = append(out.QueueUrls, s.queues[n].url)
	}
	return out, nil
}

// DeleteQueueInput is the DeleteQueue request.
type DeleteQueueInput struct {
	QueueUrl string `json:"QueueUrl"`
}

// DeleteQueueOutput is the (empty) DeleteQueue response.
type DeleteQueueOutput struct{}

// DeleteQueue deletes a queue and its messages; its name can be reused
// after 60 seconds.
func (s *Service) DeleteQueue(in DeleteQueueInput) (*DeleteQueueOutput, error) {
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if q.timer != nil {
		q.timer.Stop()
		q.timer = nil
	}
	q.waiters = nil
	delete(s.queues, q.name)
	s.deleted[q.name] = s.env.Now()
	return &DeleteQueueOutput{}, nil
}

// PurgeQueueInput is the PurgeQueue request.
type PurgeQueueInput struct {
	QueueUrl string `json:"QueueUrl"`
}

// PurgeQueueOutput is the (empty) PurgeQueue response.
type PurgeQueueOutput struct{}

// PurgeQueue deletes every message, in flight or not; one purge per 60 s.
func (s *Service) PurgeQueue(in PurgeQueueInput) (*PurgeQueueOutput, error) {
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	now := s.env.Now()
	if !q.lastPurge.IsZero() && now.Sub(q.lastPurge) < purgeInterval {
		return nil, core.ClientError(codePurgeQueueInProgress, "Only one PurgeQueue operation on %s is allowed every 60 seconds.", q.name)
	}
	q.lastPurge = now
	q.clear()
	s.arm(q)
	return &PurgeQueueOutput{}, nil
}

// ListQueueTagsInput is the ListQueueTags request.
type ListQueueTagsInput struct {
	QueueUrl string `json:"QueueUrl"`
}

// ListQueueTagsOutput is the ListQueueTags response: the tags, omitted
// when the queue has none.
type ListQueueTagsOutput struct {
	Tags map[string]string `json:"Tags,omitempty" query:"Tag,flat,key=Key,value=Value"`
}

// ListQueueTags returns the tags a queue was created with (CreateQueue's
// tags).
//
// Source: "ListQueueTags", Amazon SQS API Reference
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListQueueTags.html):
// request {"QueueUrl"}, response {"Tags": {KEY: VALUE}}; QueueDoesNotExist
// for a queue that does not exist.
func (s *Service) ListQueueTags(in ListQueueTagsInput) (*ListQueueTagsOutput, error) {
	q, err := s.byURL(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	out := &ListQueueTagsOutput{}
	if len(q.tags) > 0 {
		out.Tags = make(map[string]string, len(q.tags))
		for k, v := range q.tags {
			out.Tags[k] = v
		}
	}
	return out, nil
}
