package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/render"
)

// Output files. A regular file (or the file a symlink names) is replaced
// atomically: the text goes to a temporary file in the same folder, which
// is renamed over the old file only when complete, with the old file's
// permission bits. Anything else (a pipe, a device, a socket, /dev/stdout,
// /dev/fd/N) is opened and written in place, never replaced.

// checkOutput fails early, before any work, when path cannot be an output
// file. It only looks at a pipe or device; opening a pipe would block.
func checkOutput(path string, inputs []string) error {
	if path == "" || path == "-" {
		return nil
	}
	if _, ok := descriptorOf(path); ok {
		return nil
	}
	target, fi, err := outputTarget(path)
	switch {
	case err != nil:
		return fmt.Errorf("output %s: %w", path, err)
	case fi != nil && fi.IsDir():
		return fmt.Errorf("output %s is a directory; give a file name", path)
	case fi != nil && !fi.Mode().IsRegular():
		return nil // written in place
	}
	dir := filepath.Dir(target)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("output folder %s does not exist", dir)
	}
	if err := probeFolder(dir); err != nil {
		return err
	}
	if isInput(target, fi, inputs) {
		return fmt.Errorf("output %s is also an input", path)
	}
	return nil
}

// probeFolder fails when no file can be created in dir: better to know
// before the work.
func probeFolder(dir string) error {
	probe, err := createTemp(dir, ".avdurls-probe-*")
	if err != nil {
		return fmt.Errorf("cannot write to the output folder %s: %w", dir, err)
	}
	probe.Close()
	return dropTemp(probe.Name())
}

// isInput reports whether the output target (links resolved; fi nil when
// it does not exist yet) is one of the inputs, named directly, through a
// symlink or by another hard link.
func isInput(target string, fi os.FileInfo, inputs []string) bool {
	abs, _ := filepath.Abs(target)
	for _, in := range inputs {
		r, err := filepath.EvalSymlinks(in)
		if err != nil {
			r = in
		}
		if a, _ := filepath.Abs(r); a == abs {
			return true
		}
		if fi == nil {
			continue
		}
		if ifi, err := os.Stat(in); err == nil && os.SameFile(fi, ifi) {
			return true
		}
	}
	return false
}

// outputTarget names the file an output path really writes: symlinks
// resolved, a dangling link naming the file to create. fi describes that
// file, nil when it does not exist yet.
func outputTarget(path string) (target string, fi os.FileInfo, err error) {
	if target, err = resolveLinks(path); err != nil {
		return "", nil, err
	}
	fi, err = os.Stat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return target, nil, nil
	}
	return target, fi, err
}

// resolveLinks follows the symlinks in path. Unlike filepath.EvalSymlinks
// it accepts a dangling link and returns the path it points to.
func resolveLinks(path string) (string, error) {
	p := path
	for range 64 {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return r, nil
		}
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) || err == nil && fi.Mode()&fs.ModeSymlink == 0 {
			return p, nil
		}
		if err != nil {
			return "", err
		}
		l, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(l) {
			dir := filepath.Dir(p)
			if r, err := filepath.EvalSymlinks(dir); err == nil {
				dir = r
			}
			l = filepath.Join(dir, l)
		}
		p = l
	}
	return "", fmt.Errorf("too many levels of symbolic links")
}

// writeOutput writes what render produces to path, or to stdout for "" or
// "-". A regular file is replaced atomically: on error no partial file is
// left and an existing file is untouched. A pipe or device is written in
// place as render produces.
func writeOutput(path string, stdout io.Writer, render func(io.Writer) error) error {
	if path == "" || path == "-" {
		return render(stdout)
	}
	if fd, ok := descriptorOf(path); ok {
		f, err := openDescriptor(fd, path)
		return writeInPlace(path, f, err, render)
	}
	_, fi, err := outputTarget(path)
	if err == nil && fi != nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		return writeInPlace(path, f, err, render)
	}
	return writeFiles([]outFile{{path, render}})
}

