package main

import (
	"io"
	"log/slog"
	"os"
)

// newLogger logs text to a terminal and JSON otherwise, as operators expect
// from a daemon whose output may be collected.
func newLogger(w io.Writer) *slog.Logger {
	if f, ok := w.(*os.File); ok && isTerminal(f) {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

// newRunLogger logs in the format asked for ("text" or "json"), else as
// newLogger decides.
func newRunLogger(w io.Writer, format string) *slog.Logger {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil))
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return newLogger(w)
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
