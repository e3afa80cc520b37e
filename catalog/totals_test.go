package catalog

import (
	"maps"
	"testing"

	"github.com/avdurls/avdurls/discover"
)

// TestTotals counts over two regions: names and IP rules are entries, the
// deprecated names among them counted apart; wildcards and unresolved rows
// add up across regions. Codes counts the listed names kept out, from all
// three lists, by code.
func TestTotals(t *testing.T) {
	rep := Report{
		Regions: []Region{
			{Region: "eastus2", Entries: []Entry{{Address: "a.example"}, {Address: "b.example", Deprecated: true}},
				IPRules: []Entry{{Address: "168.63.129.16"}}, Wildcards: []Wildcard{{}}, Unresolved: []Unresolved{{}, {}}},
			{Region: "westeurope", Entries: []Entry{{Address: "c.example", Deprecated: true}}, Wildcards: []Wildcard{{}}},
		},
		Rejected:   []Excluded{{Code: CodeUntrusted}, {Code: CodeUntrusted}, {Code: discover.CodeTooManyNames}},
		Review:     []Excluded{{Code: CodeRegistrable}},
		Deprecated: []Excluded{{Code: CodeDeprecated}},
	}
	if got, want := rep.Totals(), (Totals{Entries: 4, Deprecated: 2, Wildcards: 2, Unresolved: 2}); got != want {
		t.Errorf("Totals = %+v, want %+v", got, want)
	}
	want := map[discover.Code]int{CodeUntrusted: 2, discover.CodeTooManyNames: 1, CodeRegistrable: 1, CodeDeprecated: 1}
	if got := rep.Codes(); !maps.Equal(got, want) {
		t.Errorf("Codes = %v, want %v", got, want)
	}
	if got := (Report{}).Totals(); got != (Totals{}) {
		t.Errorf("empty report: %+v", got)
	}
}
