//go:build unix

package atomicfile

import "io/fs"

// protectedLink is the rule of fs.protected_symlinks: a link in a folder
// that is sticky and writable by others is followed only by its owner or
// when the folder's owner owns it.
func protectedLink(dirMode fs.FileMode, dirUID, linkUID, euid uint32) bool {
	stickyShared := dirMode&fs.ModeSticky != 0 && dirMode.Perm()&0o002 != 0
	return stickyShared && linkUID != euid && linkUID != dirUID
}
