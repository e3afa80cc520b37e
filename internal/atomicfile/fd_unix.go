//go:build unix

package atomicfile

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// descriptorOf recognises a path that names one of this process's open
// descriptors: /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N. Such
// an output is written to the descriptor as the shell opened it
// (appending after >>, say), not reopened or replaced.
func descriptorOf(path string) (int, bool) {
	p := filepath.Clean(path)
	switch p {
	case "/dev/stdout":
		return 1, true
	case "/dev/stderr":
		return 2, true
	}
	for _, dir := range []string{"/dev/fd/", "/proc/self/fd/"} {
		if n, ok := strings.CutPrefix(p, dir); ok {
			fd, err := strconv.Atoi(n)
			return fd, err == nil && fd >= 0
		}
	}
	return 0, false
}

// openDescriptor returns a duplicate of descriptor fd, so that closing it
// leaves fd itself open.
func openDescriptor(fd int, name string) (*os.File, error) {
	d, err := syscall.Dup(fd)
	if err != nil {
		return nil, err
	}
	syscall.CloseOnExec(d)
	return os.NewFile(uintptr(d), name), nil
}

// keepOwner gives the temporary file name the owner and group of the file
// it replaces, where allowed (as root); otherwise it leaves them.
func keepOwner(name string, old os.FileInfo) {
	if st, ok := old.Sys().(*syscall.Stat_t); ok {
		os.Lchown(name, int(st.Uid), int(st.Gid))
	}
}
