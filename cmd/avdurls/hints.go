package main

import (
	"fmt"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/internal/termtext"
)

// codeHints are the options that change how a kind of kept-out name is
// judged: the library's reasons name no flag, the command says which.
// Each counts the names of its codes, in the singular and the plural.
var codeHints = []struct {
	codes     []discover.Code
	one, many string
	hint      string
}{
	{[]discover.Code{catalog.CodeUntrusted}, "untrusted name", "untrusted names", "--trust-suffix DOMAIN trusts a domain you know is needed"},
	{[]discover.Code{catalog.CodeOptional}, "name under an optional row", "names under optional rows", "--optional admits them"},
	{[]discover.Code{catalog.CodeRegistrable}, "name to review", "names to review", "--allow-registrable admits them once you confirmed they are Microsoft's"},
	{[]discover.Code{catalog.CodeDeprecated, catalog.CodeLegacyAgent}, "deprecated host", "deprecated hosts", "--include-deprecated keeps them"},
	{[]discover.Code{discover.CodeTooManyNames}, "name from an event with too many names", "names from events with too many names", "--max-names raises the bound"},
	{[]discover.Code{catalog.CodeTooManyEntries}, "name past the bound of entries of its region", "names past the bound of entries of their regions", "--max-entries raises the bound"},
}

// printHints prints, for each kind of kept-out name the report holds, how
// many there are and the option that changes it; the counts add up to
// those of the summary line.
func (e *env) printHints(rep catalog.Report) {
	seen := rep.Codes()
	listed := "" // past the bound, the counts below are of the names listed
	if n := rep.RejectedMore.Names + rep.ReviewMore.Names + rep.DeprecatedMore.Names; n > 0 {
		e.infof("about %s past the bound of names listed: --max-listed raises the bound", termtext.Plural(n, "more name"))
		listed = " listed"
	}
	for _, h := range codeHints {
		n := 0
		for _, c := range h.codes {
			n += seen[c]
		}
		switch {
		case n == 1:
			e.infof("1 %s%s: %s", h.one, listed, h.hint)
		case n > 1:
			e.infof("%d %s%s: %s", n, h.many, listed, h.hint)
		}
	}
}

// listCount is the number of items of a list: those listed, and the names
// past its bound (about: their count is estimated).
func listCount(list []catalog.Excluded, rest catalog.Rest) string {
	if rest.Names == 0 {
		return fmt.Sprint(len(list))
	}
	return fmt.Sprintf("about %d", len(list)+rest.Names)
}
