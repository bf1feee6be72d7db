package sqs

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// A receipt handle names the queue, the message's sequence number and the
// receive it came from, plus seeded noise so that handles look opaque. A
// handle is current only while it equals the message's latest handle.
func (s *Service) newHandle(q *queue, m *message) string {
	raw := "rh1 " + q.name + " " + strconv.FormatUint(m.seq, 10) + " " + strconv.Itoa(m.receiveCount) + " " + s.env.Hex(40)
	return "AQEB" + base64.StdEncoding.EncodeToString([]byte(raw))
}

// parseHandle returns the queue name and message sequence number a handle
// was issued for; ok is false when it is not one of ours.
func parseHandle(h string) (queueName string, seq uint64, ok bool) {
	rest, found := strings.CutPrefix(h, "AQEB")
	if !found {
		return "", 0, false
	}
	b, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		return "", 0, false
	}
	f := strings.Split(string(b), " ")
	if len(f) != 5 || f[0] != "rh1" {
		return "", 0, false
	}
	seq, err = strconv.ParseUint(f[2], 10, 64)
	if err != nil {
		return "", 0, false
	}
	return f[1], seq, true
}

// lookupHandle resolves a handle against q: the message (nil when it is
// gone), whether the handle is its latest, or an error for a malformed
// handle or one issued by another queue.
func (s *Service) lookupHandle(q *queue, h string) (m *message, current bool, err error) {
	if h == "" {
		return nil, false, errMissing("ReceiptHandle")
	}
	name, seq, ok := parseHandle(h)
	if !ok || name != q.name {
		return nil, false, errBadHandle(h)
	}
	m = q.bySeq[seq]
	if m == nil {
		return nil, false, nil
	}
	return m, m.handle == h, nil
}
