package cloud

// Cloud is everything drainer asks of AWS. Components take the smallest
// interface they need (a scan may need only ECS and AutoScaling), so that
// their tests can fake just that.
type Cloud interface {
	ECS
	AutoScaling
	EC2
	Queue
	Events
}

// Failure is one item of a batch call that AWS refused while the call as a
// whole succeeded.
type Failure struct {
	// ID names the item: an ARN for ECS, a receipt handle for SQS, the
	// decimal index of the event for EventBridge.
	ID string
	// Code is AWS's reason code (ECS "MISSING", SQS "ReceiptHandleIsInvalid"…).
	Code string
	// Message is AWS's explanation, when it gives one.
	Message string
}
