package sqs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"
)

// md5Hex is MD5OfBody / MD5OfMessageBody: the hex MD5 of the body bytes.
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// md5OfAttributes is MD5OfMessageAttributes as SQS computes it: attributes
// sorted by name, each encoded as length-prefixed (4-byte big-endian) name,
// length-prefixed data type, one transport byte (1 string/number, 2 binary)
// and the length-prefixed value. "" when there are no attributes.
func md5OfAttributes(attrs map[string]MessageAttributeValue) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	slices.Sort(names)
	h := md5.New()
	for _, n := range names {
		a := attrs[n]
		writeLP(h, []byte(n))
		writeLP(h, []byte(a.DataType))
		if baseType(a.DataType) == "Binary" {
			h.Write([]byte{2})
			writeLP(h, a.BinaryValue)
		} else {
			h.Write([]byte{1})
			writeLP(h, []byte(deref(a.StringValue)))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// md5OfSystemAttributes is MD5OfMessageSystemAttributes (same encoding).
func md5OfSystemAttributes(attrs map[string]MessageSystemAttributeValue) string {
	conv := make(map[string]MessageAttributeValue, len(attrs))
	for n, a := range attrs {
		conv[n] = MessageAttributeValue{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
	}
	return md5OfAttributes(conv)
}

func writeLP(h interface{ Write([]byte) (int, error) }, b []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	h.Write(n[:])
	h.Write(b)
}

// baseType is the data type before any custom suffix ("Number.float").
func baseType(dt string) string {
	if i := strings.IndexByte(dt, '.'); i >= 0 {
		return dt[:i]
	}
	return dt
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
