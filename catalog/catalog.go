// Package catalog holds Microsoft's list of the host names, addresses and
// ports that Azure Virtual Desktop needs, as versioned data.
//
// The list ships as catalog.json, embedded in the binary (see Default); a
// user's file of the same schema can be read with Load or LoadFile. Each
// Version holds the rows of one edition of Microsoft's list for every cloud
// it covers, split by scope (session host or client), required or optional,
// with the rows Microsoft no longer supports kept and marked Deprecated.
//
// Row.Matches and Version.Match answer whether a harvested host name is
// covered by a row, and by which. The package does no I/O beyond reading a
// user's catalog file.
package catalog

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
)

// SchemaVersion is the value of "schemaVersion" that this package reads and
// that catalog.json carries.
const SchemaVersion = 2

// Limits on what Load accepts, so that a hostile or mistaken file costs
// bounded memory.
const (
	maxInputBytes = 4 << 20 // bytes of JSON
	maxRows       = 10000   // rows over all versions
	maxVersions   = 100
)

// Cloud names an Azure cloud.
type Cloud string

// The clouds Microsoft's list covers.
const (
	CloudPublic Cloud = "public" // Azure public cloud (AzureCloud)
	CloudUSGov  Cloud = "usgov"  // Azure for US Government (AzureUSGovernment)
	CloudChina  Cloud = "china"  // Azure operated by 21Vianet (AzureChinaCloud)
)

// Clouds returns the known clouds in a fixed order.
func Clouds() []Cloud { return []Cloud{CloudPublic, CloudUSGov, CloudChina} }

// Scope names who needs a row: the session host VMs or the users' Remote
// Desktop clients.
type Scope string

// The scopes of Microsoft's list.
const (
	ScopeSessionHost Scope = "sessionhost"
	ScopeClient      Scope = "client"
)

// Scopes returns the known scopes in a fixed order.
func Scopes() []Scope { return []Scope{ScopeSessionHost, ScopeClient} }

// Confidence values of a Version.
const (
	ConfidencePrimary   = "primary"   // Microsoft's own text
	ConfidenceSecondary = "secondary" // third-party lists citing Microsoft's live page
)

// Row is one line of Microsoft's list: an address (host name, wildcard, IP
// address or CIDR prefix), its port and protocol, and what it is for.
type Row struct {
	// Address is lower case: "login.microsoftonline.com",
	// "*.wvd.microsoft.com", "*xt.blob.core.windows.net", "169.254.169.254"
	// or "51.5.0.0/16". See Kind.
	Address  string `json:"address"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol"` // "TCP" or "UDP"
	Purpose  string `json:"purpose"`
	// ServiceTag is the Azure service tag Microsoft gives for the row, ""
	// when none (the page's "N/A").
	ServiceTag string `json:"serviceTag,omitempty"`
	Cloud      Cloud  `json:"cloud"`
	Scope      Scope  `json:"scope"`
	// Required is false for optional rows and for deprecated rows.
	Required bool `json:"required"`
	// Deprecated marks a row Microsoft no longer supports and says to
	// remove; it is kept so that a harvested host can be reported as such.
	Deprecated bool `json:"deprecated,omitempty"`
	// Registrable marks a wildcard whose first label any Azure customer
	// can choose (a storage account, an Event Hubs namespace): names
	// discovered under it go to review, never into an allowlist by
	// default. Wildcards over the zones avdurls knows to be such are
	// treated so even without the mark.
	Registrable bool `json:"registrable,omitempty"`
	// Wildcard says how a wildcard row is allowed: replaced by the names
	// the agent logs (""), or carried as the wildcard: service traffic
	// Microsoft requires as one ("service"), a row no scan can name the
	// hosts of ("unnamed"). From Microsoft's words (see wildcardPolicyOf).
	Wildcard WildcardPolicy `json:"wildcard,omitempty"`
	// Note is free text: where the row comes from when that differs from
	// the version's source, or a caveat.
	Note string `json:"note,omitempty"`
}

// Version is one edition of Microsoft's list, with the rows of every cloud it
// covers.
type Version struct {
	ID         string `json:"id"`         // "2022-08-30", "2024-06-26", "2025-late"
	SourceDate string `json:"sourceDate"` // YYYY-MM-DD of the source text
	Source     string `json:"source"`     // where the rows come from
	Confidence string `json:"confidence"` // ConfidencePrimary or ConfidenceSecondary
	// AllRows holds every row of the version in file order. Use Rows to
	// get those of one cloud and scope, sorted.
	AllRows []Row `json:"rows"`
}

// Catalog is a set of versions of Microsoft's list.
type Catalog struct {
	SchemaVersion int       `json:"schemaVersion"`
	Versions      []Version `json:"versions"`
}

