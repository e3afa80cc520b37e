package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/avdurls/avdurls/discover"
)

// This file turns Microsoft's page "Required FQDNs and endpoints for Azure
// Virtual Desktop" (MicrosoftDocs/azure-docs,
// articles/virtual-desktop/required-fqdn-endpoint.md) into a Version: the
// markdown source (ImportMarkdown) or the page as saved from a browser
// (ImportHTML). Both readers reduce the page to the same thing, a list of
// pageTables each placed in a cloud (the DocFX tab), a scope (the "##"
// section) and a kind (required, optional, no longer supported); buildVersion
// turns those into rows.

// maxImportBytes bounds what Import reads.
const maxImportBytes = 4 << 20

// rowKind says what the table a row sits in holds.
type rowKind int

const (
	kindRequired   rowKind = iota // the main table of a tab
	kindOptional                  // "The following table lists optional ..."
	kindDeprecated                // "We no longer support the following ..."
)

// pageTable is one table of the page, where it stands and what it holds.
type pageTable struct {
	cloud  Cloud // "" outside a tab
	scope  Scope // "" outside the session host and client sections
	kind   rowKind
	line   int // of the header row
	header []string
	rows   []pageRow
	plain  bool // cells are plain text (HTML), not markdown
}

// pageRow is a table row: its cells, raw, and the line it starts on.
type pageRow struct {
	line  int
	cells []string
}

// pageMeta is what the page says about itself.
type pageMeta struct {
	title  string
	date   string // ms.date as written, MM/DD/YYYY
	format string // "markdown" or "HTML", for the source text
}

// Import reads Microsoft's page from r, as markdown or as saved HTML, and
// returns it as a Version with the given id (the page's ms.date when id is
// ""). A page whose first non-blank character is '<' is read as HTML (see
// ImportHTML), anything else as markdown (see ImportMarkdown).
func Import(r io.Reader, id string) (Version, []string, error) {
	data, err := readPage(r)
	if err != nil {
		return Version{}, nil, err
	}
	if isHTML(data) {
		return importHTML(data, id)
	}
	return importMarkdown(data, id)
}

// ImportMarkdown reads the markdown source of Microsoft's page: DocFX tabs
// ("# [Azure cloud](#tab/azure)", "# [Azure for US Government]
// (#tab/azure-for-us-government)", closed by a "---" line) inside the
// "## Session host virtual machines" and "## End user devices" (earlier
// "## Remote Desktop clients") sections, pipe tables with an Address and a
// port column, the optional table after a line that says "following ...
// optional", and the "no longer support" table (in a block quote in 2022)
// as deprecated rows. The date comes from the ms.date front matter.
//
// Input over 4 MiB, a row that does not make a valid Row (see Row.Validate)
// and a page without rows are errors; errors about a row name its line.
func ImportMarkdown(r io.Reader, id string) (Version, []string, error) {
	data, err := readPage(r)
	if err != nil {
		return Version{}, nil, err
	}
	return importMarkdown(data, id)
}

// importMarkdown is ImportMarkdown on a page already read.
func importMarkdown(data []byte, id string) (Version, []string, error) {
	meta, tables, err := parseMarkdown(string(data))
	if err != nil {
		return Version{}, nil, err
	}
	return buildVersion(meta, tables, id)
}

// readPage reads at most maxImportBytes and drops a UTF-8 byte order mark.
func readPage(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxImportBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxImportBytes {
		return nil, fmt.Errorf("page larger than %d MiB", maxImportBytes>>20)
	}
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		return nil, errors.New("the page is UTF-16; save it as UTF-8")
	}
	return bytes.TrimPrefix(data, []byte("\ufeff")), nil
}

// isHTML reports whether a page is HTML rather than markdown: its first
// non-blank character is '<' (a doctype, <html> or the comment a browser
// writes when saving a page). Microsoft's markdown starts with front matter.
func isHTML(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) > 0 && t[0] == '<'
}

// tabRE matches a DocFX tab line: # [Azure cloud](#tab/azure).
var tabRE = regexp.MustCompile(`^#{1,6}\s*\[[^\]]*\]\(\s*#tab/([^)\s]*)\s*\)\s*$`)

// mdParser is the state of the markdown reader.
type mdParser struct {
	meta   pageMeta
	scope  Scope
	cloud  Cloud
	kind   rowKind
	cur    *pageTable // the table being read
	sep    bool       // its delimiter row was seen
	tables []pageTable
	nrows  int
}

