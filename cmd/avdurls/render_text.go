package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/avdurls/avdurls/catalog"
)

// writeText writes one address per line, ready to paste: every entry and
// IP rule, each address once. With several regions each list starts with a
// "# region NAME" line.
func writeText(w io.Writer, rep catalog.Report) error {
	for i, r := range rep.Regions {
		if len(rep.Regions) > 1 {
			if i > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "# region %s\n", r.Region)
		}
		var addrs []string
		for _, e := range r.Entries {
			addrs = append(addrs, e.Address)
		}
		for _, e := range r.IPRules {
			addrs = append(addrs, e.Address)
		}
		slices.Sort(addrs)
		for _, a := range slices.Compact(addrs) {
			if _, err := fmt.Fprintln(w, a); err != nil {
				return err
			}
		}
	}
	return nil
}
