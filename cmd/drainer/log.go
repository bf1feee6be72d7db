package main

import (
	"io"
	"log/slog"
	"os"
)

// lookupEnv is os.LookupEnv, a variable so tests can replace it.
var lookupEnv = os.LookupEnv

// newLogger logs text to a terminal and JSON otherwise, as operators expect
// from a daemon whose output may be collected.
func newLogger(w io.Writer) *slog.Logger {
	if f, ok := w.(*os.File); ok && isTerminal(f) {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
