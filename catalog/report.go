package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/avdurls/avdurls/discover"
)

// DecodeReport reads a JSON report of 'avdurls scan --format json' and
// checks every field of it (Report.Check): a report is input like any
// other, and may have been edited. Unknown fields are errors. Reports of
// schema version 1 are read too and brought to the current form (codes
// derived from their reasons, an empty review list).
func DecodeReport(b []byte) (Report, error) {
	var rep Report
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		return rep, fmt.Errorf("not an avdurls JSON report: %v", err)
	}
	if dec.More() {
		return rep, errors.New("not an avdurls JSON report: data after the report")
	}
	switch rep.SchemaVersion {
	case 1:
		upgradeV1(&rep)
		upgradeV2(&rep)
		upgradeV3(&rep)
	case 2:
		upgradeV2(&rep)
		upgradeV3(&rep)
	case 3:
		upgradeV3(&rep)
	case ReportSchemaVersion:
	default:
		return rep, fmt.Errorf("schemaVersion %d; this avdurls reads 1 to %d", rep.SchemaVersion, ReportSchemaVersion)
	}
	if err := rep.Check(); err != nil {
		return rep, err
	}
	return rep, nil
}

// upgradeV3 brings a version 3 report to version 4, which bounds its
// lists: a version 3 report listed every name, so none is left out (its
// rejectedMore, deprecatedMore and reviewMore are zero), the status of
// each item kept out is that of its evidence (version 4 keeps it apart,
// as the evidence is a sample), and its evidence is sampled again when
// it is merged.
func upgradeV3(rep *Report) {
	rep.SchemaVersion = ReportSchemaVersion
	for _, list := range [][]Excluded{rep.Rejected, rep.Deprecated, rep.Review} {
		for i := range list {
			statusOfEvidence(&list[i])
		}
	}
}

// statusOfEvidence gives an item kept out by a report of version 3 or
// older the status of its evidence, but none to a name rejected in the
// event itself, as a scan gives them.
func statusOfEvidence(x *Excluded) {
	if x.Code == discover.CodeInvalidName || x.Code == discover.CodeForged || x.Code == discover.CodeTooManyNames {
		return
	}
	for _, e := range x.Evidence {
		x.Status = x.Status.Union(discover.StatusesOf(e.Status))
	}
}

// upgradeExcluded brings one item of list (rejected, deprecated, review)
// of a report of the given version to the current one.
func upgradeExcluded(version int, list string, x *Excluded) {
	if version == 1 {
		if list == "deprecated" {
			x.Code = CodeDeprecated
		} else {
			codeOfReason(x)
		}
	}
	if version <= 3 {
		statusOfEvidence(x)
	}
}

// upgradeV2 gives a version 2 report the lists version 3 adds: its
// regions' carried wildcards (none: version 2 reported them unresolved).
func upgradeV2(rep *Report) {
	rep.SchemaVersion = ReportSchemaVersion
	for i := range rep.Regions {
		if rep.Regions[i].Wildcards == nil {
			rep.Regions[i].Wildcards = []Wildcard{}
		}
	}
}

// upgradeV1 gives a version 1 report the codes version 2 carries.
func upgradeV1(rep *Report) {
	rep.SchemaVersion = ReportSchemaVersion
	for i := range rep.Rejected {
		codeOfReason(&rep.Rejected[i])
	}
	for i := range rep.Deprecated {
		rep.Deprecated[i].Code = CodeDeprecated
	}
	if rep.Review == nil {
		rep.Review = []Excluded{}
	}
}

// codeOfReason gives a rejected item of a version 1 report its code, from
// its reason.
func codeOfReason(x *Excluded) {
	switch {
	case strings.HasPrefix(x.Reason, "not under any "):
		x.Code = CodeUntrusted
	case strings.HasPrefix(x.Reason, "event claims provider "):
		x.Code = discover.CodeForged
	default:
		x.Code = discover.CodeInvalidName
	}
}

