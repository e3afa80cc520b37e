package catalog

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/avdurls/avdurls/discover"
)

// Validate reports the first thing wrong with the row: an address that is not
// a lower-case host name, wildcard (see Kind), IP address or CIDR prefix in
// canonical form; a port outside 1-65535; a protocol other than TCP or UDP;
// an unknown cloud or scope; a malformed service tag; control characters in
// the text fields; or a row both required and deprecated.
func (r Row) Validate() error {
	if err := validateAddress(r.Address); err != nil {
		return err
	}
	if r.Port < 1 || r.Port > 65535 {
		return fmt.Errorf("port %d out of range 1-65535", r.Port)
	}
	if r.Protocol != "TCP" && r.Protocol != "UDP" {
		return fmt.Errorf("protocol %q unknown (want TCP or UDP)", r.Protocol)
	}
	switch r.Cloud {
	case CloudPublic, CloudUSGov, CloudChina:
	default:
		return fmt.Errorf("cloud %q unknown (want public, usgov or china)", r.Cloud)
	}
	switch r.Scope {
	case ScopeSessionHost, ScopeClient:
	default:
		return fmt.Errorf("scope %q unknown (want sessionhost or client)", r.Scope)
	}
	if err := validateServiceTag(r.ServiceTag); err != nil {
		return err
	}
	if err := validateText("purpose", r.Purpose); err != nil {
		return err
	}
	if err := validateText("note", r.Note); err != nil {
		return err
	}
	if err := r.validWildcardPolicy(); err != nil {
		return err
	}
	if r.Required && r.Deprecated {
		return errors.New("a row cannot be both required and deprecated")
	}
	return nil
}

func validateAddress(a string) error {
	switch {
	case a == "":
		return errors.New("address is empty")
	case a != strings.ToLower(a):
		return fmt.Errorf("address must be lower case (want %q)", strings.ToLower(a))
	}
	switch kindOf(a) {
	case KindCIDR:
		p, err := netip.ParsePrefix(a)
		if err != nil {
			return fmt.Errorf("address is not a valid CIDR prefix: %v", err)
		}
		if p.Masked() != p || p.String() != a {
			return fmt.Errorf("CIDR prefix is not in canonical form (want %q)", p.Masked().String())
		}
	case KindIP:
		ip, err := netip.ParseAddr(a)
		if err != nil {
			return fmt.Errorf("address is not a valid IP address: %v", err)
		}
		if ip.Zone() != "" {
			return errors.New("IP address must not have a zone")
		}
		if ip.String() != a {
			return fmt.Errorf("IP address is not in canonical form (want %q)", ip.String())
		}
	case KindWildcard:
		return validateWildcard(a)
	default:
		return checkName(a)
	}
	return nil
}

// validateWildcard checks "*.suffix" and "*lit.suffix": the '*' opens the
// first label, the rest of that label is literal host-name characters, and
// the suffix is a host name of at least two labels.
func validateWildcard(a string) error {
	if !strings.HasPrefix(a, "*") {
		return fmt.Errorf("wildcard %q does not start with '*'", discover.CleanText(a, 80))
	}
	first, suffix, ok := strings.Cut(a, ".")
	if !ok {
		return fmt.Errorf("wildcard %q has no suffix", a)
	}
	lit := first[1:]
	if strings.Contains(lit, "*") || strings.Contains(suffix, "*") {
		return fmt.Errorf("wildcard %q: '*' is allowed only once, at the start of the first label", a)
	}
	for i := 0; i < len(lit); i++ {
		if !isLDH(lit[i]) {
			return fmt.Errorf("wildcard %q: character %q not allowed in a host name", a, lit[i])
		}
	}
	if strings.HasSuffix(lit, "-") {
		return fmt.Errorf("wildcard %q: the first label would end with '-'", a)
	}
	if len(lit)+1 > 63 {
		return fmt.Errorf("wildcard %q: the first label would be longer than 63 characters", a)
	}
	if err := checkName(suffix); err != nil {
		return fmt.Errorf("wildcard suffix %q: %w", suffix, err)
	}
	if len(lit)+2+len(suffix) > 253 {
		return fmt.Errorf("wildcard %q: matching names would be longer than 253 characters", a)
	}
	return nil
}

