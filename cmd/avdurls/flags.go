package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// choice is a flag value that must be one of a fixed list; a bad value
// fails at parse time with the list of choices.
type choice struct {
	value   string
	choices []string
}

func newChoice(def string, choices ...string) *choice {
	return &choice{value: def, choices: choices}
}

func (c *choice) String() string { return c.value }
func (c *choice) Type() string   { return "string" }
func (c *choice) Set(s string) error {
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