// Check validates every field of a report against the same rules that
// govern what avdurls itself writes: enumerations, Azure region names of
// the report's cloud, host names, addresses, ports, computer names and
// printable text of bounded length. The error names the first field at
// fault, JSON-path style ("hosts[3].region: ...").
func (rep *Report) Check() error {
	if !slices.Contains(Clouds(), rep.Cloud) {
		return fmt.Errorf("cloud %q is not one of public, usgov, china", discover.CleanText(string(rep.Cloud), 40))
	}
	if !slices.Contains(Scopes(), rep.Scope) {
		return fmt.Errorf("scope %q is not one of sessionhost, client", discover.CleanText(string(rep.Scope), 40))
	}
	if err := rep.Catalog.check(); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	for i, r := range rep.Regions {
		if err := r.check(rep.Cloud); err != nil {
			return fmt.Errorf("regions[%d].%w", i, err)
		}
	}
	for i, h := range rep.Hosts {
		if err := h.check(rep.Cloud); err != nil {
			return fmt.Errorf("hosts[%d].%w", i, err)
		}
	}
	if err := rep.checkCheckedBy(); err != nil {
		return err
	}
	for _, l := range []struct {
		name  string
		items []Excluded
	}{{"rejected", rep.Rejected}, {"deprecated", rep.Deprecated}, {"review", rep.Review}} {
		for i, x := range l.items {
			if err := x.check(); err != nil {
				return fmt.Errorf("%s[%d].%w", l.name, i, err)
			}
		}
	}
	for _, m := range []struct {
		name string
		rest Rest
	}{{"rejectedMore", rep.RejectedMore}, {"deprecatedMore", rep.DeprecatedMore}, {"reviewMore", rep.ReviewMore}, {"hostsMore", rep.HostsMore}} {
		if err := checkFields(countField("names", m.rest.Names), countField("sightings", m.rest.Sightings)); err != nil {
			return fmt.Errorf("%s.%w", m.name, err)
		}
	}
	for i, s := range rep.TrustSuffixes {
		if err := checkHost("suffix", s); err != nil {
			return fmt.Errorf("trustSuffixes[%d].%w", i, err)
		}
	}
	for i, in := range rep.Inputs {
		if err := in.check(); err != nil {
			return fmt.Errorf("inputs[%d].%w", i, err)
		}
	}
	return nil
}

// checkCheckedBy checks that only deprecated entries name the hosts that
// still check them, and that those are hosts of the report.
func (rep *Report) checkCheckedBy() error {
	hosts := map[string]bool{}
	for _, h := range rep.Hosts {
		hosts[h.Computer] = true
	}
	for i, r := range rep.Regions {
		for j, e := range r.Entries {
			if e.Deprecated != (len(e.CheckedBy) > 0) {
				return fmt.Errorf("regions[%d].entries[%d]: deprecated is %v with %d checkedBy hosts", i, j, e.Deprecated, len(e.CheckedBy))
			}
			for _, c := range e.CheckedBy {
				if !hosts[c] {
					return fmt.Errorf("regions[%d].entries[%d].checkedBy: %q is not a host of the report", i, j, discover.CleanText(c, 80))
				}
			}
		}
	}
	return nil
}

func (c CatalogRef) check() error {
	if err := validateID(c.Version); err != nil {
		return fmt.Errorf("version: %w", err)
	}
	if err := checkDate(c.SourceDate); err != nil {
		return err
	}
	if c.Confidence != ConfidencePrimary && c.Confidence != ConfidenceSecondary {
		return fmt.Errorf("confidence %q is not primary or secondary", discover.CleanText(c.Confidence, 40))
	}
	return discover.CheckText("source", c.Source, 2000)
}

