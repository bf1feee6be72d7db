package query

import (
	"testing"
	"time"
)

type inst struct {
	connected bool
	version   string
	ec2       string
	at        time.Time
	running   int
	attrs     map[string]string
	groups    []string
}

func (i inst) AgentConnected() bool    { return i.connected }
func (i inst) AgentVersion() string    { return i.version }
func (i inst) EC2InstanceID() string   { return i.ec2 }
func (i inst) RegisteredAt() time.Time { return i.at }
func (i inst) RunningTasksCount() int  { return i.running }
func (i inst) TaskGroups() []string    { return i.groups }
func (i inst) Attribute(n string) (string, bool) {
	v, ok := i.attrs[n]
	return v, ok
}

var box = inst{
	connected: true, version: "1.89.1", ec2: "i-0abc", at: time.Date(2018, 6, 18, 22, 28, 28, 0, time.UTC), running: 2,
	attrs:  map[string]string{"ecs.instance-type": "g2.2xlarge", "ecs.availability-zone": "us-east-1a", "flag": ""},
	groups: []string{"service:production", "family:web"},
}

// Every example of the Developer Guide's "Example expressions", spaced and
// unspaced, and each operator in its symbol and word forms.
func TestMatch(t *testing.T) {
	tests := []struct {
		expr string
		want bool
	}{
		{"", true},
		{"   ", true},
		{"attribute:ecs.instance-type == g2.2xlarge", true},
		{"attribute:ecs.instance-type==g2.2xlarge", true},
		{"attribute:ecs.instance-type equals g2.2xlarge", true},
		{"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", true},
		{"attribute:ecs.availability-zone in[us-east-1b,us-east-1c]", false},
		{"attribute:ecs.availability-zone !in [us-east-1b]", true},
		{"attribute:ecs.availability-zone not_in [us-east-1a]", false},
		{"attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", true},
		{"attribute:ecs.instance-type=~g2.*&&attribute:ecs.availability-zone!=us-east-1a", false},
		{"attribute:ecs.instance-type !~ t2.*", true},
		{"attribute:ecs.instance-type matches 2x", false}, // the whole value must match
		{"attribute:ecs.instance-type not_matches t2.*", true},
		{"attribute:ecs.instance-type =~ (g2|t3).2xlarge", true},
		{"(attribute:ecs.instance-type =~ (t2|t3).*) or runningTasksCount == 2", true},
		{"task:group == service:production", true},
		{"not(task:group == database)", true},
		{"not (task:group == service:production)", false},
		{"!(task:group == service:production)", false},
		{"task:group != database", true},
		{"task:group in [database, family:web]", true},
		{"task:group exists", true},
		{"runningTasksCount == 1", false},
		{"runningTasksCount==2", true},
		{"runningTasksCount >= 2 and runningTasksCount < 3", true},
		{"runningTasksCount greater_than 1 AND runningTasksCount less_than_equal 2", true},
		{"runningTasksCount > 2 || runningTasksCount < 2", false},
		{"agentVersion < 1.14.5", false},
		{"agentVersion >= 1.89.1", true},
		{"agentVersion > 1.9", true}, // 89 > 9: versions compare by part, not as text
		{"registeredAt < 2018-02-13", false},
		{"registeredAt > 2018-06-18", true},
		{"registeredAt == 2018-06-18T22:28:28Z", true},
		{"registeredAt <= 2018-06-18T22:28:28+00:00", true},
		{"registeredAt >= 2018-06-18T22:28:29", false},
		{"ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", false},
		{"ec2InstanceId in ['i-abcd1234', \"i-0abc\"]", true},
		{"ec2InstanceId==i-0abc", true},
		{"ec2InstanceId == 'i-0abc'", true},
		{"ec2InstanceId != i-0abc", false},
		{"agentConnected == true", true},
		{"agentConnected==false", false},
		{"attribute:flag exists", true},
		{"attribute:flag == ''", true},
		{"attribute:missing exists", false},
		{"attribute:missing !exists", true},
		{"attribute:missing not_exists", true},
		{"attribute:missing == x", false},
		{"attribute:missing != x", true},
		{"agentConnected == true and ec2InstanceId == i-0abc or runningTasksCount == 9", true},
		{"agentConnected == false and (ec2InstanceId == i-0abc or runningTasksCount == 2)", false},
		{"not agentConnected == false and not runningTasksCount == 9", true},
	}
	for _, tt := range tests {
		e, err := Parse(tt.expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.expr, err)
			continue
		}
		if got := e.Match(box); got != tt.want {
			t.Errorf("%q matched %v, want %v", tt.expr, got, tt.want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, expr := range []string{
		"ec2InstanceId",                             // no operator
		"ec2InstanceId ==",                          // no argument
		"color == red",                              // unknown subject
		"attribute: == x",                           // attribute without a name
		"runningTasksCount == two",                  // not a number
		"runningTasksCount exists",                  // operator not valid for the subject
		"ec2InstanceId > i-1",                       // ordering an id
		"agentConnected == yes",                     // not a boolean
		"agentVersion < latest",                     // not a version
		"registeredAt < yesterday",                  // not a date
		"ec2InstanceId in i-1",                      // in without a list
		"ec2InstanceId in [i-1, i-2",                // unclosed list
		"(ec2InstanceId == i-1",                     // unclosed group
		"ec2InstanceId == i-1)",                     // stray )
		"ec2InstanceId == 'i-1",                     // unterminated quote
		"ec2InstanceId == i-1 and",                  // dangling and
		"ec2InstanceId == i-1 ec2InstanceId == i-2", // no connective
		"attribute:x =~ (",                          // bad pattern
	} {
		if _, err := Parse(expr); err == nil {
			t.Errorf("Parse(%q) accepted it", expr)
		}
	}
}

func TestPinned(t *testing.T) {
	tests := []struct {
		expr, want string
		ok         bool
	}{
		{"ec2InstanceId==i-1", "i-1", true},
		{"agentConnected == true and ec2InstanceId == i-2", "i-2", true},
		{"ec2InstanceId == i-1 or ec2InstanceId == i-2", "", false},
		{"not(ec2InstanceId == i-1)", "", false},
		{"ec2InstanceId in [i-1]", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		e, err := Parse(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := e.Pinned(SubjectEC2InstanceID); got != tt.want || ok != tt.ok {
			t.Errorf("Pinned(%q) = %q, %v; want %q, %v", tt.expr, got, ok, tt.want, tt.ok)
		}
	}
}
