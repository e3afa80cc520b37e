package discover

import (
	"fmt"
	"strings"
)

// Statuses is a set of Status: what the agent said of a name over all the
// events that named it. In JSON and text it is the sorted, comma-separated
// list of its statuses ("reachable,unreachable"), empty when none.
type Statuses uint8

// statusOrder is the order in which a set's statuses are written.
var statusOrder = []Status{Reachable, Reported, Unreachable}

// StatusesOf returns the set of the given statuses; unknown ones are
// left out.
func StatusesOf(ss ...Status) Statuses {
	var set Statuses
	for _, s := range ss {
		for i, o := range statusOrder {
			if s == o {
				set |= 1 << i
			}
		}
	}
	return set
}

// Has reports whether the set holds s.
func (set Statuses) Has(s Status) bool { return set&StatusesOf(s) != 0 }

// Union returns the statuses of both sets.
func (set Statuses) Union(o Statuses) Statuses { return set | o }

// String returns the sorted, comma-separated statuses.
func (set Statuses) String() string {
	var names []string
	for i, s := range statusOrder {
		if set&(1<<i) != 0 {
			names = append(names, string(s))
		}
	}
	return strings.Join(names, ",")
}

// MarshalText writes the set as String does.
func (set Statuses) MarshalText() ([]byte, error) { return []byte(set.String()), nil }

// UnmarshalText reads a set written by MarshalText, strictly: known
// statuses, sorted, each once.
func (set *Statuses) UnmarshalText(b []byte) error {
	var s Statuses
	if len(b) > 0 {
		for _, p := range strings.Split(string(b), ",") {
			one := StatusesOf(Status(p))
			if one == 0 {
				return fmt.Errorf("status %q is not reachable, reported or unreachable", CleanText(p, 40))
			}
			s |= one
		}
	}
	if s.String() != string(b) {
		return fmt.Errorf("statuses %q are not a sorted list of distinct statuses", CleanText(string(b), 60))
	}
	*set = s
	return nil
}
