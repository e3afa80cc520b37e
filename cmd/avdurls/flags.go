package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/avdurls/avdurls/catalog"
)

// choice is a flag value that must be one of a fixed list; a bad value
// fails at parse time with the list of choices.
type choice struct {
	value   string
	choices []string
	// parse, when set, turns what the user wrote into a choice (aliases
	// such as AzureUSGovernment for usgov).
	parse func(string) (string, error)
}

// cloudChoice is --cloud: the catalog's clouds, with the names Azure
// tools use (AzureCloud, AzureUSGovernment, AzureChinaCloud) accepted.
func cloudChoice() *choice {
	return &choice{value: string(catalog.CloudPublic), choices: cloudNames(), parse: func(s string) (string, error) {
		c, err := catalog.ParseCloud(s)
		return string(c), err
	}}
}

// scopeChoice is --scope: sessionhost (or session-host) or client.
func scopeChoice() *choice {
	return &choice{value: string(catalog.ScopeSessionHost), choices: scopeNames(), parse: func(s string) (string, error) {
		sc, err := catalog.ParseScope(s)
		return string(sc), err
	}}
}

func newChoice(def string, choices ...string) *choice {
	return &choice{value: def, choices: choices}
}

func (c *choice) String() string { return c.value }
func (c *choice) Type() string   { return "string" }
func (c *choice) Set(s string) error {
	if c.parse != nil {
		v, err := c.parse(s)
		if err != nil {
			return fmt.Errorf("must be one of %s", strings.Join(c.choices, ", "))
		}
		c.value = v
		return nil
	}
	s = strings.ToLower(strings.TrimSpace(s))
	if !slices.Contains(c.choices, s) {
		return fmt.Errorf("must be one of %s", strings.Join(c.choices, ", "))
	}
	c.value = s
	return nil
}

// idList is a comma-separated list of event IDs.
type idList struct{ ids []uint32 }

func (l *idList) String() string {
	s := make([]string, len(l.ids))
	for i, id := range l.ids {
		s[i] = strconv.FormatUint(uint64(id), 10)
	}
	return strings.Join(s, ",")
}
func (l *idList) Type() string { return "ids" }
func (l *idList) Set(s string) error {
	var ids []uint32
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.ParseUint(f, 10, 16)
		if err != nil {
			return fmt.Errorf("%q is not an event ID (0-65535)", f)
		}
		ids = append(ids, uint32(n))
	}
	if len(ids) == 0 {
		return fmt.Errorf("no event IDs given")
	}
	slices.Sort(ids)
	l.ids = slices.Compact(ids)
	return nil
}
