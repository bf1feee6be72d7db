package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"version", []string{"version"}, 0, "drainer ", ""},
		{"help", []string{"help"}, 0, "Usage:", ""},
		{"no command", nil, 2, "", "Usage:"},
		{"unknown command", []string{"fly"}, 2, "", `unknown command "fly"`},
		{"emulator speed 0", []string{"emulator", "--speed", "0"}, 2, "", "--speed must be greater than 0"},
		{"emulator stray argument", []string{"emulator", "now"}, 2, "", `unexpected argument "now"`},
		{"emulator unknown flag", []string{"emulator", "--fast"}, 2, "", "flag provided but not defined: -fast"},
		{"emulator unknown throttling profile", []string{"emulator", "--throttle", "azure"}, 2, "", `unknown throttling profile "azure" (known: aws)`},
		{"emulator missing scenario", []string{"emulator", "--listen", "127.0.0.1:0", "--scenario", "nope.yaml"}, 1, "", "no such file"},
		{"emulator bad listen address", []string{"emulator", "--listen", "not-an-address"}, 1, "", "listen on not-an-address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d", code, tt.wantCode)
			}
			if !strings.Contains(out.String(), tt.wantStdout) {
				t.Errorf("stdout = %q, want it to contain %q", out.String(), tt.wantStdout)
			}
			if !strings.Contains(errOut.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", errOut.String(), tt.wantStderr)
			}
		})
	}
}
