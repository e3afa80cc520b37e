package evtx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// BinXML tokens (MS-EVEN6 2.2.12). The 0x40 bit means "more data follows"
// and is masked off before dispatch.
const (
	tokEOF            = 0x00
	tokOpenStart      = 0x01
	tokCloseStart     = 0x02
	tokCloseEmpty     = 0x03
	tokEndElement     = 0x04
	tokValue          = 0x05
	tokAttribute      = 0x06
	tokCDATA          = 0x07
	tokCharRef        = 0x08
	tokEntityRef      = 0x09
	tokPITarget       = 0x0a
	tokPIData         = 0x0b
	tokTemplate       = 0x0c
	tokNormalSubst    = 0x0d
	tokOptionalSubst  = 0x0e
	tokFragmentHeader = 0x0f
	tokMoreBit        = 0x40
)

// maxDepth bounds element nesting and embedded-BinXML recursion so that
// hostile or self-referencing BinXML cannot exhaust the stack.
const maxDepth = 64

var errDepth = errors.New("BinXML nested too deeply")

// tnode is one node of a parsed BinXML template or fragment: an element, or
// a content item (literal text, substitution, character or entity reference).
type tnode struct {
	kind     nodeKind
	name     string  // element or entity name
	text     string  // literal text
	attrs    []tattr // element attributes
	children []tnode // element content
	subID    uint16  // substitution index
	optional bool    // optional substitution
	// inst is set for a template instance met inside content (rare: only in
	// fragments that are not themselves templates).
	inst *instance
}

type nodeKind uint8

const (
	nodeElement nodeKind = iota
	nodeText
	nodeSubst
	nodeEntity
	nodeInstance
)

type tattr struct {
	name  string
	value []tnode // text, substitution or reference items
}

// parser decodes BinXML inside one chunk. Names and template definitions are
// referenced by chunk offset and cached per chunk.
type parser struct {
	chunk     []byte
	names     map[uint32]string
	templates map[uint32]*template
	providers map[uint32]literal // templateProvider's answers in this chunk
	byContent map[string]literal // and across chunks, by template bytes
}

// literal is a provider name known from a template's text, or not known.
type literal struct {
	name string
	ok   bool
}

type template struct {
	root []tnode
	err  error
	// provider caches literalProvider: 0 not computed, 1 literal, 2 not.
	providerState uint8
	provider      string
}

// literalProvider returns the provider name when the template holds it as
// literal text (Event/System/Provider/@Name made only of text), as it does
// for every classic event source.
func (t *template) literalProvider() (string, bool) {
	if t.providerState == 0 {
		t.providerState = 2
		if p := findPath(t.root, "Event", "System", "Provider"); p != nil {
			if name, ok := literalName(p.attrs); ok {
				t.provider, t.providerState = name, 1
			}
		}
	}
	return t.provider, t.providerState == 1
}

// literalName returns the Name attribute when it is made only of text and
// not empty (an empty Name falls back to EventSourceName).
func literalName(attrs []tattr) (string, bool) {
	for _, a := range attrs {
		if a.name != "Name" {
			continue
		}
		var sb strings.Builder
		for _, it := range a.value {
			if it.kind != nodeText {
				return "", false
			}
			sb.WriteString(it.text)
		}
		return sb.String(), sb.Len() > 0
	}
	return "", false
}

// templateProvider answers literalProvider for the template at chunk offset
// off while parsing only the start tags of Event, System and Provider, the
// first few dozen bytes of the template, instead of all of it.
func (p *parser) templateProvider(off uint32) (string, bool) {
	if l, ok := p.providers[off]; ok {
		return l.name, l.ok
	}
	var l literal
	if t, ok := p.templates[off]; ok && t.err == nil {
		l.name, l.ok = t.literalProvider()
	} else if data := p.templateData(off); data != nil {
		// The same template recurs in chunk after chunk: remember the
		// answer by the template's exact bytes.
		if cl, ok := p.byContent[string(data)]; ok {
			l = cl
		} else {
			l.name, l.ok = p.scanProvider(off)
			if len(p.byContent) >= maxContentCache {
				clear(p.byContent)
			}
			p.byContent[string(data)] = l
		}
	}
	p.providers[off] = l
	return l.name, l.ok
}

