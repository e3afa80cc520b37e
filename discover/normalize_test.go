package discover

import (
	"strings"
	"testing"

	"golang.org/x/net/idna"
)

func TestNormalize(t *testing.T) {
	label63 := strings.Repeat("a", 63)
	name253 := label63 + "." + label63 + "." + label63 + "." + strings.Repeat("b", 61)
	tests := []struct {
		in      string
		want    string // "" when an error is expected
		wantErr string // substring of the error
	}{
		{in: "rdbroker.wvd.microsoft.com", want: "rdbroker.wvd.microsoft.com"},
		{in: "WVD.Microsoft.COM.", want: "wvd.microsoft.com"},
		{in: " \tWVD.Microsoft.COM.\r\n", want: "wvd.microsoft.com"},
		{in: "windows.net", want: "windows.net"},
		{in: "wvd.microsoft.com.evil.example", want: "wvd.microsoft.com.evil.example"},
		{in: "fbc91b00-e6a4-4b2c-a7d8-68c7a740fe9f.rdbroker.wvd.microsoft.com", want: "fbc91b00-e6a4-4b2c-a7d8-68c7a740fe9f.rdbroker.wvd.microsoft.com"},
		{in: "3com.com", want: "3com.com"},
		{in: label63 + ".com", want: label63 + ".com"},
		{in: name253, want: name253},
		{in: name253 + ".", want: name253},

		{in: "", wantErr: "empty name"},
		{in: "  ", wantErr: "empty name"},
		{in: ".", wantErr: "empty name"},
		{in: "com", wantErr: `single label "com"; a host name needs at least two labels`},
		{in: "com.", wantErr: "at least two labels"},
		{in: name253 + "b", wantErr: "name longer than 253 characters (254)"},
		{in: strings.Repeat("abcdefghi.", 26), wantErr: "name longer than 253 characters (259)"},
		{in: label63 + "a.com", wantErr: "label longer than 63 characters (64)"},
		{in: "a..b.com", wantErr: "empty label"},
		{in: ".a.com", wantErr: "empty label"},
		{in: "a.com..", wantErr: "empty label"},
		{in: "-a.com", wantErr: `label "-a" starts or ends with "-"`},
		{in: "a-.com", wantErr: `starts or ends with "-"`},
		{in: "a.com-", wantErr: `starts or ends with "-"`},
		{in: "a_b.com", wantErr: `label "a_b" contains "_"`},
		{in: "_dmarc.example.com", wantErr: "underscores are not valid"},
		{in: "a b.com", wantErr: `contains character " "`},
		{in: "a:443.com", wantErr: `contains character ":"`},
		{in: "a/b.com", wantErr: `contains character "/"`},
		{in: "a.b.123", wantErr: `top-level label "123" is all digits`},
		{in: "e.g", wantErr: `top-level label "g" has one character`},
		{in: "xn--80ak6aa92e.com", wantErr: `label "xn--80ak6aa92e" is punycode (IDN); only ASCII host names are accepted`},
		{in: "wvd.XN--p1ai", wantErr: "punycode"},
		{in: "10.0.0.1", wantErr: "IP address literal, not a host name"},
		{in: "10.0.0.1.", wantErr: "IP address literal"},
		{in: "::1", wantErr: "IP address literal"},
		{in: "[::1]", wantErr: "IP address literal"},
		{in: "2001:db8::8a2e:370:7334", wantErr: "IP address literal"},
		{in: "1.2.3.4.5", wantErr: "all digits"},
		{in: "0x0a.0.0.1", wantErr: "all digits"},
		{in: "*", wantErr: `contains a wildcard "*"`},
		{in: "*.wvd.microsoft.com", wantErr: `contains a wildcard "*"`},
		{in: "rdbroker*.wvd.microsoft.com", wantErr: "wildcard"},
		{in: "wvd．microsoft.com", wantErr: `contains the look-alike dot "．" (U+FF0E); only ASCII "." separates labels`},
		{in: "wvd。microsoft.com", wantErr: "(U+3002)"},
		{in: "wvd｡microsoft.com", wantErr: "(U+FF61)"},
		{in: "wvd%2emicrosoft.com", wantErr: `contains "%"; percent-encoding is not decoded`},
		{in: `wvd\.microsoft.com`, wantErr: "contains a backslash; escapes are not decoded"},
		{in: `wvd\x2emicrosoft.com`, wantErr: "backslash"},
		{in: "user@evil.example", wantErr: `contains "@"`},
		{in: "wvd\x00.microsoft.com", wantErr: "contains control or bidi characters"},
		{in: "wvd\n.microsoft.com", wantErr: "contains control or bidi characters"},
		{in: "wvd.microsoft.com\x7f", wantErr: "control"},
		{in: "wvd.microsoft.com\u0085", wantErr: "control"},
		{in: "wvd.microsoft.com\u202e", wantErr: "contains control or bidi characters"},
		{in: "\u2067wvd.microsoft.com", wantErr: "bidi"},
		{in: "wvd.micro\u200dsoft.com", wantErr: "bidi"},
		{in: "\ufeffwvd.microsoft.com", wantErr: "bidi"},
		// Control and bidi characters win over other non-ASCII ones.
		{in: "wvd．microsoft.com\u202e", wantErr: "bidi"},
		{in: "wvd.micr\u043esoft.com", wantErr: `contains non-ASCII character "о" (U+043E); only ASCII host names are accepted`},
		{in: "wvd.microsoft.com\u00a0", wantErr: "non-ASCII"},
		{in: "ｗｖｄ.microsoft.com", wantErr: "non-ASCII"},
		{in: "\xffwvd.microsoft.com", wantErr: "is not valid UTF-8"},
		{in: "ab--cd.example.com", wantErr: "not a valid IDNA host name"},
		{in: "AB--CD.example.com.", wantErr: "not a valid IDNA host name"},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		switch {
		case tt.wantErr == "" && (err != nil || got != tt.want):
			t.Errorf("Normalize(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("Normalize(%q) = %q, %v, want error %q", tt.in, got, err, tt.wantErr)
		}
	}
}

func TestNormalizeIdempotent(t *testing.T) {
	for _, h := range sampleHosts {
		got, err := Normalize(h)
		if err != nil || got != h {
			t.Errorf("Normalize(%q) = %q, %v, want %q", h, got, err, h)
		}
	}
}

// FuzzNormalizeIDNA: every name Normalize accepts is one the IDNA 2008
// registration profile (golang.org/x/net/idna) accepts unchanged, so the
// shortcut of checkIDNA never lets through what the library refuses.
func FuzzNormalizeIDNA(f *testing.F) {
	for _, s := range []string{"rdbroker.wvd.microsoft.com", "ab--cd.example.com", "a-b.c-d.com", "XN--abc.com", "r1---sn.example.com.", "3com.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Normalize(s)
		if err != nil {
			return
		}
		if a, err := idna.Registration.ToASCII(n); err != nil || a != n {
			t.Fatalf("Normalize(%q) = %q, which IDNA refuses: %q, %v", s, n, a, err)
		}
	})
}
