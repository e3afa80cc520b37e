package catalog

import (
	"fmt"
	"strings"
	"testing"
)

// TestDiffVersions checks added, removed and changed rows, the pairing of
// rows of one address, and the order.
func TestDiffVersions(t *testing.T) {
	row := func(cloud Cloud, scope Scope, addr string, port int, tag string) Row {
		return Row{Address: addr, Port: port, Protocol: "TCP", Purpose: "p", ServiceTag: tag, Cloud: cloud, Scope: scope, Required: true}
	}
	a := &Version{AllRows: []Row{
		row(CloudUSGov, ScopeSessionHost, "b.example.com", 443, ""),
		row(CloudPublic, ScopeClient, "c.example.com", 443, ""),
		row(CloudPublic, ScopeSessionHost, "a.example.com", 443, "AzureCloud"),
		row(CloudPublic, ScopeSessionHost, "p.example.com", 80, ""),
		row(CloudPublic, ScopeSessionHost, "same.example.com", 443, ""),
		row(CloudChina, ScopeSessionHost, "gone.example.cn", 443, ""),
	}}
	moved := row(CloudPublic, ScopeSessionHost, "p.example.com", 8080, "")
	moved.Note = "notes are not compared"
	b := &Version{AllRows: []Row{
		row(CloudPublic, ScopeSessionHost, "same.example.com", 443, ""),
		moved,
		row(CloudPublic, ScopeSessionHost, "a.example.com", 443, "AzureMonitor"),
		row(CloudPublic, ScopeSessionHost, "a.example.com", 80, ""),
		row(CloudPublic, ScopeClient, "c.example.com", 443, ""),
		row(CloudUSGov, ScopeSessionHost, "b.example.com", 443, ""),
		row(CloudUSGov, ScopeClient, "new.example.us", 443, ""),
	}}
	b.AllRows[4].Required = false
	var got []string
	for _, c := range DiffVersions(a, b) {
		got = append(got, fmt.Sprintf("%s %s/%s %s:%d %v", c.Change, c.Cloud, c.Scope, c.Address, c.row().Port, c.Fields))
	}
	want := []string{
		"added public/sessionhost a.example.com:80 []",
		"changed public/sessionhost a.example.com:443 [serviceTag]",
		"changed public/sessionhost p.example.com:8080 [port]",
		"changed public/client c.example.com:443 [required]",
		"added usgov/client new.example.us:443 []",
		"removed china/sessionhost gone.example.cn:443 []",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("DiffVersions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if d := DiffVersions(b, b); len(d) != 0 {
		t.Errorf("DiffVersions(b, b) = %v, want none", d)
	}
}