//go:embed catalog.json
var embedded []byte

var defaultCatalog = sync.OnceValue(func() *Catalog {
	c, err := load(bytes.NewReader(embedded), "catalog.json")
	if err != nil {
		panic("catalog: embedded catalog.json is broken: " + err.Error())
	}
	return c
})

// Default returns the catalog embedded in the binary. It is parsed once; each
// call returns a fresh copy that the caller may change.
func Default() *Catalog {
	return defaultCatalog().clone()
}

func (c *Catalog) clone() *Catalog {
	d := &Catalog{SchemaVersion: c.SchemaVersion, Versions: slices.Clone(c.Versions)}
	for i := range d.Versions {
		d.Versions[i].AllRows = slices.Clone(d.Versions[i].AllRows)
	}
	return d
}

// Load reads a catalog in the schema of catalog.json from r and validates it:
// unknown fields, a schemaVersion other than SchemaVersion, invalid rows (see
// Row.Validate), duplicate rows and inputs over 4 MiB or 10,000 rows are
// errors. Errors name the version and row (counted from 1) at fault. A
// leading UTF-8 byte order mark is ignored.
func Load(r io.Reader) (*Catalog, error) {
	return load(r, "catalog")
}

// LoadFile is Load for the file at path; errors start with the path.
func LoadFile(path string) (*Catalog, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return load(f, path)
}

func load(r io.Reader, name string) (*Catalog, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxInputBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > maxInputBytes {
		return nil, fmt.Errorf("%s: larger than %d MiB", name, maxInputBytes>>20)
	}
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) {
		return nil, fmt.Errorf("%s: the file is UTF-16; save it as UTF-8", name)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a UTF-8 byte order mark, as Notepad writes
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s%s", name, jsonError(data, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%s:%s: unexpected data after the catalog object", name, lineCol(data, dec.InputOffset()))
	}
	if c.SchemaVersion == 1 {
		c.upgradeV1()
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &c, nil
}

// upgradeV1 brings a catalog of schema version 1, which had no wildcard
// policy, to version 2: each wildcard row's policy is read from its
// purpose, as catalog import reads Microsoft's page (wildcardPolicyOf).
func (c *Catalog) upgradeV1() {
	c.SchemaVersion = SchemaVersion
	for i := range c.Versions {
		for j := range c.Versions[i].AllRows {
			r := &c.Versions[i].AllRows[j]
			r.Wildcard = wildcardPolicyOf(*r)
		}
	}
}

// jsonError turns a decoding error into ":line:col: message" where the
// position is known, ": message" otherwise. The json package's offsets
// count the bytes read up to and including the offending one.
func jsonError(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return ": empty input, want a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return ": unexpected end of input"
	case errors.As(err, &syn):
		return ":" + lineCol(data, syn.Offset-1) + ": " + syn.Error()
	case errors.As(err, &typ):
		if typ.Field == "" {
			return fmt.Sprintf(":%s: the catalog must be a JSON object, not %s", lineCol(data, typ.Offset-1), typ.Value)
		}
		return fmt.Sprintf(":%s: %s: cannot use JSON %s as %s", lineCol(data, typ.Offset-1), typ.Field, typ.Value, typ.Type)
	}
	return ": " + strings.TrimPrefix(err.Error(), "json: ")
}

// lineCol gives the 1-based line and column of the byte at 0-based offset
// off in data.
func lineCol(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("%d:%d", line, col)
}

// Newest returns the version with Confidence "primary" that has the latest
// SourceDate (ties go to the later version in the file). A catalog without a
// primary version gives its newest version of any confidence; an empty
// catalog gives nil.
func (c *Catalog) Newest() *Version {
	var best *Version
	for _, primaryOnly := range []bool{true, false} {
		for i := range c.Versions {
			v := &c.Versions[i]
			if primaryOnly && v.Confidence != ConfidencePrimary {
				continue
			}
			if best == nil || v.SourceDate >= best.SourceDate {
				best = v
			}
		}
		if best != nil {
			return best
		}
	}
	return nil
}

// Version returns the version with the given id; the error lists the known
// ids.
func (c *Catalog) Version(id string) (*Version, error) {
	ids := make([]string, 0, len(c.Versions))
	for i := range c.Versions {
		if c.Versions[i].ID == id {
			return &c.Versions[i], nil
		}
		ids = append(ids, c.Versions[i].ID)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("unknown catalog version %q: the catalog has no versions", id)
	}
	return nil, fmt.Errorf("unknown catalog version %q (known: %s)", id, strings.Join(ids, ", "))
}

