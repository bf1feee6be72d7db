package awsquery

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// decodeError reports a parameter whose value does not parse.
type decodeError struct {
	param, value, want string
}

func (e *decodeError) Error() string {
	return fmt.Sprintf("Value '%s' for parameter %s is invalid: expecting %s", e.value, e.param, e.want)
}

// form is a request's parameters with their names sorted, so that every
// member's parameters are found by prefix search.
type form struct {
	vals url.Values
	keys []string
	d    dialect
}

func newForm(vals url.Values, d dialect) *form {
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return &form{vals: vals, keys: keys, d: d}
}

// decode fills the struct pointed to by dst from the form.
func (f *form) decode(dst any) error {
	return f.structure("", reflect.ValueOf(dst).Elem())
}

// get returns the value of one parameter.
func (f *form) get(name string) (string, bool) {
	v, ok := f.vals[name]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// under returns the parameter names that start with prefix.
func (f *form) under(prefix string) []string {
	i, _ := slices.BinarySearch(f.keys, prefix)
	j := i
	for j < len(f.keys) && strings.HasPrefix(f.keys[j], prefix) {
		j++
	}
	return f.keys[i:j]
}

// present reports whether name or anything below it (name.…) is given.
func (f *form) present(name string) bool {
	if _, ok := f.vals[name]; ok {
		return true
	}
	return len(f.under(name+".")) > 0
}

// indices returns the distinct positive indices N of parameters named
// prefix.N or prefix.N.…, in ascending order.
func (f *form) indices(prefix string) []int {
	var out []int
	for _, k := range f.under(prefix + ".") {
		rest := k[len(prefix)+1:]
		num, _, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 || strconv.Itoa(n) != num {
			continue
		}
		if i, found := slices.BinarySearch(out, n); !found {
			out = slices.Insert(out, i, n)
		}
	}
	return out
}

func (f *form) structure(prefix string, v reflect.Value) error {
	for _, fl := range fieldsOf(v.Type(), f.d) {
		if err := f.member(prefix+fl.in, fl, v.Field(fl.index)); err != nil {
			return err
		}
	}
	return nil
}

// member decodes the parameter(s) called name into v.
func (f *form) member(name string, fl field, v reflect.Value) error {
	t := v.Type()
	switch {
	case t == timeType || isScalar(t.Kind()) || t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		s, ok := f.get(name)
		if !ok {
			return nil
		}
		return scalar(name, s, v)
	case t.Kind() == reflect.Pointer:
		if !f.present(name) {
			return nil
		}
		if _, ok := f.get(name); !ok && t.Elem().Kind() != reflect.Struct {
			return nil
		}
		p := reflect.New(t.Elem())
		if err := f.member(name, fl, p.Elem()); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case t.Kind() == reflect.Struct:
		if !f.present(name) {
			return nil
		}
		return f.structure(name+".", v)
	case t.Kind() == reflect.Slice:
		return f.list(name, fl, v)
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
		return f.dict(name, fl, v)
	}
	return nil
}

func (f *form) list(name string, fl field, v reflect.Value) error {
	itemPrefix := name + ".member"
	if fl.flat {
		itemPrefix = name
	}
	idx := f.indices(itemPrefix)
	if len(idx) == 0 {
		if _, ok := f.vals[name]; ok { // "Name=" is an empty list
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		}
		return nil
	}
	s := reflect.MakeSlice(v.Type(), len(idx), len(idx))
	for i, n := range idx {
		if err := f.member(itemPrefix+"."+strconv.Itoa(n), field{}, s.Index(i)); err != nil {
			return err
		}
	}
	v.Set(s)
	return nil
}

func (f *form) dict(name string, fl field, v reflect.Value) error {
	entryPrefix := name + ".entry"
	if fl.flat {
		entryPrefix = name
	}
	idx := f.indices(entryPrefix)
	if len(idx) == 0 {
		return nil
	}
	m := reflect.MakeMapWithSize(v.Type(), len(idx))
	for _, n := range idx {
		p := entryPrefix + "." + strconv.Itoa(n) + "."
		k, ok := f.get(p + fl.key)
		if !ok {
			continue
		}
		val := reflect.New(v.Type().Elem()).Elem()
		if err := f.member(p+fl.value, field{}, val); err != nil {
			return err
		}
		m.SetMapIndex(reflect.ValueOf(k).Convert(v.Type().Key()), val)
	}
	v.Set(m)
	return nil
}

func isScalar(k reflect.Kind) bool {
	switch k {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// scalar parses one parameter value into v the way the SDKs write them:
// booleans as true/false, decimal numbers, ISO 8601 timestamps and base64
// blobs.
func scalar(name, s string, v reflect.Value) error {
	t := v.Type()
	bad := func(want string) error { return &decodeError{param: name, value: s, want: want} }
	switch {
	case t == timeType:
		ts, err := parseTime(s)
		if err != nil {
			return bad("an ISO 8601 timestamp")
		}
		v.Set(reflect.ValueOf(ts))
		return nil
	case t.Kind() == reflect.Slice: // []byte
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return bad("base64")
		}
		v.SetBytes(b)
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		switch s {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			return bad("true or false")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, t.Bits())
		if err != nil {
			return bad("an integer")
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(s, 10, t.Bits())
		if err != nil {
			return bad("a non-negative integer")
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(s, t.Bits())
		if err != nil {
			return bad("a number")
		}
		v.SetFloat(n)
	}
	return nil
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		return time.UnixMilli(int64(secs * 1000)).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("not a timestamp: %q", s)
}
