// Package discover turns WVD-Agent events into host names with evidence.
//
// The Azure Virtual Desktop agent logs the region-specific endpoints it
// checked in the Application log: event 3701 for those it reached, 3702 for
// those it could not. The exact message layout is not publicly documented,
// so Extract does not depend on one: it takes host names from every data
// string, bare or inside URLs, and reports everything that looks like a host
// name but is not a valid one as a Reject with a reason.
//
// Any local user can write a WVD-Agent event, so nothing found here is
// trusted: Normalize only checks that a name is a plain ASCII host name and
// never converts look-alikes into one. Whether a host belongs on an
// allowlist is decided elsewhere (package catalog).
//
// The package does no I/O.
package discover

import "time"

// Status tells what the agent said about a host.
type Status string

// The statuses a Finding can carry.
const (
	Reachable   Status = "reachable"   // event 3701 or an "accessible" section
	Unreachable Status = "unreachable" // event 3702 or a "not accessible" section
	Reported    Status = "reported"    // any other event id
)

// StatusFor returns the status an event id implies before any section header
// is seen (the AgentEvents table): Reachable for 3701, Unreachable for 3702,
// Reported otherwise.
func StatusFor(eventID uint32) Status {
	if e, ok := agentEvent(eventID); ok && e.Status != "" {
		return e.Status
	}
	return Reported
}

// Evidence says where a host name was seen.
type Evidence struct {
	Computer string    `json:"computer"`
	File     string    `json:"file"`
	RecordID uint64    `json:"recordId"`
	EventID  uint32    `json:"eventId"`
	Time     time.Time `json:"time"`
	Status   Status    `json:"status"`
}

// Finding is a valid, normalised host name and the event it came from.
type Finding struct {
	Host     string   `json:"host"`
	Evidence Evidence `json:"evidence"`
}

// Reject is text that looked like a host name but is not a valid one.
//
// Value is the offending token with surrounding quotes and brackets removed.
// It is safe to print: a token longer than 512 bytes is cut there and
// marked with a trailing "...", and if it holds anything but printable ASCII
// it is escaped Go-style (\x00, \u202e, ...).
type Reject struct {
	Value    string   `json:"value"`
	Code     Code     `json:"code"`
	Reason   string   `json:"reason"`
	Evidence Evidence `json:"evidence"`
}

// Code says why a name was kept out of every allowlist. Reports carry it
// beside the reason text, so that a program (and avdurls itself, when it
// merges reports) can tell the reasons apart without reading the text.
type Code string

// The codes of the names discover rejects; package catalog adds the ones
// that depend on the catalog and the options.
const (
	// CodeInvalidName: the text is not a valid host name.
	CodeInvalidName Code = "invalid-name"
	// CodeForged: the event claims the agent's provider but was logged to
	// another channel than Application.
	CodeForged Code = "forged-channel"
	// CodeTooManyNames: the event holds more host names than are read from
	// one event.
	CodeTooManyNames Code = "too-many-names"
)

// ReasonForged is the reason given with CodeForged.
const ReasonForged = "event claims the agent's provider but was logged to a channel other than Application: possibly forged"
