package checktest

import (
	"fmt"
	"net"
	"syscall"
	"time"
)

// BlackHole returns the address of a listener on 127.0.0.1 whose queue of
// connections waiting to be accepted is full and never emptied: Linux
// drops further connection requests, so a TCP connect to it times out, as
// it does through a firewall that drops packets. close releases it.
func BlackHole() (addr string, close func(), err error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		return "", nil, err
	}
	sa := &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}
	if err = syscall.Bind(fd, sa); err == nil {
		err = syscall.Listen(fd, 0)
	}
	var got syscall.Sockaddr
	if err == nil {
		got, err = syscall.Getsockname(fd)
	}
	if err != nil {
		syscall.Close(fd)
		return "", nil, err
	}
	addr = fmt.Sprintf("127.0.0.1:%d", got.(*syscall.SockaddrInet4).Port)
	var fill []net.Conn
	done := func() {
		for _, c := range fill {
			c.Close()
		}
		syscall.Close(fd)
	}
	for range 8 {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			return addr, done, nil // the queue is full
		}
		fill = append(fill, c)
	}
	done()
	return "", nil, fmt.Errorf("the listen queue of %s does not fill", addr)
}
