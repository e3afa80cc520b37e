package discover

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanComputer(t *testing.T) {
	tests := []struct{ in, want string }{
		{"AVD-0.contoso.local", "AVD-0.contoso.local"},
		{"", "-"},
		{"avd\x1b]0;x\x07", `avd\x1b\x5d0\x3bx\x07`},
		{"https://evil.example/a", `https\x3a\x2f\x2fevil.example\x2fa`},
		{`a\x1b`, `a\x1b`}, // an escape it wrote stays
		{`a\b`, `a\x5cb`},  // a lone backslash does not
		{"é", `\xc3\xa9`},  // bytes, not runes
		{"a\u202eb", `a\xe2\x80\xaeb`},
	}
	for _, tt := range tests {
		if got := CleanComputer(tt.in); got != tt.want {
			t.Errorf("CleanComputer(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"Zugriff verweigert für x", 100, "Zugriff verweigert für x"},
		{"a\nb\tc", 100, `a\x0ab\x09c`},
		{"\x1b]0;t\x07", 100, `\x1b]0;t\x07`},
		{"a\u202eb\u200bc", 100, `a\u202eb\u200bc`},
		{"\xff", 100, `\xff`},
		{strings.Repeat("é", 10), 9, "ééé..."},
	}
	for _, tt := range tests {
		if got := CleanText(tt.in, tt.max); got != tt.want {
			t.Errorf("CleanText(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// FuzzClean: both cleaners give printable ASCII or printable text within
// their bound, and are fixed points of themselves, so what avdurls writes
// passes its own checks when read back.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "avd-0", "a\x1b[2J", `\x1b`, "é\u202e", strings.Repeat(`\x`, 200), strings.Repeat("a\x00", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := CleanComputer(s)
		if len(c) > MaxComputer || CleanComputer(c) != c || CheckComputer(c) != nil {
			t.Fatalf("CleanComputer(%q) = %q: too long or not a fixed point", s, c)
		}
		for i := 0; i < len(c); i++ {
			if c[i] < 0x21 || c[i] > 0x7e {
				t.Fatalf("CleanComputer(%q) = %q holds byte %#x", s, c, c[i])
			}
		}
		x := CleanText(s, 100)
		if len(x) > 100 || CleanText(x, 100) != x || !utf8.ValidString(x) || CheckText("f", x, 100) != nil {
			t.Fatalf("CleanText(%q) = %q: too long, invalid or not a fixed point", s, x)
		}
		for _, r := range x {
			if !textRune(r) {
				t.Fatalf("CleanText(%q) = %q holds %q", s, x, r)
			}
		}
	})
}

func TestStatuses(t *testing.T) {
	s := StatusesOf(Unreachable).Union(StatusesOf(Reachable))
	if s.String() != "reachable,unreachable" || !s.Has(Reachable) || s.Has(Reported) {
		t.Errorf("set %v", s)
	}
	for _, tc := range []struct {
		in string
		ok bool
	}{{"", true}, {"reachable", true}, {"reachable,reported,unreachable", true},
		{"unreachable,reachable", false}, {"reachable,reachable", false}, {"up", false}, {",", false}} {
		var got Statuses
		err := got.UnmarshalText([]byte(tc.in))
		if (err == nil) != tc.ok || (err == nil && got.String() != tc.in) {
			t.Errorf("UnmarshalText(%q) = %v, %v; want ok %v", tc.in, got, err, tc.ok)
		}
	}
}
