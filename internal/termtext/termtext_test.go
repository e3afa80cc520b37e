package termtext

import (
	"strings"
	"testing"
)

func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n    int
		noun string
		want string
	}{
		{1, "file", "1 file"}, {0, "file", "0 files"}, {2, "entry", "2 entries"}, {1, "entry", "1 entry"},
		{3, "query", "3 queries"}, {4, "time", "4 times"},
	} {
		if got := Plural(c.n, c.noun); got != c.want {
			t.Errorf("Plural(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
}

func TestWrap(t *testing.T) {
	for _, c := range []struct {
		line  string
		width int
		want  string
	}{
		{"a b c", 0, "a b c"},
		{"aaa bbb ccc", 7, "aaa bbb\n  ccc"},
		{"short", 40, "short"},
		{"│ table │ line that is long", 5, "│ table │ line that is long"},
	} {
		if got := Wrap(c.line, c.width, "  "); got != c.want {
			t.Errorf("Wrap(%q, %d) = %q, want %q", c.line, c.width, got, c.want)
		}
	}
}

func TestSafe(t *testing.T) {
	for in, want := range map[string]string{
		"plain":          "plain",
		"a\x1b[2Jb":      `a\x1b[2Jb`,
		"x\u202ey":       `x\u202ey`,
		"zero\u200bwide": `zero\u200bwide`,
	} {
		if got := Safe(in); got != want {
			t.Errorf("Safe(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNearest(t *testing.T) {
	cands := []string{"westeurope", "northeurope", "eastus", "eastus2"}
	for name, want := range map[string]string{"westeuropee": "westeurope", "eastus3": "eastus eastus2", "xyz": ""} {
		if got := strings.Join(Nearest(name, cands), " "); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", name, got, want)
		}
	}
}
