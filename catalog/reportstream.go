package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// A ReportVisitor receives a report read as a stream (StreamReport):
// first its head, then each entry of its regions and each item of its
// rejected, deprecated and review lists, checked and brought to the
// current schema, one at a time.
type ReportVisitor struct {
	// Head receives everything but the regions and the three lists; an
	// error stops the reading.
	Head func(rep Report) error
	// Entry receives each entry of each region, with the region's name.
	Entry func(region string, e Entry) error
	// Excluded receives each item of "rejected", "deprecated" and
	// "review".
	Excluded func(list string, x Excluded) error
}

// StreamReport reads a JSON report as DecodeReport does, with the same
// checks and upgrades of older schema versions, but holds only one entry
// or item in memory at a time: open is called three times, for a first pass
// that reads the head (schema version, catalog, cloud, hosts, inputs, the
// counts of what the lists left out), a second that checks the regions
// and the lists, and a third that hands them to v. It returns the head.
func StreamReport(open func() (io.ReadCloser, error), v ReportVisitor) (Report, error) {
	var rep Report
	if err := walkReport(open, func(dec *json.Decoder, key string) (bool, error) {
		if f := headField(&rep, key); f != nil {
			return true, dec.Decode(f)
		}
		return false, nil
	}); err != nil {
		return rep, err
	}
	version := rep.SchemaVersion
	if version < 1 || version > ReportSchemaVersion {
		return rep, fmt.Errorf("schemaVersion %d; this avdurls reads 1 to %d", version, ReportSchemaVersion)
	}
	rep.SchemaVersion = ReportSchemaVersion
	if err := rep.Check(); err != nil {
		return rep, err
	}
	if v.Head != nil {
		if err := v.Head(rep); err != nil {
			return rep, err
		}
	}
	// The body is checked whole before any of it is handed on: a report
	// that fails gives nothing.
	if err := walkBody(open, rep.Cloud, version, ReportVisitor{}); err != nil {
		return rep, err
	}
	return rep, walkBody(open, rep.Cloud, version, v)
}

// walkBody reads the regions and lists of a report, checked, into v.
func walkBody(open func() (io.ReadCloser, error), cloud Cloud, version int, v ReportVisitor) error {
	return walkReport(open, func(dec *json.Decoder, key string) (bool, error) {
		switch key {
		case "regions":
			return true, eachItem(dec, key, func(i int) error { return streamRegion(dec, i, cloud, v) })
		case "rejected", "deprecated", "review":
			return true, eachItem(dec, key, func(i int) error {
				var x Excluded
				if err := dec.Decode(&x); err != nil {
					return err
				}
				upgradeExcluded(version, key, &x)
				if err := x.check(); err != nil {
					return fmt.Errorf("%s[%d].%w", key, i, err)
				}
				if v.Excluded != nil {
					return v.Excluded(key, x)
				}
				return nil
			})
		}
		return false, nil
	})
}

// headField is where a field of the head is decoded to; nil for the
// regions and lists, and for unknown fields.
func headField(rep *Report, key string) any {
	switch key {
	case "schemaVersion":
		return &rep.SchemaVersion
	case "catalog":
		return &rep.Catalog
	case "cloud":
		return &rep.Cloud
	case "scope":
		return &rep.Scope
	case "optional":
		return &rep.Optional
	case "hosts":
		return &rep.Hosts
	case "trustSuffixes":
		return &rep.TrustSuffixes
	case "inputs":
		return &rep.Inputs
	case "rejectedMore":
		return &rep.RejectedMore
	case "deprecatedMore":
		return &rep.DeprecatedMore
	case "reviewMore":
		return &rep.ReviewMore
	case "hostsMore":
		return &rep.HostsMore
	}
	return nil
}

var bodyFields = map[string]bool{"regions": true, "rejected": true, "deprecated": true, "review": true}

