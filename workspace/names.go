package workspace

import (
	"regexp"
	"strings"
)

// The workspace query ships names, not texts: the service takes the
// host-name candidates out of each URL event with broad patterns, and
// the status each has by the section header above it, so that the
// answer is one small row per computer and name. Every candidate still
// passes the same gate and judge on this side (discover.Extract reads
// each name again): the patterns only choose what to send, and are
// broader than discover's candidates (TestNamePatternHidesNothing).

// tokenClass is a character of a token: discover splits tokens at these
// separators and lines at CR and LF.
const tokenClass = `[^ \t\v\f\r\n,;]`

// NamePattern (RE2, as KQL's extract_all and replace_regex take it)
// matches every token that could be a host-name candidate: a token with
// a dot, star, percent sign, colon, slash, at sign or a non-ASCII
// character (look-alike dots). discover's candidates are all such tokens.
const NamePattern = tokenClass + `*[.*%:/@\x{80}-\x{10FFFF}]` + tokenClass + `*`

// SeparatorPattern is a run of separators, made one space in a line's
// words, as discover joins them.
const SeparatorPattern = `[ \t\v\f\r,;]+`

// UnreachablePattern and ReachablePattern find discover's section
// headers in a line's words (lower case, candidates removed): the
// unreachable markers first, as each holds or negates a reachable one.
const (
	UnreachablePattern = `not accessible|not reachable|nicht erreichbar|unerreichbar|inaccessible|unreachable|failed`
	ReachablePattern   = `accessible|reachable|erreichbar`
)

var (
	nameRE        = regexp.MustCompile(NamePattern)
	separatorRE   = regexp.MustCompile(SeparatorPattern)
	unreachableRE = regexp.MustCompile(UnreachablePattern)
	reachableRE   = regexp.MustCompile(ReachablePattern)
	tagRE         = regexp.MustCompile(`<[^>]*>`)
	valueRE       = regexp.MustCompile(valuePattern)
)

// valuePattern is the opening tag of one value of XML event data; each
// value starts a new string for discover, its status that of the event
// ID again, so the query marks it with a line of its own (valueMark).
const valuePattern = `<(Param|Data)(\s[^>]*)?>`

// valueMark is the line that starts a value of XML event data.
const valueMark = "avdurls-value-start"

// xmlEntities are the entities the query decodes in XML event data
// (ParameterXml, EventData) after taking its tags out, in its order.
var xmlEntities = [][2]string{{"&#xD;", ""}, {"&#xA;", "\n"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", `"`}, {"&apos;", "'"}, {"&amp;", "&"}}

// NameStatus is a name the query ships and the section status above it
// ("reachable", "unreachable", or "" before any header).
type NameStatus struct {
	Name, Status string
}

// QueryNames does in Go (RE2) what the query does to one URL event's
// text: XML data becomes its values, each after a line valueMark that
// sets the status back to the event's own; each line's words are
// searched for a header, which sets the status from that line on; each
// line's tokens that match NamePattern are its names, once per name and
// status. It is the fake service's and the tests' model of the query.
func QueryNames(text string) []NameStatus {
	if strings.HasPrefix(text, "<") {
		text = valueRE.ReplaceAllString(text, "\n"+valueMark+"\n")
		text = tagRE.ReplaceAllString(text, "\n")
		for _, e := range xmlEntities {
			text = strings.ReplaceAll(text, e[0], e[1])
		}
	}
	var out []NameStatus
	seen := map[NameStatus]bool{}
	status := ""
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r", "\n"), "\n") {
		words := strings.ToLower(separatorRE.ReplaceAllString(nameRE.ReplaceAllString(line, " "), " "))
		switch {
		case line == valueMark:
			status = ""
		case unreachableRE.MatchString(words):
			status = "unreachable"
		case reachableRE.MatchString(words):
			status = "reachable"
		}
		for _, n := range nameRE.FindAllString(line, -1) {
			if ns := (NameStatus{n, status}); !seen[ns] {
				seen[ns] = true
				out = append(out, ns)
			}
		}
	}
	return out
}

// namesKQL is the query's part that turns URL events into names: the
// same steps as QueryNames, in KQL.
func namesKQL() string {
	text := "Text"
	for _, e := range xmlEntities {
		text = "replace_string(" + text + ", " + kqlString(e[0]) + ", " + kqlString(e[1]) + ")"
	}
	text = strings.Replace(text, "replace_string(Text,", `replace_string(replace_regex(replace_regex(Text, @"`+valuePattern+`", "\n`+valueMark+`\n"), @"<[^>]*>", "\n"),`, 1)
	return `| extend Text = iff(Text startswith "<", ` + text + `, Text)
| mv-apply with_itemindex = Line L = split(replace_string(Text, "\r", "\n"), "\n") to typeof(string) on (
    extend Words = tolower(replace_regex(replace_regex(L, @"` + NamePattern + `", " "), @"` + SeparatorPattern + `", " "))
    | extend Header = case(L == "` + valueMark + `", "reset", Words matches regex @"` + UnreachablePattern + `", "unreachable", Words matches regex @"` + ReachablePattern + `", "reachable", "")
    | order by Line asc
    | scan declare (Status: string = "") with (step s: true => Status = case(Header == "reset", "", Header != "", Header, s.Status);)
    | mv-expand Name = extract_all(@"(` + NamePattern + `)", L) to typeof(string)
    | where isnotempty(Name)
    | summarize by Name = tostring(Name), Status)`
}

// kqlString is s as a KQL string literal (s holds no quote or
// backslash but those escaped here).
func kqlString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`)
	return `"` + r.Replace(s) + `"`
}
