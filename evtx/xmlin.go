package evtx

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// maxXMLDepth bounds element nesting in rendered XML input, inside and
// outside events.
const maxXMLDepth = 256

// Default bounds of one event in rendered XML input. A genuine agent event
// holds a few KiB in a few dozen elements.
const (
	DefaultMaxEventBytes    = 1 << 20
	DefaultMaxEventElements = 10000
)

// xmlTimeCheck is how many tokens are read between looks at the clock.
const xmlTimeCheck = 1024

// minTokenLimit is the least bound on one XML token (a text run, a tag, a
// comment): the XML decoder holds a whole token in memory before it hands
// it on, so a longer one ends the read.
const minTokenLimit = 16 << 20

// errEventTooLarge is wrapped in the error of parseEvents when it skipped
// events larger than the default bounds.
var errEventTooLarge = errors.New("event too large")

// parseEvents reads rendered event XML (as written by wevtutil,
// Get-WinEvent, EvtRender or evtxexport) and returns every <Event> element,
// at any depth, as a tree. Namespaces are dropped: names are local names.
// Events larger than the default bounds are skipped; the error then wraps
// errEventTooLarge and the other events are returned.
func parseEvents(r io.Reader) ([]*element, error) {
	var els []*element
	var first string
	warn := func(w Warning) {
		if first == "" {
			first = w.Reason
		}
	}
	st, err := parseEventXML(r, "", Options{}, warn, func(el *element) error {
		els = append(els, el)
		return nil
	})
	if err == nil && st.Oversized > 0 {
		err = fmt.Errorf("%d events skipped, the first: %s: %w", st.Oversized, first, errEventTooLarge)
	}
	return els, err
}

// parseEventXML reads rendered event XML as a stream and calls fn with
// every <Event> element that is not inside another one, as soon as it ends.
// Only the current event's tree is held: elements outside events are not
// kept. Events beyond the bounds of opt (MaxEventBytes, MaxEventElements)
// are skipped and passed to warn (when not nil); name labels their
// warnings. It stops at the first syntax error, budget (opt.Timeout) or
// error of fn, and returns it. Stats counts Records (events read whole),
// Oversized and nothing else.
func parseEventXML(r io.Reader, name string, opt Options, warn func(Warning), fn func(*element) error) (Stats, error) {
	s := newXMLStream(r, name, opt, warn)
	start := time.Now()
	for n := 1; ; n++ {
		tok, err := s.d.Token()
		if errors.Is(err, io.EOF) {
			return s.st, nil
		}
		if err != nil {
			return s.st, s.tokenError(err)
		}
		s.in.mark = s.in.off
		if opt.Timeout > 0 && n%xmlTimeCheck == 0 && time.Since(start) > opt.Timeout {
			return s.st, budgetError(fmt.Sprintf("%s: reading took longer than %v, the time budget per file; the rest of the file was skipped", name, opt.Timeout))
		}
		if err := s.token(tok, fn); err != nil {
			return s.st, err
		}
	}
}

// xmlStream is the state of parseEventXML.
type xmlStream struct {
	d        *xml.Decoder
	in       *guardReader
	name     string
	warn     func(Warning)
	maxBytes int
	maxElems int
	depth    int        // open elements, inside and outside events
	evDepth  int        // depth outside the current <Event>; -1 when none
	stack    []*element // open elements of the current event
	texts    [][]byte   // character data of each element of stack
	size     int        // bytes of the current event so far
	elems    int        // elements of the current event so far
	skip     string     // why the current event is skipped; "" if it is not
	line     int        // line of the current event's start tag
	offset   int64
	st       Stats
}

// newXMLStream sets up a strict decoder on r. Character set declarations
// are taken as UTF-8: inputs are decoded before (see textenc.Reader).
func newXMLStream(r io.Reader, name string, opt Options, warn func(Warning)) *xmlStream {
	s := &xmlStream{name: name, warn: warn, evDepth: -1,
		maxBytes: bound(opt.MaxEventBytes, DefaultMaxEventBytes),
		maxElems: bound(opt.MaxEventElements, DefaultMaxEventElements)}
	limit := int64(minTokenLimit)
	if mb := int64(s.maxBytes); mb > limit/2 {
		limit = max(mb, 2*mb) // 2*mb overflows for "no limit"
	}
	s.in = &guardReader{r: r, buf: make([]byte, 64<<10), limit: limit}
	s.d = xml.NewDecoder(s.in)
	s.d.Strict = true
	s.d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	return s
}

// bound resolves a per-event limit of Options: 0 is the default, below 0 none.
func bound(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return math.MaxInt
	}
	return v
}

// tokenError describes an error of the decoder.
func (s *xmlStream) tokenError(err error) error {
	if errors.Is(err, errTokenTooLarge) {
		line, _ := s.d.InputPos()
		return fmt.Errorf("text, tag or comment near line %d is longer than %d MiB; the rest of the input was skipped", line, s.in.limit>>20)
	}
	return err
}

