package checktest

import (
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/dns/dnsmessage"
)

// The answers of the DNS server besides an IPv4 address.
const (
	NXDomain = "NXDOMAIN" // the name does not exist
	NoAnswer = "TIMEOUT"  // the question is never answered
	ServFail = "SERVFAIL" // the server could not get an answer
	Refused  = "REFUSED"  // the server will not answer
	// TCPOnly prefixes addresses given only over TCP: the UDP answer is
	// truncated and empty, as a large answer is.
	TCPOnly = "TCP:"
	// DropAAAA prefixes addresses whose name's AAAA questions are never
	// answered, as some DNS filters do.
	DropAAAA = "NOAAAA:"
)

// DNS is a DNS server on 127.0.0.1, UDP and TCP, that answers A questions from its
// table: IPv4 addresses (separated by commas), NXDomain, NoAnswer,
// ServFail or Refused. Names not in the table
// are NXDOMAIN; AAAA and other questions get an empty answer.
type DNS struct {
	pc      net.PacketConn
	ln      net.Listener // TCP on the same port
	records map[string]string
	wg      sync.WaitGroup
	mu      sync.Mutex
	asked   map[string]int
}

// StartDNS starts the server with the table (names without the final dot,
// any case).
func StartDNS(records map[string]string) (*DNS, error) {
	// UDP and TCP on one port: a port free for UDP may be taken for TCP.
	var pc net.PacketConn
	var ln net.Listener
	var err error
	for range 20 {
		if pc, err = net.ListenPacket("udp", net.JoinHostPort(Loopback, "0")); err != nil {
			return nil, err
		}
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
	}
	if err != nil {
		return nil, err
	}
	d := &DNS{pc: pc, ln: ln, records: map[string]string{}, asked: map[string]int{}}
	for k, v := range records {
		d.records[strings.ToLower(strings.TrimSuffix(k, "."))] = v
	}
	d.wg.Add(2)
	go d.serve()
	go d.serveTCP()
	return d, nil
}

// serveTCP answers questions over TCP, each with its two-byte length.
func (d *DNS) serveTCP() {
	defer d.wg.Done()
	for {
		c, err := d.ln.Accept()
		if err != nil {
			return
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		var l [2]byte
		if _, err := io.ReadFull(c, l[:]); err == nil {
			q := make([]byte, binary.BigEndian.Uint16(l[:]))
			if _, err := io.ReadFull(c, q); err == nil {
				if out, ok := d.answer(q, true); ok {
					c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(out))), out...))
				}
			}
		}
		c.Close()
	}
}

// Addr is the server's address, 127.0.0.1:PORT.
func (d *DNS) Addr() string { return d.pc.LocalAddr().String() }

// Asked tells how many questions about name the server received.
func (d *DNS) Asked(name string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.asked[strings.ToLower(strings.TrimSuffix(name, "."))]
}

// Close stops the server.
func (d *DNS) Close() {
	d.pc.Close()
	d.ln.Close()
	d.wg.Wait()
}

func (d *DNS) serve() {
	defer d.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, from, err := d.pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if out, ok := d.answer(buf[:n], false); ok {
			d.pc.WriteTo(out, from)
		}
	}
}

// answer builds the reply to one query, over TCP or UDP; false: no reply
// at all.
func (d *DNS) answer(q []byte, tcp bool) ([]byte, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(q)
	if err != nil {
		return nil, false
	}
	question, err := p.Question()
	if err != nil {
		return nil, false
	}
	name := strings.ToLower(strings.TrimSuffix(question.Name.String(), "."))
	d.mu.Lock()
	d.asked[name]++
	d.mu.Unlock()
	rec, ok := d.records[name]
	if rec == NoAnswer {
		return nil, false
	}
	rh := dnsmessage.Header{ID: h.ID, Response: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true, Authoritative: true}
	if strings.HasPrefix(rec, DropAAAA) {
		if question.Type == dnsmessage.TypeAAAA {
			return nil, false
		}
		rec = strings.TrimPrefix(rec, DropAAAA)
	}
	if strings.HasPrefix(rec, TCPOnly) {
		rec = strings.TrimPrefix(rec, TCPOnly)
		if !tcp {
			rh.Truncated, rec = true, ""
		}
	}
	var addrs []netip.Addr
	for _, a := range strings.Split(rec, ",") {
		if ip, err := netip.ParseAddr(a); err == nil && ip.Is4() {
			addrs = append(addrs, ip)
		}
	}
	switch {
	case rec == ServFail:
		rh.RCode = dnsmessage.RCodeServerFailure
	case rec == Refused:
		rh.RCode = dnsmessage.RCodeRefused
	case rh.Truncated:
	case !ok || len(addrs) == 0:
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	if b.StartQuestions() != nil || b.Question(question) != nil || b.StartAnswers() != nil {
		return nil, false
	}
	for _, addr := range addrs {
		if rh.RCode != dnsmessage.RCodeSuccess || question.Type != dnsmessage.TypeA {
			break
		}
		rr := dnsmessage.ResourceHeader{Name: question.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 60}
		if b.AResource(rr, dnsmessage.AResource{A: addr.As4()}) != nil {
			return nil, false
		}
	}
	out, err := b.Finish()
	return out, err == nil
}
