package ec2

import (
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// Default timings (DESIGN.md §5).
const (
	DefaultLaunchDelay         = 40 * time.Second
	DefaultShutdownDelay       = 30 * time.Second
	DefaultSpotWarning         = 120 * time.Second
	DefaultTerminatedRetention = time.Hour
)

// Options configure the emulated EC2. A zero duration means the default; a
// negative one means no delay at all.
type Options struct {
	LaunchDelay         time.Duration // pending → running; default 40s
	ShutdownDelay       time.Duration // shutting-down → terminated; default 30s
	SpotWarning         time.Duration // interruption warning → termination; default 120s
	TerminatedRetention time.Duration // terminated instances stay visible in DescribeInstances; default 1h
	Events              core.EventSink
}

// Service is the emulated EC2 of one account and region.
type Service struct {
	env  *core.Env
	opts Options

	instances map[string]*instRec
	instOrder []*instRec // launch order; removed records compacted lazily
	instDead  int

	enis     map[string]*eniRec
	eniOrder []*eniRec
	eniDead  int

	templates     map[string]*launchTemplate // by id
	templateNames map[string]*launchTemplate
	templateOrder []*launchTemplate

	vpcs        map[string]*vpcRec
	vpcOrder    []*vpcRec
	subnets     map[string]*subnetRec
	subnetOrder []*subnetRec

	seq    uint64 // creation sequence shared by instances and interfaces; pagination keys
	nextIP uint32

	dispatching bool     // a change's notifications are running
	queue       []func() // changes requested meanwhile, run in order afterwards

	stateListeners     []func(*Instance, State)
	spotListeners      []func(*Instance, time.Time)
	rebalanceListeners []func(*Instance)
}

// New returns an empty EC2 living in env.
func New(env *core.Env, opts Options) *Service {
	opts.LaunchDelay = orDefault(opts.LaunchDelay, DefaultLaunchDelay)
	opts.ShutdownDelay = orDefault(opts.ShutdownDelay, DefaultShutdownDelay)
	opts.SpotWarning = orDefault(opts.SpotWarning, DefaultSpotWarning)
	opts.TerminatedRetention = orDefault(opts.TerminatedRetention, DefaultTerminatedRetention)
	if opts.Events == nil {
		opts.Events = core.Discard
	}
	s := &Service{
		env:           env,
		opts:          opts,
		instances:     map[string]*instRec{},
		enis:          map[string]*eniRec{},
		templates:     map[string]*launchTemplate{},
		templateNames: map[string]*launchTemplate{},
		vpcs:          map[string]*vpcRec{},
		subnets:       map[string]*subnetRec{},
		nextIP:        10<<24 | 1<<8 | 4, // 10.0.1.4, past the addresses AWS reserves in a subnet
	}
	s.createDefaultVPC()
	return s
}

func orDefault(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// OnStateChange registers fn to be called, synchronously and in
// registration order, inside the event that changed an instance's state,
// before the EventBridge event is emitted. from is "" for a launch.
func (s *Service) OnStateChange(fn func(inst *Instance, from State)) {
	s.stateListeners = append(s.stateListeners, fn)
}

// OnSpotInterruption registers fn to be called when a Spot instance receives
// its interruption warning; terminateAt is when it will be terminated.
func (s *Service) OnSpotInterruption(fn func(inst *Instance, terminateAt time.Time)) {
	s.spotListeners = append(s.spotListeners, fn)
}

// OnRebalanceRecommendation registers fn to be called when a Spot instance
// receives a rebalance recommendation.
func (s *Service) OnRebalanceRecommendation(fn func(inst *Instance)) {
	s.rebalanceListeners = append(s.rebalanceListeners, fn)
}

// nextSeq returns the next creation sequence number.
func (s *Service) nextSeq() uint64 {
	s.seq++
	return s.seq
}

// allocIP returns the next private IPv4 address, skipping network and
// broadcast-looking last octets.
func (s *Service) allocIP() string {
	for {
		ip := s.nextIP
		s.nextIP++
		if s.nextIP >= 11<<24 { // wrap inside 10.0.0.0/8
			s.nextIP = 10<<24 | 1<<8 | 4
		}
		if last := ip & 0xff; last == 0 || last == 255 {
			continue
		}
		return itoa(ip>>24) + "." + itoa(ip>>16&0xff) + "." + itoa(ip>>8&0xff) + "." + itoa(ip&0xff)
	}
}

func itoa(n uint32) string {
	if n == 0 {
		return "0"
	}
	var b [3]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
