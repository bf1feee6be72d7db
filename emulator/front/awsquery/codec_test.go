package awsquery

import (
	"net/url"
	"reflect"
	"testing"
	"time"
)

type inner struct {
	Key   string
	Count *int32
}

type sample struct {
	Name    string
	On      *bool
	N       int64
	At      time.Time
	Blob    []byte
	Names   []string          `ec2:"Name"`
	Flat    []string          `query:"Item,flat"`
	Inner   *inner            `ec2:",innerSet"`
	Inners  []inner           `ec2:"InnerItem,innerList"`
	Attrs   map[string]string `query:"Attribute,flat"`
	Entries map[string]inner
	Skip    string `query:"-" ec2:"-"`
}

func TestDecode(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		d    dialect
		form string
		want sample
		bad  bool
	}{
		{"awsQuery members, lists and maps", awsQuery,
			"Name=n&On=true&N=7&At=2026-11-22T10:00:00Z&Blob=AAE%3D&Names.member.2=b&Names.member.1=a&Item.1=x&Inner.Key=k&Inner.Count=3" +
				"&Inners.member.1.Key=p&Attribute.1.Name=A&Attribute.1.Value=1&Entries.entry.1.key=e&Entries.entry.1.value.Key=v&Skip=s",
			sample{Name: "n", On: ptr(true), N: 7, At: at, Blob: []byte{0, 1}, Names: []string{"a", "b"}, Flat: []string{"x"},
				Inner: &inner{Key: "k", Count: ptr(int32(3))}, Inners: []inner{{Key: "p"}}, Attrs: map[string]string{"A": "1"},
				Entries: map[string]inner{"e": {Key: "v"}}}, false},
		{"ec2Query flattened lists", ec2Query, "Name.1=a&Name.3=c&InnerItem.1.Key=p&InnerItem.2.Key=q",
			sample{Names: []string{"a", "c"}, Inners: []inner{{Key: "p"}, {Key: "q"}}}, false},
		{"empty list", awsQuery, "Names=", sample{Names: []string{}}, false},
		{"odd indices ignored", ec2Query, "Name.0=a&Name.01=b&Name.x=c", sample{}, false},
		{"bad boolean", awsQuery, "On=yes", sample{}, true},
		{"bad number", awsQuery, "N=1e3", sample{}, true},
		{"number overflows its type", awsQuery, "Inner.Count=99999999999", sample{}, true},
		{"bad time", awsQuery, "At=yesterday", sample{}, true},
		{"bad base64", awsQuery, "Blob=%21%21", sample{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals, _ := url.ParseQuery(tt.form)
			var got sample
			err := newForm(vals, tt.d).decode(&got)
			if tt.bad {
				if _, ok := err.(*decodeError); !ok {
					t.Fatalf("err = %v, want a decodeError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestEncode(t *testing.T) {
	v := sample{Name: "a&b", On: ptr(false), At: time.Date(2026, 11, 22, 10, 0, 0, 5e6, time.UTC), Names: []string{"x", ""},
		Flat: []string{"f1", "f2"}, Inner: &inner{Key: "k"}, Attrs: map[string]string{"b": "2", "a": "1"}, Entries: map[string]inner{"e": {}}, Skip: "s"}
	tests := []struct {
		d    dialect
		want string
	}{
		{awsQuery, "<Name>a&amp;b</Name><On>false</On><N>0</N><At>2026-11-22T10:00:00.005Z</At><Names><member>x</member><member></member></Names>" +
			"<Item>f1</Item><Item>f2</Item><Inner><Key>k</Key></Inner><Inners></Inners>" +
			"<Attribute><Name>a</Name><Value>1</Value></Attribute><Attribute><Name>b</Name><Value>2</Value></Attribute>" +
			"<Entries><entry><key>e</key><value></value></entry></Entries>"},
		{ec2Query, "<name>a&amp;b</name><on>false</on><n>0</n><at>2026-11-22T10:00:00.005Z</at><names><item>x</item><item></item></names>" +
			"<flat><item>f1</item><item>f2</item></flat><innerSet><key>k</key></innerSet><innerList></innerList>" +
			"<attrs><key>a</key><value>1</value></attrs><attrs><key>b</key><value>2</value></attrs>" +
			"<entries><key>e</key><value></value></entries>"},
	}
	for _, tt := range tests {
		e := &encoder{d: tt.d}
		e.structure(reflect.ValueOf(v))
		if got := e.buf.String(); got != tt.want {
			t.Errorf("dialect %d:\ngot  %s\nwant %s", tt.d, got, tt.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
