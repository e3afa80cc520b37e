//go:build unix

package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/avdurls/avdurls/internal/atomicfile/filetest"
)

// TestOutputCharDeviceLink writes through a symlink to a null character
// device: the link stays a link and the device a device.
func TestOutputCharDeviceLink(t *testing.T) {
	dev := filetest.NullDevice(t)
	link := filepath.Join(t.TempDir(), "null")
	if err := os.Symlink(dev, link); err != nil {
		t.Fatal(err)
	}
	if err := Check(link, nil); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if err := Write(link, io.Discard, text("x")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link to %s was replaced: %v %v", dev, fi.Mode(), err)
	}
	filetest.IsCharDevice(t, dev)
}

// helperEnv names the environment variable that turns this test binary
// into the helper process of TestInterruptRemovesTemps.
const helperEnv = "AVDURLS_TEST_HELPER"

// TestOutputFIFO writes into a named pipe that a goroutine reads; the pipe
// stays a pipe.
func TestOutputFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	// checkOutput must not open the pipe: with no reader that would block.
	done := make(chan error, 1)
	go func() { done <- Check(fifo, nil) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("checkOutput: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("checkOutput blocked on the pipe")
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	if err := Write(fifo, io.Discard, text("through the pipe\n")); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "through the pipe\n" {
			t.Errorf("reader got %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the reader got nothing")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe was replaced: %v %v", fi.Mode(), err)
	}
	filetest.NoTemps(t, dir)
}

// TestHelperInterrupt is the helper process of TestInterruptRemovesTemps:
// it installs the interrupt handler and hangs in the middle of writing two
// files into the folder it is given, one rendered, one half rendered.
func TestHelperInterrupt(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("helper process only")
	}
	HandleSignals(func() {
		fmt.Fprintln(os.Stderr, "avdurls: error: interrupted; no output written")
		os.Exit(1)
	})
	WriteAll([]File{
		{filepath.Join(dir, "eastus2.edl"), text("done\n")},
		{filepath.Join(dir, "westeurope.edl"), func(w io.Writer) error {
			io.WriteString(w, "half")
			fmt.Println("ready")
			select {} // until the signal
		}},
	})
	t.Fatal("writeFiles returned")
}

// TestInterruptRemovesTemps interrupts a write in progress: exit status 1,
// the message, and no file, temporary or not, left in the folder.
func TestInterruptRemovesTemps(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		dir := t.TempDir()
		cmd := helper(t, "TestHelperInterrupt", dir, nil)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var errb strings.Builder
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if line != "ready\n" {
			cmd.Process.Kill()
			t.Fatalf("%v: helper said %q", sig, line)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 2 {
			t.Errorf("%v: %d temporaries before the signal, want 2", sig, len(entries))
		}
		cmd.Process.Signal(sig)
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("%v: helper ended with %v, want exit status 1", sig, err)
		}
		if !strings.Contains(errb.String(), "avdurls: error: interrupted; no output written") {
			t.Errorf("%v: stderr %q", sig, errb.String())
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%v: left behind: %v", sig, entries)
		}
	}
}

// helper starts this test binary as a helper process running test with
// the given environment value, its standard output going to stdout (a
// pipe when nil).
func helper(t *testing.T, test, value string, stdout *os.File) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), helperEnv+"="+value)
	if stdout != nil {
		cmd.Stdout = stdout
	}
	return cmd
}