// parseMarkdown splits the page into its front matter and tables.
func parseMarkdown(text string) (pageMeta, []pageTable, error) {
	lines := strings.Split(text, "\n")
	p := &mdParser{meta: pageMeta{format: "markdown"}}
	start := p.frontMatter(lines)
	for i := start; i < len(lines); i++ {
		if err := p.line(i+1, strings.TrimRight(lines[i], "\r")); err != nil {
			return pageMeta{}, nil, err
		}
	}
	p.endTable()
	return p.meta, p.tables, nil
}

// frontMatter reads the "---" block at the top for title and ms.date and
// returns the index of the first line after it.
func (p *mdParser) frontMatter(lines []string) int {
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return 0
	}
	for i := 1; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if l == "---" {
			return i + 1
		}
		key, val, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		val = strings.Trim(strings.TrimSpace(val), `"'`)
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "title":
			p.meta.title = val
		case "ms.date":
			p.meta.date = val
		}
	}
	return 0 // no closing line: not front matter
}

// line reads one line of the page body.
func (p *mdParser) line(n int, raw string) error {
	s := strings.TrimSpace(raw)
	body := strings.TrimLeft(s, "> \t") // a table may sit in a block quote
	if strings.HasPrefix(body, "|") {
		return p.tableLine(n, body)
	}
	p.endTable()
	if m := tabRE.FindStringSubmatch(s); m != nil {
		c, err := tabCloud(m[1])
		if err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		p.cloud, p.kind = c, kindRequired
		return nil
	}
	switch {
	case s == "---" && p.cloud != "":
		p.cloud, p.kind = "", kindRequired
	case strings.HasPrefix(s, "#"):
		p.scope, p.cloud, p.kind = sectionScope(strings.TrimLeft(s, "# ")), "", kindRequired
	default:
		if k, ok := proseKind(s); ok {
			p.kind = k
		}
	}
	return nil
}

// tableLine reads a line that starts with '|': a header, the delimiter row
// or a body row.
func (p *mdParser) tableLine(n int, s string) error {
	cells := splitRow(s)
	switch {
	case p.cur == nil:
		p.cur = &pageTable{cloud: p.cloud, scope: p.scope, kind: p.kind, line: n, header: cells}
		p.sep = false
	case !p.sep:
		if !isDelimiterRow(cells) { // not a table after all: start again here
			p.cur = &pageTable{cloud: p.cloud, scope: p.scope, kind: p.kind, line: n, header: cells}
			return nil
		}
		p.sep = true
	default:
		if p.nrows++; p.nrows > maxRows {
			return fmt.Errorf("line %d: more than %d table rows", n, maxRows)
		}
		p.cur.rows = append(p.cur.rows, pageRow{line: n, cells: cells})
	}
	return nil
}

// endTable keeps the table being read, if it had a delimiter row.
func (p *mdParser) endTable() {
	if p.cur != nil && p.sep {
		p.tables = append(p.tables, *p.cur)
	}
	p.cur, p.sep = nil, false
}

// splitRow splits a pipe-table row into its cells: the outer pipes are
// dropped and "\|" is a literal pipe, as in GitHub Flavored Markdown.
func splitRow(s string) []string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "|")
	if strings.HasSuffix(s, "|") && !strings.HasSuffix(s, `\|`) {
		s = s[:len(s)-1]
	}
	var cells []string
	var cell strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '|':
			cell.WriteByte('|')
			i++
		case s[i] == '|':
			cells = append(cells, strings.TrimSpace(cell.String()))
			cell.Reset()
		default:
			cell.WriteByte(s[i])
		}
	}
	return append(cells, strings.TrimSpace(cell.String()))
}

// isDelimiterRow reports whether cells are a table's |--|:--:| row.
func isDelimiterRow(cells []string) bool {
	for _, c := range cells {
		c = strings.Trim(c, ":")
		if c == "" || strings.Trim(c, "-") != "" {
			return false
		}
	}
	return len(cells) > 0
}

// tabCloud maps a DocFX tab id to a cloud.
func tabCloud(tab string) (Cloud, error) {
	t := strings.ToLower(tab)
	switch {
	case t == "azure" || t == "azure-cloud" || t == "azure-public-cloud":
		return CloudPublic, nil
	case strings.Contains(t, "government") || strings.Contains(t, "usgov"):
		return CloudUSGov, nil
	case strings.Contains(t, "china") || strings.Contains(t, "21vianet"):
		return CloudChina, nil
	}
	return "", fmt.Errorf("tab %q is not a cloud avdurls knows (azure, azure-for-us-government)", cleanCell(tab))
}

