package catalog

import (
	"fmt"
	"strings"
)

// WildcardPolicy says how a wildcard row is allowed: replaced by the names
// the agent logs, or carried as the wildcard itself.
type WildcardPolicy string

// The wildcard policies of rows (Row.Wildcard).
const (
	// WildcardNames is agent traffic: Microsoft lets the names the agent
	// logs (event 3701) replace the wildcard. The zero value.
	WildcardNames WildcardPolicy = ""
	// WildcardService is service traffic: "You must use the wildcard
	// character (*) for FQDNs involving service traffic" (Microsoft's
	// page); its hosts rotate, so observed names are never the set.
	WildcardService WildcardPolicy = "service"
	// WildcardUnnamed is a row no scan can replace by names: the agent
	// logs none under it (client rows, Windows and Office update, telemetry
	// and certificate rows).
	WildcardUnnamed WildcardPolicy = "unnamed"
)

// wildcardPolicyOf reads a wildcard row's policy from the words of
// Microsoft's page, as catalog import does: a purpose of "Service
// traffic" is service traffic, one naming "Agent traffic" agent traffic
// (replaced by names), any other wildcard unnamed. Exact names have none.
func wildcardPolicyOf(r Row) WildcardPolicy {
	if r.Kind() != KindWildcard {
		return WildcardNames
	}
	p := strings.ToLower(r.Purpose)
	switch {
	case strings.HasPrefix(p, "service traffic"):
		return WildcardService
	case strings.Contains(p, "agent traffic"):
		return WildcardNames
	}
	return WildcardUnnamed
}

// validWildcardPolicy checks a row's policy: known, and only on wildcards.
func (r Row) validWildcardPolicy() error {
	switch r.Wildcard {
	case WildcardNames:
		return nil
	case WildcardService, WildcardUnnamed:
		if r.Kind() != KindWildcard {
			return fmt.Errorf("wildcard %q on a row that is no wildcard", r.Wildcard)
		}
		return nil
	}
	return fmt.Errorf("wildcard %q unknown (want service or unnamed)", r.Wildcard)
}

// Wildcard is a wildcard row carried as a wildcard in the allowlist: one
// Microsoft requires as such (service traffic), or one no scan can
// replace by names. Renderers write it in the form their product
// enforces, in a rule or section of its own that says why (Reason).
type Wildcard struct {
	Address    string         `json:"address"`
	Port       int            `json:"port"`
	Protocol   string         `json:"protocol"`
	Purpose    string         `json:"purpose"`
	ServiceTag string         `json:"serviceTag,omitempty"`
	Required   bool           `json:"required"`
	Policy     WildcardPolicy `json:"policy"`
	// Registrable marks a wildcard any Azure customer can put a name
	// under (a Service Bus namespace): Microsoft requires it, so it is
	// carried, with the risk said.
	Registrable bool   `json:"registrable,omitempty"`
	Observed    int    `json:"observed"` // discovered hosts also listed as entries
	Reason      string `json:"reason"`
}

// carriedWildcard is the Wildcard of row r with n names observed under it.
func carriedWildcard(r Row, n int) Wildcard {
	w := Wildcard{Address: r.Address, Port: r.Port, Protocol: r.Protocol, Purpose: r.Purpose, ServiceTag: r.ServiceTag,
		Required: r.Required, Policy: r.Wildcard, Registrable: customerNamed(r), Observed: n}
	switch {
	case r.Wildcard == WildcardService:
		w.Reason = "service traffic: Microsoft requires the wildcard; its gateway and broker hosts rotate, so the names seen are never the whole set"
	case r.Scope == ScopeClient:
		w.Reason = "end-user devices log no host names under this row: no scan can replace the wildcard"
	default:
		w.Reason = "the agent logs no host names under this row: no scan can replace the wildcard"
	}
	if w.Registrable {
		w.Reason += "; any Azure customer can create a name under it, so it also admits names that are not Microsoft's"
	}
	return w
}
