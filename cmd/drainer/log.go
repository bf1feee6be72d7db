package main

import (
	"io"
	"log/slog"
	"os"
)

// newLogger logs in format ("text" or "json"); "" means text to a
// terminal and JSON otherwise, as operators expect from a daemon whose
// output may be collected.
func newLogger(w io.Writer, format string) *slog.Logger {
	if format == "" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

// warnings logs drainer's warnings and errors, as text (drainer dev and
// sim: the story and the report go to stdout).
func warnings(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
