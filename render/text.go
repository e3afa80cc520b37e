package render

import (
	"fmt"
	"io"
	"slices"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
)

// writeText writes one address per line, ready to paste: every entry and
// IP rule, each address once; then the wildcards carried as wildcards,
// under a comment that says why.
func writeText(w io.Writer, rep catalog.Report) error {
	return writeLists(w, rep, true, func(r catalog.Region) []string {
		var addrs []string
		for _, e := range append(slices.Clone(r.Entries), r.IPRules...) {
			addrs = append(addrs, e.Address)
		}
		addrs = sortedUnique(addrs)
		var notes []string
		for _, e := range r.Entries {
			if e.Deprecated {
				notes = append(notes, "# "+discover.CleanText(e.Address+": "+deprecatedNote(e), 1<<12))
			}
		}
		addrs = append(notes, addrs...)
		if len(r.Wildcards) > 0 {
			addrs = append(addrs, "# wildcards, carried as wildcards:")
			for _, wc := range r.Wildcards {
				addrs = append(addrs, "# "+discover.CleanText(wc.Address+": "+wc.Reason, 1<<12))
			}
			addrs = append(addrs, sortedUnique(wildcardAddresses(r.Wildcards))...)
		}
		return addrs
	})
}

// wildcardAddresses are the addresses of carried wildcards.
func wildcardAddresses(ws []catalog.Wildcard) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.Address)
	}
	return out
}

// writeLists writes each region's list one item a line; with several
// regions each list starts with a "# region NAME" line. Where the format
// has comments, each unresolved wildcard row the list cannot hold is
// named in a "# not carried" line.
func writeLists(w io.Writer, rep catalog.Report, comments bool, items func(catalog.Region) []string) error {
	for i, r := range rep.Regions {
		if len(rep.Regions) > 1 {
			if i > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "# region %s\n", r.Region)
		}
		for _, u := range r.Unresolved {
			if comments {
				fmt.Fprintf(w, "# %s\n", discover.CleanText(missingNote(u), 1<<12))
			}
		}
		for _, it := range items(r) {
			if _, err := fmt.Fprintln(w, it); err != nil {
				return err
			}
		}
	}
	return nil
}
