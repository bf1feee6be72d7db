package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/drainer-dev/drainer/assembly"
)

// settingFlags are drainer's settings (assembly.Specs) as flags: run, dev
// and sim register the same ones, with the same defaults, and apply the
// ones given over their base settings.
type settingFlags struct {
	given map[string]string // flag name → value, as given
}

// addSettingFlags registers every setting on fs; env says whether the
// usage names its environment variable (drainer run reads them).
func addSettingFlags(fs *flag.FlagSet, env bool) *settingFlags {
	sf := &settingFlags{given: map[string]string{}}
	def := assembly.DefaultSettings()
	for _, sp := range assembly.Specs {
		usage := sp.Usage
		if d := def.Value(sp.Name); d != "" && sp.Name != "cluster" && d != "false" {
			usage += fmt.Sprintf(" (default %s)", d)
		}
		if env {
			usage += fmt.Sprintf(" (env %s)", sp.Env)
		}
		set := func(v string) error {
			var check assembly.Settings
			if err := check.Set(sp.Name, v); err != nil {
				return err
			}
			if prev, ok := sf.given[sp.Name]; ok && sp.Name == "cluster" {
				v = prev + "," + v
			}
			sf.given[sp.Name] = v
			return nil
		}
		if sp.Bool {
			fs.BoolFunc(sp.Name, usage, set)
		} else {
			fs.Func(sp.Name, usage, set)
		}
	}
	return sf
}

// over returns base with the settings given as flags set over it (the
// clusters given replace base's).
func (sf *settingFlags) over(base assembly.Settings) (assembly.Settings, error) {
	s := base
	s.Clusters = append([]string(nil), base.Clusters...)
	return s, s.Apply(sf.given)
}

// envSettings are the defaults with the DRAINER_… environment variables of
// the settings applied (drainer run's base).
func envSettings() (assembly.Settings, error) {
	s := assembly.DefaultSettings()
	for _, sp := range assembly.Specs {
		v, ok := os.LookupEnv(sp.Env)
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		if err := s.Set(sp.Name, v); err != nil {
			return s, fmt.Errorf("%s: %w", sp.Env, err)
		}
	}
	return s, nil
}

// envOr returns the environment variable key, or def when it is unset or
// empty.
func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}
