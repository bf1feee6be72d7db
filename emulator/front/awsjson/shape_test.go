package awsjson_test

import (
	"reflect"
	"strings"
	"testing"

	sdkecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	sdkevents "github.com/aws/aws-sdk-go-v2/service/eventbridge"
	sdksqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/drainer-dev/drainer/emulator/ecs"
	"github.com/drainer-dev/drainer/emulator/eventbridge"
	"github.com/drainer-dev/drainer/emulator/fault"
	"github.com/drainer-dev/drainer/emulator/front/awsjson"
	"github.com/drainer-dev/drainer/emulator/sqs"
)

// TestWireShapes checks, for every operation served, that each JSON member
// of the emulator's Input and Output structs (their json tags) is a member
// of the SDK's own Input and Output shapes, recursively: a wrong tag would
// be silently dropped by either side.
func TestWireShapes(t *testing.T) {
	services := []struct {
		target   string
		emulator any
		sdk      any
	}{
		{"AmazonEC2ContainerServiceV20141113", &ecs.Service{}, &sdkecs.Client{}},
		{"AmazonSQS", &sqs.Service{}, &sdksqs.Client{}},
		{"AWSEvents", &eventbridge.Service{}, &sdkevents.Client{}},
	}
	for _, s := range services {
		for _, op := range awsjson.Operations(s.target) {
			em, ok := reflect.TypeOf(s.emulator).MethodByName(op)
			if !ok {
				t.Errorf("%s: emulator has no %s", s.target, op)
				continue
			}
			sm, ok := reflect.TypeOf(s.sdk).MethodByName(op)
			if !ok {
				t.Errorf("%s: SDK has no %s", s.target, op)
				continue
			}
			compare(t, op+"Input", em.Type.In(1), sm.Type.In(2))
			compare(t, op+"Output", em.Type.Out(0), sm.Type.Out(0))
			missing(t, op+"Input", em.Type.In(1), sm.Type.In(2))
		}
	}
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map || t.Kind() == reflect.Array {
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return t // []byte: a blob
		}
		t = t.Elem()
	}
	return t
}

func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	if name == "" && tag == "" {
		return f.Name
	}
	return name
}

// compare reports emulator members the SDK shape does not have.
func compare(t *testing.T, path string, em, sdk reflect.Type) {
	t.Helper()
	em, sdk = deref(em), deref(sdk)
	if em.Kind() != reflect.Struct || sdk.Kind() != reflect.Struct || em.PkgPath() == "time" || strings.HasSuffix(em.PkgPath(), "emulator/core") {
		return
	}
	for i := range em.NumField() {
		f := em.Field(i)
		if !f.IsExported() {
			continue
		}
		name := jsonName(f)
		if name == "-" {
			continue
		}
		sf, ok := sdk.FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, name) })
		if !ok {
			t.Errorf("%s.%s: the SDK shape %s has no member %q", path, f.Name, sdk, name)
			continue
		}
		compare(t, path+"."+name, f.Type, sf.Type)
	}
}

// missing logs SDK input members the emulator does not read (informative:
// the emulator implements a subset).
func missing(t *testing.T, path string, em, sdk reflect.Type) {
	t.Helper()
	em, sdk = deref(em), deref(sdk)
	if em.Kind() != reflect.Struct || sdk.Kind() != reflect.Struct {
		return
	}
	for i := range sdk.NumField() {
		f := sdk.Field(i)
		if !f.IsExported() {
			continue
		}
		found := false
		for j := range em.NumField() {
			if strings.EqualFold(jsonName(em.Field(j)), f.Name) {
				found = true
				missing(t, path+"."+f.Name, em.Field(j).Type, f.Type)
			}
		}
		if !found && testing.Verbose() {
			t.Logf("%s.%s: sent by the SDK, ignored by the emulator", path, f.Name)
		}
	}
}

// TestAWSProfileCoversEveryECSOperation: every ECS operation served draws
// on a bucket of the aws throttling profile (ECS throttles every action by
// its category), so no served action escapes the profile.
func TestAWSProfileCoversEveryECSOperation(t *testing.T) {
	ops := awsjson.Operations("AmazonEC2ContainerServiceV20141113")
	if len(ops) == 0 {
		t.Fatal("no ECS operations served")
	}
	for _, op := range ops {
		if d := fault.AWS.Draws(nil, "ecs", op, nil); len(d) != 1 || d[0].Cost != 1 || d[0].Limit.Burst == 0 {
			t.Errorf("ECS %s draws on %+v in the aws profile, want one bucket of its category", op, d)
		}
	}
}
