package api

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/drainer-dev/drainer/clock"
	"github.com/drainer-dev/drainer/drain"
)

// Drainer is what the API needs of the reconciler.
type Drainer interface {
	Start(ctx context.Context, instanceID string, t drain.Trigger) error
	Drains() []drain.Status
}

var _ Drainer = (*drain.Reconciler)(nil)

// Options configure the handler; every field is optional.
type Options struct {
	// Metrics serves /metrics (404 when nil).
	Metrics http.Handler
	// Healthz serves /healthz (liveness) and Readyz /readyz (readiness);
	// each answers 200 "ok" when nil. `drainer run` gives health.Tracker's.
	Healthz, Readyz http.Handler
	// Clock stamps operator requests (default the wall clock).
	Clock  clock.Clock
	Logger *slog.Logger
}

// New returns the API over d.
func New(d Drainer, opts Options) http.Handler {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &server{d: d, clk: opts.Clock, log: opts.Logger}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/drains", s.postDrain)
	mux.HandleFunc("GET /v1/drains", s.listDrains)
	mux.HandleFunc("POST /v1/deregister", s.postDeregister)
	mux.Handle("GET /healthz", orOK(opts.Healthz))
	mux.Handle("GET /readyz", orOK(opts.Readyz))
	if opts.Metrics != nil {
		mux.Handle("GET /metrics", opts.Metrics)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
	return recoverer(s.log, mux)
}

type server struct {
	d   Drainer
	clk clock.Clock
	log *slog.Logger
}

// orOK is h, or a handler answering "ok" (the health of a server that
// judges none) when h is nil.
func orOK(h http.Handler) http.Handler {
	if h != nil {
		return h
	}
	return http.HandlerFunc(ok)
}

func ok(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// recoverer turns a panic in a handler into a 500 instead of a dropped
// connection.
func recoverer(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("API handler panicked", "method", r.Method, "path", r.URL.Path, "panic", v)
				writeError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
