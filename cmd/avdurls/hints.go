package main

import (
	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
)

// codeHints are the options that change how a kind of kept-out name is
// judged: the library's reasons name no flag, the command says which.
var codeHints = []struct {
	code discover.Code
	hint string
}{
	{catalog.CodeUntrusted, "untrusted names: --trust-suffix DOMAIN trusts a domain you know is needed"},
	{catalog.CodeOptional, "names under optional rows: --optional admits them"},
	{catalog.CodeRegistrable, "names to review: --allow-registrable admits them once you confirmed they are Microsoft's"},
	{catalog.CodeDeprecated, "deprecated hosts: --include-deprecated keeps them"},
	{discover.CodeTooManyNames, "events with too many names: --max-names raises the bound"},
	{catalog.CodeTooManyEntries, "regions with too many entries: --max-entries raises the bound"},
}

// printHints prints, for each kind of kept-out name the report holds, the
// option that changes it.
func (e *env) printHints(rep catalog.Report) {
	seen := map[discover.Code]int{}
	for _, list := range [][]catalog.Excluded{rep.Rejected, rep.Review, rep.Deprecated} {
		for _, x := range list {
			seen[x.Code]++
		}
	}
	for _, h := range codeHints {
		if n := seen[h.code]; n > 0 {
			e.infof("%d %s", n, h.hint)
		}
	}
}
