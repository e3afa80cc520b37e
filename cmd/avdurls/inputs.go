package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/avdurls/avdurls/evtx"
)

// The kinds of input the command knows beside those of evtx.Sniff.
const (
	kindEmpty  evtx.Kind = "empty"  // an empty .json, .xml or .txt file
	kindAzJSON evtx.Kind = "azjson" // az monitor log-analytics query -o json
	kindAzCSV  evtx.Kind = "azcsv"  // the portal's CSV export
)

// input is one file to read and what it holds.
type input struct {
	path string
	kind evtx.Kind // evtx.Sniff's answer, or one of the kinds below
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
		kind, err := sniffFile(path)
		if err != nil {
			if explicit {
				return err
			}
			skipped++
			return nil
		}
		if kind == evtx.KindUnknown && strings.EqualFold(filepath.Ext(path), ".evtx") {
			kind = evtx.KindEVTX // named as an event log: the reader says what is wrong with it
		}
		if kind == evtx.KindUnknown {
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

// sniffFile reads the start of a file and classifies it (see evtx.Sniff);
// an empty .json, .xml or .txt file is "empty" (an empty .evtx file is left
// to the EVTX reader, which says so).
func sniffFile(path string) (evtx.Kind, error) {
	f, err := os.Open(path)
	if err != nil {
		return evtx.KindUnknown, err
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return evtx.KindUnknown, fmt.Errorf("%s: %w", path, err)
	}
	if n == 0 && slices.Contains([]string{".json", ".xml", ".txt"}, strings.ToLower(filepath.Ext(path))) {
		return kindEmpty, nil // a report or export that never arrived: said, not skipped
	}
	return evtx.Sniff(head[:n]), nil
}

// pathsOf returns the paths of the inputs of one kind.
func pathsOf(ins []input, kind evtx.Kind) []string {
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
