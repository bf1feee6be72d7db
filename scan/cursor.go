package scan

import "slices"

// DefaultPages is how many pages of container instances a pass reads when
// Options.Pages is not set: 10 ListContainerInstances pages of up to 100
// container instances, and their 10 DescribeContainerInstances, across
// every served cluster. So clusters of up to 1,000 container instances
// are read whole at every pass, and a pass spends at most 20 of ECS's
// cluster-resource reads on its pages: one second of that bucket's refill
// (20 a second, burst 100, shared by the account's DescribeContainerInstances,
// DescribeTasks, ListTasks and ListContainerInstances: "Request throttling
// for the Amazon ECS API",
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html),
// a fifth of its burst, under 2 % of it at the default one-minute
// interval. 10,000 container instances are read in 10 passes.
const DefaultPages = 10

// cursor is where the listing of each served cluster stands between
// passes: the token of the page it resumes from (none: from the first
// page), and the cluster whose turn comes first at the next pass.
type cursor struct {
	tokens map[string]string
	first  string
}

// walk is one pass's way through the clusters' listings: a page of each
// cluster whose listing has not come to its end in this pass, in turn,
// until the pass has read its pages.
type walk struct {
	c     *cursor
	order []string
	left  int
	at    int
	done  map[string]bool
	last  string
}

// begin starts a pass over clusters reading at most pages pages. The
// tokens of clusters no longer served are forgotten.
func (c *cursor) begin(clusters []string, pages int) *walk {
	if c.tokens == nil {
		c.tokens = map[string]string{}
	}
	for cl := range c.tokens {
		if !slices.Contains(clusters, cl) {
			delete(c.tokens, cl)
		}
	}
	order := slices.Clone(clusters)
	if i := slices.Index(order, c.first); i > 0 {
		order = append(order[i:], order[:i]...)
	}
	return &walk{c: c, order: order, left: pages, done: map[string]bool{}}
}

// next returns the cluster whose page to read next and the token to read
// it from ("": its first page); ok is false once the pass has read its
// pages or every cluster's listing has come to its end in this pass.
func (w *walk) next() (cluster, token string, ok bool) {
	if w.left <= 0 {
		return "", "", false
	}
	for range w.order {
		cl := w.order[w.at]
		w.at = (w.at + 1) % len(w.order)
		if !w.done[cl] {
			w.left--
			w.last = cl
			return cl, w.c.tokens[cl], true
		}
	}
	return "", "", false
}

// read records what reading cluster's page told: next is the token of its
// following page ("" after the last one); failed says the read failed, and
// the cluster's listing starts again from its first page at the next pass
// (a token that expired or that ECS refuses is never tried twice). It
// reports whether the cluster's listing came to its end. A cluster is read
// no further in a pass once its listing ended or failed.
func (w *walk) read(cluster, next string, failed bool) (ended bool) {
	if failed || next == "" {
		delete(w.c.tokens, cluster)
		w.done[cluster] = true
		return !failed
	}
	w.c.tokens[cluster] = next
	return false
}

// end closes the pass: the cluster after the last one read comes first at
// the next pass, so that when the clusters outnumber the pages each gets
// its turn.
func (w *walk) end() {
	if w.last == "" {
		return
	}
	i := slices.Index(w.order, w.last)
	w.c.first = w.order[(i+1)%len(w.order)]
}
