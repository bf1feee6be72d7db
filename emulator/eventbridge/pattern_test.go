package eventbridge

import (
	"testing"

	"github.com/drainer-dev/drainer/emulator/core"
)

// Events shaped as DESIGN.md §4 describes them, in the envelope.
const (
	lifecycleEvent = `{"version":"0","id":"7e3b","detail-type":"EC2 Instance-terminate Lifecycle Action","source":"aws.autoscaling",
		"account":"123456789012","time":"2026-11-22T10:00:00Z","region":"us-east-1",
		"resources":["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/web-asg"],
		"detail":{"Origin":"AutoScalingGroup","Destination":"EC2","LifecycleHookName":"drain-hook","AccountId":"123456789012",
		"LifecycleTransition":"autoscaling:EC2_INSTANCE_TERMINATING","AutoScalingGroupName":"web-asg","EC2InstanceId":"i-0abc",
		"LifecycleActionToken":"tok","NotificationMetadata":"meta"}}`
	spotEvent = `{"version":"0","id":"1","detail-type":"EC2 Spot Instance Interruption Warning","source":"aws.ec2",
		"account":"123456789012","time":"2026-11-22T10:00:00Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1a:instance/i-0abc"],
		"detail":{"instance-id":"i-0abc","instance-action":"terminate"}}`
	rebalanceEvent = `{"version":"0","id":"2","detail-type":"EC2 Instance Rebalance Recommendation","source":"aws.ec2",
		"account":"123456789012","time":"2026-11-22T10:00:00Z","region":"us-east-1","resources":[],"detail":{"instance-id":"i-0abc"}}`
	stateEvent = `{"version":"0","id":"3","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2",
		"account":"123456789012","time":"2026-11-22T10:00:00Z","region":"us-east-1","resources":[],"detail":{"instance-id":"i-0abc","state":"shutting-down"}}`
	taskEvent = `{"version":"0","id":"4","detail-type":"ECS Task State Change","source":"aws.ecs",
		"account":"123456789012","time":"2026-11-22T10:00:00Z","region":"us-east-1","resources":["arn:aws:ecs:us-east-1:123456789012:task/c/abc"],
		"detail":{"clusterArn":"arn:aws:ecs:us-east-1:123456789012:cluster/prod","lastStatus":"STOPPED","desiredStatus":"STOPPED",
		"version":7,"cpu":"256","startedBy":"ecs-svc/123","stoppedReason":null,"group":"service:web",
		"containers":[{"name":"app","exitCode":0,"lastStatus":"STOPPED"},{"name":"sidecar","exitCode":137,"lastStatus":"STOPPED"}],
		"attachments":[],"overrides":{"containerOverrides":[]}}}`
)

