package catalog

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzLoad checks that any input gives a catalog or an error, never a panic,
// and that what Load accepts is valid and survives a round trip. The corpus
// in testdata/fuzz/FuzzLoad is used as well.
//
// The embedded file is a large seed; with it, new inputs take long to
// minimize, so for long runs add -fuzzminimizetime=5s.
func FuzzLoad(f *testing.F) {
	f.Add(embedded)
	// A realistic seed small enough for the fuzzer to minimize quickly: the
	// first rows of the first version of catalog.json.
	small := Default()
	small.Versions = small.Versions[:1]
	small.Versions[0].AllRows = small.Versions[0].AllRows[:12]
	b, err := json.Marshal(small)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	e := string(embedded)
	for _, s := range []string{
		strings.Replace(e, `"port": 443`, `"port": 0`, 1),
		strings.Replace(e, `"schemaVersion": 1`, `"schemaVersion": 2`, 1),
		strings.Replace(e, `"*.wvd.microsoft.com"`, `"*.*.microsoft.com"`, 1),
		strings.Replace(e, `"51.5.0.0/16"`, `"51.5.0.0/99"`, 1),
		strings.Replace(e, `"protocol": "TCP"`, `"protocol": "TCP", "extra": 1`, 1),
		e[:len(e)/2],
		catalogJSON("1", goodRow),
		catalogJSON("1", goodRow+", "+goodRow),
		`{}`, `null`, `[]`, `{"schemaVersion": 1e999}`,
	} {
		f.Add([]byte(s))
	}
	hosts := []string{"rdbroker.wvd.microsoft.com", "gsm1xt.blob.core.windows.net", "aka.ms", "x.x.example"}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Load(bytes.NewReader(data))
		if err != nil {
			if c != nil {
				t.Fatalf("Load() = %v and a catalog", err)
			}
			return
		}
		for _, v := range c.Versions {
			for i, r := range v.AllRows {
				if err := r.Validate(); err != nil {
					t.Fatalf("Load() accepted version %q, row %d: %v", v.ID, i+1, err)
				}
			}
			for _, h := range hosts {
				for _, cl := range Clouds() {
					if r, ok := v.Match(h, cl, ScopeSessionHost); ok && !r.Matches(h) {
						t.Fatalf("Match(%q) = %q, which does not match it", h, r.Address)
					}
				}
			}
		}
		if c.Newest() == nil {
			t.Fatal("Newest() = nil for a loaded catalog")
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("json.Marshal(loaded catalog) = %v", err)
		}
		if _, err := Load(bytes.NewReader(out)); err != nil {
			t.Fatalf("Load(json.Marshal(Load(data))) = %v", err)
		}
	})
}
