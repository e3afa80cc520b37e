package scan

import "testing"

// TestSniff classifies inputs by content, including reports cut at either
// end (Azure VM Run Command keeps only the last 4,096 bytes of output).
func TestSniff(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ElfFile\x00rest", "evtx"},
		{"<Event xmlns='x'><System/></Event>", "xml"},
		{"  <Events><Event/></Events>", "xml"},
		{"UrlsAccessibleCheck : Outcome", "urltool"},
		{`{"schemaVersion":2,"catalog":{},"regions":[]}`, "report"},
		{"{\n  \"schemaVersion\": 2,\n  \"catalog\": {\n    \"vers", "report"},      // its start only
		{"\ufeff{\r\n\t\"schemaVersion\": 2", "report"},                             // byte order mark
		{`{"cloud":"public","schemaVersion":2,"regions":[]}`, "report"},             // keys in another order
		{"ter.local\",\n      \"regionBasis\": \"--region\",\n  }]}", "report-end"}, // its end only
		{"      \"damagedChunks\": 0\n    }\n  ]\n}\n", "report-end"},
		{"{\n      \"address\": \"a.example\",\n      \"evidenceCount\": 3\n}", "report-end"},
		{`{"name":"vm1","location":"westeurope"}`, ""},
		{"# notes\nschemaVersion is a word here", ""},
		{"", ""},
	} {
		if got := Sniff([]byte(tc.in)); got != Kind(tc.want) {
			t.Errorf("Sniff(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
