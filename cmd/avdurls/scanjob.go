package main

import (
	"io"
	"slices"
	"strings"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/internal/atomicfile"
)

// scanJob is one run of the scan pipeline. A source (scanFiles, scanLive,
// scanWorkspace) feeds the collector and records its inputs; finish then
// judges every name (catalog Build), writes the report and summarises.
type scanJob struct {
	o       scanOptions
	bo      catalog.BuildOptions
	ver     *catalog.Version
	rmap    *regionMap // nil without --region-map
	c       *collector
	inputs  []catalog.InputFile
	partial bool // some input was damaged, cut or unreadable: exit 3
	old     int  // events older than --since, skipped
	stdout  io.Writer
}

// checkOutputs fails before any work when the output cannot be written.
func (j *scanJob) checkOutputs(inputs []string) error {
	if err := atomicfile.Check(j.o.output, inputs); err != nil {
		return err
	}
	return checkOutputDir(j.o.outputDir)
}

// finish builds the report from what the source collected, writes it and
// prints the summary, the region map's loose ends, a cloud hint and the
// hosts' health. files is the number of inputs the source read.
func (j *scanJob) finish(files int) (int, error) {
	rep := j.ver.Build(j.c.obs, j.bo)
	slices.SortFunc(j.inputs, func(a, b catalog.InputFile) int { return strings.Compare(a.File, b.File) })
	rep.Inputs = j.inputs
	if rep.Inputs == nil {
		rep.Inputs = []catalog.InputFile{}
	}
	if err := writeReport(j.o, rep, j.stdout); err != nil {
		return exitError, err
	}
	summary(rep, files, j.c.events)
	if j.rmap != nil {
		j.rmap.warnUnmatched(rep.Hosts)
	}
	printHints(rep)
	if cl, n := j.ver.CloudHint(rep); n > 0 {
		warnf("%d of the rejected names are %s cloud names of the catalog: did you mean --cloud %s?", n, cl, cl)
	}
	if !j.o.quiet {
		healthSummary(rep)
	}
	if j.partial {
		return exitPartial, nil
	}
	return exitOK, nil
}

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
func printHints(rep catalog.Report) {
	seen := map[discover.Code]int{}
	for _, list := range [][]catalog.Excluded{rep.Rejected, rep.Review, rep.Deprecated} {
		for _, x := range list {
			seen[x.Code]++
		}
	}
	for _, h := range codeHints {
		if n := seen[h.code]; n > 0 {
			infof("%d %s", n, h.hint)
		}
	}
}