// token handles one token of the decoder.
func (s *xmlStream) token(tok xml.Token, fn func(*element) error) error {
	switch t := tok.(type) {
	case xml.StartElement:
		return s.start(t)
	case xml.EndElement:
		return s.end(fn)
	case xml.CharData:
		s.chars(t)
	}
	return nil
}

// start opens an element; outside an event, only an <Event> is kept.
func (s *xmlStream) start(t xml.StartElement) error {
	if s.depth >= maxXMLDepth {
		return errors.New("XML nested too deeply")
	}
	s.depth++
	if s.evDepth < 0 {
		if t.Name.Local != "Event" {
			return nil
		}
		s.evDepth, s.size, s.elems, s.skip = s.depth-1, 0, 0, ""
		s.line, _ = s.d.InputPos()
		s.offset = s.d.InputOffset()
	}
	if s.skip != "" {
		return nil
	}
	el := &element{Name: t.Name.Local}
	n := len(el.Name)
	for _, a := range t.Attr {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
			continue
		}
		el.Attrs = append(el.Attrs, attr{Name: a.Name.Local, Value: a.Value})
		n += len(a.Name.Local) + len(a.Value)
	}
	s.elems++
	if s.elems > s.maxElems {
		s.oversize(fmt.Sprintf("has more than %d elements", s.maxElems))
		return nil
	}
	if !s.grow(n) {
		return nil
	}
	s.push(el)
	return nil
}

// push makes el the innermost open element of the current event.
func (s *xmlStream) push(el *element) {
	if k := len(s.stack); k > 0 {
		s.stack[k-1].Children = append(s.stack[k-1].Children, el)
	}
	s.stack = append(s.stack, el)
	if i := len(s.stack) - 1; i < len(s.texts) {
		s.texts[i] = s.texts[i][:0]
	} else {
		s.texts = append(s.texts, nil)
	}
}

// end closes an element and hands a finished event to fn.
func (s *xmlStream) end(fn func(*element) error) error {
	s.depth--
	if s.evDepth < 0 {
		return nil
	}
	var el *element
	if s.skip == "" {
		i := len(s.stack) - 1
		el = s.stack[i]
		el.Text = string(s.texts[i])
		s.stack[i] = nil
		s.stack = s.stack[:i]
	}
	if s.depth > s.evDepth {
		return nil
	}
	s.evDepth = -1
	if s.skip != "" {
		s.st.Oversized++
		if s.warn != nil {
			s.warn(Warning{File: s.name, Chunk: -1, Offset: s.offset,
				Reason: fmt.Sprintf("event at line %d %s; it was skipped (no genuine agent event is that large)", s.line, s.skip)})
		}
		return nil
	}
	s.st.Records++
	return fn(el)
}

// chars adds character data to the innermost open element of an event.
func (s *xmlStream) chars(t xml.CharData) {
	if s.evDepth < 0 || s.skip != "" || !s.grow(len(t)) {
		return
	}
	i := len(s.stack) - 1
	s.texts[i] = append(s.texts[i], t...)
}

// grow counts n more bytes of the current event and reports whether it is
// still within its bound; if not, the event is skipped.
func (s *xmlStream) grow(n int) bool {
	s.size += n
	if s.size <= s.maxBytes && s.size >= 0 {
		return true
	}
	s.oversize(fmt.Sprintf("holds more than %s of text and attributes", sizeString(s.maxBytes)))
	return false
}

// oversize marks the current event as skipped and lets go of its tree.
func (s *xmlStream) oversize(why string) {
	s.skip = why
	clear(s.stack)
	s.stack = s.stack[:0]
}

// sizeString formats a byte count in MiB or KiB when it is a whole number
// of them.
func sizeString(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// errTokenTooLarge is the error of a guardReader whose bound is reached.
var errTokenTooLarge = errors.New("XML token too large")

// guardReader feeds the XML decoder byte by byte and fails once more than
// limit bytes were read since mark (the end of the last token), so the
// decoder never holds one token longer than that.
type guardReader struct {
	r                io.Reader
	buf              []byte
	i, n             int
	off, mark, limit int64
	err              error
}

// ReadByte returns the next byte of the input.
func (g *guardReader) ReadByte() (byte, error) {
	if g.i == g.n {
		if g.err != nil {
			return 0, g.err
		}
		g.fill()
		if g.i == g.n {
			return 0, g.err
		}
	}
	if g.off-g.mark >= g.limit {
		return 0, errTokenTooLarge
	}
	b := g.buf[g.i]
	g.i++
	g.off++
	return b, nil
}

// Read reads like ReadByte, for a decoder that asks for an io.Reader.
func (g *guardReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		b, err := g.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		p[n] = b
		n++
	}
	return n, nil
}

// fill reads more input into buf.
func (g *guardReader) fill() {
	for tries := 0; tries < 100 && g.err == nil; tries++ {
		g.n, g.err = g.r.Read(g.buf)
		g.i = 0
		if g.n > 0 {
			return
		}
	}
	if g.err == nil {
		g.err = io.ErrNoProgress
	}
}
