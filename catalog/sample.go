package catalog

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/avdurls/avdurls/discover"
)

// A fleet's report is built holding one pending name per host and name
// until each host's region is known (Builder), so what a pending name
// keeps is compact: its times as stamps and its evidence as a sample of
// evItems, with no pointer but the computer's and file's names.

// stamp is a time in UTC without a location pointer: seconds since
// January 1 of year 1 and nanoseconds. The zero stamp is the zero time.
type stamp struct {
	sec  int64
	nsec int32
}

// zeroUnix is time.Time{}.Unix(): the zero time is the zero stamp.
const zeroUnix = -62135596800

func stampOf(t time.Time) stamp { return stamp{t.Unix() - zeroUnix, int32(t.Nanosecond())} }

// time is the stamp's time, in UTC.
func (s stamp) time() time.Time { return time.Unix(s.sec+zeroUnix, int64(s.nsec)).UTC() }

func (s stamp) isZero() bool { return s == stamp{} }

func (s stamp) compare(o stamp) int {
	return cmp.Or(cmp.Compare(s.sec, o.sec), cmp.Compare(s.nsec, o.nsec))
}

// evItem is a discover.Evidence in compact form: its time a stamp, its
// status one bit (evidence holds one status, or none).
type evItem struct {
	computer, file string
	recordID       uint64
	at             stamp
	eventID        uint32
	status         discover.Statuses
}

func itemOf(e discover.Evidence) evItem {
	return evItem{computer: e.Computer, file: e.File, recordID: e.RecordID, at: stampOf(e.Time), eventID: e.EventID,
		status: discover.StatusesOf(e.Status)}
}

func (x evItem) evidence() discover.Evidence {
	return discover.Evidence{Computer: x.computer, File: x.file, RecordID: x.recordID, EventID: x.eventID, Time: x.at.time(),
		Status: discover.Status(x.status.String())}
}

// itemNewestFirst is newestFirst for evItems: newest first, then by
// computer, file, record, event and status.
func itemNewestFirst(a, b evItem) int {
	return cmp.Or(b.at.compare(a.at), strings.Compare(a.computer, b.computer), strings.Compare(a.file, b.file),
		cmp.Compare(a.recordID, b.recordID), cmp.Compare(a.eventID, b.eventID),
		// An item's one status as a bit orders as its name does: none,
		// reachable, reported, unreachable.
		cmp.Compare(a.status, b.status))
}

// sample is the evidence a pending name keeps: the sample capEvidence
// takes, kept sorted newest first without duplicates, and sampled as it
// grows.
type sample []evItem

// add adds evidence and samples the list once it holds more than limit
// items (a host's own names are sampled at once, other lists in batches).
func (s *sample) add(evs []discover.Evidence, limit int) {
	for _, e := range evs {
		x := itemOf(e)
		if i, found := slices.BinarySearchFunc(*s, x, itemNewestFirst); !found {
			*s = slices.Insert(*s, i, x)
		}
	}
	if len(*s) > limit {
		*s = keepSample(*s, itemComputer)
		if cap(*s) > 2*len(*s) {
			*s = slices.Clone(*s)
		}
	}
}

func itemComputer(x evItem) string { return x.computer }

// evidence is the sample as evidence, newest first.
func (s sample) evidence() []discover.Evidence {
	out := make([]discover.Evidence, 0, len(s))
	for _, x := range keepSample(s, itemComputer) {
		out = append(out, x.evidence())
	}
	return out
}

// sampleInPlace sorts list by order (newest first, a total order), drops
// duplicates and keeps, in place, the sample (keepSample).
func sampleInPlace[T comparable](list []T, order func(a, b T) int, computer func(T) string) []T {
	slices.SortFunc(list, order)
	return keepSample(slices.Compact(list), computer)
}

// keepSample keeps, in place, the sample of a list sorted newest first
// without duplicates: the evidenceEnds newest and oldest items and the
// newest item of each of the evidenceHosts smallest computer names. Every
// item of the sample of a list is in the sample of the part it came from,
// so the sample of a list is the same whatever parts of it were sampled
// before.
func keepSample[T any](list []T, computer func(T) string) []T {
	if len(list) <= 2*evidenceEnds {
		return list // all of it: its oldest and newest ends
	}
	// The smallest computers with their newest item (their first: the
	// list is newest first). A computer once left out of them stays out:
	// the smallest only get smaller.
	type first struct {
		computer string
		i        int
	}
	var small [evidenceHosts + 1]first
	n := 0
	for i, x := range list {
		c := computer(x)
		if slices.ContainsFunc(small[:n], func(f first) bool { return f.computer == c }) {
			continue
		}
		if n == evidenceHosts && c >= small[n-1].computer {
			continue
		}
		j := n
		for j > 0 && small[j-1].computer > c {
			j--
		}
		copy(small[j+1:n+1], small[j:n])
		small[j] = first{c, i}
		n = min(n+1, evidenceHosts)
	}
	out := list[:0]
	for i, x := range list {
		keep := i < evidenceEnds || i >= len(list)-evidenceEnds ||
			slices.ContainsFunc(small[:n], func(f first) bool { return f.i == i })
		if keep {
			out = append(out, x)
		}
	}
	return out
}
