package core

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// EpochTime is a timestamp that the JSON protocols (ECS, EventBridge) carry
// as fractional epoch seconds. The zero value is omitted with `omitzero`.
type EpochTime struct{ time.Time }

// Epoch wraps t.
func Epoch(t time.Time) EpochTime { return EpochTime{t} }

// MarshalJSON writes epoch seconds with millisecond precision.
func (t EpochTime) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	ms := t.UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

// UnmarshalJSON accepts epoch seconds (number) or an RFC 3339 string.
func (t *EpochTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*t = EpochTime{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			*t = EpochTime{fromSeconds(f)}
			return nil
		}
		p, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return err
		}
		*t = EpochTime{p.UTC()}
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*t = EpochTime{fromSeconds(f)}
	return nil
}

func fromSeconds(f float64) time.Time {
	return time.UnixMilli(int64(f*1000 + 0.5)).UTC()
}

// ISOTime formats t the way Auto Scaling notifications and EventBridge
// envelopes do: RFC 3339 in UTC with milliseconds for notifications.
func ISOTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// EventTime formats t the way EventBridge envelopes do (no fraction).
func EventTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
