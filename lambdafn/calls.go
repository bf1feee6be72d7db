package lambdafn

import "sync"

// callCounts counts an invocation's API attempts by "service:Operation"
// (assembly.Options.OnCall sees each).
type callCounts struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *callCounts) add(service, op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[service+":"+op]++
}

// reset forgets the counts of the invocations before.
func (c *callCounts) reset() { c.take() }

// take returns the counts so far and starts again from none.
func (c *callCounts) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.n
	c.n = nil
	return n
}
