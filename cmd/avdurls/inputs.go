package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/avdurls/avdurls/scan"
)

// input is one file to read and what it holds.
type input struct {
	path string
	kind scan.Kind // evtx.Sniff's answer, or one of the kinds below
}

// expandInputs turns the command line's paths into a sorted list of
// inputs, classified by content rather than by name: .evtx files, rendered
// event XML, URL-tool output and avdurls JSON reports. A file named on the
// command line that is none of these is an error naming it; in a folder,
// such files are skipped and counted.
func expandInputs(paths []string) (ins []input, skipped int, err error) {
	seen := map[string]bool{}
	add := func(path string, explicit bool) error {
		path = filepath.Clean(path)
		if seen[path] {
			return nil
		}
		seen[path] = true
		kind, err := scan.SniffFile(path)
		if err != nil {
			if explicit {
				return err
			}
			skipped++
			return nil
		}
		if kind == scan.KindUnknown && strings.EqualFold(filepath.Ext(path), ".evtx") {
			kind = scan.KindEVTX // named as an event log: the reader says what is wrong with it
		}
		if kind == scan.KindUnknown {
			if explicit {
				return fmt.Errorf("%s: not an EVTX file, rendered event XML, URL-tool output or avdurls report; export the log with 'wevtutil epl Application host.evtx'", path)
			}
			skipped++
			return nil
		}
		ins = append(ins, input{path, kind})
		return nil
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			if os.IsNotExist(err) {
				return nil, 0, fmt.Errorf("%s: no such file or folder", p)
			}
			return nil, 0, err
		}
		if !fi.IsDir() {
			if err := add(p, true); err != nil {
				return nil, 0, err
			}
			continue
		}
		before := len(ins)
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() {
				return add(path, false)
			}
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
		if len(ins) == before {
			return nil, 0, fmt.Errorf("%s: no event logs (.evtx, event XML, URL-tool output or reports) in this folder or below it; export the Application log with 'wevtutil epl Application host.evtx' on each session host", p)
		}
	}
	slices.SortFunc(ins, func(a, b input) int { return strings.Compare(a.path, b.path) })
	return ins, skipped, nil
}

// pathsOf returns the paths of the inputs of one kind.
func pathsOf(ins []input, kind scan.Kind) []string {
	var p []string
	for _, in := range ins {
		if in.kind == kind {
			p = append(p, in.path)
		}
	}
	return p
}

// allPaths returns the paths of every input.
func allPaths(ins []input) []string {
	p := make([]string, len(ins))
	for i, in := range ins {
		p[i] = in.path
	}
	return p
}
