package ecs

import (
	"strconv"
	"strings"
)

// lastSegment returns what follows the last "/" of an ARN (its id), or s.
func lastSegment(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// validName reports whether s is 1..max letters, digits, hyphens and
// underscores (cluster, service, family and container names).
func validName(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// paginate returns one page of items. Tokens are opaque offsets.
func paginate[T any](items []T, maxResults *int32, token string) ([]T, string, error) {
	limit := 100
	if maxResults != nil {
		if *maxResults < 1 || *maxResults > 100 {
			return nil, "", invalid("maxResults must be between 1 and 100.")
		}
		limit = int(*maxResults)
	}
	start := 0
	if token != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(token, "o"))
		if err != nil || !strings.HasPrefix(token, "o") || n < 0 {
			return nil, "", invalid("Invalid nextToken.")
		}
		start = min(n, len(items))
	}
	end := min(start+limit, len(items))
	page := append(make([]T, 0, end-start), items[start:end]...)
	next := ""
	if end < len(items) {
		next = "o" + strconv.Itoa(end)
	}
	return page, next, nil
}

func i32(v int32) *int32 { return &v }

func str(v string) *string { return &v }