func (r Region) check(cloud Cloud) error {
	if err := checkRegionName(cloud, r.Region); err != nil {
		return err
	}
	for _, l := range []struct {
		name  string
		items []Entry
	}{{"entries", r.Entries}, {"ipRules", r.IPRules}} {
		for i, e := range l.items {
			if err := e.check(); err != nil {
				return fmt.Errorf("%s[%d].%w", l.name, i, err)
			}
		}
	}
	for i, u := range r.Unresolved {
		if err := validateAddress(u.Address); err != nil {
			return fmt.Errorf("unresolved[%d].%w", i, err)
		}
		if err := checkFields(portField(u.Port), textField("purpose", u.Purpose), textField("reason", u.Reason), countField("observed", u.Observed),
			func() error { return validateServiceTag(u.ServiceTag) }, protocolField(u.Protocol, true)); err != nil {
			return fmt.Errorf("unresolved[%d].%w", i, err)
		}
	}
	for i, w := range r.Wildcards {
		if err := validateWildcard(w.Address); err != nil {
			return fmt.Errorf("wildcards[%d].%w", i, err)
		}
		if w.Policy != WildcardService && w.Policy != WildcardUnnamed {
			return fmt.Errorf("wildcards[%d].policy %q is not service or unnamed", i, discover.CleanText(string(w.Policy), 40))
		}
		if err := checkFields(portField(w.Port), textField("purpose", w.Purpose), textField("reason", w.Reason), countField("observed", w.Observed),
			func() error { return validateServiceTag(w.ServiceTag) }, protocolField(w.Protocol, true)); err != nil {
			return fmt.Errorf("wildcards[%d].%w", i, err)
		}
	}
	for i, w := range r.Warnings {
		if err := discover.CheckText("warning", w, 2000); err != nil {
			return fmt.Errorf("warnings[%d].%w", i, err)
		}
	}
	return nil
}

// checkRegionName accepts the regions of the cloud, UnknownRegion and
// regions Azure reported that the table lacks (CheckReportedRegion).
func checkRegionName(cloud Cloud, name string) error {
	if name == UnknownRegion {
		return nil
	}
	_, err := CheckReportedRegion(cloud, name)
	return err
}

func (e Entry) check() error {
	switch e.Kind {
	case KindFQDN.String():
		if err := checkHost("address", e.Address); err != nil {
			return err
		}
	case KindIP.String(), KindCIDR.String():
		if err := validateAddress(e.Address); err != nil || kindOf(e.Address).String() != e.Kind {
			return fmt.Errorf("address %q is not a canonical %s", discover.CleanText(e.Address, 80), e.Kind)
		}
	default:
		return fmt.Errorf("kind %q is not fqdn, ip or cidr", discover.CleanText(e.Kind, 40))
	}
	if e.Source != "catalog" && e.Source != "event" {
		return fmt.Errorf("source %q is not catalog or event", discover.CleanText(e.Source, 40))
	}
	if e.Replaces != "" {
		if err := validateAddress(e.Replaces); err != nil {
			return fmt.Errorf("replaces: %w", err)
		}
	}
	if err := validateServiceTag(e.ServiceTag); err != nil {
		return err
	}
	if err := checkFields(protocolField(e.Protocol, false), portField(e.Port), textField("purpose", e.Purpose), countField("evidenceCount", e.EvidenceCount)); err != nil {
		return err
	}
	return checkEvidence(e.Evidence)
}

func (h Host) check(cloud Cloud) error {
	if err := discover.CheckComputer(h.Computer); err != nil {
		return err
	}
	if err := checkRegionName(cloud, h.Region); err != nil {
		return err
	}
	if err := checkFields(textField("regionBasis", h.RegionBasis), countField("events", h.Events), countField("unreachableMore", h.UnreachableMore)); err != nil {
		return err
	}
	for i, n := range h.Unreachable {
		if err := checkHost("name", n); err != nil {
			return fmt.Errorf("unreachable[%d].%w", i, err)
		}
	}
	for i, ev := range h.Health {
		if err := checkFields(textField("file", ev.File), textField("summary", ev.Summary)); err != nil {
			return fmt.Errorf("health[%d].%w", i, err)
		}
	}
	for i, c := range h.AgentChecks {
		if err := checkFields(textField("name", c.Name), textField("outcome", c.Outcome), textField("detail", c.Detail)); err != nil {
			return fmt.Errorf("agentChecks[%d].%w", i, err)
		}
	}
	return nil
}

