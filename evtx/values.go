package evtx

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Value types (MS-EVEN6 2.2.18); 0x80 marks an array.
const (
	vtNull       = 0x00
	vtString     = 0x01
	vtAnsiString = 0x02
	vtInt8       = 0x03
	vtUInt8      = 0x04
	vtInt16      = 0x05
	vtUInt16     = 0x06
	vtInt32      = 0x07
	vtUInt32     = 0x08
	vtInt64      = 0x09
	vtUInt64     = 0x0a
	vtReal32     = 0x0b
	vtReal64     = 0x0c
	vtBool       = 0x0d
	vtBinary     = 0x0e
	vtGUID       = 0x0f
	vtSizeT      = 0x10
	vtFileTime   = 0x11
	vtSysTime    = 0x12
	vtSID        = 0x13
	vtHexInt32   = 0x14
	vtHexInt64   = 0x15
	vtEvtHandle  = 0x20
	vtBinXML     = 0x21
	vtEvtXML     = 0x23
	vtArray      = 0x80
)

// maxValues bounds the substitution count of one template instance; a
// 64 KiB chunk cannot hold more descriptors than this.
const maxValues = 65536 / 4

// value is one substitution value: its type and raw bytes, plus, for
// embedded BinXML, the parsed nodes.
type value struct {
	typ   uint8
	raw   []byte
	nodes []tnode // vtBinXML only
	err   error   // vtBinXML that failed to parse
}

// values parses the value descriptors and values of a template instance.
func (p *parser) values(c *cursor, depth int) ([]value, error) {
	n, err := c.u32()
	if err != nil {
		return nil, err
	}
	if n > maxValues {
		return nil, fmt.Errorf("template instance claims %d values", n)
	}
	desc, err := c.bytes(4 * int(n))
	if err != nil {
		return nil, err
	}
	vals := make([]value, n)
	for i := range vals {
		size := int(binary.LittleEndian.Uint16(desc[4*i:]))
		typ := desc[4*i+2]
		start := c.pos
		raw, err := c.bytes(size)
		if err != nil {
			return nil, fmt.Errorf("value %d (type %#02x, %d bytes): %w", i, typ, size, err)
		}
		vals[i] = value{typ: typ, raw: raw}
		if typ == vtBinXML {
			sub := &cursor{b: p.chunk[:start+size], pos: start}
			vals[i].nodes, vals[i].err = p.fragment(sub, false, depth+1)
		}
	}
	return vals, nil
}

// strings renders a value as text the way libevtx does; arrays give one
// string per item.
func (v value) strings() []string {
	if v.typ&vtArray == 0 {
		return []string{scalarString(v.typ, v.raw)}
	}
	t := v.typ &^ vtArray
	switch t {
	case vtString:
		return splitUTF16(v.raw)
	case vtAnsiString:
		parts := strings.Split(strings.TrimRight(string(v.raw), "\x00"), "\x00")
		for i := range parts {
			parts[i] = ansi(parts[i])
		}
		return parts
	}
	size := fixedSize(t)
	if size == 0 {
		return []string{strings.ToUpper(hex.EncodeToString(v.raw))}
	}
	var out []string
	for i := 0; i+size <= len(v.raw); i += size {
		out = append(out, scalarString(t, v.raw[i:i+size]))
	}
	return out
}

func fixedSize(t uint8) int {
	switch t {
	case vtInt8, vtUInt8:
		return 1
	case vtInt16, vtUInt16:
		return 2
	case vtInt32, vtUInt32, vtReal32, vtBool, vtHexInt32:
		return 4
	case vtInt64, vtUInt64, vtReal64, vtHexInt64, vtFileTime:
		return 8
	case vtGUID, vtSysTime:
		return 16
	}
	return 0
}

// splitUTF16 splits a NUL-separated UTF-16LE string array; a final
// terminator does not make an extra empty item, but empty items inside are
// kept.
func splitUTF16(b []byte) []string {
	var out []string
	start := 0
	for i := 0; i+1 < len(b); i += 2 {
		if b[i] == 0 && b[i+1] == 0 {
			out = append(out, decodeUTF16(b[start:i]))
			start = i + 2
		}
	}
	if start < len(b)-1 {
		out = append(out, decodeUTF16(b[start:]))
	}
	return out
}

