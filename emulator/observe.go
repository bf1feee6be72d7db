package emulator

import (
	"hash/fnv"
	"sort"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/emulator/autoscaling"
	"github.com/drainer-dev/drainer/emulator/ecs"
)

// trace folds every change in the world into one hash, so two runs can be
// compared for determinism without keeping the changes.
type trace struct {
	sum uint64
	n   int
}

func (t *trace) add(at time.Time, parts ...string) {
	h := fnv.New64a()
	var buf [8]byte
	u := uint64(at.UnixNano()) ^ t.sum
	for i := range buf {
		buf[i] = byte(u >> (8 * i))
	}
	h.Write(buf[:])
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	t.sum = h.Sum64()
	t.n++
}

// Point is one value of a series at a virtual time.
type Point struct {
	T time.Time `json:"t"`
	V int       `json:"v"`
}

// Series records, over virtual time, the capacity of each Auto Scaling
// group and ECS cluster and the healthy count of each service. A point is
// added only when a value changes, after the event that changed it.
//
// Keys: "asg/GROUP/desired", "asg/GROUP/inService",
// "asg/GROUP/terminatingWait", "ecs/CLUSTER/active", "ecs/CLUSTER/draining",
// "ecs/CLUSTER/SERVICE/healthy", "ecs/CLUSTER/SERVICE/running".
type Series struct {
	w      *World
	points map[string][]Point

	dirtyGroups   map[string]bool
	dirtyServices map[[2]string]bool
	ciStatus      map[string]string // container instance ARN → last status seen
	ciCounts      map[string]int    // "CLUSTER/STATUS" → count
	dirtyClusters map[string]bool
}

func newSeries(w *World) *Series {
	return &Series{
		w:             w,
		points:        map[string][]Point{},
		dirtyGroups:   map[string]bool{},
		dirtyServices: map[[2]string]bool{},
		ciStatus:      map[string]string{},
		ciCounts:      map[string]int{},
		dirtyClusters: map[string]bool{},
	}
}

func (s *Series) groupChanged(group string) { s.dirtyGroups[group] = true }

func (s *Series) taskChanged(t *ecs.Task) {
	if name, ok := strings.CutPrefix(t.Group, "service:"); ok {
		s.dirtyServices[[2]string{clusterName(t.TaskArn), name}] = true
	}
}

func (s *Series) containerInstanceChanged(ci *ecs.ContainerInstance) {
	cluster := clusterName(ci.ContainerInstanceArn)
	old := s.ciStatus[ci.ContainerInstanceArn]
	if old == ci.Status {
		return
	}
	if old != "" {
		s.ciCounts[cluster+"/"+old]--
	}
	s.ciCounts[cluster+"/"+ci.Status]++
	if ci.Status == "INACTIVE" {
		delete(s.ciStatus, ci.ContainerInstanceArn)
	} else {
		s.ciStatus[ci.ContainerInstanceArn] = ci.Status
	}
	s.dirtyClusters[cluster] = true
}

// flush records the values that may have changed in the last event. It
// runs under the world lock after every event.
func (s *Series) flush() {
	now := s.w.Env.Now()
	for _, g := range sortedKeys(s.dirtyGroups) {
		out, err := s.w.AutoScaling.DescribeAutoScalingGroups(autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{g}})
		if err != nil || len(out.AutoScalingGroups) == 0 {
			continue
		}
		grp := out.AutoScalingGroups[0]
		inService, waiting := 0, 0
		for _, inst := range grp.Instances {
			switch inst.LifecycleState {
			case "InService":
				inService++
			case "Terminating:Wait":
				waiting++
			}
		}
		s.record(now, "asg/"+g+"/desired", int(grp.DesiredCapacity))
		s.record(now, "asg/"+g+"/inService", inService)
		s.record(now, "asg/"+g+"/terminatingWait", waiting)
	}
	clear(s.dirtyGroups)
	for _, c := range sortedKeys(s.dirtyClusters) {
		s.record(now, "ecs/"+c+"/active", s.ciCounts[c+"/ACTIVE"])
		s.record(now, "ecs/"+c+"/draining", s.ciCounts[c+"/DRAINING"])
	}
	clear(s.dirtyClusters)
	if len(s.dirtyServices) > 0 {
		keys := make([][2]string, 0, len(s.dirtyServices))
		for k := range s.dirtyServices {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i][0]+"/"+keys[i][1] < keys[j][0]+"/"+keys[j][1] })
		for _, k := range keys {
			svc := s.w.ECS.Service(k[0], k[1])
			if svc == nil {
				continue
			}
			s.record(now, "ecs/"+k[0]+"/"+k[1]+"/healthy", s.w.ECS.HealthyCount(k[0], k[1]))
			s.record(now, "ecs/"+k[0]+"/"+k[1]+"/running", int(svc.RunningCount))
		}
		clear(s.dirtyServices)
	}
}

func (s *Series) record(now time.Time, key string, v int) {
	pts := s.points[key]
	if n := len(pts); n > 0 && pts[n-1].V == v {
		return
	}
	if n := len(pts); n > 0 && pts[n-1].T.Equal(now) {
		pts[n-1].V = v
		return
	}
	s.points[key] = append(pts, Point{T: now, V: v})
}

// Get returns the points of one series (read under the world lock when the
// world runs concurrently).
func (s *Series) Get(key string) []Point { return append([]Point(nil), s.points[key]...) }

// Keys returns the names of every series, sorted.
func (s *Series) Keys() []string {
	keys := make([]string, 0, len(s.points))
	for k := range s.points {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Min returns the smallest value a series took from its first point on,
// and false if it has none.
func (s *Series) Min(key string) (int, bool) {
	pts := s.points[key]
	if len(pts) == 0 {
		return 0, false
	}
	m := pts[0].V
	for _, p := range pts[1:] {
		m = min(m, p.V)
	}
	return m, true
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
