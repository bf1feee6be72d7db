package lambdafn_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/drainer-dev/drainer/iampolicy"
)

// functionCalls are the operations the functions of these tests called
// (assembly.Options.OnCall), each once.
var functionCalls struct {
	sync.Mutex
	seen map[iampolicy.Call]bool
}

// recordCall is the functions' OnCall.
func recordCall(service, op string, _ error) {
	functionCalls.Lock()
	defer functionCalls.Unlock()
	if functionCalls.seen == nil {
		functionCalls.seen = map[iampolicy.Call]bool{}
	}
	functionCalls.seen[iampolicy.Call{Service: service, Operation: op}] = true
}

// TestMain fails the run when the functions called an operation the
// Lambda mode's policy (`drainer iam-policy --mode lambda`, the stack's
// function role) does not allow.
func TestMain(m *testing.M) {
	code := m.Run()
	functionCalls.Lock()
	var calls []iampolicy.Call
	for c := range functionCalls.seen {
		calls = append(calls, c)
	}
	functionCalls.Unlock()
	slices.SortFunc(calls, func(a, b iampolicy.Call) int {
		return strings.Compare(a.Service+":"+a.Operation, b.Service+":"+b.Operation)
	})
	if missing := iampolicy.Uncovered(iampolicy.Lambda, calls); len(missing) > 0 {
		fmt.Printf("--- FAIL: IAM policy: the function called %s, which the lambda policy (package iampolicy, `drainer iam-policy --mode lambda`) does not allow\n",
			strings.Join(missing, ", "))
		code = 1
	}
	if code == 0 && testing.Verbose() {
		fmt.Printf("IAM policy: the lambda policy allows each of the %d operations the function called: %v\n", len(calls), calls)
	}
	os.Exit(code)
}
