package ecs

import (
	"fmt"
	"testing"

	"github.com/drainer-dev/drainer/emulator/core"
)

// ECS counts only custom attributes toward its limit of 10 per container
// instance, answers the one too many with AttributeLimitExceededException
// in the API Reference's words, and writes nothing of a refused call.
func TestAttributeLimitPerContainerInstance(t *testing.T) {
	w := newWorld(t, Options{})
	a1 := w.host("i-a1", "us-east-1a", 2, 4096)
	put := func(attrs ...Attribute) error {
		var err error
		w.do(func() { _, err = w.ecs.PutAttributes(PutAttributesInput{Cluster: "web", Attributes: attrs}) })
		return err
	}
	at := func(name string) Attribute {
		return Attribute{Name: name, Value: str("v"), TargetType: "container-instance", TargetId: a1.id}
	}
	custom := func() (n int) {
		w.do(func() { n = len(a1.Attributes) - a1.builtins })
		return n
	}
	var builtins int
	w.do(func() { builtins = a1.builtins })
	if builtins == 0 {
		t.Fatal("the agent set no attributes: the test would not show they do not count")
	}
	for i := range 9 {
		if err := put(at(fmt.Sprintf("team.k%d", i))); err != nil {
			t.Fatalf("custom attribute %d: %v", i+1, err)
		}
	}
	// Nine there: two new ones are one too many, and neither is written.
	err := put(at("drainer.drain"), at("drainer.hook"))
	wantCode(t, err, "AttributeLimitExceededException")
	if e, ok := err.(*core.Error); !ok || e.Message != "You can apply up to 10 custom attributes for each resource. You can view the attributes of a resource with ListAttributes. You can remove existing attributes on a resource with DeleteAttributes." {
		t.Fatalf("message %v", err)
	}
	if n := custom(); n != 9 {
		t.Fatalf("%d custom attributes after a refused call, want 9", n)
	}
	// The tenth fits; then only updates do.
	if err := put(at("drainer.drain")); err != nil {
		t.Fatal(err)
	}
	wantCode(t, put(at("drainer.hook")), "AttributeLimitExceededException")
	if err := put(at("drainer.drain"), at("team.k0")); err != nil {
		t.Fatalf("updating at the limit: %v", err)
	}
	// Deleting one makes room.
	w.do(func() {
		_, err = w.ecs.DeleteAttributes(DeleteAttributesInput{Cluster: "web", Attributes: []Attribute{{Name: "team.k8", TargetId: a1.id}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := put(at("drainer.hook")); err != nil {
		t.Fatalf("after a deletion: %v", err)
	}
}