// sectionScope maps a section heading to a scope, "" for other sections.
func sectionScope(heading string) Scope {
	h := strings.ToLower(heading)
	switch {
	case strings.Contains(h, "session host"):
		return ScopeSessionHost
	case strings.Contains(h, "end user") || strings.Contains(h, "client"):
		return ScopeClient
	}
	return ""
}

// proseKind reads the sentence that introduces a table: "The following
// table lists optional ..." or "We no longer support the following URLs".
func proseKind(s string) (rowKind, bool) {
	l := strings.ToLower(s)
	switch {
	case strings.Contains(l, "no longer support"):
		return kindDeprecated, true
	case strings.Contains(l, "following") && strings.Contains(l, "optional"):
		return kindOptional, true
	}
	return 0, false
}

var (
	brRE     = regexp.MustCompile(`(?i)<br\s*/?\s*>`)
	tagRE    = regexp.MustCompile(`<[^<>]*>`)
	linkRE   = regexp.MustCompile(`!?\[([^\[\]]*)\]\([^()]*\)`)
	mdEscRE  = regexp.MustCompile("\\\\([!-/:-@\\[-`{-~])")
	portSepR = regexp.MustCompile(`\s*(?:,|/|;|\band\b|\bor\b)\s*`)
)

// cleanCell turns a markdown cell into plain text: a line break becomes
// ", ", HTML tags go, a link keeps its text, backticks and "**" go,
// backslash escapes and HTML character references are decoded, and runs of
// white space become one space.
func cleanCell(s string) string {
	s = brRE.ReplaceAllString(s, ", ")
	s = tagRE.ReplaceAllString(s, "")
	s = linkRE.ReplaceAllString(s, "$1")
	s = strings.ReplaceAll(s, "`", "")
	s = strings.ReplaceAll(s, "**", "")
	s = mdEscRE.ReplaceAllString(s, "$1")
	s = html.UnescapeString(s)
	return strings.Join(strings.Fields(s), " ")
}

// columns are the indexes of a table's columns, -1 when absent.
type columns struct {
	address, protocol, port, purpose, tag, clients int
	proto                                          string // protocol when there is no protocol column
}

// columnsOf finds the columns by their header text; ok is false for a
// table without an Address column (not an endpoint table).
func columnsOf(header []string) (c columns, ok bool) {
	c = columns{address: -1, protocol: -1, port: -1, purpose: -1, tag: -1, clients: -1, proto: "TCP"}
	for i, h := range header {
		h = strings.ToLower(cleanCell(h))
		switch {
		case c.address < 0 && (h == "address" || h == "fqdn" || strings.HasPrefix(h, "address")):
			c.address = i
		case c.protocol < 0 && h == "protocol":
			c.protocol = i
		case c.port < 0 && strings.Contains(h, "port"):
			c.port = i
			if strings.Contains(h, "udp") && !strings.Contains(h, "tcp") {
				c.proto = "UDP"
			}
		case c.purpose < 0 && h == "purpose":
			c.purpose = i
		case c.tag < 0 && strings.Contains(h, "service tag"):
			c.tag = i
		case c.clients < 0 && strings.HasPrefix(h, "client"):
			c.clients = i
		}
	}
	return c, c.address >= 0
}

// portCell is one port of a port cell and the condition the page writes
// after it ("53 when Azure-provided DNS is used"), "" when none.
type portCell struct {
	port      int
	condition string
}

// portNumberR finds the numbers of a port cell; edgeSepR the list
// separators at either end of the words after one.
var (
	portNumberR = regexp.MustCompile(`\d+`)
	edgeSepR    = regexp.MustCompile(`^(?:\s|,|/|;|\band\b|\bor\b)+|(?:\s|,|/|;|\band\b|\bor\b)+$`)
)

// trimSeparators drops list separators from both ends of s.
func trimSeparators(s string) string {
	for {
		t := edgeSepR.ReplaceAllString(s, "")
		if t == s {
			return strings.TrimSpace(t)
		}
		s = t
	}
}

