package reach

import (
	"fmt"
	"strings"
	"time"

	"github.com/avdurls/avdurls/internal/termtext"
)

// Summary counts the results of a check.
type Summary struct {
	Entries    int            `json:"entries"`
	Checked    int            `json:"checked"`
	Passed     int            `json:"passed"`
	Failed     int            `json:"failed"`
	NotChecked int            `json:"notChecked"`
	Inspection int            `json:"inspection"`
	ByStage    map[string]int `json:"failedByStage"`
	MS         int64          `json:"ms"` // the whole run
	// Proxy says which proxy was used and where its setting came from
	// (credentials as ***); empty when connections were direct.
	Proxy string `json:"proxy,omitempty"`
}

// Summarize counts the results; took is the time of the whole run.
func Summarize(res []Result, took time.Duration) Summary {
	s := Summary{Entries: len(res), ByStage: map[string]int{}, MS: took.Milliseconds()}
	for _, r := range res {
		switch {
		case !r.Checked:
			s.NotChecked++
		case r.OK:
			s.Checked++
			s.Passed++
		default:
			s.Checked++
			s.Failed++
			s.ByStage[r.Stage]++
		}
		if r.Inspection {
			s.Inspection++
		}
	}
	return s
}

// String is the summary line printed on stderr.
func (s Summary) String() string {
	line := fmt.Sprintf("%s checked in %.1fs: %d passed, %d failed", termtext.Plural(s.Checked, "entry"), float64(s.MS)/1000, s.Passed, s.Failed)
	if s.Failed > 0 {
		var parts []string
		for _, st := range []string{StageDNS, StageTCP, StageTLS, StageHTTP} {
			if n := s.ByStage[st]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", st, n))
			}
		}
		line += " (" + strings.Join(parts, ", ") + ")"
	}
	if s.Inspection > 0 {
		line += fmt.Sprintf("; TLS inspection seen on %d", s.Inspection)
	}
	if s.NotChecked > 0 {
		line += fmt.Sprintf("; %d not checked (UDP, ranges, wildcards, entries the catalog does not allow)", s.NotChecked)
	}
	return line
}
