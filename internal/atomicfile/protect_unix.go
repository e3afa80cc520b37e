//go:build unix

package atomicfile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// followCheck refuses to follow the symlink link (lfi: its Lstat) when it
// sits in a world-writable sticky folder (/tmp) and neither this process's
// user nor the folder's owner owns it: the rule of the kernel's
// fs.protected_symlinks, applied whatever that setting is, so that a link
// another user planted where a file will be written cannot redirect it.
func followCheck(link string, lfi fs.FileInfo) error {
	dir := filepath.Dir(link)
	dfi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	ls, ok1 := lfi.Sys().(*syscall.Stat_t)
	ds, ok2 := dfi.Sys().(*syscall.Stat_t)
	if !ok1 || !ok2 {
		return nil
	}
	if protectedLink(dfi.Mode(), ds.Uid, ls.Uid, uint32(os.Geteuid())) {
		return fmt.Errorf("%s is a symbolic link owned by another user (uid %d) in the world-writable sticky folder %s; avdurls does not follow it (as fs.protected_symlinks does not): remove it or give another path", link, ls.Uid, dir)
	}
	return nil
}
