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
		// Raw Event rows, whose text would pass for URL-tool output.
		{"TimeGenerated [UTC],Source,EventLog,Computer,EventID,RenderedDescription\n5/6/2024,WVD-Agent,Application,h,3701,\"Accessible URLs:\na.wvd.microsoft.com\"", "azcsv"},
		{`[{"TimeGenerated":"2024-05-06T00:00:00Z","Source":"WVD-Agent","RenderedDescription":"Accessible URLs: a.wvd.microsoft.com"}]`, "azjson"},
		// An export lacking columns still is one: its reader says what it lacks.
		{"[\n  {\n    \"TableName\": \"PrimaryResult\", \"TimeGenerated\": \"x\", \"RenderedDescription\": \"Accessible URLs: a.example\"", "azjson"},
		{"computer,region\nvm1,westeurope", ""}, // a region map is no export
		{`[{"name":"vm1","location":"westeurope","tags":{"a":"b"}}]`, ""},
		{"# notes\nschemaVersion is a word here", ""},
		{"", ""},
	} {
		if got := Sniff([]byte(tc.in)); got != Kind(tc.want) {
			t.Errorf("Sniff(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
