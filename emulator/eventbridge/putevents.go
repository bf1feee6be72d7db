package eventbridge

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/drainer-dev/drainer/emulator/core"
)

// PutEventsRequestEntry is one event to put.
type PutEventsRequestEntry struct {
	Time         core.EpochTime `json:"Time,omitzero"`
	Source       string         `json:"Source,omitempty"`
	Resources    []string       `json:"Resources,omitempty"`
	DetailType   string         `json:"DetailType,omitempty"`
	Detail       string         `json:"Detail,omitempty"`
	EventBusName string         `json:"EventBusName,omitempty"`
	TraceHeader  string         `json:"TraceHeader,omitempty"`
}

// PutEventsInput is the PutEvents request.
type PutEventsInput struct {
	Entries    []PutEventsRequestEntry `json:"Entries"`
	EndpointId string                  `json:"EndpointId,omitempty"`
}

// PutEventsResultEntry is the result of one entry: an EventId or an error.
type PutEventsResultEntry struct {
	EventId      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

// PutEventsOutput is the PutEvents response; Entries line up with the
// request's.
type PutEventsOutput struct {
	FailedEntryCount int32                  `json:"FailedEntryCount"`
	Entries          []PutEventsResultEntry `json:"Entries"`
}

// PutEvents puts 1-10 custom events on the default bus. Entries fail one
// by one, each reported in its result entry (ErrorCode, ErrorMessage) and
// counted in FailedEntryCount, while the call itself succeeds: missing
// members or bad detail (InvalidArgument, MalformedDetail) and sources
// beginning "aws." (NotAuthorizedForSourceException). Only a request of no
// entries or more than ten fails as a whole (ValidationException). An
// event for another bus, which does not exist here, is accepted and
// dropped, as EventBridge does.
//
// Source: "Sending events with PutEvents in Amazon EventBridge", Handling
// failures with PutEvents ("if an individual entry within a request fails,
// EventBridge continues processing the rest of the entries"), Amazon
// EventBridge User Guide
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevents.html).
func (s *Service) PutEvents(in PutEventsInput) (*PutEventsOutput, error) {
	if len(in.Entries) == 0 || len(in.Entries) > maxPutEventsEntries {
		return nil, errValidation("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1")
	}
	out := &PutEventsOutput{Entries: make([]PutEventsResultEntry, 0, len(in.Entries))}
	for _, e := range in.Entries {
		res := s.putEvent(e)
		if res.ErrorCode != "" {
			out.FailedEntryCount++
		}
		out.Entries = append(out.Entries, res)
	}
	return out, nil
}

func (s *Service) putEvent(e PutEventsRequestEntry) PutEventsResultEntry {
	fail := func(code, msg string) PutEventsResultEntry {
		return PutEventsResultEntry{ErrorCode: code, ErrorMessage: msg}
	}
	switch {
	case e.Source == "":
		return fail("InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument.")
	case e.DetailType == "":
		return fail("InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument.")
	case e.Detail == "":
		return fail("InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument.")
	case len(e.DetailType) > 128:
		return fail("InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is longer than 128 characters.")
	case len(e.Source) > 256:
		return fail("InvalidArgument", "Parameter Source is not valid. Reason: Source is longer than 256 characters.")
	case strings.HasPrefix(e.Source, "aws."):
		return fail("NotAuthorizedForSourceException", "Not authorized for the source.")
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal([]byte(e.Detail), &obj) != nil || obj == nil {
		return fail("MalformedDetail", "Detail is malformed.")
	}
	var detail bytes.Buffer
	if json.Compact(&detail, []byte(e.Detail)) != nil {
		return fail("MalformedDetail", "Detail is malformed.")
	}
	for _, r := range e.Resources {
		if r == "" {
			return fail("InvalidArgument", "Parameter Resources is not valid. Reason: a resource is empty.")
		}
	}
	at := s.env.Now()
	if !e.Time.IsZero() {
		at = e.Time.Time
	}
	id := s.env.UUID()
	if s.checkBus(e.EventBusName) != nil {
		// EventBridge accepts an event for a bus that does not exist and
		// drops it: a 200 with an event id, no failed entry (localstack
		// #8264 measured it against AWS; aws/aws-cli#9186 and
		// aws/aws-sdk#186 report it still so).
		return PutEventsResultEntry{EventId: id}
	}
	if cands := s.candidates(e.Source, e.DetailType); len(cands) > 0 {
		s.route(cands, envelope{
			Version: "0", ID: id, DetailType: e.DetailType, Source: e.Source,
			Account: s.env.Account, Time: core.EventTime(at), Region: s.env.Region,
			Resources: append([]string{}, e.Resources...), Detail: detail.Bytes(),
		})
	}
	return PutEventsResultEntry{EventId: id}
}
