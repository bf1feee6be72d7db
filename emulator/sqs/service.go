package sqs

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/emulator/core"
)

// Options configure the service.
type Options struct {
	// URLBase prefixes queue URLs (URLBase/ACCOUNT/NAME); the default is
	// https://sqs.REGION.amazonaws.com.
	URLBase string
}

// Faults make sends misbehave the way at-least-once delivery allows.
type Faults struct {
	DuplicateRate float64       // chance a sent message is stored twice
	DelayRate     float64       // chance a sent message becomes visible late
	MaxDelay      time.Duration // the late delivery is uniform in (0, MaxDelay]
}

// Service is the emulated SQS endpoint of one account and region.
type Service struct {
	env     *core.Env
	urlBase string
	queues  map[string]*queue // by name
	deleted map[string]time.Time
	seq     uint64
}

// New returns an SQS service living in env.
func New(env *core.Env, opts Options) *Service {
	base := strings.TrimRight(opts.URLBase, "/")
	if base == "" {
		base = "https://sqs." + env.Region + ".amazonaws.com"
	}
	return &Service{env: env, urlBase: base, queues: map[string]*queue{}, deleted: map[string]time.Time{}}
}

// byURL finds a queue leniently: any URL whose path ends in /ACCOUNT/NAME,
// whatever its scheme and host (the wire front may be reached at another
// address than the one in the URL).
func (s *Service) byURL(u string) (*queue, *core.Error) {
	if u == "" {
		return nil, errMissing("QueueUrl")
	}
	u = strings.TrimRight(u, "/")
	i := strings.LastIndexByte(u, '/')
	if i < 0 {
		return nil, errNoQueue()
	}
	name, rest := u[i+1:], u[:i]
	account := rest[strings.LastIndexByte(rest, '/')+1:]
	if account != s.env.Account {
		return nil, errNoQueue()
	}
	q := s.queues[name]
	if q == nil {
		return nil, errNoQueue()
	}
	return q, nil
}

// byARN finds a queue by arn:aws:sqs:REGION:ACCOUNT:NAME.
func (s *Service) byARN(arn string) *queue {
	p := strings.Split(arn, ":")
	if len(p) != 6 || p[0] != "arn" || p[2] != "sqs" || p[3] != s.env.Region || p[4] != s.env.Account {
		return nil
	}
	return s.queues[p[5]]
}

// SendToARN delivers body to the queue named by its ARN; Auto Scaling hook
// targets and EventBridge rules send this way (core.QueueSender).
func (s *Service) SendToARN(arn, body string) error {
	q := s.byARN(arn)
	if q == nil {
		return errNoQueue()
	}
	if err := checkBody(body, q.maxSize); err != nil {
		return err
	}
	s.enqueue(q, &message{body: body, senderID: s.env.Account}, q.delay)
	return nil
}

// SetFaults sets the send faults of a queue (zero Faults turns them off).
func (s *Service) SetFaults(queueURL string, f Faults) error {
	q, err := s.byURL(queueURL)
	if err != nil {
		return err
	}
	if f.DuplicateRate < 0 || f.DuplicateRate > 1 || f.DelayRate < 0 || f.DelayRate > 1 || f.MaxDelay < 0 {
		return errParam("Fault rates must be between 0 and 1 and MaxDelay not negative.")
	}
	q.faults = f
	return nil
}

// QueueURLs returns the URLs of all queues, sorted.
func (s *Service) QueueURLs() []string {
	out := make([]string, 0, len(s.queues))
	for _, q := range s.queues {
		out = append(out, q.url)
	}
	slices.Sort(out)
	return out
}

// Depth returns the numbers of visible, in-flight and delayed messages of
// a queue (zeros for an unknown queue).
func (s *Service) Depth(queueURL string) (visible, inFlight, delayed int) {
	q, err := s.byURL(queueURL)
	if err != nil {
		return 0, 0, 0
	}
	now := s.env.Now()
	q.sweep(now)
	return q.counts(now)
}

func (s *Service) queueURL(name string) string {
	return s.urlBase + "/" + s.env.Account + "/" + name
}

func (s *Service) queueARN(name string) string {
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", s.env.Region, s.env.Account, name)
}
