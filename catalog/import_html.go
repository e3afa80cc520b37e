package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ImportHTML reads Microsoft's page as a browser saves it from Microsoft
// Learn: tables as <table><thead><tr><th>…<tbody><tr><td>, each cloud's
// tables in a tab panel (<section role="tabpanel" data-tab="azure"> and
// data-tab="azure-for-us-government"), the sections under <h2> headings,
// the date from <meta name="ms.date" content="MM/DD/YYYY">. Otherwise it
// works as ImportMarkdown, with the same limits; errors about a row name
// the line of its <tr>.
//
// The layout was taken from Learn's rendering of DocFX tabs and tested only
// against a hand-made page (testdata/learn-page.html); it has not been
// checked against a real saved Learn page.
func ImportHTML(r io.Reader, id string) (Version, []string, error) {
	data, err := readPage(r)
	if err != nil {
		return Version{}, nil, err
	}
	return importHTML(data, id)
}

// importHTML is ImportHTML on a page already read.
func importHTML(data []byte, id string) (Version, []string, error) {
	meta, tables, err := parseHTML(data)
	if err != nil {
		return Version{}, nil, err
	}
	return buildVersion(meta, tables, id)
}

// htmlParser is the state of the HTML reader.
type htmlParser struct {
	line    int // of the current token's start
	meta    pageMeta
	panels  []Cloud // open <section> elements: a tab panel's cloud, or ""
	scope   Scope
	kind    rowKind
	prose   strings.Builder // text since the last table, heading or tab
	heading *strings.Builder
	title   *strings.Builder
	skip    int // inside <script> or <style>
	table   *pageTable
	row     *pageRow
	rowHead bool // the row has <th> cells
	cell    *strings.Builder
	tables  []pageTable
	nrows   int
}

// parseHTML walks the tokens of the page.
func parseHTML(data []byte) (pageMeta, []pageTable, error) {
	z := html.NewTokenizer(bytes.NewReader(data))
	p := &htmlParser{line: 1, meta: pageMeta{format: "saved HTML"}}
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if err := z.Err(); err != io.EOF {
				return pageMeta{}, nil, fmt.Errorf("line %d: %w", p.line, err)
			}
			break
		}
		tok := z.Token()
		if err := p.token(tt, tok); err != nil {
			return pageMeta{}, nil, fmt.Errorf("line %d: %w", p.line, err)
		}
		p.line += bytes.Count(z.Raw(), []byte("\n"))
	}
	p.endTable()
	return p.meta, p.tables, nil
}

// token handles one token.
func (p *htmlParser) token(tt html.TokenType, tok html.Token) error {
	switch tt {
	case html.TextToken:
		p.text(tok.Data)
	case html.StartTagToken, html.SelfClosingTagToken:
		return p.start(tok, tt == html.SelfClosingTagToken)
	case html.EndTagToken:
		p.end(tok)
	}
	return nil
}

// text places a text token: in a cell, a heading, the title or the prose.
func (p *htmlParser) text(s string) {
	switch {
	case p.skip > 0:
	case p.cell != nil:
		p.cell.WriteString(s)
	case p.heading != nil:
		p.heading.WriteString(s)
	case p.title != nil:
		p.title.WriteString(s)
	case p.table == nil && p.prose.Len() < 1<<16:
		p.prose.WriteString(s)
		p.prose.WriteByte(' ')
	}
}

// start handles a start tag.
func (p *htmlParser) start(tok html.Token, selfClosing bool) error {
	switch tok.DataAtom {
	case atom.Script, atom.Style:
		if !selfClosing {
			p.skip++
		}
	case atom.Meta:
		if strings.EqualFold(attr(tok, "name"), "ms.date") {
			p.meta.date = attr(tok, "content")
		}
	case atom.Title:
		p.title = &strings.Builder{}
	case atom.Section:
		return p.openSection(tok, selfClosing)
	case atom.H1, atom.H2, atom.H3, atom.H4:
		p.heading = &strings.Builder{}
	case atom.Br:
		if p.cell != nil {
			p.cell.WriteString(", ")
		}
	case atom.Table:
		return p.startTable()
	case atom.Tr:
		if p.table != nil {
			p.endRow()
			p.row, p.rowHead = &pageRow{line: p.line}, false
		}
	case atom.Td, atom.Th:
		p.startCell(tok.DataAtom == atom.Th)
	}
	return nil
}

