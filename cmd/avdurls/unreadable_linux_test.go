package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// unreadableDir makes a folder of a good .evtx, one cut short (damaged)
// and one no one but root may read (mode 0).
func unreadableDir(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	dir := filepath.Join(base, "logs")
	os.Mkdir(dir, 0o755)
	os.Chmod(base, 0o755)
	os.Chmod(filepath.Dir(base), 0o755) // the test's own folder, so nobody reaches it
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "exports", "avd-eus2-0.evtx"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "good.evtx"), b, 0o644)
	os.WriteFile(filepath.Join(dir, "cut.evtx"), b[:100000], 0o644)
	os.WriteFile(filepath.Join(dir, "locked.evtx"), b, 0o000)
	os.Chmod(filepath.Join(dir, "locked.evtx"), 0o000)
	return dir
}

// unreadableResult is what a run in the helper returns.
type unreadableResult struct {
	Code           int
	Stdout, Stderr string
}

// runUnprivileged runs the tool with args as a user file modes hold for:
// this process when it is not root, else a helper process that drops to
// nobody (uid 65534) before it runs, since root reads any file.
func runUnprivileged(t *testing.T, args ...string) unreadableResult {
	t.Helper()
	if os.Geteuid() != 0 {
		var out, errb bytes.Buffer
		code := run(args, &out, &errb)
		return unreadableResult{code, out.String(), errb.String()}
	}
	a, _ := json.Marshal(args)
	cmd := helper(t, "TestHelperUnprivileged", string(a), nil)
	cmd.Dir = os.TempDir() // nobody may read it
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	var r unreadableResult
	if err := json.Unmarshal(out[bytes.LastIndexByte(bytes.TrimSpace(out), '\n')+1:], &r); err != nil {
		t.Fatalf("helper output %q: %v", out, err)
	}
	return r
}

// TestHelperUnprivileged is the helper process of runUnprivileged: it
// becomes nobody, runs the tool with the arguments it is given and prints
// the result as JSON.
func TestHelperUnprivileged(t *testing.T) {
	v := os.Getenv(helperEnv)
	if v == "" {
		t.Skip("helper process only")
	}
	var args []string
	json.Unmarshal([]byte(v), &args)
	if err := syscall.Setgroups(nil); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setgid(65534); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setuid(65534); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	b, _ := json.Marshal(unreadableResult{code, out.String(), errb.String()})
	fmt.Printf("\n%s\n", b)
	os.Exit(0)
}

// TestUnreadableFileNamed: an .evtx in a folder that cannot be opened
// (permission denied, for a user file modes hold for) is named with the
// reason and gives exit 3, not "not an event log" and exit 0; with -q,
// each damaged or unreadable file still gets one line naming it; events
// does the same.
func TestUnreadableFileNamed(t *testing.T) {
	dir := unreadableDir(t)
	locked := filepath.Join(dir, "locked.evtx")
	for _, args := range [][]string{{"scan", "-q", "-f", "text", "--region", "eastus2", dir}, {"events", "-q", dir}} {
		r := runUnprivileged(t, args...)
		if r.Code != exitPartial {
			t.Errorf("%s: exit %d, want 3: %s", args[0], r.Code, r.Stderr)
		}
		if !strings.Contains(r.Stderr, locked+": ") || !strings.Contains(r.Stderr, "permission denied") {
			t.Errorf("%s: stderr does not name %s with the reason: %s", args[0], locked, r.Stderr)
		}
		if strings.Contains(r.Stderr, "not event logs") {
			t.Errorf("%s: the unreadable file is counted as not an event log: %s", args[0], r.Stderr)
		}
		if !strings.Contains(r.Stderr, filepath.Join(dir, "cut.evtx")+": ") {
			t.Errorf("%s -q: no line names the damaged cut.evtx: %s", args[0], r.Stderr)
		}
	}
}

// TestSinceKeepsNothing: a scan whose --since keeps no event says so and
// exits 3 (the samples are of 2024).
func TestSinceKeepsNothing(t *testing.T) {
	_, errs, code := runScan(t, "-q", "-f", "text", "--since", "24h", "--region", "eastus2", filepath.Join("..", "..", "testdata", "exports", "avd-eus2-0.evtx"))
	if code != exitPartial || !strings.Contains(errs, "--since 24h") || !strings.Contains(errs, "no event") {
		t.Errorf("exit %d, stderr %q; want 3 and a line saying --since kept no event", code, errs)
	}
}
