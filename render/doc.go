package render

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
)

// A Doc is a document of tables: the shape the outputs of check, diff,
// catalog diff and the catalog listings share. WriteDoc writes it as a
// terminal table, Markdown, CSV or JSON, one writer per format for every
// document, so that escaping is done once per target.
type Doc struct {
	Title    string   // Markdown "# Title"; the first line on a terminal
	Lines    []string // prose under the title
	Warnings []string // a Warnings section
	Empty    string   // said when there are no sections ("No change.")
	Sections []Section
	// CSV is the document as one CSV table: a header, then the records.
	CSV [][]string
	// Data is the document's JSON form, written as it is.
	Data any
}

// A Section is a heading ("Region westeurope") and its tables.
type Section struct {
	Heading string
	Tables  []Table
}

// A Table is a titled (or untitled) table of a section.
type Table struct {
	Heading string // "Add": a ### heading in Markdown, a line on a terminal
	Columns []Column
	Rows    [][]string
}

// A Column is a column of a Table: its name, how it is written in
// Markdown (Code: as a code span, an identifier; otherwise escaped prose)
// and its width on a terminal (Width > 0 fixed, < 0 a share of what is
// left, 0 the table writer's choice).
type Column struct {
	Name  string
	Code  bool
	Width int
}

// DocFormats are the formats WriteDoc writes, the first the default.
var DocFormats = []string{"table", "json", "csv", "markdown"}

// WriteDoc writes a document in one of DocFormats.
func WriteDoc(w io.Writer, format string, d Doc) error {
	switch format {
	case "json":
		return WriteJSON(w, d.Data)
	case "csv":
		return writeDocCSV(w, d)
	case "markdown":
		return writeDocMarkdown(w, d)
	case "table":
		return Terminal(w, func(w io.Writer) error { return writeDocTable(w, d) })
	}
	return fmt.Errorf("unknown format %q; give one of %s", format, strings.Join(DocFormats, ", "))
}

// writeDocTable writes a document for a person's terminal (Terminal makes
// every line safe and fits the tables to its width).
func writeDocTable(w io.Writer, d Doc) error {
	wrote := false
	line := func(format string, a ...any) {
		fmt.Fprintf(w, format+"\n", a...)
		wrote = true
	}
	if d.Title != "" {
		line("%s", d.Title)
	}
	for _, l := range d.Lines {
		line("%s", l)
	}
	for i, warn := range d.Warnings {
		if i == 0 {
			line("Warnings:")
		}
		line("  ! %s", warn)
	}
	if len(d.Sections) == 0 && d.Empty != "" {
		line("%s", d.Empty)
	}
	for _, s := range d.Sections {
		if wrote {
			fmt.Fprintln(w)
		}
		if s.Heading != "" {
			line("%s", s.Heading)
		}
		for _, t := range s.Tables {
			if t.Heading != "" {
				line("%s:", t.Heading)
			}
			if err := writeTermTable(w, t); err != nil {
				return err
			}
			wrote = true
		}
	}
	return nil
}

// writeTermTable writes one table with the widths of its columns.
func writeTermTable(w io.Writer, t Table) error {
	widths := make([]int, 0, len(t.Columns))
	names := make([]any, 0, len(t.Columns))
	for _, c := range t.Columns {
		widths = append(widths, c.Width)
		names = append(names, c.Name)
	}
	if slices.Contains(widths, 0) {
		widths = nil
	}
	tt := NewTable(w, widths...)
	tt.Header(names...)
	for _, r := range t.Rows {
		cells := make([]any, len(r))
		for i, c := range r {
			cells[i] = c
		}
		if err := tt.Append(cells...); err != nil {
			return err
		}
	}
	return tt.Render()
}

// writeDocMarkdown writes a document as GitHub Flavored Markdown, every
// cell escaped for its column (MarkdownCode, MarkdownEscape).
func writeDocMarkdown(w io.Writer, d Doc) error {
	var b strings.Builder
	if d.Title != "" {
		fmt.Fprintf(&b, "# %s\n", MarkdownEscape(d.Title))
	}
	for _, l := range d.Lines {
		fmt.Fprintf(&b, "\n%s\n", MarkdownEscape(l))
	}
	if len(d.Warnings) > 0 {
		b.WriteString("\n## Warnings\n\n")
		for _, warn := range d.Warnings {
			fmt.Fprintf(&b, "- %s\n", MarkdownEscape(warn))
		}
	}
	if len(d.Sections) == 0 && d.Empty != "" {
		fmt.Fprintf(&b, "\n%s\n", MarkdownEscape(d.Empty))
	}
	for _, s := range d.Sections {
		if s.Heading != "" {
			fmt.Fprintf(&b, "\n## %s\n", MarkdownEscape(s.Heading))
		}
		for _, t := range s.Tables {
			if t.Heading != "" {
				fmt.Fprintf(&b, "\n### %s\n", MarkdownEscape(t.Heading))
			}
			writeMarkdownTable(&b, t)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeMarkdownTable writes one table, a blank line before it.
func writeMarkdownTable(b *strings.Builder, t Table) {
	b.WriteString("\n|")
	for _, c := range t.Columns {
		fmt.Fprintf(b, " %s |", MarkdownEscape(c.Name))
	}
	b.WriteString("\n|")
	for range t.Columns {
		b.WriteString("---|")
	}
	b.WriteByte('\n')
	for _, r := range t.Rows {
		b.WriteByte('|')
		for i, cell := range r {
			if i < len(t.Columns) && t.Columns[i].Code {
				cell = MarkdownCode(cell)
			} else {
				cell = MarkdownEscape(cell)
			}
			fmt.Fprintf(b, " %s |", cell)
		}
		b.WriteByte('\n')
	}
}

// writeDocCSV writes the document's CSV table, every cell spreadsheet-safe.
func writeDocCSV(w io.Writer, d Doc) error {
	cw := csv.NewWriter(w)
	for _, rec := range d.CSV {
		if err := WriteCSVRecord(cw, slices.Clone(rec)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
