package render

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
)

// csvHeader is the change-ticket sheet's header row.
// "origin" says where an entry comes from (catalog or event);
// "source_addresses" are the firewall rule's sources (--source, default *).
var csvHeader = []string{"region", "address", "port", "protocol", "rule", "origin", "replaces",
	"purpose", "status", "evidence_count", "first_seen", "last_seen", "service_tag", "source_addresses", "note"}

// writeCSV writes the entries of every region as RFC 4180 CSV, every cell
// safe against spreadsheet formula injection.
func writeCSV(w io.Writer, rep catalog.Report, fo Options) error {
	sources := "*"
	if len(fo.Sources) > 0 {
		sources = strings.Join(fo.Sources, " ")
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, r := range rep.Regions {
		for _, list := range [][]catalog.Entry{r.Entries, r.IPRules} {
			for _, e := range list {
				rec := []string{r.Region, e.Address, strconv.Itoa(e.Port), e.Protocol, e.Kind, e.Source, e.Replaces,
					e.Purpose, e.Status.String(), strconv.Itoa(e.EvidenceCount), timeCell(e.FirstSeen), timeCell(e.LastSeen), e.ServiceTag, sources, deprecatedNote(e)}
				if err := WriteCSVRecord(cw, rec); err != nil {
					return err
				}
			}
		}
		// Wildcards carried as wildcards: status wildcard, and why.
		for _, wc := range r.Wildcards {
			rec := []string{r.Region, wc.Address, strconv.Itoa(wc.Port), wc.Protocol, "wildcard", "catalog", "",
				wc.Purpose, "wildcard", strconv.Itoa(wc.Observed), "", "", wc.ServiceTag, sources, wc.Reason}
			if err := WriteCSVRecord(cw, rec); err != nil {
				return err
			}
		}
		// Wildcard rows no name replaces: status unresolved, with the
		// service tag that can stand for them and why.
		for _, u := range r.Unresolved {
			rec := []string{r.Region, u.Address, strconv.Itoa(u.Port), u.Protocol, "wildcard", "catalog", "",
				u.Purpose, "unresolved", strconv.Itoa(u.Observed), "", "", u.ServiceTag, sources, u.Reason}
			if err := WriteCSVRecord(cw, rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func timeCell(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// safeCell makes a cell safe for a spreadsheet: unprintable characters
// are escaped (discover.CleanText), and a cell a spreadsheet would read as
// a formula (one starting, after any spaces, with =, +, -, @ or a
// full-width equals or plus sign) gets a leading quote, as OWASP
// recommends.
func safeCell(s string) string {
	s = discover.CleanText(s, 1<<20)
	t := strings.TrimLeft(s, " ")
	if t != "" && (strings.ContainsRune("=+-@", rune(t[0])) || strings.HasPrefix(t, "\uff1d") || strings.HasPrefix(t, "\uff0b")) {
		return "'" + s
	}
	return s
}

// WriteCSVRecord writes a CSV record with every cell neutralised by safeCell.
func WriteCSVRecord(cw *csv.Writer, rec []string) error {
	for i := range rec {
		rec[i] = safeCell(rec[i])
	}
	return cw.Write(rec)
}

// deprecatedNote says why an entry under a row Microsoft no longer lists is
// kept, "" for other entries.
func deprecatedNote(e catalog.Entry) string {
	if !e.Deprecated {
		return ""
	}
	return fmt.Sprintf("deprecated by Microsoft; the newest URL check of %d host(s) still lists it: remove it when none does", len(e.CheckedBy))
}
