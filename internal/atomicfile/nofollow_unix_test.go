//go:build unix

package atomicfile

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/avdurls/avdurls/internal/atomicfile/filetest"
)

// TestWriteAllRefusesLinkAndSpecial: a symlink (to a file outside the
// folder, or dangling) or a FIFO where a file of the set goes is refused
// with its path and why, at once (a FIFO never blocks), nothing of the set
// is written and the link's target is untouched.
func TestWriteAllRefusesLinkAndSpecial(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "passwd")
	os.WriteFile(outside, []byte("root:x:0:0\n"), 0o644)
	for _, tc := range []struct {
		name  string
		plant func(p string) error
		why   string
	}{
		{"link", func(p string) error { return os.Symlink(outside, p) }, "symbolic link"},
		{"dangling", func(p string) error { return os.Symlink(outside+".new", p) }, "symbolic link"},
		{"fifo", func(p string) error { return syscall.Mkfifo(p, 0o644) }, "not a regular file"},
	} {
		dir := t.TempDir()
		planted := filepath.Join(dir, "eastus2.edl")
		if err := tc.plant(planted); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			done <- WriteAll([]File{{filepath.Join(dir, "centralus.edl"), text("a\n")}, {planted, text("evil\n")}})
		}()
		var err error
		select {
		case err = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: WriteAll hangs", tc.name)
		}
		if err == nil || !strings.Contains(err.Error(), planted) || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: WriteAll = %v, want an error naming %s and %q", tc.name, err, planted, tc.why)
		}
		if b, _ := os.ReadFile(outside); string(b) != "root:x:0:0\n" {
			t.Errorf("%s: the link's target now holds %q", tc.name, b)
		}
		if _, err := os.Stat(outside + ".new"); err == nil {
			t.Errorf("%s: a file was created through the dangling link", tc.name)
		}
		if _, err := os.Lstat(filepath.Join(dir, "centralus.edl")); err == nil {
			t.Errorf("%s: centralus.edl written although the set was refused", tc.name)
		}
		filetest.NoTemps(t, dir)
	}
}

// TestCheckDirDoesNotCreate: an output folder is created only when its
// files are written; a set that fails leaves no folder it made behind.
func TestCheckDirDoesNotCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "rules")
	if err := CheckDir(dir); err != nil {
		t.Fatalf("CheckDir(%s): %v", dir, err)
	}
	if _, err := os.Stat(filepath.Dir(dir)); err == nil {
		t.Errorf("CheckDir created %s before anything is written", filepath.Dir(dir))
	}
	if err := CheckDir(filepath.Join("/proc/self/nonexistent", "x")); err == nil {
		t.Errorf("CheckDir accepts a folder that cannot be created")
	}
	// A failed set leaves no folder it created behind; a good one makes it.
	err := WriteAll([]File{{filepath.Join(dir, "x.edl"), text("a")}, {filepath.Join(dir, "y.edl"), func(io.Writer) error { return os.ErrInvalid }}})
	if err == nil {
		t.Fatal("WriteAll: no error from a failing render")
	}
	if _, err := os.Stat(filepath.Dir(dir)); err == nil {
		t.Errorf("a failed WriteAll left %s behind", filepath.Dir(dir))
	}
	if err := WriteAll([]File{{filepath.Join(dir, "x.edl"), text("a")}}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "x.edl")); string(b) != "a" {
		t.Errorf("x.edl holds %q", b)
	}
}

// TestProtectedSymlinks: -o through a link in a world-writable sticky
// folder that another user owns, pointing at a file, is refused, as the
// kernel's fs.protected_symlinks refuses it to other programs; a link the
// follower or the folder's owner owns is followed.
func TestProtectedSymlinks(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("this test makes links owned by another user and needs root")
		}
		t.Skip("needs root to make a link owned by another user")
	}
	sticky := filepath.Join(t.TempDir(), "tmp")
	os.Mkdir(sticky, 0o777)
	os.Chmod(sticky, 0o777|os.ModeSticky)
	target := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(target, []byte("keep\n"), 0o644)
	link := filepath.Join(sticky, "report.txt")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(link, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{"Check": Check(link, nil), "Write": Write(link, nil, text("evil\n"))} {
		if err == nil || !strings.Contains(err.Error(), link) || !strings.Contains(err.Error(), "sticky") {
			t.Errorf("%s through another user's link in a sticky folder = %v, want refused naming the link", name, err)
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "keep\n" {
		t.Errorf("the link's target now holds %q", b)
	}
	os.Lchown(link, 0, 0) // the follower's own link: followed
	if err := Write(link, nil, text("mine\n")); err != nil {
		t.Errorf("Write through the follower's own link: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "mine\n" {
		t.Errorf("the link's target holds %q, want mine", b)
	}
}

func TestProtectedLinkRule(t *testing.T) {
	sticky := os.ModeDir | os.ModeSticky | 0o777
	for _, tc := range []struct {
		dirMode               os.FileMode
		dirUID, linkUID, euid uint32
		want                  bool
	}{
		{sticky, 0, 1000, 0, true},
		{sticky, 0, 1000, 1000, false},
		{sticky, 1000, 1000, 0, false},
		{sticky, 0, 0, 1000, false},
		{os.ModeDir | 0o777, 0, 1000, 0, false},
		{os.ModeDir | os.ModeSticky | 0o775, 0, 1000, 0, false},
		{os.ModeDir | os.ModeSticky | 0o772, 0, 1000, 0, true},
	} {
		if got := protectedLink(tc.dirMode, tc.dirUID, tc.linkUID, tc.euid); got != tc.want {
			t.Errorf("protectedLink(%v, dir %d, link %d, euid %d) = %v, want %v", tc.dirMode, tc.dirUID, tc.linkUID, tc.euid, got, tc.want)
		}
	}
}
