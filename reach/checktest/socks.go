package checktest

import (
	"encoding/binary"
	"io"
	"net"
	"strconv"
	"time"
)

// StartSOCKS5 starts a SOCKS5 proxy (RFC 1928) on 127.0.0.1 that asks
// for the user name and password given (RFC 1929) and connects every
// name to 127.0.0.1 on the port its route gives; a name whose route is 0,
// or that has none, is refused with "connection not allowed by ruleset".
func StartSOCKS5(user, password string, routes map[string]int) (*Server, error) {
	ln, err := listen()
	if err != nil {
		return nil, err
	}
	return serve(ln, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		host, ok := socksHandshake(c, user, password)
		if !ok {
			return
		}
		port := routes[host]
		if port == 0 {
			c.Write([]byte{5, 2, 0, 1, 0, 0, 0, 0, 0, 0}) // not allowed by ruleset
			return
		}
		up, err := net.DialTimeout("tcp", net.JoinHostPort(Loopback, strconv.Itoa(port)), 5*time.Second)
		if err != nil {
			c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0}) // refused
			return
		}
		defer up.Close()
		c.Write([]byte{5, 0, 0, 1, 127, 0, 0, 1, 0, 0})
		c.SetDeadline(time.Time{})
		go func() {
			io.Copy(up, c)
			up.Close()
		}()
		io.Copy(c, up)
	}), nil
}

// socksHandshake reads a client's greeting, authentication and CONNECT
// request; it returns the host name asked for.
func socksHandshake(c net.Conn, user, password string) (string, bool) {
	var hdr [2]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil || hdr[0] != 5 {
		return "", false
	}
	methods := make([]byte, hdr[1])
	if _, err := io.ReadFull(c, methods); err != nil {
		return "", false
	}
	c.Write([]byte{5, 2}) // username/password
	var v [2]byte
	if _, err := io.ReadFull(c, v[:]); err != nil {
		return "", false
	}
	u := make([]byte, v[1])
	io.ReadFull(c, u)
	var pl [1]byte
	io.ReadFull(c, pl[:])
	p := make([]byte, pl[0])
	io.ReadFull(c, p)
	if string(u) != user || string(p) != password {
		c.Write([]byte{1, 1})
		return "", false
	}
	c.Write([]byte{1, 0})
	var req [4]byte
	if _, err := io.ReadFull(c, req[:]); err != nil || req[1] != 1 || req[3] != 3 {
		return "", false
	}
	var n [1]byte
	io.ReadFull(c, n[:])
	name := make([]byte, n[0])
	var port [2]byte
	if _, err := io.ReadFull(c, name); err != nil {
		return "", false
	}
	if _, err := io.ReadFull(c, port[:]); err != nil {
		return "", false
	}
	_ = binary.BigEndian.Uint16(port[:])
	return string(name), true
}