// Rows returns the rows of one cloud and scope, as a new slice sorted by
// status (required, optional, deprecated), then address, port and protocol.
func (v *Version) Rows(cloud Cloud, scope Scope) []Row {
	var rows []Row
	for _, r := range v.AllRows {
		if r.Cloud == cloud && r.Scope == scope {
			rows = append(rows, r)
		}
	}
	slices.SortStableFunc(rows, compareRows)
	return rows
}

func compareRows(a, b Row) int {
	if c := rowRank(a) - rowRank(b); c != 0 {
		return c
	}
	if c := strings.Compare(a.Address, b.Address); c != 0 {
		return c
	}
	if c := a.Port - b.Port; c != 0 {
		return c
	}
	return strings.Compare(a.Protocol, b.Protocol)
}

func rowRank(r Row) int {
	switch {
	case r.Deprecated:
		return 2
	case r.Required:
		return 0
	}
	return 1
}

// ParseCloud parses a cloud name: "public", "usgov" or "china", or Azure's
// environment names "AzureCloud", "AzureUSGovernment" and "AzureChinaCloud",
// in any case.
func ParseCloud(s string) (Cloud, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "public", "azurecloud":
		return CloudPublic, nil
	case "usgov", "azureusgovernment":
		return CloudUSGov, nil
	case "china", "azurechinacloud":
		return CloudChina, nil
	}
	return "", fmt.Errorf("unknown cloud %q (want public, usgov or china)", s)
}

// ParseScope parses a scope name: "sessionhost" (also "session-host") or
// "client", in any case.
func ParseScope(s string) (Scope, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "sessionhost", "session-host":
		return ScopeSessionHost, nil
	case "client":
		return ScopeClient, nil
	}
	return "", fmt.Errorf("unknown scope %q (want sessionhost or client)", s)
}

// LoadVersion returns a catalog version: of the catalog file (the
// built-in catalog when file is ""), the one with the id, or with no id
// the newest of primary confidence.
func LoadVersion(file, id string) (*Version, error) {
	c := Default()
	if file != "" {
		var err error
		if c, err = LoadFile(file); err != nil {
			return nil, err
		}
	}
	if id != "" {
		return c.Version(id)
	}
	if v := c.Newest(); v != nil {
		return v, nil
	}
	return nil, fmt.Errorf("catalog %s has no version of primary confidence; pick one by its id", file)
}

// ResolveVersion finds a version a person named: a catalog file (its
// newest version of primary confidence), a version id of the built-in
// catalog, or FILE:ID.
func ResolveVersion(arg string) (*Version, error) {
	if fi, err := os.Stat(arg); err == nil && !fi.IsDir() {
		return LoadVersion(arg, "")
	}
	c := Default()
	if v, err := c.Version(arg); err == nil {
		return v, nil
	}
	if i := strings.LastIndex(arg, ":"); i > 0 {
		file, id := arg[:i], arg[i+1:]
		if fi, err := os.Stat(file); err == nil && !fi.IsDir() {
			return LoadVersion(file, id)
		}
	}
	var ids []string
	for _, v := range c.Versions {
		ids = append(ids, v.ID)
	}
	return nil, fmt.Errorf("%q is neither a built-in catalog version (%s) nor a catalog file (or FILE:ID)", arg, strings.Join(ids, ", "))
}

// Summary counts the version's rows by cloud and scope, in one line.
func (v *Version) Summary() string {
	var parts []string
	for _, cl := range Clouds() {
		for _, sc := range Scopes() {
			if n := len(v.Rows(cl, sc)); n > 0 {
				parts = append(parts, fmt.Sprintf("%s/%s %d", cl, sc, n))
			}
		}
	}
	return fmt.Sprintf("version %s (dated %s): %d rows (%s)", v.ID, v.SourceDate, len(v.AllRows), strings.Join(parts, ", "))
}

// Gap says, when the version holds no required row for cloud and scope,
// that an allowlist built from it is empty for lack of rows, not of
// hosts ("" when it has rows): the user must know the list is not the
// service's.
func (v *Version) Gap(cloud Cloud, scope Scope) string {
	for _, r := range v.AllRows {
		if r.Cloud == cloud && r.Scope == scope && r.Required {
			return ""
		}
	}
	return fmt.Sprintf("catalog %s has no %s rows for cloud %s (the text it was built from lists none avdurls could read): an allowlist from it holds only names events give, not what the service needs; check Microsoft's page for that cloud", v.ID, scopeWords(scope), cloud)
}

// scopeWords names a scope in a sentence.
func scopeWords(s Scope) string {
	if s == ScopeClient {
		return "end-user device (client)"
	}
	return "session host"
}
