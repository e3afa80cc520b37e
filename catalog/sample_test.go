package catalog

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/avdurls/avdurls/discover"
)

// TestCompactSampleEqualsCapEvidence: a pending name's compact sample,
// added to in any order, in parts of any size and sampled at any limit,
// gives the evidence capEvidence takes from the whole list; duplicates,
// equal times and every status included.
func TestCompactSampleEqualsCapEvidence(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	statuses := []discover.Status{"", discover.Reachable, discover.Reported, discover.Unreachable}
	for round := range 300 {
		n := 1 + rng.IntN(60)
		var list []discover.Evidence
		for range n {
			list = append(list, discover.Evidence{Computer: fmt.Sprintf("c%d", rng.IntN(1+round%9)), File: fmt.Sprintf("f%d", rng.IntN(2)),
				RecordID: uint64(rng.IntN(5)), EventID: uint32(3701 + rng.IntN(2)),
				Time:   base.Add(time.Duration(rng.IntN(20)) * time.Second).Add(time.Duration(rng.IntN(3))),
				Status: statuses[rng.IntN(len(statuses))]})
		}
		want := capEvidence(slices.Clone(list))
		for _, limit := range []int{ownLimit, sharedLimit} {
			var s sample
			rest := slices.Clone(list)
			rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
			for len(rest) > 0 {
				k := 1 + rng.IntN(len(rest))
				s.add(rest[:k], limit)
				rest = rest[k:]
			}
			if got := s.evidence(); !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d, limit %d: sample\n%v\nwant\n%v", round, limit, got, want)
			}
			if limit == ownLimit && len(s) > 2*evidenceEnds+evidenceHosts {
				t.Fatalf("round %d: %d items held, want at most %d", round, len(s), 2*evidenceEnds+evidenceHosts)
			}
		}
	}
}

// TestStampRoundTrip: a stamp gives back the instant it was made of, in
// UTC, the zero time included.
func TestStampRoundTrip(t *testing.T) {
	east := time.FixedZone("UTC+9", 9*3600)
	for _, tm := range []time.Time{{}, time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2026, 12, 6, 9, 0, 0, 123456789, east), time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)} {
		got := stampOf(tm).time()
		if !got.Equal(tm) || got.Location() != time.UTC || got.IsZero() != tm.IsZero() {
			t.Errorf("%v: back as %v", tm, got)
		}
		if tm.IsZero() && (!stampOf(tm).isZero() || got != (time.Time{})) {
			t.Errorf("the zero time: stamp %+v, back as %#v", stampOf(tm), got)
		}
	}
}
