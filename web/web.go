// Package web is drainer's dashboard: one read-only page mirroring the three
// views an operator watches in the AWS consoles during a drain — the Auto
// Scaling group's instances with their lifecycle state, the ECS container
// instances with their status and task counts, the scaling activity
// history — plus drainer's drains with their deadlines and a timeline of
// drain events. The page is plain HTML, CSS and JavaScript embedded in the
// binary; it follows the world by server-sent events on /events.
package web

import (
	"embed"
	"encoding/json"
	"io/fs"
	"net/http"
	"sync"
	"time"

	"github.com/drainer-dev/drainer/drain"
)

//go:embed static
var static embed.FS

// Source gives the world's state at the moment of the call.
type Source interface {
	Snapshot() Snapshot
}

// SourceFunc adapts a function to Source.
type SourceFunc func() Snapshot

// Snapshot calls f.
func (f SourceFunc) Snapshot() Snapshot { return f() }

// Snapshot is what the page shows. Times are the world's (virtual in the
// emulator); Speed says how fast that clock runs against the wall clock, so
// that the page counts deadlines down between updates (0: a clock moved by
// hand, which the page leaves still).
type Snapshot struct {
	Time       time.Time  `json:"time"`
	Speed      float64    `json:"speed"`
	Groups     []Group    `json:"groups"`
	Clusters   []Cluster  `json:"clusters"`
	Activities []Activity `json:"activities"`
	Drains     []Drain    `json:"drains"`
	// Timeline is filled by the dashboard from the drain events it has
	// seen, newest first.
	Timeline []Event `json:"timeline"`
}

// Group is an Auto Scaling group as the EC2 console's Instance management
// tab shows it.
type Group struct {
	Name      string          `json:"name"`
	Min       int32           `json:"min"`
	Max       int32           `json:"max"`
	Desired   int32           `json:"desired"`
	Instances []GroupInstance `json:"instances"`
}

// GroupInstance is one instance of a group.
type GroupInstance struct {
	InstanceID     string `json:"instanceId"`
	AZ             string `json:"availabilityZone"`
	LifecycleState string `json:"lifecycleState"`
	HealthStatus   string `json:"healthStatus"`
	// Protected is scale-in protection.
	Protected    bool     `json:"protectedFromScaleIn"`
	PendingHooks []string `json:"pendingHooks,omitempty"`
}

// Cluster is an ECS cluster's Infrastructure tab.
type Cluster struct {
	Name               string              `json:"name"`
	ContainerInstances []ContainerInstance `json:"containerInstances"`
}

// ContainerInstance is one ECS container instance.
type ContainerInstance struct {
	ID             string `json:"id"`
	EC2InstanceID  string `json:"ec2InstanceId"`
	Status         string `json:"status"`
	AgentConnected bool   `json:"agentConnected"`
	RunningTasks   int32  `json:"runningTasksCount"`
	PendingTasks   int32  `json:"pendingTasksCount"`
}

// Activity is one entry of a group's activity history.
type Activity struct {
	Group       string     `json:"group"`
	Status      string     `json:"status"`
	Description string     `json:"description"`
	Cause       string     `json:"cause"`
	Start       time.Time  `json:"start"`
	End         *time.Time `json:"end,omitempty"`
}

// Drain is one of drainer's drains in progress.
type Drain struct {
	InstanceID    string    `json:"instanceId"`
	Cluster       string    `json:"cluster"`
	Reason        string    `json:"reason"`
	Phase         string    `json:"phase"`
	Started       time.Time `json:"started"`
	GracefulUntil time.Time `json:"gracefulUntil"`
	Deadline      time.Time `json:"deadline"`
	Group         string    `json:"group,omitempty"`
	Hook          string    `json:"hook,omitempty"`
	LastHeartbeat time.Time `json:"lastHeartbeat"`
	// TasksLeft counts the tasks still on the instance by class
	// (service, daemon, standalone); nil when unknown.
	TasksLeft map[string]int `json:"tasksLeft,omitempty"`
}