func TestPatternMatching(t *testing.T) {
	events := map[string]string{"lifecycle": lifecycleEvent, "spot": spotEvent, "rebalance": rebalanceEvent, "state": stateEvent, "task": taskEvent}
	for _, tc := range []struct {
		name    string
		pattern string
		matches []string // the events it matches; all others must not
	}{
		{"ASG terminate lifecycle rule", `{"source":["aws.autoscaling"],"detail-type":["EC2 Instance-terminate Lifecycle Action"]}`, []string{"lifecycle"}},
		{"Spot warning rule", `{"source":["aws.ec2"],"detail-type":["EC2 Spot Instance Interruption Warning"]}`, []string{"spot"}},
		{"any EC2 event", `{"source":["aws.ec2"]}`, []string{"spot", "rebalance", "state"}},
		{"either drain trigger", `{"detail-type":["EC2 Spot Instance Interruption Warning","EC2 Instance Rebalance Recommendation"]}`, []string{"spot", "rebalance"}},
		{"nested exact", `{"detail":{"AutoScalingGroupName":["web-asg"],"LifecycleHookName":["drain-hook"]}}`, []string{"lifecycle"}},
		{"nested exact, other group", `{"detail":{"AutoScalingGroupName":["api-asg"]}}`, nil},
		{"every named field must match", `{"source":["aws.ec2"],"detail":{"instance-action":["terminate"]}}`, []string{"spot"}},
		{"prefix", `{"detail-type":[{"prefix":"EC2 Instance"}]}`, []string{"lifecycle", "rebalance", "state"}},
		{"prefix ignoring case", `{"detail-type":[{"prefix":{"equals-ignore-case":"ec2 spot"}}]}`, []string{"spot"}},
		{"suffix", `{"detail-type":[{"suffix":"Change"}]}`, []string{"task"}},
		{"suffix ignoring case", `{"detail-type":[{"suffix":{"equals-ignore-case":"WARNING"}}]}`, []string{"spot"}},
		{"equals-ignore-case", `{"source":[{"equals-ignore-case":"AWS.ECS"}]}`, []string{"task"}},
		{"wildcard", `{"detail-type":[{"wildcard":"EC2 * Notification"}]}`, []string{"state"}},
		{"anything-but value", `{"source":[{"anything-but":"aws.ec2"}]}`, []string{"lifecycle", "task"}},
		{"anything-but list", `{"source":[{"anything-but":["aws.ec2","aws.ecs"]}]}`, []string{"lifecycle"}},
		{"anything-but prefix", `{"detail-type":[{"anything-but":{"prefix":"EC2"}}]}`, []string{"task"}},
		{"anything-but number", `{"detail":{"version":[{"anything-but":6}]}}`, []string{"task"}},
		{"anything-but needs the field", `{"detail":{"state":[{"anything-but":"running"}]}}`, []string{"state"}},
		{"exists true", `{"detail":{"instance-action":[{"exists":true}]}}`, []string{"spot"}},
		{"exists false", `{"source":["aws.ec2"],"detail":{"instance-action":[{"exists":false}]}}`, []string{"rebalance", "state"}},
		{"exists is for leaves only", `{"detail":{"overrides":[{"exists":true}]}}`, nil},
		{"numeric range", `{"detail":{"version":[{"numeric":[">",5,"<=",7]}]}}`, []string{"task"}},
		{"numeric outside range", `{"detail":{"version":[{"numeric":[">=",8]}]}}`, nil},
		{"numeric equals", `{"detail":{"version":[{"numeric":["=",7]}]}}`, []string{"task"}},
		{"numeric does not match strings", `{"detail":{"cpu":[{"numeric":[">",0]}]}}`, nil},
		{"exact number", `{"detail":{"version":[7.0]}}`, []string{"task"}},
		{"string is not number", `{"detail":{"cpu":[256]}}`, nil},
		{"null", `{"detail":{"stoppedReason":[null]}}`, []string{"task"}},
		{"null does not match absence", `{"source":["aws.ec2"],"detail":{"stoppedReason":[null]}}`, nil},
		{"event array: any element", `{"resources":["arn:aws:ec2:us-east-1a:instance/i-0abc"]}`, []string{"spot"}},
		{"array of objects", `{"detail":{"containers":{"exitCode":[137]}}}`, []string{"task"}},
		{"array elements kept together", `{"detail":{"containers":{"name":["app"],"exitCode":[137]}}}`, nil},
		{"array elements kept together, matching", `{"detail":{"containers":{"name":["sidecar"],"exitCode":[137]}}}`, []string{"task"}},
		{"boolean", `{"detail":{"flag":[true]}}`, nil},
		{"$or", `{"source":["aws.ec2"],"$or":[{"detail":{"instance-action":["terminate"]}},{"detail-type":["EC2 Instance Rebalance Recommendation"]}]}`, []string{"spot", "rebalance"}},
		{"several matchers: any", `{"detail":{"state":["running",{"prefix":"shutting"}]}}`, []string{"state"}},
		{"account and region", `{"account":["123456789012"],"region":["us-east-1"],"source":["aws.ecs"]}`, []string{"task"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := CompilePattern(tc.pattern)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			want := map[string]bool{}
			for _, n := range tc.matches {
				want[n] = true
			}
			for _, name := range []string{"lifecycle", "spot", "rebalance", "state", "task"} {
				if got := p.Match([]byte(events[name])); got != want[name] {
					t.Errorf("Match(%s) = %v, want %v", name, got, want[name])
				}
			}
		})
	}
}

