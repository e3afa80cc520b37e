package reach

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// DNSError is the failure of a question to a DNS server, with the
// server's answer code when it gave one.
type DNSError struct {
	Server string
	Name   string
	// RCode is the server's code ("NXDOMAIN", "SERVFAIL", "REFUSED"...);
	// empty when no answer came.
	RCode string
	// NoData is true for an answer without error and without an address.
	NoData  bool
	Timeout bool
	Err     error // the network error when no answer came
}

func (e *DNSError) Error() string {
	switch {
	case e.RCode != "":
		return fmt.Sprintf("DNS server %s answered %s for %s", e.Server, e.RCode, e.Name)
	case e.NoData:
		return fmt.Sprintf("DNS server %s has no address record for %s", e.Server, e.Name)
	}
	return fmt.Sprintf("DNS server %s: %v", e.Server, e.Err)
}

// Unwrap is the network error.
func (e *DNSError) Unwrap() error { return e.Err }

// AAAAGrace is how long an AAAA question may still take once the A
// question of the same name has been answered with addresses.
const AAAAGrace = time.Second

// dnsServer asks one DNS server for every name itself: no hosts file, no
// cache, no search domains, as the issue of --dns-server requires. A
// questions over UDP, again over TCP when the answer is truncated; both
// A and AAAA.
type dnsServer struct{ addr string }

// ServerResolver is a resolver that asks the DNS server at addr
// (host:port) for every name, by itself: not the hosts file, not a
// cache, no search domains. Its errors are *DNSError.
func ServerResolver(addr string) Resolver { return dnsServer{addr: addr} }

// LookupHost asks for the A and AAAA records of host.
func (s dnsServer) LookupHost(ctx context.Context, host string) ([]string, error) {
	name, err := dnsmessage.NewName(strings.TrimSuffix(host, ".") + ".")
	if err != nil {
		return nil, &DNSError{Server: s.addr, Name: host, Err: fmt.Errorf("not a DNS name")}
	}
	// A and AAAA at once: the stage takes one round trip, not two. Once
	// A has addresses, AAAA gets AAAAGrace more, not the whole timeout:
	// some DNS filters drop AAAA questions, and the IPv4 addresses are
	// tried first anyway.
	type answer struct {
		addrs []string
		err   error
	}
	var aaaa answer
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		aaaa.addrs, aaaa.err = s.ask(actx, name, dnsmessage.TypeAAAA)
	}()
	a, err := s.ask(ctx, name, dnsmessage.TypeA)
	if len(a) > 0 {
		select {
		case <-done:
		case <-time.After(AAAAGrace):
			cancel()
			<-done
			aaaa.addrs = nil
		}
	}
	<-done
	var de *DNSError
	if err != nil && errors.As(err, &de) && (de.RCode == "NXDOMAIN" || de.Timeout || de.Err != nil) {
		return nil, err // no such name, or no server: A says it all
	}
	addrs := append(a, aaaa.addrs...)
	if len(addrs) == 0 {
		if err == nil {
			err = aaaa.err
		}
		if err == nil {
			err = &DNSError{Server: s.addr, Name: host, NoData: true}
		}
		return nil, err
	}
	return addrs, nil
}

