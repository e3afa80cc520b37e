package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/internal/atomicfile/filetest"
)

// text is a render function that writes s.
func text(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// TestOutputSymlinkReplacesTarget writes through a symlink: the target is
// replaced, the link stays a link.
func TestOutputSymlinkReplacesTarget(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "real")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(sub, "allow.txt")
	if err := os.WriteFile(target, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if err := Check(link, nil); err != nil {
		t.Fatalf("checkOutput: %v", err)
	}
	if err := Write(link, io.Discard, text("new\n")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(target); string(b) != "new\n" {
		t.Errorf("target holds %q, want the new text", b)
	}
	filetest.NoTemps(t, dir)
	filetest.NoTemps(t, sub)
}

// TestOutputDanglingSymlink creates the file a dangling link points to.
func TestOutputDanglingSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "new.txt")
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink("new.txt", link); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if err := Check(link, nil); err != nil {
		t.Fatalf("checkOutput: %v", err)
	}
	if err := Write(link, io.Discard, text("x\n")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(target); string(b) != "x\n" {
		t.Errorf("target holds %q", b)
	}
}

// TestOutputKeepsMode keeps the permission bits of the file replaced; a
// new file gets 0644.
func TestOutputKeepsMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no unix permission bits on Windows")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "allow.txt")
	if err := Write(path, io.Discard, text("a\n")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("new file mode %v, want 0644", fi.Mode().Perm())
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, io.Discard, text("b\n")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("replaced file mode %v, want 0600 kept", fi.Mode().Perm())
	}
}

// TestOutputIsInputThroughSymlink catches an output that is a link to an
// input, or an input named through a link.
func TestOutputIsInputThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "host.evtx")
	if err := os.WriteFile(in, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "out.json")
	if err := os.Symlink(in, link); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if err := Check(link, []string{in}); err == nil || !strings.Contains(err.Error(), "also an input") {
		t.Errorf("output link to an input: %v", err)
	}
	if err := Check(in, []string{link}); err == nil || !strings.Contains(err.Error(), "also an input") {
		t.Errorf("input named by a link: %v", err)
	}
}

// TestOutputRenderErrorKeepsOld leaves an existing file and no temporary
// when the render fails.
func TestOutputRenderErrorKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "allow.txt")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, io.Discard, func(w io.Writer) error {
		io.WriteString(w, "partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("error %v, want boom", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old\n" {
		t.Errorf("file holds %q, want it untouched", b)
	}
	filetest.NoTemps(t, dir)
}

// TestWriteFilesAllOrNothing writes no file when one render fails: the
// earlier files are not renamed into place, no temporary is left, and an
// existing file is untouched.
func TestWriteFilesAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "eastus2.edl")
	if err := os.WriteFile(old, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteAll([]File{
		{filepath.Join(dir, "centralus.edl"), text("a\n")},
		{filepath.Join(dir, "westeurope.edl"), func(w io.Writer) error {
			io.WriteString(w, "half")
			return boom
		}},
		{old, text("new\n")},
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "westeurope.edl") {
		t.Errorf("error %v, want boom naming westeurope.edl", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d entries in the folder, want only the old file: %v", len(entries), entries)
	}
	if b, _ := os.ReadFile(old); string(b) != "old\n" {
		t.Errorf("old file holds %q", b)
	}
	filetest.NoTemps(t, dir)
	if n := RemoveTemps(); n != 0 {
		t.Errorf("%d temporaries still registered", n)
	}
	if err := WriteAll([]File{{filepath.Join(dir, "a"), text("a")}, {old, text("new\n")}}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(old); string(b) != "new\n" {
		t.Errorf("old file holds %q after a good write", b)
	}
}

// TestRemoveTemps removes the registered temporary files and only those.
func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	f, err := createTemp(dir, ".x.tmp-*")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	other := filepath.Join(dir, "keep.txt")
	if err := os.WriteFile(other, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if n := RemoveTemps(); n != 1 {
		t.Errorf("removed %d, want 1", n)
	}
	if _, err := os.Stat(f.Name()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temporary still there: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("other file removed: %v", err)
	}
	if n := RemoveTemps(); n != 0 {
		t.Errorf("second call removed %d", n)
	}
}
