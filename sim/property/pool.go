package property

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"

	"github.com/drainer-dev/drainer/emulator/scenario"
)

// Request is one run for a worker: the scenario of Seed (Generate), or
// Scenario when set.
type Request struct {
	Seed     uint64             `json:"seed,omitempty"`
	Scenario *scenario.Scenario `json:"scenario,omitempty"`
	// MaxEvents bounds the run's virtual events (0: DefaultMaxEvents).
	MaxEvents uint64 `json:"maxEvents,omitempty"`
}

// run does the request in this process.
func (q Request) run() Result {
	o := Options{MaxEvents: q.MaxEvents}
	if q.Scenario != nil {
		return RunScenario(q.Scenario, o)
	}
	return Run(q.Seed, o)
}

// Serve is a worker: it reads Requests from r, one JSON object a line,
// runs each in this process and writes its Result to w, one JSON object a
// line, until r ends. A panic on one of drainer's goroutines ends the
// process in the middle of a request: the Pool that started the worker
// reports it as a crash and starts another.
func Serve(r io.Reader, w io.Writer) error {
	dec := json.NewDecoder(r)
	enc := json.NewEncoder(w)
	for {
		var q Request
		if err := dec.Decode(&q); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("property worker: read request: %w", err)
		}
		if err := enc.Encode(q.run()); err != nil {
			return fmt.Errorf("property worker: write result: %w", err)
		}
	}
}

// Pool runs requests in worker processes (Serve), several at a time, so
// that a crash costs only the request that caused it and runs use every
// core. Workers are kept between calls of Run and Do; Close ends them.
type Pool struct {
	// Command returns the command of a new worker: a program that calls
	// Serve on its standard input and output. Pool wires those and
	// reads its standard error (the crash report of a worker that dies).
	Command func() *exec.Cmd
	// Workers is how many run at once (at least one).
	Workers int

	mu   sync.Mutex
	idle []*worker
}

// Run runs reqs and calls done with each request's index and result, from
// one goroutine at a time, in the order they finish. A worker that dies
// during a request gives that request a Result with Crash set (what the
// worker wrote to its standard error from "panic:" or "fatal error:" on)
// and is replaced. When ctx ends, the requests still running get a Result
// with Hang set and the others are not run; Run returns ctx's error.
func (p *Pool) Run(ctx context.Context, reqs []Request, done func(i int, r Result)) error {
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range reqs {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range max(p.Workers, 1) {
		wg.Go(func() {
			for i := range next {
				if ctx.Err() != nil {
					continue // not run
				}
				r := p.Do(ctx, reqs[i])
				mu.Lock()
				done(i, r)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

// Do runs one request on a worker of the pool (see Run).
func (p *Pool) Do(ctx context.Context, q Request) Result {
	if err := ctx.Err(); err != nil {
		return Result{Seed: q.seed(), Name: q.name(), Hang: "not run: " + context.Cause(ctx).Error()}
	}
	w, err := p.take()
	if err != nil {
		return Result{Seed: q.seed(), Name: q.name(), Setup: err.Error()}
	}
	// A request still running when ctx ends is a hang: its worker is
	// killed.
	stop := context.AfterFunc(ctx, func() { _ = w.cmd.Process.Kill() })
	r, err := w.do(q)
	stop()
	switch {
	case err == nil:
		p.put(w)
		return r
	case ctx.Err() != nil:
		w.close()
		return Result{Seed: q.seed(), Name: q.name(), Hang: "still running when the run was stopped: " + context.Cause(ctx).Error()}
	default:
		return Result{Seed: q.seed(), Name: q.name(), Crash: w.crash(err)}
	}
}

// take returns an idle worker, or starts one.
func (p *Pool) take() (*worker, error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return w, nil
	}
	p.mu.Unlock()
	return startWorker(p.Command)
}

func (p *Pool) put(w *worker) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.idle = append(p.idle, w)
}

// Close ends the idle workers.
func (p *Pool) Close() {
	p.mu.Lock()
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, w := range idle {
		w.close()
	}
}

func (q Request) seed() uint64 {
	if q.Scenario != nil {
		return q.Scenario.Seed
	}
	return q.Seed
}

func (q Request) name() string {
	if q.Scenario != nil {
		return q.Scenario.Name
	}
	return fmt.Sprintf("property-%d", q.Seed)
}

// worker is one worker process.
type worker struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr *tailBuffer
	waited chan struct{}
}

func startWorker(command func() *exec.Cmd) (*worker, error) {
	cmd := command()
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("property worker: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("property worker: %w", err)
	}
	w := &worker{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<20), stderr: &tailBuffer{max: 64 << 10}, waited: make(chan struct{})}
	cmd.Stderr = w.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("property worker: start %s: %w", cmd.Path, err)
	}
	return w, nil
}

// do sends one request and reads its result.
func (w *worker) do(q Request) (Result, error) {
	b, err := json.Marshal(q)
	if err != nil {
		return Result{}, fmt.Errorf("encode request: %w", err)
	}
	if _, err := w.in.Write(append(b, '\n')); err != nil {
		return Result{}, fmt.Errorf("send request: %w", err)
	}
	line, err := w.out.ReadBytes('\n')
	if err != nil {
		return Result{}, fmt.Errorf("read result: %w", err)
	}
	var r Result
	if err := json.Unmarshal(line, &r); err != nil {
		return Result{}, fmt.Errorf("decode result: %w", err)
	}
	return r, nil
}

// crash describes a worker that died: its exit status and the crash
// report it wrote.
func (w *worker) crash(err error) string {
	_ = w.in.Close()
	werr := w.cmd.Wait()
	close(w.waited)
	text := w.stderr.String()
	for _, mark := range []string{"panic: ", "fatal error: "} {
		if i := strings.Index(text, mark); i >= 0 {
			text = text[i:]
			break
		}
	}
	const keep = 8 << 10
	if len(text) > keep {
		text = text[:keep] + "\n…"
	}
	return fmt.Sprintf("worker died (%v; %v):\n%s", err, werr, text)
}

// close ends the worker: its input closed, it returns from Serve and
// exits (or is killed with the context).
func (w *worker) close() {
	select {
	case <-w.waited:
		return
	default:
	}
	_ = w.in.Close()
	_ = w.cmd.Wait()
	close(w.waited)
}

// tailBuffer keeps the first and the last bytes written to it, up to
// max in all.
type tailBuffer struct {
	mu   sync.Mutex
	max  int
	head []byte
	tail []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if room := t.max/2 - len(t.head); room > 0 {
		t.head = append(t.head, p[:min(room, len(p))]...)
		if room >= len(p) {
			return len(p), nil
		}
	}
	t.tail = append(t.tail, p...)
	if over := len(t.tail) - t.max/2; over > 0 {
		t.tail = t.tail[over:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.tail) == 0 {
		return string(t.head)
	}
	return string(t.head) + "\n…\n" + string(t.tail)
}
