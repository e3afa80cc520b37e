package checktest

import (
	"net"
	"net/netip"
	"strings"
	"sync"

	"golang.org/x/net/dns/dnsmessage"
)

// The answers of the DNS server besides an IPv4 address.
const (
	NXDomain = "NXDOMAIN" // the name does not exist
	NoAnswer = "TIMEOUT"  // the question is never answered
	ServFail = "SERVFAIL" // the server could not get an answer
	Refused  = "REFUSED"  // the server will not answer
)

// DNS is a DNS server on UDP 127.0.0.1 that answers A questions from its
// table: IPv4 addresses (separated by commas), NXDomain, NoAnswer,
// ServFail or Refused. Names not in the table
// are NXDOMAIN; AAAA and other questions get an empty answer.
type DNS struct {
	pc      net.PacketConn
	records map[string]string
	wg      sync.WaitGroup
	mu      sync.Mutex
	asked   map[string]int
}

// StartDNS starts the server with the table (names without the final dot,
// any case).
func StartDNS(records map[string]string) (*DNS, error) {
	pc, err := net.ListenPacket("udp", net.JoinHostPort(Loopback, "0"))
	if err != nil {
		return nil, err
	}
	d := &DNS{pc: pc, records: map[string]string{}, asked: map[string]int{}}
	for k, v := range records {
		d.records[strings.ToLower(strings.TrimSuffix(k, "."))] = v
	}
	d.wg.Add(1)
	go d.serve()
	return d, nil
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
		if out, ok := d.answer(buf[:n]); ok {
			d.pc.WriteTo(out, from)
		}
	}
}

// answer builds the reply to one query; false: no reply at all.
func (d *DNS) answer(q []byte) ([]byte, bool) {
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
