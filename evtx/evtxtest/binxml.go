package evtxtest

import (
	"encoding/binary"
	"fmt"
	"unicode/utf16"
)

// BinXML tokens, as Windows writes them inside templates.
const (
	tokEOF              = 0x00
	tokOpenStart        = 0x01
	tokCloseStart       = 0x02
	tokCloseEmpty       = 0x03
	tokEnd              = 0x04
	tokValue            = 0x05
	tokAttr             = 0x06
	tokTemplateInstance = 0x0c
	tokOptSubst         = 0x0e
	tokFragment         = 0x0f
	tokMore             = 0x40 // on OpenStart: has attributes; on Attr: more follow
)

// Value types of substitution values.
const (
	typeNull        = 0x00
	typeString      = 0x01
	typeUint8       = 0x04
	typeUint16      = 0x06
	typeUint32      = 0x08
	typeUint64      = 0x0a
	typeBinary      = 0x0e
	typeGUID        = 0x0f
	typeFiletime    = 0x11
	typeSID         = 0x13
	typeHexInt64    = 0x15
	typeBinXML      = 0x21
	typeStringArray = 0x81
)

// elem is an element of a template definition.
type elem struct {
	name    string
	dep     int16 // substitution whose absence drops the element; -1 for none
	attrs   []attr
	content []piece
}

type attr struct {
	name string
	val  piece
}

// piece is element content or an attribute value: a child element, literal
// text, or an optional substitution.
type piece struct {
	el   *elem
	text string
	sub  int // substitution index; -1 for element or text
	typ  byte
}

func child(e *elem) piece         { return piece{el: e, sub: -1} }
func text(s string) piece         { return piece{text: s, sub: -1} }
func subst(i int, typ byte) piece { return piece{sub: i, typ: typ} }
func el(name string, dep int16, content ...piece) *elem {
	return &elem{name: name, dep: dep, content: content}
}

// template is a template definition; guid identifies it.
type template struct {
	guid [16]byte
	root *elem
}

// value is one substitution value of a template instance: either fixed
// bytes or a nested BinXML fragment written in place by frag.
type value struct {
	typ  byte
	data []byte
	frag func(*enc) error
}

// enc encodes the BinXML of one record at its final place in a chunk. Names
// and templates it defines are pending until the chunk commits the record.
type enc struct {
	base      int // chunk offset of b[0]
	b         []byte
	names     map[string]uint32 // committed names of the chunk
	tmpls     map[[16]byte]uint32
	newNames  map[string]uint32
	newTmpls  map[[16]byte]uint32
	strHeads  [64]uint32
	tmplHeads [32]uint32
}

func (e *enc) off() uint32 { return uint32(e.base + len(e.b)) }

func (e *enc) u8(v byte)    { e.b = append(e.b, v) }
func (e *enc) u16(v uint16) { e.b = binary.LittleEndian.AppendUint16(e.b, v) }
func (e *enc) u32(v uint32) { e.b = binary.LittleEndian.AppendUint32(e.b, v) }

// hole reserves four bytes for a size written later with fill.
func (e *enc) hole() int { e.u32(0); return len(e.b) - 4 }

// fill writes the number of bytes that follow the hole at pos.
func (e *enc) fill(pos int) {
	binary.LittleEndian.PutUint32(e.b[pos:], uint32(len(e.b)-pos-4))
}

func (e *enc) utf16(s string) {
	for _, u := range utf16.Encode([]rune(s)) {
		e.u16(u)
	}
}

func (e *enc) fragmentHeader() { e.b = append(e.b, tokFragment, 1, 1, 0) }

// name writes a name reference: the offset of the name in the chunk,
// followed by the name itself if this is its first use in the chunk.
// The chunk's string table holds, per bucket (hash mod 64), the name
// defined last; each name links to the one defined before it.
func (e *enc) name(s string) {
	if o, ok := e.names[s]; ok {
		e.u32(o)
		return
	}
	if o, ok := e.newNames[s]; ok {
		e.u32(o)
		return
	}
	o := e.off() + 4
	e.u32(o)
	h := nameHash(s)
	e.u32(e.strHeads[h%64])
	e.u16(h)
	e.u16(uint16(len(utf16.Encode([]rune(s)))))
	e.utf16(s)
	e.u16(0)
	e.strHeads[h%64] = o
	e.newNames[s] = o
}

// nameHash is the 16-bit hash Windows stores with each name: h = h*65599 + c
// over the UTF-16 code units.
func nameHash(s string) uint16 {
	var h uint32
	for _, u := range utf16.Encode([]rune(s)) {
		h = h*65599 + uint32(u)
	}
	return uint16(h)
}

