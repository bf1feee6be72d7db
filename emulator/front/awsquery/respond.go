package awsquery

import (
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"sync/atomic"

	"github.com/drainer-dev/drainer/emulator/core"
)

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

var requestSeq atomic.Uint64

// newRequestID returns a fresh request id shaped like AWS's (a UUID). It
// does not draw on the world's seeded random source, so serving a request
// never changes what the world does.
func newRequestID() string {
	n := requestSeq.Add(1)
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(n>>32), uint16(n>>16), uint16(n)&0xfff, 0, n)
}

func writeXML(rw http.ResponseWriter, status int, id string, body []byte) {
	h := rw.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-amzn-RequestId", id)
	rw.WriteHeader(status)
	_, _ = rw.Write(body)
}

// writeResult answers a successful call: out is a pointer to the
// operation's output struct.
func (s *service) writeResult(rw http.ResponseWriter, id, op string, out any) {
	e := &encoder{d: s.dialect}
	e.buf.WriteString(xmlHeader)
	e.buf.WriteString(`<` + op + `Response xmlns="` + s.xmlns + `">`)
	v := reflect.ValueOf(out)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	hasMembers := v.Kind() == reflect.Struct && len(fieldsOf(v.Type(), s.dialect)) > 0
	if !hasMembers {
		v = reflect.Value{}
	}
	switch s.dialect {
	case ec2Query:
		e.text("requestId", id)
		if hasMembers {
			e.structure(v)
		} else {
			e.text("return", "true")
		}
	default:
		if !s.noResult[op] {
			e.open(op + "Result")
			if hasMembers {
				e.structure(v)
			}
			e.close(op + "Result")
		}
		e.open("ResponseMetadata")
		e.text("RequestId", id)
		e.close("ResponseMetadata")
	}
	e.close(op + "Response")
	writeXML(rw, http.StatusOK, id, e.buf.Bytes())
}

// writeError answers err in the dialect's error document; s is nil when
// the request named no known service (the awsQuery shape is used then).
func writeError(rw http.ResponseWriter, s *service, id string, err *core.Error) {
	e := &encoder{}
	e.buf.WriteString(xmlHeader)
	code := err.Code
	if s != nil && s.name == "sqs" {
		code = sqsQueryCode(code)
	}
	if s != nil && s.dialect == ec2Query {
		e.open("Response")
		e.open("Errors")
		e.open("Error")
		e.text("Code", code)
		e.text("Message", err.Message)
		e.close("Error")
		e.close("Errors")
		e.text("RequestID", id)
		e.close("Response")
	} else {
		if s != nil {
			e.buf.WriteString(`<ErrorResponse xmlns="` + s.xmlns + `">`)
		} else {
			e.open("ErrorResponse")
		}
		e.open("Error")
		kind := "Sender"
		if !err.Sender() {
			kind = "Receiver"
		}
		e.text("Type", kind)
		e.text("Code", code)
		e.text("Message", err.Message)
		e.close("Error")
		e.text("RequestId", id)
		e.close("ErrorResponse")
	}
	status := err.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	writeXML(rw, status, id, e.buf.Bytes())
}

// Refuse answers a request no service may see (a credential scoped to
// another Region) with an error in the query dialect of the service its
// Version names, as that service answers its own errors.
func Refuse(rw http.ResponseWriter, r *http.Request, status int, code, message string) {
	vals := readForm(r)
	version := vals.Get("Version")
	if v, ok := unversioned[vals.Get("Action")]; ok && version == "" {
		version = v
	}
	writeError(rw, services[version], newRequestID(), &core.Error{Code: code, Message: message, Status: status})
}
