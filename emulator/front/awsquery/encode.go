package awsquery

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"reflect"
	"slices"
	"strconv"
	"time"
)

// encoder writes a response's members as XML elements in the dialect's
// names: lists as <member> (awsQuery), repeated elements (flattened) or
// <item> (ec2Query).
type encoder struct {
	buf bytes.Buffer
	d   dialect
}

// timeFormat is ISO 8601 in UTC with milliseconds, as AWS answers.
const timeFormat = "2006-01-02T15:04:05.000Z"

func (e *encoder) open(name string)  { e.buf.WriteString("<" + name + ">") }
func (e *encoder) close(name string) { e.buf.WriteString("</" + name + ">") }

func (e *encoder) text(name, s string) {
	e.open(name)
	_ = xml.EscapeText(&e.buf, []byte(s))
	e.close(name)
}

// structure writes the members of struct v.
func (e *encoder) structure(v reflect.Value) {
	for _, fl := range fieldsOf(v.Type(), e.d) {
		e.member(fl.out, fl, v.Field(fl.index), false)
	}
}

// member writes v as element name. Empty strings, zero times and nil
// pointers are left out unless always is set (list items).
func (e *encoder) member(name string, fl field, v reflect.Value, always bool) {
	t := v.Type()
	switch {
	case t == timeType:
		ts := v.Interface().(time.Time)
		if !ts.IsZero() || always {
			e.text(name, ts.UTC().Format(timeFormat))
		}
		return
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		if v.Len() > 0 || always {
			e.text(name, base64.StdEncoding.EncodeToString(v.Bytes()))
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			e.member(name, fl, v.Elem(), true)
		}
	case reflect.String:
		if v.Len() > 0 || always {
			e.text(name, v.String())
		}
	case reflect.Bool:
		e.text(name, strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.text(name, strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.text(name, strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		e.text(name, strconv.FormatFloat(v.Float(), 'f', -1, t.Bits()))
	case reflect.Struct:
		e.open(name)
		e.structure(v)
		e.close(name)
	case reflect.Slice:
		e.list(name, fl, v)
	case reflect.Map:
		e.dict(name, fl, v)
	}
}

func (e *encoder) list(name string, fl field, v reflect.Value) {
	if e.d == awsQuery && fl.flat {
		for i := range v.Len() {
			e.member(name, field{}, v.Index(i), true)
		}
		return
	}
	item := "member"
	if e.d == ec2Query {
		item = "item"
	}
	e.open(name)
	for i := range v.Len() {
		e.member(item, field{}, v.Index(i), true)
	}
	e.close(name)
}

func (e *encoder) dict(name string, fl field, v reflect.Value) {
	keys := make([]string, 0, v.Len())
	for _, k := range v.MapKeys() {
		keys = append(keys, k.String())
	}
	slices.Sort(keys)
	entry := func(k string) {
		e.text(fl.key, k)
		e.member(fl.value, field{}, v.MapIndex(reflect.ValueOf(k).Convert(v.Type().Key())), true)
	}
	if fl.flat {
		for _, k := range keys {
			e.open(name)
			entry(k)
			e.close(name)
		}
		return
	}
	e.open(name)
	for _, k := range keys {
		e.open("entry")
		entry(k)
		e.close("entry")
	}
	e.close(name)
}
