package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// defaultAPI is where the commands that call the controller look for it:
// the address `drainer run --listen` takes by default.
const defaultAPI = "http://127.0.0.1:8081"

// apiFlag is the --api flag of the commands that call the controller
// (drain, deregister, status, watch); once the flags are parsed,
// parseAPI turns its value into the API's base URL.
func apiFlag(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "api", envOr("DRAINER_API", defaultAPI), "the running controller's API: a URL such as http://127.0.0.1:8081, or host:port as given to 'drainer run --listen' (env DRAINER_API)")
}

// parseAPI replaces the parsed --api value at *p with the API's base URL
// (apiURL). When the value is no address of an API it reports why, naming
// where the value came from (--api, or DRAINER_API when the flag was not
// given), and returns ok false with code 2, a misuse.
func parseAPI(fs *flag.FlagSet, p *string) (code int, ok bool) {
	u, err := apiURL(*p)
	if err == nil {
		*p = u
		return 0, true
	}
	from := "--api"
	if !given(fs, "api") {
		from = "DRAINER_API"
	}
	return usageError(fs, "%s %q: %v", from, *p, err), false
}

// given reports whether the flag name was set on the command line.
func given(fs *flag.FlagSet, name string) (set bool) {
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// apiURL is the base URL of the controller's API given as v, which is
// either
//   - a URL, http:// or https://, with a host, an optional port (1–65535)
//     and an optional path under which the API is served, and no query or
//     fragment: returned as given, but for a trailing "/";
//   - or host:port, as `drainer run --listen` takes it, with an optional
//     path: http://host:port. A host that names every interface (empty, as
//     in ":8081", 0.0.0.0 or ::) is where drainer listens, not an address
//     to call: the loopback address of its family stands for it.
//
// Its errors say what is wrong with v and what is wanted, without v.
func apiURL(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", errors.New("empty: want a URL such as http://127.0.0.1:8081, or host:port such as 127.0.0.1:8081")
	}
	if strings.Contains(v, "://") {
		return fullAPIURL(v)
	}
	hostport, path, _ := strings.Cut(v, "/")
	host, port, err := net.SplitHostPort(hostport)
	if err != nil || port == "" {
		return "", errors.New("want host:port such as 127.0.0.1:8081 (the address of 'drainer run --listen'), or a URL such as http://127.0.0.1:8081")
	}
	if err := checkPort(port); err != nil {
		return "", err
	}
	if host == "" {
		host = "127.0.0.1"
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip.Is6() {
			host = "::1"
		}
	}
	u := "http://" + net.JoinHostPort(host, port)
	if path != "" {
		u += "/" + path
	}
	return fullAPIURL(u)
}

// fullAPIURL checks a URL given with its scheme (see apiURL).
func fullAPIURL(v string) (string, error) {
	u, err := url.Parse(v)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return "", fmt.Errorf("%v: want a URL such as http://127.0.0.1:8081", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("scheme %q: want http:// or https://, as in http://127.0.0.1:8081", u.Scheme)
	case u.Host == "" || u.Hostname() == "":
		return "", errors.New("no host: want one such as http://127.0.0.1:8081")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", errors.New("a query or fragment: want the API's base URL, such as http://127.0.0.1:8081")
	}
	if port := u.Port(); port != "" || strings.HasSuffix(u.Host, ":") {
		if err := checkPort(port); err != nil {
			return "", err
		}
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// checkPort checks a TCP port given as text: a number from 1 to 65535.
func checkPort(port string) error {
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q: want a number from 1 to 65535", port)
	}
	return nil
}
