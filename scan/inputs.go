package scan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Input is one file to read and what it holds.
type Input struct {
	Path string
	Kind Kind
}

// Inputs are the files of a scan, sorted by path, how many files in the
// folders given were of no kind and skipped, and the files in them that
// could not be read to tell their kind (permission denied, say): those
// are named, never counted as "not an event log".
type Inputs struct {
	List       []Input
	Skipped    int
	Unreadable []Unreadable
}

// Unreadable is a file in a folder given that could not be opened or read.
type Unreadable struct {
	Path string
	Err  error
}

// Message says which file could not be read and why, with the way out.
func (u Unreadable) Message() string {
	why := u.Err
	var pe *fs.PathError
	if errors.As(u.Err, &pe) {
		why = pe.Err
	}
	msg := fmt.Sprintf("%s: cannot be read: %v", u.Path, why)
	if errors.Is(u.Err, fs.ErrPermission) {
		msg += "; run as a user who may read it, or copy it first"
	}
	return msg + "; file skipped"
}

// Expand turns paths (files and folders) into the inputs to read, each
// classified by content rather than by name through the input registry:
// .evtx files, rendered event XML, workspace exports, URL-tool output and
// avdurls JSON reports. A file named that is none of these is an error
// naming it; in a folder, such files are skipped and counted. A file named
// .evtx is read as one whatever it holds (the reader says what is wrong).
func Expand(paths []string) (Inputs, error) {
	return expand(paths, SniffFile)
}

// expand is Expand with the function that tells a file's kind.
func expand(paths []string, sniffFile func(string) (Kind, error)) (Inputs, error) {
	ins, skipped, unreadable, err := expandList(paths, sniffFile)
	return Inputs{List: ins, Skipped: skipped, Unreadable: unreadable}, err
}

// expandList walks the paths.
func expandList(paths []string, sniffFile func(string) (Kind, error)) (ins []Input, skipped int, unreadable []Unreadable, err error) {
	seen := map[string]bool{}
	add := func(path string, explicit bool) error {
		path = filepath.Clean(path)
		if seen[path] {
			return nil
		}
		seen[path] = true
		kind, err := sniffFile(path)
		switch {
		case err != nil && explicit:
			return err
		case errors.Is(err, fs.ErrNotExist):
			skipped++ // gone since the folder was listed
			return nil
		case err != nil:
			unreadable = append(unreadable, Unreadable{path, err})
			return nil
		}
		if kind == KindUnknown && strings.EqualFold(filepath.Ext(path), ".evtx") {
			kind = KindEVTX // named as an event log: the reader says what is wrong with it
		}
		if kind == KindUnknown {
			if explicit {
				return fmt.Errorf("%s: not an EVTX file, rendered event XML, URL-tool output or avdurls report; export the log with 'wevtutil epl Application host.evtx'", path)
			}
			skipped++
			return nil
		}
		ins = append(ins, Input{path, kind})
		return nil
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			if os.IsNotExist(err) {
				return nil, 0, nil, fmt.Errorf("%s: no such file or folder", p)
			}
			return nil, 0, nil, err
		}
		if !fi.IsDir() {
			if err := add(p, true); err != nil {
				return nil, 0, nil, err
			}
			continue
		}
		before := len(ins) + len(unreadable)
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
			return nil, 0, nil, err
		}
		if len(ins)+len(unreadable) == before {
			return nil, 0, nil, fmt.Errorf("%s: no event logs (.evtx, event XML, URL-tool output or reports) in this folder or below it; export the Application log with 'wevtutil epl Application host.evtx' on each session host", p)
		}
	}
	slices.SortFunc(ins, func(a, b Input) int { return strings.Compare(a.Path, b.Path) })
	return ins, skipped, unreadable, nil
}

// Of returns the paths of the inputs of one kind.
func (ins Inputs) Of(kind Kind) []string {
	var p []string
	for _, in := range ins.List {
		if in.Kind == kind {
			p = append(p, in.Path)
		}
	}
	return p
}

// Paths returns the paths of every input.
func (ins Inputs) Paths() []string {
	p := make([]string, len(ins.List))
	for i, in := range ins.List {
		p[i] = in.Path
	}
	return p
}
