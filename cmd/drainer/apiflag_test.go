package main

import (
	"strings"
	"testing"
)

func TestAPIURL(t *testing.T) {
	for _, c := range []struct {
		in, want string
		err      string // what the error says, when there is one
	}{
		// URLs, as before.
		{in: "http://127.0.0.1:8081", want: "http://127.0.0.1:8081"},
		{in: "https://drainer.internal", want: "https://drainer.internal"},
		{in: "http://drainer.internal:8081/", want: "http://drainer.internal:8081"},
		{in: "https://proxy.example/drainer/", want: "https://proxy.example/drainer"},
		{in: "HTTP://127.0.0.1:8081", want: "http://127.0.0.1:8081"},
		{in: "http://[::1]:8081", want: "http://[::1]:8081"},
		{in: "  http://127.0.0.1:8081\n", want: "http://127.0.0.1:8081"},
		{in: "http://0.0.0.0:8081", want: "http://0.0.0.0:8081"}, // a URL is taken as given

		// host:port, as drainer run --listen takes it.
		{in: "127.0.0.1:8081", want: "http://127.0.0.1:8081"},
		{in: "localhost:8081", want: "http://localhost:8081"},
		{in: "drainer.internal:80/drainer", want: "http://drainer.internal:80/drainer"},
		{in: "[::1]:8081", want: "http://[::1]:8081"},
		{in: ":8081", want: "http://127.0.0.1:8081"},
		{in: "0.0.0.0:8081", want: "http://127.0.0.1:8081"},
		{in: "[::]:8081", want: "http://[::1]:8081"},

		// Neither.
		{in: "", err: "empty: want a URL such as http://127.0.0.1:8081, or host:port"},
		{in: "   ", err: "empty"},
		{in: "127.0.0.1", err: "want host:port such as 127.0.0.1:8081 (the address of 'drainer run --listen'), or a URL"},
		{in: "drainer.internal", err: "want host:port"},
		{in: "::1:8081", err: "want host:port"},
		{in: "127.0.0.1:", err: "want host:port"},
		{in: "127.0.0.1:http", err: `port "http": want a number from 1 to 65535`},
		{in: "127.0.0.1:0", err: `port "0": want a number from 1 to 65535`},
		{in: "127.0.0.1:65536", err: `port "65536"`},
		{in: "http:/127.0.0.1:8081", err: "want host:port"},
		{in: "my host:8081", err: "invalid character"},
		{in: "ftp://controller", err: `scheme "ftp": want http:// or https://`},
		{in: "http://", err: "no host"},
		{in: "http://:8081", err: "no host"},
		{in: "http://127.0.0.1:80x", err: `invalid port ":80x"`},
		{in: "http://127.0.0.1:", err: `port "": want a number`},
		{in: "http://127.0.0.1:99999", err: `port "99999"`},
		{in: "http://127.0.0.1:8081/?x=1", err: "a query or fragment"},
		{in: "http://127.0.0.1:8081#top", err: "a query or fragment"},
		{in: "127.0.0.1:8081/?x=1", err: "a query or fragment"},
	} {
		got, err := apiURL(c.in)
		switch {
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("apiURL(%q) = %q, %v; want %q", c.in, got, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("apiURL(%q) = %q, %v; want an error saying %q", c.in, got, err, c.err)
		}
	}
}
