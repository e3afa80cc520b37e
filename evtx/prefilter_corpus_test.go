package evtx

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/evtx/evtxtest"
)

// sameEvents compares two event streams field by field and in order.
func sameEvents(a, b []Event) bool {
	return slices.EqualFunc(a, b, func(x, y Event) bool {
		return x.RecordID == y.RecordID && x.Chunk == y.Chunk && x.Partial == y.Partial && len(diffEvent(x, y)) == 0
	})
}

// TestPrefilterConservative shows the prefilter never changes a result:
// on every real corpus file and on generated files (provider names in
// template literals and in substitutions, templates defined in one record
// and used by later ones, any letter case), reading with and without it
// delivers the same events for every provider present and for WVD-Agent.
func TestPrefilterConservative(t *testing.T) {
	type input struct {
		name string
		b    []byte
	}
	var inputs []input
	for _, f := range corpusFiles(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, input{filepath.Base(f), b})
	}
	recs := synthRecords(400)
	for i := range recs {
		switch i % 7 {
		case 1:
			recs[i].Provider = "wvd-agent"
		case 2:
			recs[i].Provider = "WVD-AGENT"
		case 3:
			recs[i].Provider = "WVD-Agent-Updater"
		}
	}
	for _, opt := range []evtxtest.Options{{}, {ProviderInSubstitution: true}, {RecordsPerChunk: 3}} {
		b, err := evtxtest.Bytes(recs, opt)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, input{"generated", b})
	}
	compared, skippedChunks, skippedRecords := 0, 0, 0
	for _, in := range inputs {
		all, _, _, err := readAllOpt(t, in.b, Options{NoPrefilter: true})
		if err != nil {
			t.Fatalf("%s: %v", in.name, err)
		}
		provs := map[string]bool{"WVD-Agent": true, "wvd-AGENT": true}
		for _, ev := range all {
			provs[ev.Provider] = true
		}
		names := make([]string, 0, len(provs))
		for p := range provs {
			names = append(names, p)
		}
		sort.Strings(names)
		for _, p := range names {
			f := filter{Providers: []string{p}}
			slow, _, _, _ := readAllOpt(t, in.b, Options{Providers: f.Providers, NoPrefilter: true})
			fast, _, st, _ := readAll(t, in.b, f)
			if !sameEvents(slow, fast) {
				t.Errorf("%s, provider %q: %d events without the prefilter, %d with it", in.name, p, len(slow), len(fast))
			}
			compared += len(slow)
			skippedChunks += st.SkippedChunks
			skippedRecords += st.SkippedRecords
		}
		if strings.HasPrefix(in.name, "generated") {
			// The prefilter must also hold for a filter of two providers.
			f := filter{Providers: []string{"msiinstaller", "Wvd-Agent"}}
			slow, _, _, _ := readAllOpt(t, in.b, Options{Providers: f.Providers, NoPrefilter: true})
			fast, _, _, _ := readAll(t, in.b, f)
			if !sameEvents(slow, fast) || len(slow) == 0 {
				t.Errorf("%s: two providers: %d vs %d events", in.name, len(slow), len(fast))
			}
		}
	}
	t.Logf("%d inputs, %d matching events compared; prefilter skipped %d chunks and %d records", len(inputs), compared, skippedChunks, skippedRecords)
}
