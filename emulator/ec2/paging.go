package ec2

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/drainer-dev/drainer/emulator/core"
)

// checkMaxResults validates an optional MaxResults; 0 means "no limit".
func checkMaxResults(p *int32, lo, hi int32) (int, error) {
	if p == nil {
		return 0, nil
	}
	switch n := *p; {
	case n < lo:
		return 0, core.ClientError("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value greater than %d.", n, lo)
	case n > hi:
		return 0, core.ClientError("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value less than or equal to %d.", n, hi)
	default:
		return int(n), nil
	}
}

// Page tokens carry the creation sequence of the last item returned, so a
// page stays correct while items come and go between calls.
const tokenPrefix = "ec2p1:"

func encodeToken(seq uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + strconv.FormatUint(seq, 10)))
}

// decodeToken returns the sequence after which the next page starts.
func decodeToken(tok string) (uint64, error) {
	if tok == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err == nil && strings.HasPrefix(string(b), tokenPrefix) {
		if seq, err := strconv.ParseUint(string(b[len(tokenPrefix):]), 10, 64); err == nil {
			return seq, nil
		}
	}
	return 0, core.ClientError("InvalidPaginationToken", "The specified pagination token is not valid or is expired.")
}

// page walks items in creation order after the token, keeping those that
// match, up to limit (0: all). It returns the next token, empty on the last page.
func page[T any](items []T, seqOf func(T) uint64, after uint64, limit int, keep func(T) bool) ([]T, string) {
	// items are sorted by sequence: skip what earlier pages returned.
	lo, hi := 0, len(items)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if seqOf(items[m]) <= after {
			lo = m + 1
		} else {
			hi = m
		}
	}
	var out []T
	for _, it := range items[lo:] {
		if !keep(it) {
			continue
		}
		if limit > 0 && len(out) == limit {
			return out, encodeToken(seqOf(out[len(out)-1]))
		}
		out = append(out, it)
	}
	return out, ""
}

// listParams checks the paging parameters every Describe call shares: ids
// and MaxResults exclude each other (idSet names the ids on the wire),
// MaxResults is 5–1000, and the token is ours.
func listParams(maxResults *int32, nextToken string, ids int, idSet string) (limit int, after uint64, err error) {
	if maxResults != nil && ids > 0 {
		return 0, 0, core.ClientError("InvalidParameterCombination", "The parameter %s cannot be used with the parameter maxResults", idSet)
	}
	if limit, err = checkMaxResults(maxResults, 5, 1000); err != nil {
		return 0, 0, err
	}
	after, err = decodeToken(nextToken)
	return limit, after, err
}