// maxContentCache bounds the templates remembered across chunks.
const maxContentCache = 1024

// templateData returns the bytes of the template defined at off (from its
// GUID to the end of its data), or nil if they do not fit the chunk.
func (p *parser) templateData(off uint32) []byte {
	if uint64(off)+24 > uint64(len(p.chunk)) {
		return nil
	}
	size := binary.LittleEndian.Uint32(p.chunk[off+20:])
	end := uint64(off) + 24 + uint64(size)
	if end > uint64(len(p.chunk)) {
		return nil
	}
	return p.chunk[off+4 : end]
}

func (p *parser) scanProvider(off uint32) (string, bool) {
	c := &cursor{b: p.chunk, pos: int(off)}
	if off >= uint32(len(p.chunk)) {
		return "", false
	}
	if _, err := c.bytes(20); err != nil { // next offset, GUID
		return "", false
	}
	size, err := c.u32()
	if err != nil || c.need(int(size)) != nil {
		return "", false
	}
	tc := &cursor{b: c.b[:c.pos+int(size)], pos: c.pos}
	if t, err := tc.peek(); err == nil && t == tokFragmentHeader {
		tc.pos += 4
	}
	for i, want := range []string{"Event", "System", "Provider"} {
		t, err := tc.peek()
		if err != nil || t&^tokMoreBit != tokOpenStart {
			return "", false
		}
		n, empty, err := p.startTag(tc, true, 1)
		if err != nil || n.name != want {
			return "", false
		}
		if i == 2 {
			return literalName(n.attrs)
		}
		if empty {
			return "", false
		}
	}
	return "", false
}

// findPath follows element names down from nodes; only the first element of
// each name is followed, and nothing but elements is crossed.
func findPath(nodes []tnode, path ...string) *tnode {
	for i := range nodes {
		n := &nodes[i]
		if n.kind == nodeElement && n.name == path[0] {
			if len(path) == 1 {
				return n
			}
			return findPath(n.children, path[1:]...)
		}
	}
	return nil
}

// instance is a template instance: the template and the values to put in.
type instance struct {
	tmpl   *template
	values []value
}

func newParser() *parser {
	return &parser{names: map[uint32]string{}, templates: map[uint32]*template{}, providers: map[uint32]literal{}, byContent: map[string]literal{}}
}

func (p *parser) reset(chunk []byte) {
	p.chunk = chunk
	clear(p.names)
	clear(p.templates)
	clear(p.providers)
}

// name reads a name reference at the cursor; an inline name (the offset
// points just past itself) is skipped over.
func (p *parser) name(c *cursor) (string, error) {
	off, err := c.u32()
	if err != nil {
		return "", err
	}
	inline := int(off) == c.pos
	if s, ok := p.names[off]; ok {
		if inline {
			if err := skipName(c); err != nil {
				return "", err
			}
		}
		return s, nil
	}
	nc := &cursor{b: p.chunk, pos: int(off)}
	if off > uint32(len(p.chunk)) {
		return "", fmt.Errorf("name offset %#x outside the chunk", off)
	}
	if _, err := nc.bytes(6); err != nil { // next offset, hash
		return "", err
	}
	n, err := nc.u16()
	if err != nil {
		return "", err
	}
	s, err := nc.utf16String(int(n))
	if err != nil {
		return "", err
	}
	p.names[off] = s
	if inline {
		c.pos = nc.pos + 2 // terminating NUL
		if err := c.need(0); err != nil {
			return "", err
		}
	}
	return s, nil
}

func skipName(c *cursor) error {
	if _, err := c.bytes(6); err != nil {
		return err
	}
	n, err := c.u16()
	if err != nil {
		return err
	}
	_, err = c.bytes(2*int(n) + 2)
	return err
}

