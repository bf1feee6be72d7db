package lambdafn

import (
	"cmp"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/drainer-dev/drainer/assembly"
)

// The function's environment variables beyond `drainer run`'s settings
// (assembly.Specs: DRAINER_CLUSTERS, DRAINER_HOOKS, DRAINER_SCAN_INTERVAL
// and the rest, read the same way).
const (
	// EnvEventBus names the EventBridge bus drain events are published on
	// (default the account's default bus), as DRAINER_EVENT_BUS does for
	// `drainer run`.
	EnvEventBus = "DRAINER_EVENT_BUS"
	// EnvKeepMalformed, true, reports unknown and malformed messages as
	// failed, so that the queue's redrive policy moves them to its
	// dead-letter queue, instead of dropping them.
	EnvKeepMalformed = "DRAINER_KEEP_MALFORMED"
	// EnvSchedulePeriod is the period of the scheduled rule invoking the
	// function, a Go duration (default 1m): the rounds' timing follows it.
	EnvSchedulePeriod = "DRAINER_SCHEDULE_PERIOD"
	// EnvTakeUpGrace is how long after its scan a round waits before it
	// takes up the lifecycle actions of drainer's hooks that no message
	// brought (Options.TakeUpGrace), a Go duration more than 0 and at most
	// MaxTakeUpGrace of the period and DefaultReserve (40s for a minute;
	// default 15s, DefaultTakeUpGrace).
	EnvTakeUpGrace = "DRAINER_TAKEUP_GRACE"
	// EnvLogLevel is the log level Lambda's advanced logging controls set
	// (TRACE, DEBUG, INFO, WARN, ERROR, FATAL;
	// https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html).
	EnvLogLevel = "AWS_LAMBDA_LOG_LEVEL"
)

// FromEnv returns the function's options from its environment, read
// through lookup (os.LookupEnv): drainer's settings over their defaults,
// as `drainer run` reads them, and the variables above. The AWS
// configuration and the logger are the caller's. The error names the
// variable.
func FromEnv(lookup func(string) (string, bool)) (Options, error) {
	var o Options
	s, err := assembly.FromEnv(lookup)
	if err != nil {
		return o, err
	}
	o.Drainer.Settings = s
	o.Drainer.EventBus, _ = lookup(EnvEventBus)
	if v, ok := lookup(EnvKeepMalformed); ok && strings.TrimSpace(v) != "" {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return o, fmt.Errorf("%s %q: want true or false", EnvKeepMalformed, v)
		}
		o.Drainer.Intake.KeepMalformed = b
	}
	if v, ok := lookup(EnvSchedulePeriod); ok && strings.TrimSpace(v) != "" {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d < time.Minute {
			return o, fmt.Errorf("%s %q: want the scheduled rule's period, a duration of a minute or more such as 1m", EnvSchedulePeriod, v)
		}
		o.Period = d
	}
	if v, ok := lookup(EnvTakeUpGrace); ok && strings.TrimSpace(v) != "" {
		most := MaxTakeUpGrace(cmp.Or(o.Period, DefaultPeriod), DefaultReserve)
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d <= 0 || d > most {
			return o, fmt.Errorf("%s %q: want how long a round waits after its scan before it takes up lost lifecycle actions, a duration more than 0 and at most %v such as 15s", EnvTakeUpGrace, v, most)
		}
		o.TakeUpGrace = d
	}
	return o, nil
}

// Logger logs JSON lines to w, which Lambda sends to CloudWatch Logs, at
// the level named as AWS_LAMBDA_LOG_LEVEL names it (default INFO).
func Logger(w io.Writer, level string) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: LogLevel(level)}))
}

// LogLevel is the slog level of one of Lambda's log levels, in any case:
// TRACE and DEBUG are slog's Debug, WARN its Warn, ERROR and FATAL its
// Error; anything else, "" included, is Info.
func LogLevel(level string) slog.Level {
	switch strings.ToUpper(strings.TrimSpace(level)) {
	case "TRACE", "DEBUG":
		return slog.LevelDebug
	case "WARN":
		return slog.LevelWarn
	case "ERROR", "FATAL":
		return slog.LevelError
	}
	return slog.LevelInfo
}