// DrainFromStatus fills a Drain from the reconciler's view of it.
func DrainFromStatus(s drain.Status) Drain {
	return Drain{
		InstanceID: s.InstanceID, Cluster: s.Cluster, Reason: string(s.Record.Reason), Phase: string(s.Phase),
		Started: s.Record.Started, GracefulUntil: s.Record.GracefulUntil, Deadline: s.Record.Deadline,
		Group: s.Record.Group, Hook: s.Record.Hook, LastHeartbeat: s.LastHeartbeat, TasksLeft: s.TasksLeft,
	}
}

// Event is one drain event on the timeline.
type Event struct {
	Type       string    `json:"type"`
	Time       time.Time `json:"time"`
	InstanceID string    `json:"instanceId"`
	Reason     string    `json:"reason,omitempty"`
	Phase      string    `json:"phase,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	Overdue    bool      `json:"overdue,omitempty"`
}

// timelineLen is how many drain events the page keeps.
const timelineLen = 200

// Dashboard is the dashboard's http.Handler. Feed it drain events with
// Publish; every event pushes a fresh snapshot to the open pages.
type Dashboard struct {
	src      Source
	interval time.Duration
	mux      *http.ServeMux

	mu       sync.Mutex
	timeline []Event // oldest first
	subs     map[chan struct{}]struct{}
}

// Options tune the dashboard; every field is optional.
type Options struct {
	// Interval is the longest time between two snapshots on /events
	// (default one second).
	Interval time.Duration
}

// New returns the dashboard over src.
func New(src Source, opts Options) *Dashboard {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	d := &Dashboard{src: src, interval: opts.Interval, subs: map[chan struct{}]struct{}{}}
	sub, _ := fs.Sub(static, "static")
	files := http.FileServerFS(sub)
	d.mux = http.NewServeMux()
	d.mux.Handle("GET /", files)
	d.mux.HandleFunc("GET /snapshot", d.getSnapshot)
	d.mux.HandleFunc("GET /events", d.events)
	return d
}

// ServeHTTP serves the page (/), its assets, /snapshot (JSON) and /events
// (server-sent events, one snapshot per message).
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	d.mux.ServeHTTP(w, r)
}

// Publish records a drain event on the timeline and wakes every open page.
// It does not block; use it as drain.Config.OnEvent (or from it).
func (d *Dashboard) Publish(ev drain.Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.timeline = append(d.timeline, Event{
		Type: ev.Type, Time: ev.Time, InstanceID: ev.InstanceID, Reason: string(ev.Reason),
		Phase: string(ev.Phase), Detail: ev.Detail, Overdue: ev.Overdue,
	})
	if n := len(d.timeline); n > timelineLen {
		d.timeline = append(d.timeline[:0:0], d.timeline[n-timelineLen:]...)
	}
	for c := range d.subs {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// Snapshot is the source's snapshot with the timeline added.
func (d *Dashboard) Snapshot() Snapshot {
	s := d.src.Snapshot()
	d.mu.Lock()
	s.Timeline = make([]Event, 0, len(d.timeline))
	for i := len(d.timeline) - 1; i >= 0; i-- {
		s.Timeline = append(s.Timeline, d.timeline[i])
	}
	d.mu.Unlock()
	if s.Groups == nil {
		s.Groups = []Group{}
	}
	if s.Clusters == nil {
		s.Clusters = []Cluster{}
	}
	if s.Activities == nil {
		s.Activities = []Activity{}
	}
	if s.Drains == nil {
		s.Drains = []Drain{}
	}
	return s
}

func (d *Dashboard) getSnapshot(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(d.Snapshot())
}

// events streams a snapshot now, on every drain event and at least every
// interval, until the client goes away.
func (d *Dashboard) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	wake := make(chan struct{}, 1)
	d.mu.Lock()
	d.subs[wake] = struct{}{}
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.subs, wake)
		d.mu.Unlock()
	}()
	tick := time.NewTicker(d.interval)
	defer tick.Stop()
	for {
		b, err := json.Marshal(d.Snapshot())
		if err != nil {
			return
		}
		if _, err := w.Write([]byte("data: ")); err != nil {
			return
		}
		w.Write(b)
		w.Write([]byte("\n\n"))
		if err := rc.Flush(); err != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-wake:
			// Let a burst of events settle into one snapshot.
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
			select {
			case <-wake:
			default:
			}
		case <-tick.C:
		}
	}
}