// walkReport reads the report's object once: field calls the visit of each
// key, which reads its value and says so, or leaves it to be skipped.
// Unknown keys and data after the object are errors.
func walkReport(open func() (io.ReadCloser, error), field func(dec *json.Decoder, key string) (bool, error)) error {
	r, err := open()
	if err != nil {
		return err
	}
	defer r.Close()
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := expect(dec, '{'); err != nil {
		return notReport(err)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return notReport(err)
		}
		key, _ := t.(string)
		if headField(&Report{}, key) == nil && !bodyFields[key] {
			return notReport(fmt.Errorf("json: unknown field %q", key))
		}
		done, err := field(dec, key)
		if err == nil && !done {
			err = skipValue(dec)
		}
		if err != nil {
			return notReport(err)
		}
	}
	if err := expect(dec, '}'); err != nil {
		return notReport(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("not an avdurls JSON report: data after the report")
	}
	return nil
}

// notReport says a decoding error is that of a report; an error of the
// checks or of the visitor passes as it is.
func notReport(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.As(err, &syn) || errors.As(err, &typ) || errors.Is(err, errNotJSON) {
		return fmt.Errorf("not an avdurls JSON report: %w", err)
	}
	return err
}

var errNotJSON = errors.New("not the JSON object of a report")

func expect(dec *json.Decoder, d json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) && d == '}' {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	if t != d {
		return fmt.Errorf("%w: %v where %v was expected", errNotJSON, t, d)
	}
	return nil
}

// skipValue reads one value and drops it.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		t, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// eachItem reads an array, calling item with the index of each element;
// null is an array of none, as DecodeReport reads it.
func eachItem(dec *json.Decoder, name string, item func(i int) error) error {
	t, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if t == nil {
		return nil
	}
	if t != json.Delim('[') {
		return fmt.Errorf("%s: %w: %v where [ was expected", name, errNotJSON, t)
	}
	for i := 0; dec.More(); i++ {
		if err := item(i); err != nil {
			return err
		}
	}
	return expect(dec, ']')
}

// streamRegion reads one region, handing its entries to the visitor as
// they come (entries that come before its name wait for it).
func streamRegion(dec *json.Decoder, i int, cloud Cloud, v ReportVisitor) error {
	if err := expect(dec, '{'); err != nil {
		return fmt.Errorf("regions[%d]: %w", i, err)
	}
	var r Region
	named := false
	// early holds the entries of a region whose name comes after them (a
	// JSON object's keys may come in any order: Go writes a map's sorted,
	// "entries" before "region"); they are handed on once it is named.
	var early []Entry
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		switch key {
		case "region":
			if err := dec.Decode(&r.Region); err != nil {
				return err
			}
			if err := checkRegionName(cloud, r.Region); err != nil {
				return fmt.Errorf("regions[%d].%w", i, err)
			}
			named = true
		case "entries":
			err = eachItem(dec, "entries", func(j int) error {
				var e Entry
				if err := dec.Decode(&e); err != nil {
					return err
				}
				if err := e.check(); err != nil {
					return fmt.Errorf("regions[%d].entries[%d].%w", i, j, err)
				}
				if !named {
					early = append(early, e)
					return nil
				}
				if v.Entry != nil {
					return v.Entry(r.Region, e)
				}
				return nil
			})
		case "ipRules":
			err = dec.Decode(&r.IPRules)
		case "wildcards":
			err = dec.Decode(&r.Wildcards)
		case "unresolved":
			err = dec.Decode(&r.Unresolved)
		case "warnings":
			err = dec.Decode(&r.Warnings)
		default:
			return fmt.Errorf("json: unknown field %q in regions[%d]", key, i)
		}
		if err != nil {
			return err
		}
	}
	if err := r.check(cloud); err != nil {
		return fmt.Errorf("regions[%d].%w", i, err)
	}
	if !named {
		return fmt.Errorf("regions[%d]: no region name", i)
	}
	for _, e := range early {
		if v.Entry != nil {
			if err := v.Entry(r.Region, e); err != nil {
				return err
			}
		}
	}
	return expect(dec, '}')
}