// ansi decodes a single-byte string as Windows-1252 (evtxexport's default
// codepage): bytes 0x80-0x9F differ from Latin-1.
func ansi(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 && c < 0xa0 {
			sb.WriteRune(cp1252[c-0x80])
		} else {
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8d, 'Ž', 0x8f,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9d, 'ž', 'Ÿ',
}

// scalarString renders one non-array value.
func scalarString(t uint8, b []byte) string {
	le := binary.LittleEndian
	switch t {
	case vtNull:
		return ""
	case vtString:
		s := decodeUTF16(b)
		return strings.TrimRight(s, "\x00")
	case vtAnsiString:
		return ansi(strings.TrimRight(string(b), "\x00"))
	}
	if n := fixedSize(t); n != 0 && len(b) < n {
		return strings.ToUpper(hex.EncodeToString(b))
	}
	switch t {
	case vtInt8:
		return strconv.Itoa(int(int8(b[0])))
	case vtUInt8:
		return strconv.Itoa(int(b[0]))
	case vtInt16:
		return strconv.Itoa(int(int16(le.Uint16(b))))
	case vtUInt16:
		return strconv.Itoa(int(le.Uint16(b)))
	case vtInt32:
		return strconv.FormatInt(int64(int32(le.Uint32(b))), 10)
	case vtUInt32:
		return strconv.FormatUint(uint64(le.Uint32(b)), 10)
	case vtInt64:
		return strconv.FormatInt(int64(le.Uint64(b)), 10)
	case vtUInt64:
		return strconv.FormatUint(le.Uint64(b), 10)
	case vtReal32:
		return strconv.FormatFloat(float64(math.Float32frombits(le.Uint32(b))), 'g', -1, 32)
	case vtReal64:
		return strconv.FormatFloat(math.Float64frombits(le.Uint64(b)), 'g', -1, 64)
	case vtBool:
		if le.Uint32(b) != 0 {
			return "true"
		}
		return "false"
	case vtGUID:
		return fmt.Sprintf("{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
			le.Uint32(b), le.Uint16(b[4:]), le.Uint16(b[6:]), b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15])
	case vtSizeT:
		if len(b) == 4 {
			return fmt.Sprintf("0x%08x", le.Uint32(b))
		}
		if len(b) == 8 {
			return fmt.Sprintf("0x%016x", le.Uint64(b))
		}
	case vtHexInt32:
		return fmt.Sprintf("0x%08x", le.Uint32(b))
	case vtHexInt64:
		return fmt.Sprintf("0x%016x", le.Uint64(b))
	case vtFileTime:
		return formatTime(fileTime(le.Uint64(b)))
	case vtSysTime:
		return formatTime(sysTime(b))
	case vtSID:
		if s, ok := sidString(b); ok {
			return s
		}
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

// fileTimeEpochDelta is the number of 100 ns intervals from 1601-01-01 to
// 1970-01-01.
const fileTimeEpochDelta = 116444736000000000

// fileTime converts a Windows FILETIME to UTC.
func fileTime(ft uint64) time.Time {
	d := int64(ft) - fileTimeEpochDelta
	if ft > math.MaxInt64 {
		d = math.MaxInt64 - fileTimeEpochDelta
	}
	return time.Unix(d/10_000_000, (d%10_000_000)*100).UTC()
}

func sysTime(b []byte) time.Time {
	le := binary.LittleEndian
	return time.Date(int(le.Uint16(b)), time.Month(le.Uint16(b[2:])), int(le.Uint16(b[6:])),
		int(le.Uint16(b[8:])), int(le.Uint16(b[10:])), int(le.Uint16(b[12:])),
		int(le.Uint16(b[14:]))*int(time.Millisecond), time.UTC)
}

// formatTime writes a time as libevtx does: UTC with nine fraction digits.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}

func sidString(b []byte) (string, bool) {
	if len(b) < 8 {
		return "", false
	}
	n := int(b[1])
	if len(b) < 8+4*n {
		return "", false
	}
	var auth uint64
	for _, x := range b[2:8] {
		auth = auth<<8 | uint64(x)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "S-%d-%d", b[0], auth)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "-%d", binary.LittleEndian.Uint32(b[8+4*i:]))
	}
	return sb.String(), true
}
