//go:build !linux

package checktest

import "errors"

// BlackHole needs Linux, whose full listen queue drops connection
// requests; elsewhere it fails.
func BlackHole() (addr string, close func(), err error) {
	return "", nil, errors.New("a black-hole listener needs Linux")
}