// templateBucket is the template table bucket of a template: the same
// multiplicative hash over the GUID's eight 16-bit words, mod 32. This is
// what older Windows builds (format 3.1) do; newer builds use a scheme that
// is not known. Readers do not use the table.
func templateBucket(g [16]byte) int {
	var h uint32
	for i := 0; i < 16; i += 2 {
		h = h*65599 + uint32(binary.LittleEndian.Uint16(g[i:]))
	}
	return int(h % 32)
}

func (e *enc) elem(x *elem) {
	tok := byte(tokOpenStart)
	if len(x.attrs) > 0 {
		tok |= tokMore
	}
	e.u8(tok)
	e.u16(uint16(x.dep))
	size := e.hole()
	e.name(x.name)
	if len(x.attrs) > 0 {
		list := e.hole()
		for i, a := range x.attrs {
			tok := byte(tokAttr)
			if i < len(x.attrs)-1 {
				tok |= tokMore
			}
			e.u8(tok)
			e.name(a.name)
			e.piece(a.val)
		}
		e.fill(list)
	}
	if len(x.content) == 0 {
		e.u8(tokCloseEmpty)
	} else {
		e.u8(tokCloseStart)
		for _, p := range x.content {
			e.piece(p)
		}
		e.u8(tokEnd)
	}
	e.fill(size)
}

func (e *enc) piece(p piece) {
	switch {
	case p.el != nil:
		e.elem(p.el)
	case p.sub >= 0:
		e.u8(tokOptSubst)
		e.u16(uint16(p.sub))
		e.u8(p.typ)
	default:
		e.u8(tokValue)
		e.u8(typeString)
		e.u16(uint16(len(utf16.Encode([]rune(p.text)))))
		e.utf16(p.text)
	}
}

// instance writes a template instance: the template's definition inline on
// its first use in the chunk, a reference by offset after that, then the
// value descriptors and values.
func (e *enc) instance(t *template, vals []value) error {
	e.u8(tokTemplateInstance)
	e.u8(1)
	e.b = append(e.b, t.guid[:4]...)
	if o, ok := e.tmpls[t.guid]; ok {
		e.u32(o)
	} else if o, ok := e.newTmpls[t.guid]; ok {
		e.u32(o)
	} else {
		o := e.off() + 4
		e.u32(o)
		k := templateBucket(t.guid)
		e.u32(e.tmplHeads[k])
		e.b = append(e.b, t.guid[:]...)
		size := e.hole()
		e.fragmentHeader()
		e.elem(t.root)
		e.u8(tokEOF)
		e.fill(size)
		e.tmplHeads[k] = o
		e.newTmpls[t.guid] = o
	}
	e.u32(uint32(len(vals)))
	desc := len(e.b)
	e.b = append(e.b, make([]byte, 4*len(vals))...)
	for i, v := range vals {
		start := len(e.b)
		if v.frag != nil {
			if err := v.frag(e); err != nil {
				return err
			}
		} else {
			e.b = append(e.b, v.data...)
		}
		n := len(e.b) - start
		if n > 0xffff {
			return fmt.Errorf("substitution value %d is %d bytes, more than 65535", i, n)
		}
		binary.LittleEndian.PutUint16(e.b[desc+4*i:], uint16(n))
		e.b[desc+4*i+2] = v.typ
	}
	return nil
}

// fragment writes a BinXML fragment holding one template instance.
func (e *enc) fragment(t *template, vals []value) error {
	e.fragmentHeader()
	if err := e.instance(t, vals); err != nil {
		return err
	}
	e.u8(tokEOF)
	return nil
}

func u8Value(v uint8) value { return value{typ: typeUint8, data: []byte{v}} }
func u16Value(v uint16) value {
	return value{typ: typeUint16, data: binary.LittleEndian.AppendUint16(nil, v)}
}
func u32Value(v uint32) value {
	return value{typ: typeUint32, data: binary.LittleEndian.AppendUint32(nil, v)}
}
func u64Value(typ byte, v uint64) value {
	return value{typ: typ, data: binary.LittleEndian.AppendUint64(nil, v)}
}
func nullValue() value { return value{typ: typeNull} }

func stringValue(s string) value {
	e := enc{}
	e.utf16(s)
	return value{typ: typeString, data: e.b}
}

// stringArrayValue is the value of the insertion strings: each string in
// UTF-16LE followed by a NUL. No strings at all is a null value, as Windows
// writes it.
func stringArrayValue(ss []string) value {
	if len(ss) == 0 {
		return nullValue()
	}
	e := enc{}
	for _, s := range ss {
		e.utf16(s)
		e.u16(0)
	}
	return value{typ: typeStringArray, data: e.b}
}
