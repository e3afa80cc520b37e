package render

import (
	"fmt"
	"strconv"

	"github.com/avdurls/avdurls/catalog"
)

// RowsDoc is the document of a catalog version's rows for a cloud and
// scope: a table, and as JSON the rows as data.
func RowsDoc(v *catalog.Version, cloud catalog.Cloud, scope catalog.Scope) Doc {
	rows := v.Rows(cloud, scope)
	doc := Doc{Title: fmt.Sprintf("Catalog %s (%s, %s confidence), cloud %s, scope %s", v.ID, v.SourceDate, v.Confidence, cloud, scope),
		Data: struct {
			Version    string        `json:"version"`
			SourceDate string        `json:"sourceDate"`
			Confidence string        `json:"confidence"`
			Source     string        `json:"source"`
			Cloud      string        `json:"cloud"`
			Scope      string        `json:"scope"`
			Rows       []catalog.Row `json:"rows"`
		}{v.ID, v.SourceDate, v.Confidence, v.Source, string(cloud), string(scope), rows}}
	header := []string{"Address", "Port", "Protocol", "Required", "Deprecated", "Registrable", "Service tag", "Purpose"}
	t := Table{}
	for i, h := range header {
		t.Columns = append(t.Columns, Column{Name: h, Code: i == 0})
	}
	doc.CSV = [][]string{header}
	for _, r := range rows {
		rec := []string{r.Address, strconv.Itoa(r.Port), r.Protocol, yesNo(r.Required), yesNo(r.Deprecated), yesNo(r.Registrable), r.ServiceTag, r.Purpose}
		t.Rows = append(t.Rows, rec)
		doc.CSV = append(doc.CSV, rec)
	}
	doc.Sections = []Section{{Tables: []Table{t}}}
	return doc
}

// RegionsDoc is the document of the Azure regions of a cloud that avdurls
// accepts.
func RegionsDoc(cloud catalog.Cloud) Doc {
	type region struct {
		Name        string `json:"name"`
		DisplayName string `json:"displayName"`
		Geography   string `json:"geography"`
		Restricted  bool   `json:"restricted,omitempty"`
	}
	data := []region{}
	t := Table{Columns: []Column{{Name: "Region", Code: true}, {Name: "Display name"}, {Name: "Geography"}, {Name: "Access"}}}
	doc := Doc{CSV: [][]string{{"region", "displayName", "geography", "access"}}}
	for _, r := range catalog.Regions(cloud) {
		access := "public"
		if r.Restricted {
			access = "restricted"
		}
		data = append(data, region{r.Name, r.DisplayName, r.Geography, r.Restricted})
		t.Rows = append(t.Rows, []string{r.Name, r.DisplayName, r.Geography, access})
		doc.CSV = append(doc.CSV, []string{r.Name, r.DisplayName, r.Geography, access})
	}
	doc.Data, doc.Sections = data, []Section{{Tables: []Table{t}}}
	return doc
}