func TestPatternMatchesScalarsAndArrays(t *testing.T) {
	for _, tc := range []struct {
		pattern, event string
		want           bool
	}{
		{`{"a":[true]}`, `{"a":true}`, true},
		{`{"a":[false]}`, `{"a":true}`, false},
		{`{"a":[""]}`, `{"a":""}`, true},
		{`{"a":[""]}`, `{}`, false},
		{`{"a":["x"]}`, `{"a":["y","x"]}`, true},
		{`{"a":[{"exists":false}]}`, `{"a":[]}`, true},
		{`{"a":[{"exists":true}]}`, `{"a":null}`, true},
		{`{"a":{"b":[{"exists":false}]}}`, `{}`, true},
		{`{"a":[{"wildcard":"x\\*y*"}]}`, `{"a":"x*yz"}`, true},
		{`{"a":[{"wildcard":"x\\*y*"}]}`, `{"a":"xzyz"}`, false},
		{`{"a":[{"wildcard":"*mid*"}]}`, `{"a":"amidb"}`, true},
		{`{"a":[{"anything-but":{"suffix":".png"}}]}`, `{"a":"x.jpg"}`, true},
		{`{"a":[{"anything-but":{"equals-ignore-case":"X"}}]}`, `{"a":"x"}`, false},
		{`{"a":[{"numeric":["<",0]}]}`, `{"a":-1e3}`, true},
		{`{"ip":[{"cidr":"10.0.0.0/24"}]}`, `{"ip":"10.0.0.255"}`, true},
		{`{"ip":[{"cidr":"10.0.0.0/24"}]}`, `{"ip":"10.0.1.0"}`, false},
		{`{"ip":[{"cidr":"10.0.0.7/24"}]}`, `{"ip":"10.0.0.1"}`, true},
		{`{"ip":[{"cidr":"10.0.0.0/24"}]}`, `{"ip":"::ffff:10.0.0.9"}`, true},
		{`{"ip":[{"cidr":"10.0.0.0/24"}]}`, `{"ip":"not an ip"}`, false},
		{`{"ip":[{"cidr":"10.0.0.0/24"}]}`, `{"ip":167772161}`, false},
		{`{"ip":[{"cidr":"10.0.0.0/24"}]}`, `{"ip":["192.168.0.1","10.0.0.3"]}`, true},
		{`{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:db8:ffff::1"}`, true},
		{`{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:db9::1"}`, false},
		{`{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"10.0.0.1"}`, false},
		{`{"detail":{"sourceIPAddress":[{"cidr":"fe80::/10"}]}}`, `{"detail":{"sourceIPAddress":"FE80::1"}}`, true},
		{`{"a":[1]}`, `not json`, false},
		{`{"a":[1]}`, `[1]`, false},
	} {
		p, err := CompilePattern(tc.pattern)
		if err != nil {
			t.Fatalf("compile %s: %v", tc.pattern, err)
		}
		if got := p.Match([]byte(tc.event)); got != tc.want {
			t.Errorf("%s on %s = %v, want %v", tc.pattern, tc.event, got, tc.want)
		}
	}
}

func TestInvalidPatterns(t *testing.T) {
	for _, src := range []string{
		``, `not json`, `[]`, `"x"`, `{}`, `{"source":"aws.ec2"}`, `{"source":[]}`, `{"detail":{}}`,
		`{"source":[["nested"]]}`, `{"source":[{"prefix":1}]}`, `{"source":[{"prefix":"a","suffix":"b"}]}`,
		`{"source":[{"unknown":"x"}]}`, `{"a":[{"exists":"yes"}]}`, `{"a":[{"numeric":[">"]}]}`,
		`{"a":[{"numeric":["<",5,">",1]}]}`, `{"a":[{"numeric":["~",5]}]}`, `{"a":[{"numeric":[">",5,"<",1]}]}`,
		`{"a":[{"anything-but":[]}]}`, `{"a":[{"anything-but":[null]}]}`, `{"a":[{"anything-but":{"exists":true}}]}`,
		`{"a":[{"cidr":"10.0.0.1"}]}`, `{"a":[{"cidr":"10.0.0.0/33"}]}`, `{"a":[{"cidr":"not-an-ip/8"}]}`, `{"a":[{"cidr":24}]}`, `{"$or":[{"a":["x"]}]}`, `{"$or":"x"}`, `{"a":["x"]} trailing`,
	} {
		_, err := CompilePattern(src)
		if core.CodeOf(err) != codeInvalidPattern {
			t.Errorf("CompilePattern(%q) error = %v, want %s", src, err, codeInvalidPattern)
		}
	}
}
