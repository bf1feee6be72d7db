package sqs

// MessageAttributeValue is a user message attribute (String, Number or
// Binary, optionally with a custom suffix such as "Number.float").
type MessageAttributeValue struct {
	DataType         string   `json:"DataType,omitempty"`
	StringValue      *string  `json:"StringValue,omitempty"`
	BinaryValue      []byte   `json:"BinaryValue,omitempty"`
	StringListValues []string `json:"StringListValues,omitempty" query:"StringListValue,flat"`
	BinaryListValues [][]byte `json:"BinaryListValues,omitempty" query:"BinaryListValue,flat"`
}

// MessageSystemAttributeValue is a system attribute set by the sender
// (only AWSTraceHeader exists).
type MessageSystemAttributeValue struct {
	DataType         string   `json:"DataType,omitempty"`
	StringValue      *string  `json:"StringValue,omitempty"`
	BinaryValue      []byte   `json:"BinaryValue,omitempty"`
	StringListValues []string `json:"StringListValues,omitempty" query:"StringListValue,flat"`
	BinaryListValues [][]byte `json:"BinaryListValues,omitempty" query:"BinaryListValue,flat"`
}

// Message is a received message.
type Message struct {
	MessageId              string                           `json:"MessageId,omitempty"`
	ReceiptHandle          string                           `json:"ReceiptHandle,omitempty"`
	MD5OfBody              string                           `json:"MD5OfBody,omitempty"`
	Body                   string                           `json:"Body,omitempty"`
	Attributes             map[string]string                `json:"Attributes,omitempty" query:"Attribute,flat"`
	MD5OfMessageAttributes string                           `json:"MD5OfMessageAttributes,omitempty"`
	MessageAttributes      map[string]MessageAttributeValue `json:"MessageAttributes,omitempty" query:"MessageAttribute,flat"`
}

// BatchResultErrorEntry is one failed entry of a batch operation.
type BatchResultErrorEntry struct {
	Id          string `json:"Id"`
	SenderFault bool   `json:"SenderFault"`
	Code        string `json:"Code"`
	Message     string `json:"Message,omitempty"`
}

// failEntry builds a BatchResultErrorEntry from an API error.
func failEntry(id string, err error) BatchResultErrorEntry {
	e := asError(err)
	return BatchResultErrorEntry{Id: id, SenderFault: e.Sender(), Code: e.Code, Message: e.Message}
}