// fragment parses a BinXML fragment (header, then a template instance or an
// element) and returns its content nodes.
func (p *parser) fragment(c *cursor, inTemplate bool, depth int) ([]tnode, error) {
	if depth > maxDepth {
		return nil, errDepth
	}
	tok, err := c.peek()
	if err != nil {
		return nil, err
	}
	// Embedded BinXML values may start with a template instance directly.
	if tok == tokFragmentHeader {
		if _, err := c.bytes(4); err != nil { // token, major, minor, flags
			return nil, err
		}
	}
	var out []tnode
	for {
		tok, err := c.peek()
		if err != nil {
			if len(out) > 0 { // a record may end without EOF token
				return out, nil
			}
			return nil, err
		}
		switch tok &^ tokMoreBit {
		case tokEOF:
			c.pos++
			return out, nil
		case tokTemplate:
			inst, err := p.instance(c, depth+1)
			if err != nil {
				return out, err
			}
			out = append(out, tnode{kind: nodeInstance, inst: inst})
		case tokOpenStart:
			n, err := p.element(c, inTemplate, depth+1)
			if err != nil {
				return out, err
			}
			out = append(out, n)
		case tokFragmentHeader:
			// A second fragment in the same stream: a record holding
			// several fragments. Parse it as a sibling.
			ns, err := p.fragment(c, inTemplate, depth+1)
			out = append(out, ns...)
			if err != nil {
				return out, err
			}
		default:
			return out, fmt.Errorf("at offset %#x: unexpected token %#02x at fragment level", c.pos, tok)
		}
	}
}

// element parses an element from its open-start token to its end.
func (p *parser) element(c *cursor, inTemplate bool, depth int) (tnode, error) {
	start := c.pos
	n, empty, err := p.startTag(c, inTemplate, depth)
	if err != nil || empty {
		return n, err
	}
	if n.children, err = p.content(c, inTemplate, depth, false); err != nil {
		return n, err
	}
	t, err := c.u8()
	if err != nil {
		return n, err
	}
	if t != tokEndElement {
		return n, fmt.Errorf("element %q at offset %#x: token %#02x where end-element was expected", n.name, start, t)
	}
	return n, nil
}

// startTag parses an element's start tag: name and attributes, up to and
// including the close-start or close-empty token.
func (p *parser) startTag(c *cursor, inTemplate bool, depth int) (n tnode, empty bool, err error) {
	if depth > maxDepth {
		return tnode{}, false, errDepth
	}
	start := c.pos
	tok, err := c.u8()
	if err != nil {
		return tnode{}, false, err
	}
	if inTemplate {
		if _, err := c.u16(); err != nil { // dependency identifier
			return tnode{}, false, err
		}
	}
	if _, err := c.u32(); err != nil { // data size
		return tnode{}, false, err
	}
	n = tnode{kind: nodeElement}
	if n.name, err = p.name(c); err != nil {
		return n, false, err
	}
	if tok&tokMoreBit != 0 {
		if _, err := c.u32(); err != nil { // attribute list size
			return n, false, err
		}
		for {
			t, err := c.peek()
			if err != nil {
				return n, false, err
			}
			if t&^tokMoreBit != tokAttribute {
				break
			}
			c.pos++
			a := tattr{}
			if a.name, err = p.name(c); err != nil {
				return n, false, err
			}
			if a.value, err = p.content(c, inTemplate, depth, true); err != nil {
				return n, false, err
			}
			n.attrs = append(n.attrs, a)
		}
	}
	t, err := c.u8()
	if err != nil {
		return n, false, err
	}
	switch t {
	case tokCloseEmpty:
		return n, true, nil
	case tokCloseStart:
		return n, false, nil
	}
	return n, false, fmt.Errorf("element %q at offset %#x: token %#02x where close-start was expected", n.name, start, t)
}

// content parses content items up to (not including) the token that ends
// them: end-element for element content; the next attribute or the close of
// the start tag for attribute values.
func (p *parser) content(c *cursor, inTemplate bool, depth int, attr bool) ([]tnode, error) {
	var out []tnode
	for {
		tok, err := c.peek()
		if err != nil {
			return out, err
		}
		switch tok &^ tokMoreBit {
		case tokValue, tokCDATA, tokCharRef, tokEntityRef, tokNormalSubst, tokOptionalSubst, tokPITarget, tokPIData:
			n, ok, err := p.leaf(c, tok)
			if err != nil {
				return out, err
			}
			if ok {
				out = append(out, n)
			}
		case tokOpenStart:
			if attr {
				return out, nil
			}
			n, err := p.element(c, inTemplate, depth+1)
			if err != nil {
				return out, err
			}
			out = append(out, n)
		case tokTemplate:
			if attr {
				return out, nil
			}
			inst, err := p.instance(c, depth+1)
			if err != nil {
				return out, err
			}
			out = append(out, tnode{kind: nodeInstance, inst: inst})
		default: // end element, attribute, close tags, EOF: the caller's
			return out, nil
		}
	}
}