// writeInPlace renders into f, an opened pipe, device or descriptor, and
// closes it; openErr is the error of opening it.
func writeInPlace(path string, f *os.File, openErr error, render func(io.Writer) error) error {
	if openErr != nil {
		return fmt.Errorf("write %s: %w", path, openErr)
	}
	err := render(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// outFile is one output file: where it goes and what renders it.
type outFile struct {
	path   string
	render func(io.Writer) error
}

// staged is an output file rendered but not yet in place: a temporary
// file to rename over target, or, for a pipe or device, the bytes to
// write to it.
type staged struct {
	path, target, tmp string
	buf               *bytes.Buffer
}

// writeFiles writes every file or none: each is rendered to a temporary
// file in its folder first, and only when all renders succeeded are they
// renamed into place. On error every temporary is removed.
func writeFiles(files []outFile) (err error) {
	var st []staged
	defer func() {
		if err != nil {
			for _, s := range st {
				if s.tmp != "" {
					dropTemp(s.tmp)
				}
			}
		}
	}()
	for _, f := range files {
		s, err := stage(f)
		if err != nil {
			return fmt.Errorf("write %s: %w", f.path, err)
		}
		st = append(st, s)
	}
	return commit(st)
}

// stage renders one output file: into a temporary file next to its
// target, or into memory when the target is a pipe or device.
func stage(f outFile) (staged, error) {
	target, fi, err := outputTarget(f.path)
	if err != nil {
		return staged{}, err
	}
	s := staged{path: f.path, target: target}
	if fi != nil && fi.IsDir() {
		return s, fmt.Errorf("%s is a directory", target)
	}
	if fi != nil && !fi.Mode().IsRegular() {
		s.buf = new(bytes.Buffer)
		return s, f.render(s.buf)
	}
	s.tmp, err = renderTemp(target, fi, f.render)
	return s, err
}

// renderTemp renders into a new temporary file in target's folder, with
// the permission bits (and on unix the owner) of the file it will
// replace, 0644 for a new file. It returns the temporary's name.
func renderTemp(target string, old os.FileInfo, render func(io.Writer) error) (name string, err error) {
	f, err := createTemp(filepath.Dir(target), "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			f.Close()
			dropTemp(f.Name())
		}
	}()
	if err = render(f); err != nil {
		return "", err
	}
	if err = f.Sync(); err != nil {
		return "", err
	}
	if err = f.Close(); err != nil {
		return "", err
	}
	mode := fs.FileMode(0o644)
	if old != nil {
		mode = old.Mode().Perm()
		keepOwner(f.Name(), old)
	}
	if err = os.Chmod(f.Name(), mode); err != nil {
		return "", err
	}
	return f.Name(), nil
}

// commit puts staged files in place: first the pipes and devices (which
// may block, so not under the registry's lock), then every rename, with
// the registry locked so that an interrupt sees all or none of them.
func commit(st []staged) error {
	for _, s := range st {
		if s.buf != nil {
			f, err := os.OpenFile(s.path, os.O_WRONLY, 0)
			if err := writeInPlace(s.path, f, err, func(w io.Writer) error {
				_, err := w.Write(s.buf.Bytes())
				return err
			}); err != nil {
				return err
			}
		}
	}
	temps.Lock()
	defer temps.Unlock()
	for _, s := range st {
		if s.tmp == "" {
			continue
		}
		if err := os.Rename(s.tmp, s.target); err != nil {
			return fmt.Errorf("write %s: %w", s.path, err)
		}
		delete(temps.names, s.tmp)
	}
	return nil
}

// temps is the registry of the temporary files this process has alive, so
// that an interrupt can remove them. Only createTemp, dropTemp, commit,
// removeTemps and the handler of handleInterrupts touch it, always under
// its lock.
var temps = struct {
	sync.Mutex
	names map[string]bool
}{names: map[string]bool{}}

// createTemp is os.CreateTemp that registers the file in temps.
func createTemp(dir, pattern string) (*os.File, error) {
	temps.Lock()
	defer temps.Unlock()
	f, err := os.CreateTemp(dir, pattern)
	if err == nil {
		temps.names[f.Name()] = true
	}
	return f, err
}

// dropTemp removes a temporary file and forgets it.
func dropTemp(name string) error {
	temps.Lock()
	defer temps.Unlock()
	delete(temps.names, name)
	return os.Remove(name)
}

// removeTemps removes every registered temporary file and returns how
// many there were.
func removeTemps() int {
	temps.Lock()
	defer temps.Unlock()
	return removeTempsLocked()
}

// removeTempsLocked is removeTemps for a caller holding the lock.
func removeTempsLocked() int {
	n := len(temps.names)
	for name := range temps.names {
		os.Remove(name)
		delete(temps.names, name)
	}
	return n
}

// handleInterrupts makes SIGINT and SIGTERM remove the temporary files in
// flight and end the program with exit status 1. main calls it once. The
// registry stays locked until the exit, so no rename can follow.
func handleInterrupts() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ch
		temps.Lock()
		removeTempsLocked()
		fmt.Fprintln(os.Stderr, "avdurls: error: interrupted; no output written")
		os.Exit(exitError)
	}()
}

