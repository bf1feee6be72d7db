package awsjson

import (
	"slices"
)

// protocol is one JSON-protocol service: how it is named in X-Amz-Target,
// in fault rules and the call log, and on the wire.
type protocol struct {
	// target is the X-Amz-Target prefix.
	target string
	// service is the name fault rules and the call log use.
	service string
	// version is "1.0" or "1.1" (Content-Type application/x-amz-json-VERSION).
	version string
	// namespace prefixes error codes in __type ("com.amazonaws.sqs#").
	namespace string
	// queryCompatible services also answer the awsQuery error code in
	// X-Amzn-Query-Error (SQS).
	queryCompatible bool
	// ops serve the operations by name.
	ops map[string]handler
}

// handler serves one operation.
type handler func(c *call) (any, error)

func (p *protocol) contentType() string { return "application/x-amz-json-" + p.version }

// protocols by X-Amz-Target prefix.
var protocols = map[string]*protocol{}

func register(p *protocol) *protocol {
	protocols[p.target] = p
	return p
}

// fallback answers requests whose target names no service we know.
var fallback = &protocol{version: "1.1"}

// Operations returns the operations served for an X-Amz-Target prefix
// (nil for an unknown prefix), sorted.
func Operations(target string) []string {
	p := protocols[target]
	if p == nil {
		return nil
	}
	out := make([]string, 0, len(p.ops))
	for op := range p.ops {
		out = append(out, op)
	}
	slices.Sort(out)
	return out
}

// Targets returns the X-Amz-Target prefixes served, sorted.
func Targets() []string {
	var out []string
	for t := range protocols {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}