// openSection opens a <section>; one with data-tab is a cloud's tab panel.
func (p *htmlParser) openSection(tok html.Token, selfClosing bool) error {
	if selfClosing {
		return nil
	}
	if len(p.panels) >= 1000 {
		return errors.New("sections nested more than 1000 deep")
	}
	var c Cloud
	if tab := attr(tok, "data-tab"); tab != "" {
		var err error
		if c, err = tabCloud(tab); err != nil {
			return err
		}
		p.kind = kindRequired
		p.prose.Reset()
	}
	p.panels = append(p.panels, c)
	return nil
}

// cloud is the cloud of the innermost open tab panel, "" outside one.
func (p *htmlParser) cloud() Cloud {
	for i := len(p.panels) - 1; i >= 0; i-- {
		if p.panels[i] != "" {
			return p.panels[i]
		}
	}
	return ""
}

// startTable opens a table; the prose before it may say it is optional or
// no longer supported.
func (p *htmlParser) startTable() error {
	if p.table != nil {
		return errors.New("a table inside a table")
	}
	if k, ok := proseKind(p.prose.String()); ok {
		p.kind = k
	}
	p.prose.Reset()
	p.table = &pageTable{cloud: p.cloud(), scope: p.scope, kind: p.kind, line: p.line, plain: true}
	return nil
}

// startCell opens a cell of the current row.
func (p *htmlParser) startCell(head bool) {
	if p.table == nil {
		return
	}
	if p.row == nil { // a cell without <tr>
		p.row = &pageRow{line: p.line}
	}
	p.endCell()
	p.cell = &strings.Builder{}
	p.rowHead = p.rowHead || head
}

// endCell closes the open cell, if any.
func (p *htmlParser) endCell() {
	if p.cell != nil && p.row != nil {
		p.row.cells = append(p.row.cells, strings.Join(strings.Fields(p.cell.String()), " "))
	}
	p.cell = nil
}

// endRow closes the open row: the first row (or one of <th> cells) is the
// header, the others are body rows.
func (p *htmlParser) endRow() {
	p.endCell()
	if p.row == nil || p.table == nil {
		p.row = nil
		return
	}
	switch {
	case p.table.header == nil || (p.rowHead && len(p.table.rows) == 0):
		p.table.header = p.row.cells
	case len(p.row.cells) > 0:
		if p.nrows++; p.nrows <= maxRows {
			p.table.rows = append(p.table.rows, *p.row)
		}
	}
	p.row = nil
}

// endTable closes the open table, if any.
func (p *htmlParser) endTable() {
	p.endRow()
	if p.table != nil {
		p.tables = append(p.tables, *p.table)
	}
	p.table = nil
}

// end handles an end tag.
func (p *htmlParser) end(tok html.Token) {
	switch tok.DataAtom {
	case atom.Script, atom.Style:
		p.skip = max(p.skip-1, 0)
	case atom.Title:
		if p.title != nil && p.meta.title == "" {
			t := strings.Join(strings.Fields(p.title.String()), " ")
			p.meta.title = strings.TrimSuffix(t, " | Microsoft Learn")
		}
		p.title = nil
	case atom.Section:
		if n := len(p.panels); n > 0 {
			if p.panels[n-1] != "" {
				p.kind = kindRequired
			}
			p.panels = p.panels[:n-1]
		}
	case atom.H1, atom.H2, atom.H3, atom.H4:
		p.endHeading()
	case atom.Td, atom.Th:
		p.endCell()
	case atom.Tr:
		p.endRow()
	case atom.Table:
		p.endTable()
	}
}

// endHeading closes a heading: a new section, perhaps of another scope.
func (p *htmlParser) endHeading() {
	if p.heading == nil {
		return
	}
	p.scope = sectionScope(p.heading.String())
	p.kind = kindRequired
	p.prose.Reset()
	p.heading = nil
}

// attr returns the value of the named attribute, "" if absent.
func attr(tok html.Token, name string) string {
	for _, a := range tok.Attr {
		if strings.EqualFold(a.Key, name) {
			return a.Val
		}
	}
	return ""
}
