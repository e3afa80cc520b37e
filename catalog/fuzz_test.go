package catalog

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
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

// FuzzDecodeReport: the report gate never panics, and what it accepts it
// accepts again after encoding, so a report avdurls writes from another's
// fields is one it reads.
func FuzzDecodeReport(f *testing.F) {
	ev := `{"computer":"avd-0","file":"a.evtx","recordId":1,"eventId":3701,"time":"2024-05-06T08:28:00Z","status":"reachable"}`
	f.Add([]byte(`{"schemaVersion":2,"catalog":{"version":"2024-06-26","sourceDate":"2024-06-26","confidence":"primary","source":"x"},"cloud":"public","scope":"sessionhost","optional":false,` +
		`"regions":[{"region":"eastus2","entries":[{"address":"rdgateway-c100-eus2-r1.wvd.microsoft.com","port":443,"protocol":"TCP","kind":"fqdn","source":"event","replaces":"*.wvd.microsoft.com","purpose":"Service traffic","required":true,"status":"reachable","evidenceCount":1,"evidence":[` + ev + `]}],"ipRules":[{"address":"168.63.129.16","port":80,"protocol":"TCP","kind":"ip","source":"catalog","purpose":"x","required":true,"evidenceCount":0,"evidence":[]}],"unresolved":[{"address":"*.wvd.microsoft.com","port":443,"purpose":"x","observed":1,"reason":"y"}]}],` +
		`"hosts":[{"computer":"avd-0","region":"eastus2","regionBasis":"--region","events":1,"unreachable":["a.wvd.microsoft.com"],"health":[{"eventId":3703,"time":"2024-05-06T08:28:00Z","recordId":2,"file":"a.evtx","summary":"s"}],"agentChecks":[{"name":"n","outcome":"o"}]}],` +
		`"rejected":[{"address":"evil.example","code":"untrusted","reason":"r","evidenceCount":1,"evidence":[` + ev + `]}],"deprecated":[],"review":[],"inputs":[{"file":"a.evtx","records":1,"matched":1,"damagedChunks":0}]}`))
	f.Add([]byte(`{"schemaVersion":1,"catalog":{"version":"2022-08-30","sourceDate":"2022-08-30","confidence":"primary","source":"x"},"cloud":"usgov","scope":"client","optional":true,"regions":[],"hosts":[],"rejected":[{"address":"a","reason":"event claims provider x","evidenceCount":0,"evidence":[]}],"deprecated":[],"inputs":[]}`))
	f.Add([]byte(`{"schemaVersion":2,"hosts":[{"computer":"a\u001b","region":"../x"}]}`))
	f.Add([]byte(`{"schemaVersion":4,"catalog":{"version":"2024-06-26","sourceDate":"2024-06-26","confidence":"primary","source":"x"},"cloud":"public","scope":"sessionhost","optional":false,"regions":[],` +
		`"hosts":[{"computer":"avd-0","region":"eastus2","regionBasis":"x","events":1,"unreachable":["a.example"],"unreachableMore":3}],` +
		`"rejected":[{"address":"evil.example","code":"untrusted","reason":"r","status":"reachable","evidenceCount":1,"evidence":[` + ev + `]}],"deprecated":[],"review":[],` +
		`"rejectedMore":{"names":5,"estimated":true,"sightings":9},"deprecatedMore":{"names":0,"sightings":0},"reviewMore":{"names":0,"sightings":0},"inputs":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		streamed, serr := streamAll(b)
		rep, err := DecodeReport(b)
		if serr == nil && err != nil {
			t.Fatalf("the stream accepts a report DecodeReport refuses: %v", err)
		}
		if err != nil {
			return
		}
		again, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		rep2, err := DecodeReport(again)
		if err != nil {
			t.Fatalf("accepted report refused after encoding: %v\n%s", err, again)
		}
		// The tool's own encoding reads the same as a stream.
		if streamed, serr = streamAll(again); serr != nil {
			t.Fatalf("StreamReport refuses what DecodeReport accepts: %v\n%s", serr, again)
		}
		var entries []Entry
		for _, r := range rep2.Regions {
			entries = append(entries, r.Entries...)
		}
		if !reflect.DeepEqual(streamed.head.Hosts, rep2.Hosts) || !sameItems(streamed.entries, entries) ||
			!sameItems(streamed.lists["rejected"], rep2.Rejected) || !sameItems(streamed.lists["review"], rep2.Review) ||
			!sameItems(streamed.lists["deprecated"], rep2.Deprecated) || streamed.head.RejectedMore != rep2.RejectedMore {
			t.Fatalf("StreamReport reads otherwise than DecodeReport:\n%s", again)
		}
	})
}

// sameItems compares two lists, empty or nil alike.
func sameItems[T any](a, b []T) bool {
	return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b)
}

// streamed is what StreamReport hands on.
type streamed struct {
	head    Report
	entries []Entry
	lists   map[string][]Excluded
}

func streamAll(b []byte) (streamed, error) {
	s := streamed{lists: map[string][]Excluded{}}
	var err error
	s.head, err = StreamReport(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }, ReportVisitor{
		Entry:    func(_ string, e Entry) error { s.entries = append(s.entries, e); return nil },
		Excluded: func(l string, x Excluded) error { s.lists[l] = append(s.lists[l], x); return nil },
	})
	return s, err
}
