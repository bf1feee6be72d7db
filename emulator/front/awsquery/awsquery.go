// Package awsquery serves the emulated services that speak AWS's query
// protocols: Auto Scaling (awsQuery, Version 2011-01-01), EC2 (ec2Query,
// Version 2016-11-15), SNS (awsQuery, 2010-03-31) and SQS for older
// clients such as AWS CLI 2.9 (awsQuery, 2012-11-05).
//
// A request is a form (the POST body, or the URL query of a GET) naming
// the Action and Version; its other parameters are decoded by reflection
// into the service package's input struct, named by its Go field names or
// by the `query` (awsQuery) and `ec2` (ec2Query) struct tags. Every call
// goes through emulator.Invoke (faults and the call log), and the output
// struct is encoded back as the XML document the SDKs parse.
package awsquery

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/drainer-dev/drainer/emulator"
)

// maxBody caps the form read from a request body (SQS allows 1 MiB
// messages, batches of ten).
const maxBody = 16 << 20

// service is one query-protocol service.
type service struct {
	name         string // as faults, latency and the call log name it
	xmlns        string
	dialect      dialect
	invalidParam string // the code for a parameter that does not parse
	internal     string // the service's internal error code
	ops          map[string]handler
	// noResult names the awsQuery operations whose model has no output
	// shape: their answer has no <OpResult> element at all (the others
	// have one, empty or not, and the SDKs insist on it).
	noResult map[string]bool
}

// call is one request being served.
type call struct {
	ctx    context.Context
	w      *emulator.World
	caller string
	form   *form
	r      *http.Request
}

// handler runs one operation; it returns a pointer to the output struct.
type handler func(c *call) (any, error)

// services by the Version they answer to; filled in by each service's file.
var services = map[string]*service{}

// invoke decodes the operation's input from the form and calls method
// through emulator.Invoke, which names the service and operation after it.
func invoke[I, O any](c *call, method func(I) (O, error)) (any, error) {
	var in I
	if err := c.form.decode(&in); err != nil {
		return nil, err
	}
	return emulator.Invoke(c.w, c.caller, method, in)
}

// Serve answers one query-protocol request (form Action and Version) made
// by caller.
func Serve(w *emulator.World, caller string, rw http.ResponseWriter, r *http.Request) {
	id := newRequestID()
	vals := readForm(r)
	action, version := vals.Get("Action"), vals.Get("Version")
	if v, ok := unversioned[action]; ok && version == "" {
		version = v
	}
	svc := services[version]
	defer func() {
		if p := recover(); p != nil {
			writeError(rw, svc, id, errPanic(p))
		}
	}()
	if action == "" {
		writeError(rw, svc, id, errMissingAction())
		return
	}
	if svc == nil {
		writeError(rw, nil, id, errInvalidAction(action, version))
		return
	}
	h := svc.ops[action]
	if h == nil {
		writeError(rw, svc, id, errInvalidAction(action, version))
		return
	}
	out, err := h(&call{ctx: r.Context(), w: w, caller: caller, form: newForm(vals, svc.dialect), r: r})
	w.Delay(r.Context(), svc.name, action)
	if err != nil {
		writeError(rw, svc, id, svc.apiError(err))
		return
	}
	svc.writeResult(rw, id, action, out)
}

// readForm returns the request's parameters: the URL query, and for a
// POST the form-encoded body. Malformed pairs are skipped, as the rest of
// a form still says what the caller wants.
func readForm(r *http.Request) url.Values {
	vals, _ := url.ParseQuery(r.URL.RawQuery)
	if vals == nil {
		vals = url.Values{}
	}
	if r.Body != nil && r.Method != http.MethodGet {
		b, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
		body, _ := url.ParseQuery(string(b))
		for k, v := range body {
			vals[k] = append(vals[k], v...)
		}
	}
	return vals
}
