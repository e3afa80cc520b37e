package textenc

import (
	"io"
	"strings"
	"testing"
)

func TestDecoding(t *testing.T) {
	for name, in := range map[string]string{
		"utf8":      "héllo",
		"utf8 bom":  "\xef\xbb\xbfhéllo",
		"utf16le":   "\xff\xfeh\x00\xe9\x00l\x00l\x00o\x00",
		"utf16be":   "\xfe\xff\x00h\x00\xe9\x00l\x00l\x00o",
		"utf16le+1": "\xff\xfeh\x00\xe9\x00l\x00l\x00o\x00x",
	} {
		got := Head([]byte(in))
		if got != "héllo" {
			t.Errorf("Head(%s) = %q", name, got)
		}
		if name == "utf16le+1" {
			continue
		}
		b, err := io.ReadAll(Reader(strings.NewReader(in)))
		if err != nil || string(b) != "héllo" {
			t.Errorf("Reader(%s) = %q, %v", name, b, err)
		}
		if b, err := Bytes([]byte(in)); err != nil || string(b) != "héllo" {
			t.Errorf("Bytes(%s) = %q, %v", name, b, err)
		}
	}
}