// parsePorts reads a port cell: "443", "80, 443", "443/80", "80 and 443",
// and Microsoft's prose, such as "80, 32526, and 53 when Azure-provided DNS
// is used": every number is a port, and words after a number (other than
// the separators "and", "or") are that port's condition. A cell with no
// number, a number out of range, or words before the first number is an
// error.
func parsePorts(cell string) ([]portCell, error) {
	s := strings.TrimSpace(cell)
	if s == "" {
		return nil, errors.New("no port")
	}
	locs := portNumberR.FindAllStringIndex(s, -1)
	if len(locs) == 0 {
		return nil, fmt.Errorf("no port in %q", s)
	}
	if lead := trimSeparators(s[:locs[0][0]]); lead != "" {
		return nil, fmt.Errorf("port cell %q has words before its first port", s)
	}
	var ports []portCell
	for i, loc := range locs {
		n, err := strconv.Atoi(s[loc[0]:loc[1]])
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("port %q is not a number 1-65535", s[loc[0]:loc[1]])
		}
		tail := s[loc[1]:]
		if i+1 < len(locs) {
			tail = s[loc[1]:locs[i+1][0]]
		}
		cond := trimSeparators(tail)
		if slices.ContainsFunc(ports, func(p portCell) bool { return p.port == n }) {
			continue
		}
		ports = append(ports, portCell{port: n, condition: cond})
		if len(ports) > 16 {
			return nil, fmt.Errorf("more than 16 ports in %q", s)
		}
	}
	return ports, nil
}

// parseProtocols reads a protocol cell: "TCP", "UDP", "TCP/UDP", "TCP and
// UDP"; def when the cell is empty.
func parseProtocols(cell, def string) ([]string, error) {
	s := strings.TrimSpace(cell)
	if s == "" {
		return []string{def}, nil
	}
	var out []string
	for _, f := range portSepR.Split(strings.ToUpper(s), -1) {
		switch f {
		case "":
		case "TCP", "UDP":
			if len(out) == 0 || out[0] != f {
				out = append(out, f)
			}
		default:
			return nil, fmt.Errorf("protocol %q unknown (want TCP or UDP)", f)
		}
	}
	if len(out) == 0 {
		return []string{def}, nil
	}
	return out, nil
}

// parseMSDate turns the page's ms.date (MM/DD/YYYY, also M/D/YYYY, or
// YYYY-MM-DD with an optional time) into YYYY-MM-DD.
func parseMSDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("the page has no ms.date: cannot date the version")
	}
	for _, layout := range []string{"01/02/2006", "1/2/2006", time.DateOnly, time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly), nil
		}
	}
	if len(s) > 10 {
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			return t.Format(time.DateOnly), nil
		}
	}
	return "", fmt.Errorf("ms.date %q is not a date (want MM/DD/YYYY)", cleanCell(s))
}

// buildVersion turns the tables of a page into a Version. Tables outside a
// tab or outside the session host and client sections, and tables without
// an Address column, are not endpoint tables and are skipped. A row it
// cannot read (a cell that is not a port, protocol or address, a row that
// repeats another with other values) is a warning naming its line and is
// left out; the rest of the page still imports. A page without ms.date or
// without any row is an error.
func buildVersion(meta pageMeta, tables []pageTable, id string) (Version, []string, error) {
	date, err := parseMSDate(meta.date)
	if err != nil {
		return Version{}, nil, err
	}
	if id == "" {
		id = date
	}
	if err := validateID(id); err != nil {
		return Version{}, nil, fmt.Errorf("version id: %w", err)
	}
	v := Version{ID: id, SourceDate: date, Source: importSource(meta), Confidence: ConfidencePrimary}
	var warnings []string
	warn := func(line int, err error) {
		if len(warnings) < maxImportWarnings {
			warnings = append(warnings, fmt.Sprintf("line %d: %v: row left out", line, err))
		}
	}
	seen := map[rowKey]seenRow{}
	for _, t := range tables {
		c, ok := columnsOf(t.header)
		if !ok || t.cloud == "" || t.scope == "" {
			continue
		}
		if c.port < 0 {
			warn(t.line, errors.New("the table has an Address column but no port column"))
			continue
		}
		for _, pr := range t.rows {
			rows, err := rowsOf(t, c, pr.cells, meta.date)
			if err != nil {
				warn(pr.line, err)
				continue
			}
			if len(v.AllRows)+len(rows) > maxRows {
				return Version{}, nil, fmt.Errorf("line %d: more than %d rows", pr.line, maxRows)
			}
			var errs []error
			v.AllRows, errs = addRows(v.AllRows, rows, seen, pr.line)
			for _, err := range errs {
				warn(pr.line, err)
			}
		}
	}
	if len(v.AllRows) == 0 && len(warnings) > 0 {
		return Version{}, warnings, fmt.Errorf("no row could be read: %s", strings.Join(warnings[:min(3, len(warnings))], "; "))
	}
	if len(v.AllRows) == 0 {
		return Version{}, warnings, errors.New("no endpoint rows found: want pipe tables with an Address and a port column under the cloud tabs of the session host and client sections")
	}
	return v, warnings, nil
}

