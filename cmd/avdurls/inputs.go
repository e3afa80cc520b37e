package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// expandInputs turns the command line's paths into a sorted list of files:
// a folder stands for every .evtx file below it; a file named on the
// command line is read whatever its name.
func expandInputs(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			if os.IsNotExist(err) {
				return nil, fmt.Errorf("%s: no such file or folder", p)
			}
			return nil, err
		}
		if !fi.IsDir() {
			files = append(files, filepath.Clean(p))
			continue
		}
		n := 0
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".evtx") {
				files = append(files, filepath.Clean(path))
				n++
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, fmt.Errorf("%s: no .evtx files in this folder or below it; export the Application log with 'wevtutil epl Application host.evtx' on each session host", p)
		}
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}
