// Package atomicfile writes output files so that a reader never sees half
// of one: a regular file (or, for a path the user named, the file a
// symlink names, unless another user planted the link in a shared sticky
// folder) is replaced atomically by a temporary file renamed over it only
// when complete, with the old file's permission bits; a set of files is
// written all or none, and never through a link or special file already
// in its folder;
// a pipe, device or descriptor path (/dev/stdout) is written in place,
// never replaced. Temporary files in flight are registered so that an
// interrupt removes them (HandleSignals).
package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes what render produces to path, or to stdout for "" or "-".
// A regular file is replaced atomically: on error no partial file is left
// and an existing file is untouched. A pipe or device is written in place
// as render produces.
func Write(path string, stdout io.Writer, render func(io.Writer) error) error {
	if path == "" || path == "-" {
		return render(stdout)
	}
	if fd, ok := descriptorOf(path); ok {
		f, err := openDescriptor(fd, path)
		return writeInPlace(path, f, err, render)
	}
	_, fi, err := target(path)
	if err == nil && fi != nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		return writeInPlace(path, f, err, render)
	}
	return writeFiles([]File{{path, render}}, true)
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

// File is one output file: where it goes and what renders it.
type File struct {
	Path   string
	Render func(io.Writer) error
}

// staged is an output file rendered but not yet in place: a temporary
// file to rename over target, or, for a pipe or device, the bytes to
// write to it.
type staged struct {
	path, target, tmp string
	buf               *bytes.Buffer
}

// WriteAll writes a set of files (one per region in an output folder)
// every one or none: each is rendered to a temporary file in its folder
// first, and only when all renders succeeded are they renamed into place.
// Nothing already in a folder can redirect a write: a symbolic link, pipe,
// device or other non-regular file where a file of the set goes is
// refused, with its path and why, before anything is opened (so a planted
// FIFO never blocks), and the temporary file replaces the name itself,
// never a link's target. Missing folders are created; on error every
// temporary and every folder WriteAll created are removed.
func WriteAll(files []File) (err error) {
	made, err := makeFolders(files)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			removeFolders(made)
		}
	}()
	return writeFiles(files, false)
}

// writeFiles is WriteAll without making folders; follow tells whether an
// existing link or special file is written through (a path the user named
// with -o) or refused (a file of a set).
func writeFiles(files []File, follow bool) (err error) {
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
		stageFn := stage
		if !follow {
			stageFn = stageNoFollow
		}
		s, err := stageFn(f)
		if err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
		st = append(st, s)
	}
	return commit(st)
}

// stage renders one output file: into a temporary file next to its
// target, or into memory when the target is a pipe or device.
func stage(f File) (staged, error) {
	tgt, fi, err := target(f.Path)
	if err != nil {
		return staged{}, err
	}
	s := staged{path: f.Path, target: tgt}
	if fi != nil && fi.IsDir() {
		return s, fmt.Errorf("%s is a directory", tgt)
	}
	if fi != nil && !fi.Mode().IsRegular() {
		s.buf = new(bytes.Buffer)
		return s, f.Render(s.buf)
	}
	s.tmp, err = renderTemp(tgt, fi, f.Render)
	return s, err
}

// stageNoFollow renders one file of a set into a temporary file next to
// it; a link or non-regular file already at its path is refused, judged by
// Lstat, never opened.
func stageNoFollow(f File) (staged, error) {
	fi, err := os.Lstat(f.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fi = nil
	case err != nil:
		return staged{}, err
	case fi.Mode()&fs.ModeSymlink != 0:
		to, _ := os.Readlink(f.Path)
		return staged{}, fmt.Errorf("%s is a symbolic link (to %s); avdurls never writes through a link in an output folder: remove it", f.Path, to)
	case fi.IsDir():
		return staged{}, fmt.Errorf("%s is a directory", f.Path)
	case !fi.Mode().IsRegular():
		return staged{}, fmt.Errorf("%s is not a regular file (%s); avdurls writes only regular files in an output folder: remove it", f.Path, kindOf(fi.Mode()))
	}
	s := staged{path: f.Path, target: f.Path}
	s.tmp, err = renderTemp(f.Path, fi, f.Render)
	return s, err
}

// kindOf names the type of a non-regular file.
func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// makeFolders creates the missing folders of the files (0755) and returns
// the ones it created, deepest first.
func makeFolders(files []File) ([]string, error) {
	var made []string
	for _, f := range files {
		var missing []string
		for d := filepath.Dir(f.Path); ; d = filepath.Dir(d) {
			if _, err := os.Lstat(d); err == nil || d == filepath.Dir(d) {
				break
			}
			missing = append(missing, d)
		}
		for i := len(missing) - 1; i >= 0; i-- {
			if err := os.Mkdir(missing[i], 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				removeFolders(made)
				return nil, fmt.Errorf("output folder %s: cannot create it: %w", missing[i], err)
			}
			made = append([]string{missing[i]}, made...)
		}
	}
	return made, nil
}

// removeFolders removes folders made by makeFolders, if they are empty.
func removeFolders(made []string) {
	for _, d := range made {
		os.Remove(d)
	}
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
