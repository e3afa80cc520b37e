//go:build !unix

package atomicfile

import (
	"errors"
	"os"
)

// descriptorOf recognises no descriptor paths outside unix.
func descriptorOf(path string) (int, bool) { return 0, false }

// openDescriptor is never called outside unix.
func openDescriptor(fd int, name string) (*os.File, error) {
	return nil, errors.New("descriptor paths are a unix feature")
}

// keepOwner does nothing outside unix: the new file gets the default
// owner.
func keepOwner(name string, old os.FileInfo) {}