// checkOutputDir creates dir (and its parents, 0755) when it is given and
// missing, and fails early when it is not a writable folder.
func checkOutputDir(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--output-dir %s: cannot create the folder: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return fmt.Errorf("--output-dir %s is not a folder", dir)
	}
	return probeFolder(dir)
}

// renderReport writes the report in the chosen format, and says on
// stderr which unresolved wildcard rows, entries and IP rules the format
// cannot carry (render.NotCarried) and what a list needs beside it
// (render.Hints). A Palo Alto list holds one region: with several it
// writes and says nothing and fails (render.Fit).
func renderReport(w io.Writer, format string, rep catalog.Report, fo render.Options) error {
	if err := render.Fit(format, rep); err != nil {
		if errors.Is(err, render.ErrOneRegion) {
			return fmt.Errorf("-f %s: %v: give --output-dir DIR to write one list per region", format, err)
		}
		return err
	}
	for _, n := range render.NotCarried(format, rep, fo) {
		warnf("%s", n)
	}
	for _, n := range render.Hints(format, rep) {
		infof("%s", n)
	}
	return render.Write(w, format, rep, fo)
}

// writeReport writes the report to stdout, -o or one file per region; for
// --output-dir all region files or none. Each region file keeps the rule
// priorities it has in the single-file output (render.Options.Region), and a
// Terraform set gets one variables.tf that declares what the region files
// share.
func writeReport(o scanOptions, rep catalog.Report, stdout io.Writer) error {
	if o.outputDir == "" {
		return writeOutput(o.output, stdout, func(w io.Writer) error { return renderReport(w, o.format, rep, o.fw) })
	}
	files := make([]outFile, 0, len(rep.Regions)+1)
	for i, r := range rep.Regions {
		rr, fo := render.Region(rep, i), o.fw.Region(i)
		path, err := regionFile(o.outputDir, rep.Cloud, r.Region, render.Ext(o.format))
		if err != nil {
			return err
		}
		files = append(files, outFile{path: path, render: func(w io.Writer) error { return renderReport(w, o.format, rr, fo) }})
	}
	if o.format == "terraform" && len(rep.Regions) > 0 {
		files = append(files, outFile{path: filepath.Join(o.outputDir, render.TerraformVariablesFile),
			render: func(w io.Writer) error { return render.WriteTerraformVariables(w, rep) }})
	}
	if err := writeFiles(files); err != nil {
		return err
	}
	for _, f := range files {
		infof("wrote %s", f.path)
	}
	return nil
}
