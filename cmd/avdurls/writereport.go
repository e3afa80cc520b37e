package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/internal/atomicfile"
	"github.com/avdurls/avdurls/render"
)

// checkOutputDir creates dir (and its parents, 0755) when it is given and
// missing, and fails early when it is not a writable folder.
func checkOutputDir(dir string) error {
	if dir == "" {
		return nil
	}
	return atomicfile.CheckDir(dir)
}

// renderReport writes the report in the chosen format, and says on
// stderr which unresolved wildcard rows, entries and IP rules the format
// cannot carry (render.NotCarried) and what a list needs beside it
// (render.Hints). A Palo Alto list holds one region: with several it
// writes and says nothing and fails (render.Fit).
func (e *env) renderReport(w io.Writer, format string, rep catalog.Report, fo render.Options) error {
	if err := render.Fit(format, rep); err != nil {
		if errors.Is(err, render.ErrOneRegion) {
			return fmt.Errorf("-f %s: %v: give --output-dir DIR to write one list per region", format, err)
		}
		return err
	}
	for _, n := range render.NotCarried(format, rep, fo) {
		e.warnf("%s", n)
	}
	for _, n := range render.Hints(format, rep) {
		e.infof("%s", n)
	}
	return render.Write(w, format, rep, fo)
}

// writeReport writes the report to stdout, -o or one file per region; for
// --output-dir all region files or none. Each region file keeps the rule
// priorities it has in the single-file output (render.Options.Region), and a
// Terraform set gets one variables.tf that declares what the region files
// share.
func (e *env) writeReport(o scanOptions, rep catalog.Report) error {
	stdout := e.stdout
	if o.outputDir == "" {
		return atomicfile.Write(o.output, stdout, func(w io.Writer) error { return e.renderReport(w, o.format, rep, o.fw) })
	}
	files := make([]atomicfile.File, 0, len(rep.Regions)+1)
	for i, r := range rep.Regions {
		rr, fo := render.Region(rep, i), o.fw.Region(i)
		path, err := regionFile(o.outputDir, rep.Cloud, r.Region, render.Ext(o.format))
		if err != nil {
			return err
		}
		files = append(files, atomicfile.File{Path: path, Render: func(w io.Writer) error { return e.renderReport(w, o.format, rr, fo) }})
	}
	if o.format == "terraform" && len(rep.Regions) > 0 {
		files = append(files, atomicfile.File{Path: filepath.Join(o.outputDir, render.TerraformVariablesFile),
			Render: func(w io.Writer) error { return render.WriteTerraformVariables(w, rep) }})
	}
	if err := atomicfile.WriteAll(files); err != nil {
		return err
	}
	for _, f := range files {
		e.infof("wrote %s", f.Path)
	}
	return nil
}
