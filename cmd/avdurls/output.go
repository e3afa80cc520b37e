package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// checkOutput fails early, before any work, when path cannot be an output
// file.
func checkOutput(path string, inputs []string) error {
	if path == "" || path == "-" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("output %s is a directory; give a file name", path)
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("output folder %s does not exist", dir)
	}
	// Can a file be created there? Better to know before the work.
	probe, err := os.CreateTemp(dir, ".avdurls-probe-*")
	if err != nil {
		return fmt.Errorf("cannot write to the output folder %s: %w", dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	abs, _ := filepath.Abs(path)
	for _, in := range inputs {
		if a, _ := filepath.Abs(in); a == abs {
			return fmt.Errorf("output %s is also an input", path)
		}
	}
	return nil
}

// writeOutput writes what render produces to path atomically (a temporary
// file in the same folder, then a rename), or to stdout for "" or "-". On
// error no partial file is left and an existing file is untouched.
func writeOutput(path string, stdout io.Writer, render func(io.Writer) error) (err error) {
	if path == "" || path == "-" {
		return render(stdout)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = render(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// checkOutputDir fails early when dir is given but is not a writable
// folder.
func checkOutputDir(dir string) error {
	if dir == "" {
		return nil
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return fmt.Errorf("--output-dir %s is not a folder; create it first", dir)
	}
	probe, err := os.CreateTemp(dir, ".avdurls-probe-*")
	if err != nil {
		return fmt.Errorf("cannot write to the output folder %s: %w", dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}