func (x Excluded) check() error {
	if x.Code != "" && !slices.Contains(knownCodes, x.Code) {
		return fmt.Errorf("code %q is not a known code", discover.CleanText(string(x.Code), 40))
	}
	if x.Row != "" {
		if err := validateAddress(x.Row); err != nil {
			return fmt.Errorf("row: %w", err)
		}
	}
	if err := checkFields(textField("address", x.Address), textField("reason", x.Reason), countField("evidenceCount", x.EvidenceCount)); err != nil {
		return err
	}
	return checkEvidence(x.Evidence)
}

func (in InputFile) check() error {
	if !validKind(in.Kind) {
		return fmt.Errorf("kind %q is not a kind of input", discover.CleanText(in.Kind, 40))
	}
	return checkFields(textField("file", in.File), textField("error", in.Error),
		countField("records", in.Records), countField("matched", in.Matched), countField("damagedChunks", in.Damaged))
}

// validKind accepts the kinds of input avdurls names in reports (see
// scan.Kind); reports before the field have none.
func validKind(k string) bool {
	return slices.Contains([]string{"", "evtx", "xml", "urltool", "report", "report-end", "azjson", "azcsv", "empty", "live", "workspace"}, k)
}

// knownCodes are the codes a report may carry.
var knownCodes = []discover.Code{discover.CodeInvalidName, discover.CodeForged, discover.CodeTooManyNames,
	CodeUntrusted, CodeRegistrable, CodeOptional, CodeDeprecated, CodeLegacyAgent, CodeTooManyEntries, CodeTooManyHosts}

func checkEvidence(list []discover.Evidence) error {
	for i, e := range list {
		if err := discover.CheckComputer(e.Computer); err != nil {
			return fmt.Errorf("evidence[%d].%w", i, err)
		}
		if err := checkFields(textField("file", e.File), statusField(string(e.Status))); err != nil {
			return fmt.Errorf("evidence[%d].%w", i, err)
		}
	}
	return nil
}

// checkHost accepts a host name in the canonical form discover.Normalize
// gives.
func checkHost(field, s string) error {
	if n, err := discover.Normalize(s); err != nil || n != s {
		return fmt.Errorf("%s %q is not a valid host name in canonical form", field, discover.CleanText(s, 80))
	}
	return nil
}

// A field check is run by checkFields; each returns nil or the error.
type fieldCheck func() error

func checkFields(checks ...fieldCheck) error {
	for _, c := range checks {
		if err := c(); err != nil {
			return err
		}
	}
	return nil
}

func textField(name, s string) fieldCheck {
	max := discover.MaxText
	if name == "file" || name == "error" {
		max = discover.MaxPath
	}
	return func() error { return discover.CheckText(name, s, max) }
}

// protocolField accepts TCP and UDP, and "" where a version 1 report may
// lack the field.
func protocolField(p string, optional bool) fieldCheck {
	return func() error {
		if p != "TCP" && p != "UDP" && !(optional && p == "") {
			return fmt.Errorf("protocol %q is not TCP or UDP", discover.CleanText(p, 40))
		}
		return nil
	}
}

func portField(p int) fieldCheck {
	return func() error {
		if p < 1 || p > 65535 {
			return fmt.Errorf("port %d out of range 1-65535", p)
		}
		return nil
	}
}

func countField(name string, n int) fieldCheck {
	return func() error {
		if n < 0 {
			return fmt.Errorf("%s %d is negative", name, n)
		}
		return nil
	}
}

// statusField accepts "" and one status.
func statusField(s string) fieldCheck {
	return func() error {
		if s != "" && discover.StatusesOf(discover.Status(s)) == 0 {
			return fmt.Errorf("status %q is not reachable, unreachable or reported", discover.CleanText(s, 40))
		}
		return nil
	}
}

func checkDate(s string) error {
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return fmt.Errorf("sourceDate %q is not a date (YYYY-MM-DD)", discover.CleanText(s, 40))
	}
	return nil
}
