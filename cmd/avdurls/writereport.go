package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/internal/atomicfile"
	"github.com/avdurls/avdurls/internal/termtext"
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

// writeReport writes the report to stdout, -o or one file per region
// (render.Set); for --output-dir all region files or none.
func (e *env) writeReport(o scanOptions, rep catalog.Report) error {
	stdout := e.stdout
	if o.outputDir == "" {
		return atomicfile.Write(o.output, stdout, func(w io.Writer) error { return e.renderReport(w, o.format, rep, o.fw) })
	}
	parts, err := render.Set(o.outputDir, o.format, rep, o.fw)
	if err != nil {
		return err
	}
	files := make([]atomicfile.File, 0, len(parts))
	for _, p := range parts {
		write := p.Write
		if p.Report != nil {
			p := p
			write = func(w io.Writer) error { return e.renderReport(w, o.format, *p.Report, p.Options) }
		}
		files = append(files, atomicfile.File{Path: p.Path, Render: write})
	}
	if err := atomicfile.WriteAll(files); err != nil {
		return err
	}
	written := make([]string, 0, len(files))
	for _, f := range files {
		e.infof("wrote %s", f.Path)
		written = append(written, f.Path)
	}
	return e.staleFiles(o, rep.Cloud, written)
}

// staleFiles lists the files of --output-dir named like this format's
// region files (REGION.EXT, Terraform's variables file) that the run did
// not write: left by an earlier run with other regions, they would deploy
// that region's old rules. --prune removes them (regular files only).
func (e *env) staleFiles(o scanOptions, cloud catalog.Cloud, written []string) error {
	stale, err := render.Stale(o.outputDir, o.format, cloud, written)
	if err != nil {
		return err
	}
	if len(stale) == 0 {
		return nil
	}
	if !o.prune {
		e.warnf("--output-dir %s: %s named like region files but not written by this run (an earlier run's regions; deployed, they keep their old rules): %s; --prune removes them",
			termtext.Safe(o.outputDir), termtext.Plural(len(stale), "file"), termtext.Safe(strings.Join(stale, ", ")))
		return nil
	}
	for _, name := range stale {
		if err := render.RemoveStale(o.outputDir, name); err != nil {
			return err
		}
		e.infof("removed %s", termtext.Safe(filepath.Join(o.outputDir, name)))
	}
	return nil
}
