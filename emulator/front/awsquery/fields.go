package awsquery

import (
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// dialect is one of the two query protocols: they name members, lists and
// maps differently on the wire.
type dialect int

const (
	// awsQuery (Auto Scaling, SQS): members by their name, lists as
	// Name.member.N (or Name.N when flattened), maps as Name.entry.N.key.
	awsQuery dialect = iota
	// ec2Query (EC2): lists always flattened under the request name,
	// responses in lowerCamel element names with <item> list members.
	ec2Query
)

// field is how one struct member travels on the wire.
type field struct {
	index int
	// in names the member in requests, out in responses.
	in, out string
	// flat lists and maps repeat their name instead of nesting members.
	flat bool
	// key and value name a map entry's parts.
	key, value string
}

// The tags that rename members:
//
//	query:"Name[,flat][,key=K][,value=V]"  awsQuery name (both directions)
//	ec2:"RequestName,responseName"          ec2Query names; either may be empty
//
// "-" leaves a member off the wire.
const (
	queryTag = "query"
	ec2Tag   = "ec2"
)

var (
	timeType  = reflect.TypeFor[time.Time]()
	fieldMemo sync.Map // fieldKey → []field
)

type fieldKey struct {
	t reflect.Type
	d dialect
}

// fieldsOf returns the wire members of struct type t in declaration order.
func fieldsOf(t reflect.Type, d dialect) []field {
	if v, ok := fieldMemo.Load(fieldKey{t, d}); ok {
		return v.([]field)
	}
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		f := field{index: i, in: sf.Name, key: "key", value: "value"}
		switch d {
		case awsQuery:
			f.out = sf.Name
			tag := sf.Tag.Get(queryTag)
			if tag == "-" {
				continue
			}
			if tag != "" {
				parts := strings.Split(tag, ",")
				if parts[0] != "" {
					f.in, f.out = parts[0], parts[0]
				}
				for _, p := range parts[1:] {
					switch {
					case p == "flat":
						f.flat = true
						f.key, f.value = "Name", "Value"
					case strings.HasPrefix(p, "key="):
						f.key = p[len("key="):]
					case strings.HasPrefix(p, "value="):
						f.value = p[len("value="):]
					}
				}
			}
		case ec2Query:
			f.out = lowerFirst(sf.Name)
			f.flat = true
			tag := sf.Tag.Get(ec2Tag)
			if tag == "-" {
				continue
			}
			if in, out, _ := strings.Cut(tag, ","); tag != "" {
				if in != "" {
					f.in = in
				}
				if out != "" {
					f.out = out
				}
			}
		}
		out = append(out, f)
	}
	fieldMemo.Store(fieldKey{t, d}, out)
	return out
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}
