package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Check fails early, before any work, when path cannot be an output file:
// a folder, a folder that does not exist or cannot be written, or one of
// the inputs (directly, through a symlink or by another hard link). It
// only looks at a pipe or device; opening a pipe would block.
func Check(path string, inputs []string) error {
	if path == "" || path == "-" {
		return nil
	}
	if _, ok := descriptorOf(path); ok {
		return nil
	}
	tgt, fi, err := target(path)
	switch {
	case err != nil:
		return fmt.Errorf("output %s: %w", path, err)
	case fi != nil && fi.IsDir():
		return fmt.Errorf("output %s is a directory; give a file name", path)
	case fi != nil && !fi.Mode().IsRegular():
		return nil // written in place
	}
	dir := filepath.Dir(tgt)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("output folder %s does not exist", dir)
	}
	if err := probeFolder(dir); err != nil {
		return err
	}
	if isInput(tgt, fi, inputs) {
		return fmt.Errorf("output %s is also an input", path)
	}
	return nil
}

// CheckDir fails early when dir is not a writable folder or, when it is
// missing, cannot be created (its nearest existing parent is not a
// writable folder). It creates nothing: WriteAll makes the folder when the
// files are written, so a run that fails leaves none behind.
func CheckDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && !fi.IsDir():
		return fmt.Errorf("output folder %s is not a folder", dir)
	case err == nil:
		return probeFolder(dir)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("output folder %s: %w", dir, err)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	for {
		fi, err := os.Stat(parent)
		if err == nil && fi.IsDir() {
			break
		}
		if err == nil || !errors.Is(err, fs.ErrNotExist) || parent == filepath.Dir(parent) {
			return fmt.Errorf("output folder %s: cannot create it: %s is not a folder", dir, parent)
		}
		parent = filepath.Dir(parent)
	}
	if err := probeFolder(parent); err != nil {
		return fmt.Errorf("output folder %s: cannot create it: %w", dir, err)
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

// target names the file an output path really writes: symlinks resolved,
// a dangling link naming the file to create. fi describes that file, nil
// when it does not exist yet.
func target(path string) (tgt string, fi os.FileInfo, err error) {
	if tgt, err = resolveLinks(path); err != nil {
		return "", nil, err
	}
	fi, err = os.Stat(tgt)
	if errors.Is(err, fs.ErrNotExist) {
		return tgt, nil, nil
	}
	return tgt, fi, err
}

// resolveLinks follows the symlinks in path. Unlike filepath.EvalSymlinks
// it accepts a dangling link and returns the path it points to. A link
// another user planted in a world-writable sticky folder is not followed
// (followCheck).
func resolveLinks(path string) (string, error) {
	p := path
	for range 64 {
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) || err == nil && fi.Mode()&fs.ModeSymlink == 0 {
			if r, err := filepath.EvalSymlinks(p); err == nil {
				return r, nil
			}
			return p, nil
		}
		if err != nil {
			return "", err
		}
		if err := followCheck(p, fi); err != nil {
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