// leaf reads one token of content that holds no elements: text, CDATA, a
// character or entity reference, a substitution, or a processing
// instruction (read and dropped: ok is false).
func (p *parser) leaf(c *cursor, tok byte) (n tnode, ok bool, err error) {
	c.pos++
	switch tok &^ tokMoreBit {
	case tokValue, tokCDATA:
		if tok&^tokMoreBit == tokValue {
			if _, err := c.u8(); err != nil { // value type, always string
				return n, false, err
			}
		}
		size, err := c.u16()
		if err != nil {
			return n, false, err
		}
		s, err := c.utf16String(int(size))
		return tnode{kind: nodeText, text: s}, err == nil, err
	case tokCharRef:
		v, err := c.u16()
		return tnode{kind: nodeText, text: string(rune(v))}, err == nil, err
	case tokEntityRef:
		name, err := p.name(c)
		return tnode{kind: nodeEntity, name: name}, err == nil, err
	case tokNormalSubst, tokOptionalSubst:
		id, err := c.u16()
		if err != nil {
			return n, false, err
		}
		if _, err := c.u8(); err != nil { // declared value type
			return n, false, err
		}
		return tnode{kind: nodeSubst, subID: id, optional: tok == tokOptionalSubst}, true, nil
	case tokPITarget:
		_, err := p.name(c)
		return n, false, err
	default: // tokPIData
		size, err := c.u16()
		if err != nil {
			return n, false, err
		}
		_, err = c.bytes(2 * int(size))
		return n, false, err
	}
}

// instance parses a template instance: the reference to (or inline
// definition of) a template, then its substitution values.
func (p *parser) instance(c *cursor, depth int) (*instance, error) {
	if depth > maxDepth {
		return nil, errDepth
	}
	if _, err := c.bytes(2); err != nil { // token, unknown byte
		return nil, err
	}
	if _, err := c.u32(); err != nil { // template identifier
		return nil, err
	}
	off, err := c.u32()
	if err != nil {
		return nil, err
	}
	tm, err := p.template(off, depth)
	if int(off) == c.pos {
		// Inline definition: skip it (next offset, GUID, size, data).
		if _, err := c.bytes(20); err != nil {
			return nil, err
		}
		size, err := c.u32()
		if err != nil {
			return nil, err
		}
		if _, err := c.bytes(int(size)); err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	vals, err := p.values(c, depth)
	if err != nil {
		return nil, err
	}
	return &instance{tmpl: tm, values: vals}, nil
}

// template returns the template defined at chunk offset off, parsing it the
// first time it is used.
func (p *parser) template(off uint32, depth int) (*template, error) {
	if t, ok := p.templates[off]; ok {
		return t, t.err
	}
	t := &template{}
	p.templates[off] = t // guards against a template that references itself
	t.err = errors.New("template references itself")
	c := &cursor{b: p.chunk, pos: int(off)}
	if off >= uint32(len(p.chunk)) {
		t.err = fmt.Errorf("template offset %#x outside the chunk", off)
		return t, t.err
	}
	if _, err := c.bytes(20); err != nil { // next offset, GUID
		t.err = err
		return t, err
	}
	size, err := c.u32()
	if err != nil {
		t.err = err
		return t, err
	}
	if err := c.need(int(size)); err != nil {
		t.err = fmt.Errorf("template at %#x: data size %d: %w", off, size, err)
		return t, t.err
	}
	tc := &cursor{b: c.b[:c.pos+int(size)], pos: c.pos}
	t.root, t.err = p.fragment(tc, true, depth+1)
	if t.err != nil {
		t.err = fmt.Errorf("template at %#x: %w", off, t.err)
	}
	return t, t.err
}
