package evtx

import (
	"strings"
	"testing"
	"unicode/utf16"
)

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

func TestPrefilter(t *testing.T) {
	p := newPrefilter([]string{"WVD-Agent"})
	for _, tc := range []struct {
		chunk string
		utf16 bool
		want  bool
	}{
		{"xx WVD-Agent yy", true, true},
		{"xx wvd-agent yy", true, true},
		{"xx WvD-aGeNt", true, true},
		{"WVD-Agent", false, true}, // ANSI string value
		{"WVD-Agent-Updater", true, true},
		{"WVD-Agen", true, false},
		{"WVD Agent", true, false},
		{"xVD-Agent", true, false},
		{strings.Repeat("-", 1000), true, false},
		{"", true, false},
	} {
		b := []byte(tc.chunk)
		if tc.utf16 {
			b = utf16le(tc.chunk)
		}
		if got := p.mayMatch(b); got != tc.want {
			t.Errorf("mayMatch(%q, utf16=%v) = %v, want %v", tc.chunk, tc.utf16, got, tc.want)
		}
	}
	// A name at the very start and at the very end of the chunk.
	b := append(utf16le("WVD-Agent"), make([]byte, 100)...)
	b = append(b, utf16le("MsiInstaller")...)
	if !p.mayMatch(b) || !newPrefilter([]string{"msiinstaller"}).mayMatch(b) {
		t.Error("names at the chunk's edges not found")
	}
	if newPrefilter(nil) != nil || newPrefilter([]string{"Ünï"}) != nil {
		t.Error("prefilter built where none applies")
	}
}