// maxImportWarnings bounds the warnings of one import.
const maxImportWarnings = 100

// addRows appends rows, skipping a row that repeats an earlier one field for
// field; a row with the same cloud, scope, address, port and protocol as an
// earlier one but other fields is left out, with an error saying so.
func addRows(all, rows []Row, seen map[rowKey]seenRow, line int) ([]Row, []error) {
	var errs []error
	for _, r := range rows {
		k := rowKey{r.Cloud, r.Scope, r.Address, r.Port, r.Protocol}
		first, dup := seen[k]
		switch {
		case dup && all[first.index] == r:
			continue
		case dup:
			errs = append(errs, fmt.Errorf("%q port %d/%s in cloud %s, scope %s is also on line %d, with other values (that one is kept)",
				r.Address, r.Port, r.Protocol, r.Cloud, r.Scope, first.line))
			continue
		}
		seen[k] = seenRow{line: line, index: len(all)}
		all = append(all, r)
	}
	return all, errs
}

// seenRow is where a row was first read: its line and index in the version.
type seenRow struct{ line, index int }

// rowsOf makes the rows of one table row: one per port and protocol.
func rowsOf(t pageTable, c columns, cells []string, date string) ([]Row, error) {
	cell := func(i int) string {
		switch {
		case i < 0 || i >= len(cells):
			return ""
		case t.plain:
			return strings.Join(strings.Fields(cells[i]), " ")
		}
		return cleanCell(cells[i])
	}
	base := Row{
		Address: canonicalAddress(cell(c.address)),
		Purpose: cell(c.purpose), ServiceTag: serviceTag(cell(c.tag)),
		Cloud: t.cloud, Scope: t.scope,
		Required: t.kind == kindRequired, Deprecated: t.kind == kindDeprecated,
	}
	if base.Address == "" {
		return nil, errors.New("empty address")
	}
	if cl := cell(c.clients); cl != "" && !strings.EqualFold(cl, "all") {
		base.Note = cl + " client only"
	}
	if base.Deprecated {
		base.Note = "Listed as no longer supported on the page (ms.date " + date + "); remove if allowed explicitly"
	}
	base.Registrable = customerNamed(base)
	base.Wildcard = wildcardPolicyOf(base)
	ports, err := parsePorts(cell(c.port))
	if err != nil {
		return nil, fmt.Errorf("%q: %w", base.Address, err)
	}
	protos, err := parseProtocols(cell(c.protocol), c.proto)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", base.Address, err)
	}
	var rows []Row
	for _, proto := range protos {
		for _, port := range ports {
			r := base
			r.Port, r.Protocol = port.port, proto
			if port.condition != "" {
				r.Note = joinNote(r.Note, "only "+discover.CleanText(port.condition, 200))
			}
			if err := r.Validate(); err != nil {
				return nil, fmt.Errorf("%q: %w", base.Address, err)
			}
			rows = append(rows, r)
		}
	}
	return rows, nil
}

// serviceTag reads a service tag cell: "N/A", "-" and empty mean none.
func serviceTag(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "n/a", "na", "-", "—", "none":
		return ""
	}
	return strings.TrimSpace(s)
}

// importSource is the Version.Source of an imported page.
func importSource(meta pageMeta) string {
	// The title is page text: made printable and bounded like all text
	// that enters (a fuzzed page held invalid UTF-8 here).
	title := discover.CleanText(cleanCell(meta.title), 200)
	if title == "" {
		title = "Required FQDNs and endpoints for Azure Virtual Desktop"
	}
	return fmt.Sprintf("Microsoft Learn, \"%s\" (MicrosoftDocs/azure-docs, ms.date %s), imported from the page's %s by avdurls catalog import",
		title, discover.CleanText(cleanCell(meta.date), 40), meta.format)
}

// canonicalAddress brings an address of an imported page to the one form
// rows are judged and written in: trimmed, ASCII lower case, and a host
// name or wildcard without its trailing dot (discover.Normalize gives the
// same form for host names; Validate then checks the row).
func canonicalAddress(a string) string {
	a = discover.LowerASCII(strings.TrimSpace(a))
	if k := kindOf(a); k == KindFQDN || k == KindWildcard {
		if n, ok := discover.Canonical(a); ok {
			return n
		}
		a = strings.TrimSuffix(a, ".")
	}
	return a
}

// joinNote appends b to the note a.
func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
