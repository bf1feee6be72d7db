package ecs

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"sync"
)

// Members of a task or container definition the emulator does not model
// (logConfiguration, secrets, ulimits, pidMode, ephemeralStorage, …) are
// kept verbatim and shown again as given, so that nothing a client
// registers is silently dropped.

// knownMembers returns the JSON member names of a struct type's fields.
var knownMembers = func() func(reflect.Type) map[string]bool {
	var cache sync.Map
	return func(t reflect.Type) map[string]bool {
		if m, ok := cache.Load(t); ok {
			return m.(map[string]bool)
		}
		m := map[string]bool{}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name = f.Name
			}
			if name != "-" {
				m[name] = true
			}
		}
		cache.Store(t, m)
		return m
	}
}()

// extraMembers returns the members of the JSON object b that are not
// fields of t, or nil.
func extraMembers(b []byte, t reflect.Type) (map[string]json.RawMessage, error) {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	known := knownMembers(t)
	for k := range all {
		if known[k] {
			delete(all, k)
		}
	}
	if len(all) == 0 {
		return nil, nil
	}
	return all, nil
}

// withExtra adds extra members to the JSON object b, in name order.
func withExtra(b []byte, extra map[string]json.RawMessage) []byte {
	if len(extra) == 0 {
		return b
	}
	names := make([]string, 0, len(extra))
	for k := range extra {
		names = append(names, k)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	buf.Write(bytes.TrimSuffix(bytes.TrimSpace(b), []byte("}")))
	sep := len(bytes.TrimSpace(b)) > 2
	for _, k := range names {
		if sep {
			buf.WriteByte(',')
		}
		sep = true
		name, _ := json.Marshal(k)
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(extra[k])
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

func copyExtra(m map[string]json.RawMessage) map[string]json.RawMessage {
	if m == nil {
		return nil
	}
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		out[k] = append(json.RawMessage(nil), v...)
	}
	return out
}

// decodeKeeping decodes the JSON object b as a P (a type without
// UnmarshalJSON of its own) and returns the members P does not have.
func decodeKeeping[P any](b []byte) (P, map[string]json.RawMessage, error) {
	var p P
	if err := json.Unmarshal(b, &p); err != nil {
		return p, nil, err
	}
	extra, err := extraMembers(b, reflect.TypeFor[P]())
	return p, extra, err
}

// encodeKeeping encodes v (a type without MarshalJSON of its own) with the
// members kept.
func encodeKeeping(v any, extra map[string]json.RawMessage) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return withExtra(b, extra), nil
}

// UnmarshalJSON reads a container definition, keeping the members the
// emulator does not model.
func (cd *ContainerDefinition) UnmarshalJSON(b []byte) error {
	type plain ContainerDefinition
	p, extra, err := decodeKeeping[plain](b)
	if err != nil {
		return err
	}
	*cd = ContainerDefinition(p)
	cd.extra = extra
	return nil
}

// MarshalJSON writes a container definition with the members kept.
func (cd ContainerDefinition) MarshalJSON() ([]byte, error) {
	type plain ContainerDefinition
	return encodeKeeping(plain(cd), cd.extra)
}

// UnmarshalJSON reads a RegisterTaskDefinition request, keeping the task
// definition members the emulator does not model.
func (in *RegisterTaskDefinitionInput) UnmarshalJSON(b []byte) error {
	type plain RegisterTaskDefinitionInput
	p, extra, err := decodeKeeping[plain](b)
	if err != nil {
		return err
	}
	*in = RegisterTaskDefinitionInput(p)
	in.extra = extra
	return nil
}

// MarshalJSON writes a task definition with the members kept.
func (td TaskDefinition) MarshalJSON() ([]byte, error) {
	type plain TaskDefinition
	return encodeKeeping(plain(td), td.extra)
}