// ask sends one question and reads its answer: over UDP, and over TCP
// when the UDP answer is truncated.
func (s dnsServer) ask(ctx context.Context, name dnsmessage.Name, qt dnsmessage.Type) ([]string, error) {
	var idb [2]byte
	rand.Read(idb[:])
	id := binary.BigEndian.Uint16(idb[:])
	q := dnsmessage.Question{Name: name, Type: qt, Class: dnsmessage.ClassINET}
	msg := dnsmessage.Message{Header: dnsmessage.Header{ID: id, RecursionDesired: true}, Questions: []dnsmessage.Question{q}}
	packed, err := msg.Pack()
	if err != nil {
		return nil, &DNSError{Server: s.addr, Name: name.String(), Err: err}
	}
	resp, err := s.exchange(ctx, "udp", packed, id, q)
	if err == nil && resp.Header.Truncated {
		resp, err = s.exchange(ctx, "tcp", packed, id, q)
	}
	if err != nil {
		var ne net.Error
		return nil, &DNSError{Server: s.addr, Name: strings.TrimSuffix(name.String(), "."), Err: err,
			Timeout: errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()}
	}
	host := strings.TrimSuffix(name.String(), ".")
	if resp.Header.RCode != dnsmessage.RCodeSuccess {
		return nil, &DNSError{Server: s.addr, Name: host, RCode: rcodeName(resp.Header.RCode)}
	}
	var addrs []string
	for _, a := range resp.Answers {
		switch b := a.Body.(type) {
		case *dnsmessage.AResource:
			addrs = append(addrs, netip.AddrFrom4(b.A).String())
		case *dnsmessage.AAAAResource:
			addrs = append(addrs, netip.AddrFrom16(b.AAAA).String())
		}
	}
	if len(addrs) == 0 {
		return nil, &DNSError{Server: s.addr, Name: host, NoData: true}
	}
	return addrs, nil
}

// exchange sends a packed question on network and reads the answer with
// the same id and question, bounded by ctx.
func (s dnsServer) exchange(ctx context.Context, network string, packed []byte, id uint16, q dnsmessage.Question) (*dnsmessage.Message, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, s.addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Now().Add(DefaultTimeout))
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if network == "tcp" {
		return exchangeTCP(conn, packed, id, q)
	}
	if _, err := conn.Write(packed); err != nil {
		return nil, err
	}
	buf := make([]byte, 1232)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return nil, err
		}
		var m dnsmessage.Message
		if m.Unpack(buf[:n]) != nil || !answers(m, id, q) {
			continue // not the answer to this question: keep waiting
		}
		return &m, nil
	}
}

// exchangeTCP sends a question and reads its answer over TCP, each with
// its two-byte length.
func exchangeTCP(conn net.Conn, packed []byte, id uint16, q dnsmessage.Question) (*dnsmessage.Message, error) {
	out := binary.BigEndian.AppendUint16(nil, uint16(len(packed)))
	if _, err := conn.Write(append(out, packed...)); err != nil {
		return nil, err
	}
	var l [2]byte
	if _, err := io.ReadFull(conn, l[:]); err != nil {
		return nil, err
	}
	buf := make([]byte, binary.BigEndian.Uint16(l[:]))
	if _, err := io.ReadFull(conn, buf); err != nil {
		return nil, err
	}
	var m dnsmessage.Message
	if err := m.Unpack(buf); err != nil || !answers(m, id, q) {
		return nil, fmt.Errorf("the answer over TCP does not match the question")
	}
	return &m, nil
}

// answers reports whether m is a response to the question q with id.
func answers(m dnsmessage.Message, id uint16, q dnsmessage.Question) bool {
	return m.Header.Response && m.Header.ID == id && len(m.Questions) == 1 &&
		m.Questions[0].Type == q.Type && strings.EqualFold(m.Questions[0].Name.String(), q.Name.String())
}

// rcodeName is the conventional name of a DNS answer code.
func rcodeName(c dnsmessage.RCode) string {
	switch c {
	case dnsmessage.RCodeFormatError:
		return "FORMERR"
	case dnsmessage.RCodeServerFailure:
		return "SERVFAIL"
	case dnsmessage.RCodeNameError:
		return "NXDOMAIN"
	case dnsmessage.RCodeNotImplemented:
		return "NOTIMP"
	case dnsmessage.RCodeRefused:
		return "REFUSED"
	}
	return fmt.Sprintf("RCODE %d", int(c))
}

// dnsNetReason says in words why no answer came from a DNS server.
func dnsNetReason(err error) string {
	msg := strings.ToLower(err.Error())
	switch {
	case errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(msg, "refused"):
		return "nothing answers DNS there (connection refused: no DNS service at that address and port)"
	case errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH) || strings.Contains(msg, "unreachable"):
		return "the DNS server cannot be reached (no route to it)"
	}
	return clean(err.Error())
}
