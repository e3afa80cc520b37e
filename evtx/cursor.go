package evtx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"
)

// errShort is returned when a structure runs past the end of its chunk.
var errShort = errors.New("structure runs past the end of the chunk")

// cursor reads little-endian values from a chunk with bounds checks; every
// read past the end fails with errShort instead of panicking.
type cursor struct {
	b   []byte
	pos int
}

func (c *cursor) need(n int) error {
	if n < 0 || c.pos < 0 || c.pos+n > len(c.b) || c.pos+n < c.pos {
		return fmt.Errorf("at offset %#x: %w", c.pos, errShort)
	}
	return nil
}

func (c *cursor) u8() (uint8, error) {
	if err := c.need(1); err != nil {
		return 0, err
	}
	v := c.b[c.pos]
	c.pos++
	return v, nil
}

func (c *cursor) peek() (uint8, error) {
	if err := c.need(1); err != nil {
		return 0, err
	}
	return c.b[c.pos], nil
}

func (c *cursor) u16() (uint16, error) {
	if err := c.need(2); err != nil {
		return 0, err
	}
	v := binary.LittleEndian.Uint16(c.b[c.pos:])
	c.pos += 2
	return v, nil
}

func (c *cursor) u32() (uint32, error) {
	if err := c.need(4); err != nil {
		return 0, err
	}
	v := binary.LittleEndian.Uint32(c.b[c.pos:])
	c.pos += 4
	return v, nil
}

func (c *cursor) bytes(n int) ([]byte, error) {
	if err := c.need(n); err != nil {
		return nil, err
	}
	v := c.b[c.pos : c.pos+n]
	c.pos += n
	return v, nil
}

// utf16String reads n UTF-16LE code units.
func (c *cursor) utf16String(n int) (string, error) {
	b, err := c.bytes(2 * n)
	if err != nil {
		return "", err
	}
	return decodeUTF16(b), nil
}

// decodeUTF16 decodes UTF-16LE bytes; an odd trailing byte is ignored and
// unpaired surrogates become U+FFFD.
func decodeUTF16(b []byte) string {
	n := len(b) / 2
	ascii := true
	for i := 0; i < n; i++ {
		if b[2*i+1] != 0 || b[2*i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		s := make([]byte, n)
		for i := range s {
			s[i] = b[2*i]
		}
		return string(s)
	}
	u := make([]uint16, n)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}
