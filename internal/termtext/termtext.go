// Package termtext makes text safe and readable on a person's terminal:
// one sanitiser for everything printed (Safe), line wrapping at spaces
// (Wrap), counted nouns (Plural) and the width of a terminal (Width).
package termtext

import (
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/avdurls/avdurls/discover"
)

// Safe is the one sanitiser for the terminal (diagnostics and the table
// format): control characters, escape sequences, bidi marks and every
// other unprintable character are written as Go escapes (\x1b, \u202e),
// so text from an input can neither move the cursor, retitle the window
// nor reorder what is shown.
func Safe(s string) string {
	return discover.CleanText(s, 1<<20)
}

// Wrap breaks a line of text longer than width at spaces, the
// continuation lines indented; width 0, and table lines, are left alone.
func Wrap(line string, width int, indent string) string {
	if width == 0 || utf8.RuneCountInString(line) <= width || strings.ContainsAny(line, "│┌├└") {
		return line
	}
	var b strings.Builder
	n := 0
	for i, word := range strings.Split(line, " ") {
		wl := utf8.RuneCountInString(word)
		if i > 0 && n+1+wl > width {
			b.WriteString("\n" + indent)
			n = len(indent)
		} else if i > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += wl
	}
	return b.String()
}

// Plural writes a count and a noun, in the plural unless the count is 1
// ("1 entry", "3 entries").
func Plural(n int, noun string) string {
	switch {
	case n == 1:
		return "1 " + noun
	case strings.HasSuffix(noun, "y"):
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Width returns the width of the terminal w is, or 0 when w is no
// terminal (a file, a pipe) or one too narrow to lay out (under 40).
func Width(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil || width < 40 {
		return 0
	}
	return width
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// ListSome joins at most most items with commas and counts the rest
// ("a, b and 3 more").
func ListSome(items []string, most int) string {
	if len(items) <= most {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:most], ", "), len(items)-most)
}

// Nearest returns the candidates at the smallest edit distance from name,
// if that distance is small (at most 2, or 3 for names longer than 10):
// what a "did you mean" offers.
func Nearest(name string, candidates []string) []string {
	best, limit := []string(nil), 2
	if len(name) > 10 {
		limit = 3
	}
	for _, c := range candidates {
		d := editDistance(name, c)
		switch {
		case d > limit:
		case d < limit || best == nil:
			best, limit = []string{c}, d
		default:
			best = append(best, c)
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two short ASCII strings.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 10
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
