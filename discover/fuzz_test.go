package discover

import (
	"testing"
	"unicode/utf8"

	"github.com/avdurls/avdurls/evtx"
)

// FuzzExtract checks that Extract never panics, that every Finding is a
// normalised plain host name, and that rejects are safe to print.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		urlToolSample,
		sampleWithUnreachable,
		"Nicht erreichbare URLs:\r\nb.example.com",
		"a.example.com, b.example.com;c.example.com",
		"https://user@evil.example:443/p?q#f",
		"https://[::1]:443/ 10.0.0.1 *.wvd.microsoft.com",
		"wvd．microsoft.com wvd%2emicrosoft.com wvd\\.microsoft.com",
		"xn--80ak6aa92e.com WVD.Microsoft.COM. com windows.net",
		"wvd.microsoft.com\u202e \x00a.com \xff.com",
		"Url:https://a.example.com (b.example.com). <empty>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		found, rejected := Extract(evtx.Event{EventID: 3701, Data: []string{s}})
		for _, fd := range found {
			h := fd.Host
			for i := 0; i < len(h); i++ {
				if c := h[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
					t.Fatalf("Extract(%q) found host %q with byte %q", s, h, c)
				}
			}
			if again, err := Normalize(h); err != nil || again != h {
				t.Fatalf("Extract(%q) found %q, but Normalize(%q) = %q, %v", s, h, h, again, err)
			}
			switch fd.Evidence.Status {
			case Reachable, Unreachable, Reported:
			default:
				t.Fatalf("Extract(%q) found %q with status %q", s, h, fd.Evidence.Status)
			}
		}
		for _, r := range rejected {
			for i := 0; i < len(r.Value); i++ {
				if c := r.Value[i]; c < 0x20 || c >= 0x7f {
					t.Fatalf("Extract(%q) rejected value %q with byte %#x", s, r.Value, c)
				}
			}
			if len(r.Value) > maxValue*4+3 {
				t.Fatalf("Extract(%q) rejected value of %d bytes", s, len(r.Value))
			}
			if !utf8.ValidString(r.Reason) {
				t.Fatalf("Extract(%q) reject reason %q is not valid UTF-8", s, r.Reason)
			}
			for _, c := range r.Reason {
				if c < 0x20 || c == 0x7f || isControlOrBidi(c) {
					t.Fatalf("Extract(%q) reject reason %q holds %U", s, r.Reason, c)
				}
			}
			if r.Reason == "" {
				t.Fatalf("Extract(%q) rejected %q without a reason", s, r.Value)
			}
		}
	})
}
