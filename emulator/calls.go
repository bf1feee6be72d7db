package emulator

import (
	"cmp"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// Call is one API call as the world saw it.
type Call struct {
	Seq       int       `json:"seq"`
	Time      time.Time `json:"time"`
	Caller    string    `json:"caller"`
	Service   string    `json:"service"`
	Operation string    `json:"operation"`
	// Outcome is "OK" or the AWS error code answered.
	Outcome string `json:"outcome"`
	// Part is the part of the caller that made the call, as its
	// User-Agent names it with SDK metadata "md/priority#NAME" (drainer
	// names its calls' priority: "background" for its scans); "" when it
	// names none.
	Part string `json:"part,omitempty"`
}

// partSep joins a caller's name and part in the caller string the front
// passes to the world (CallerPart).
const partSep = "\x1f"

// CallerPart names a call's caller and the part of it that made the call
// (Call.Part) in one caller string, for World.Call and Invoke.
func CallerPart(caller, part string) string {
	if part == "" {
		return caller
	}
	return caller + partSep + part
}

// CallLog keeps the most recent calls and exact counts of all of them: by
// service, operation and outcome, and by caller too, however many calls
// the run makes (the calls themselves only up to a limit).
type CallLog struct {
	limit     int
	calls     []Call
	total     int
	counts    map[opKey]int   // service:operation:outcome
	byCaller  map[callKey]int // caller:service:operation:outcome
	lastInput any             // the request of the most recent call
	observers []func(Call)
}

// opKey and callKey index the counts.
type opKey struct{ service, op, outcome string }
type callKey struct {
	caller string
	opKey
}

// Total is the number of calls one caller made of one operation that
// ended one way.
type Total struct {
	Caller    string `json:"caller"`
	Service   string `json:"service"`
	Operation string `json:"operation"`
	Outcome   string `json:"outcome"`
	N         int    `json:"n"`
}

func newCallLog(limit int) *CallLog {
	if limit <= 0 {
		limit = 100_000
	}
	return &CallLog{limit: limit, counts: map[opKey]int{}, byCaller: map[callKey]int{}}
}

func (l *CallLog) add(c Call, input any) {
	l.lastInput = input
	l.total++
	c.Seq = l.total
	k := opKey{c.Service, c.Operation, c.Outcome}
	l.counts[k]++
	l.byCaller[callKey{c.Caller, k}]++
	if len(l.calls) == l.limit {
		// Drop the older half at once so appends stay amortised O(1).
		l.calls = append(l.calls[:0], l.calls[l.limit/2:]...)
	}
	l.calls = append(l.calls, c)
	for _, f := range l.observers {
		f(c)
	}
}

// OnCall registers f to run, under the world lock, right after every call
// is logged, with the call: for figures that must cover every call of a
// run, beyond the calls the log keeps. f must not call the world.
func (l *CallLog) OnCall(f func(Call)) { l.observers = append(l.observers, f) }

// All returns the calls kept (the most recent, oldest first). Read it under
// the world lock (w.Do) when the world runs concurrently. Counts of every
// call, however old, are in Count, CountBy and Totals.
func (l *CallLog) All() []Call { return append([]Call(nil), l.calls...) }

// Last returns the most recent call. Observers registered with
// World.OnEvent run right after each call, so there it is the call that
// just happened (if its time is now and its Seq is new).
func (l *CallLog) Last() (Call, bool) {
	if len(l.calls) == 0 {
		return Call{}, false
	}
	return l.calls[len(l.calls)-1], true
}

// LastInput returns the request of the most recent call as its API method
// received it (a value of the method's input type, such as
// autoscaling.CompleteLifecycleActionInput or ecs.StopTaskInput), or nil
// when that call was made through World.Call. Observers registered with
// World.OnEvent judge the call that just happened by it (the hook, group,
// cluster and instances it named); only the latest request is kept, so the
// log's entries stay small.
func (l *CallLog) LastInput() any { return l.lastInput }

// Total is the number of calls ever made.
func (l *CallLog) Total() int { return l.total }

// Count returns how many calls of service:operation ended with outcome
// ("" counts every outcome), ever.
func (l *CallLog) Count(service, op, outcome string) int {
	if outcome != "" {
		return l.counts[opKey{service, op, outcome}]
	}
	n := 0
	for k, v := range l.counts {
		if k.service == service && k.op == op {
			n += v
		}
	}
	return n
}

// CountBy returns how many calls caller made of service:operation that
// ended with outcome, ever; "" in any of them counts every value.
func (l *CallLog) CountBy(caller, service, op, outcome string) int {
	n := 0
	for k, v := range l.byCaller {
		if (caller == "" || k.caller == caller) && (service == "" || k.service == service) &&
			(op == "" || k.op == op) && (outcome == "" || k.outcome == outcome) {
			n += v
		}
	}
	return n
}

// Totals returns the counts of every call ever made, by caller, service,
// operation and outcome, in that order.
func (l *CallLog) Totals() []Total {
	out := make([]Total, 0, len(l.byCaller))
	for k, v := range l.byCaller {
		out = append(out, Total{Caller: k.caller, Service: k.service, Operation: k.op, Outcome: k.outcome, N: v})
	}
	slices.SortFunc(out, func(a, b Total) int {
		return cmp.Or(strings.Compare(a.Caller, b.Caller), strings.Compare(a.Service, b.Service),
			strings.Compare(a.Operation, b.Operation), strings.Compare(a.Outcome, b.Outcome))
	})
	return out
}

// Call runs fn as the API call service:op made by caller: under the world
// lock, at the current virtual time, after the injected faults have had
// their say, and recorded in the call log.
func (w *World) Call(caller, service, op string, fn func() error) error {
	return w.call(caller, service, op, nil, fn)
}

// call is Call recording input as the call's request (CallLog.LastInput).
func (w *World) call(caller, service, op string, input any, fn func() error) error {
	var err error
	w.Env.Do(func() {
		now := w.Env.Now()
		if ferr := w.Faults.CheckCall(now, w.Env.Rand(), service, op, input); ferr != nil {
			err = ferr
		} else {
			err = fn()
		}
		outcome := "OK"
		if err != nil {
			outcome = core.CodeOf(err)
			if outcome == "" {
				outcome = "InternalError"
			}
		}
		name, part, _ := strings.Cut(caller, partSep)
		w.Calls.add(Call{Time: now, Caller: name, Service: service, Operation: op, Outcome: outcome, Part: part}, input)
	})
	return err
}

// Invoke calls a service's API method through w.Call, naming the service
// and operation after the method: Invoke(w, "test", w.ECS.CreateCluster, in).
// in is the call's request in the call log (CallLog.LastInput).
func Invoke[I, O any](w *World, caller string, method func(I) (O, error), in I) (O, error) {
	service, op := methodName(method)
	var out O
	err := w.call(caller, service, op, in, func() error {
		var err error
		out, err = method(in)
		return err
	})
	return out, err
}

var methodNames sync.Map // code pointer → [2]string

// methodName turns a method value such as (*ecs.Service).CreateCluster into
// ("ecs", "CreateCluster"); the service is the package's last path element.
func methodName(f any) (service, op string) {
	pc := reflect.ValueOf(f).Pointer()
	if v, ok := methodNames.Load(pc); ok {
		n := v.([2]string)
		return n[0], n[1]
	}
	full := runtime.FuncForPC(pc).Name() // …/emulator/ecs.(*Service).CreateCluster-fm
	full = strings.TrimSuffix(full, "-fm")
	pkgPath, method, _ := strings.Cut(full, ".(")
	if i := strings.LastIndex(method, "."); i >= 0 {
		method = method[i+1:]
	}
	service = pkgPath[strings.LastIndex(pkgPath, "/")+1:]
	if service == "eventbridge" {
		service = "events" // the name AWS signs and routes by
	}
	methodNames.Store(pc, [2]string{service, method})
	return service, method
}