// checkName checks a host name with the one validator avdurls has for
// them (discover.Normalize): a catalog row must be a name a discovered host
// could equal, in canonical form.
func checkName(name string) error {
	n, err := discover.Normalize(name)
	if err != nil {
		return fmt.Errorf("%q: %w", name, err)
	}
	if n != name {
		return fmt.Errorf("%q is not in canonical form (want %q)", name, n)
	}
	return nil
}

func isLDH(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-'
}

func validateServiceTag(t string) error {
	if t == "" {
		return nil
	}
	if len(t) > 80 {
		return fmt.Errorf("service tag longer than 80 characters")
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || (c == '-' || c == '_') && i > 0) {
			return fmt.Errorf("service tag %q is not a tag name (leave it empty for none)", t)
		}
	}
	return nil
}

func validateText(field, s string) error {
	if len(s) > 2000 {
		return fmt.Errorf("%s longer than 2000 characters", field)
	}
	return discover.CheckText(field, s, 2000)
}

// validate checks the whole catalog after decoding.
func (c *Catalog) validate() error {
	if c.SchemaVersion != SchemaVersion {
		return fmt.Errorf("schemaVersion %d is not supported (this avdurls reads 1 and %d)", c.SchemaVersion, SchemaVersion)
	}
	if len(c.Versions) == 0 {
		return errors.New("no versions")
	}
	if len(c.Versions) > maxVersions {
		return fmt.Errorf("%d versions, more than the limit of %d", len(c.Versions), maxVersions)
	}
	total := 0
	for i := range c.Versions {
		total += len(c.Versions[i].AllRows)
	}
	if total > maxRows {
		return fmt.Errorf("%d rows, more than the limit of %d", total, maxRows)
	}
	seen := make(map[string]int, len(c.Versions))
	for i := range c.Versions {
		v := &c.Versions[i]
		if err := v.validateHeader(); err != nil {
			if v.ID == "" || validateID(v.ID) != nil {
				return fmt.Errorf("version %d: %w", i+1, err)
			}
			return fmt.Errorf("version %q: %w", v.ID, err)
		}
		if j, ok := seen[v.ID]; ok {
			return fmt.Errorf("version %q: duplicate id (also version %d)", v.ID, j+1)
		}
		seen[v.ID] = i
		if err := v.validateRows(); err != nil {
			return fmt.Errorf("version %q, %w", v.ID, err)
		}
	}
	return nil
}

func validateID(id string) error {
	if id == "" {
		return errors.New("id is empty")
	}
	if len(id) > 64 {
		return errors.New("id longer than 64 characters")
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return fmt.Errorf("id %q: use only a-z, 0-9, '-', '.' and '_'", id)
		}
	}
	return nil
}

func (v *Version) validateHeader() error {
	if err := validateID(v.ID); err != nil {
		return err
	}
	if _, err := time.Parse(time.DateOnly, v.SourceDate); err != nil {
		return fmt.Errorf("sourceDate %q is not a date (want YYYY-MM-DD)", v.SourceDate)
	}
	if strings.TrimSpace(v.Source) == "" {
		return errors.New("source is empty")
	}
	if err := validateText("source", v.Source); err != nil {
		return err
	}
	if v.Confidence != ConfidencePrimary && v.Confidence != ConfidenceSecondary {
		return fmt.Errorf("confidence %q unknown (want primary or secondary)", v.Confidence)
	}
	if len(v.AllRows) == 0 {
		return errors.New("no rows")
	}
	return nil
}

type rowKey struct {
	cloud    Cloud
	scope    Scope
	address  string
	port     int
	protocol string
}

// validateRows checks each row and rejects duplicates; its errors start with
// the row, to follow `version "id", `.
func (v *Version) validateRows() error {
	seen := make(map[rowKey]int, len(v.AllRows))
	for i, r := range v.AllRows {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("row %d (%q): %w", i+1, r.Address, err)
		}
		k := rowKey{r.Cloud, r.Scope, r.Address, r.Port, r.Protocol}
		if j, ok := seen[k]; ok {
			return fmt.Errorf("row %d (%q): duplicate of row %d (same cloud, scope, address, port and protocol)", i+1, r.Address, j+1)
		}
		seen[k] = i
	}
	return nil
}
