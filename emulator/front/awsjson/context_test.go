package awsjson_test

import "context"

// contextDone returns a context that is already cancelled, so that a long
// poll answers at once with what it has.
func contextDone() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx, cancel
}
