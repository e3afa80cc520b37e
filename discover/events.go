package discover

// Role says what an agent event is read for.
type Role int

// The roles of the agent's events.
const (
	// RoleURLs events name the endpoints the agent checked: their host
	// names are extracted and judged.
	RoleURLs Role = iota + 1
	// RoleHealth events report a failure; they are kept per host as
	// evidence of health, their names are not allowlisted.
	RoleHealth
)

// AgentEvent is one event ID of the WVD-Agent source.
type AgentEvent struct {
	ID   uint32
	Role Role
	// Status is what the event says of the names in it before any
	// section header ("Accessible URLs:") says otherwise.
	Status Status
	// Newest marks the events that date a host's newest URL check
	// (hosts[].newest3701 in the JSON report, named for the event that
	// usually carries it): a deprecated name the newest check lists is
	// still needed.
	Newest  bool
	Meaning string
}

// AgentEvents is the one table of the agent's event IDs avdurls reads;
// adding an ID here adds it to every source (files, event XML, the live
// log, a Log Analytics workspace) and to the collection rule XPath.
var AgentEvents = []AgentEvent{
	{ID: 3701, Role: RoleURLs, Status: Reachable, Newest: true, Meaning: "URLs the agent reached"},
	{ID: 3702, Role: RoleURLs, Status: Unreachable, Newest: true, Meaning: "URLs the agent could not reach"},
	{ID: 3703, Role: RoleHealth, Status: Reported, Meaning: "RD Gateway URL not accessible"},
	{ID: 3019, Role: RoleHealth, Status: Reported, Meaning: "web-socket transport URLs not reachable"},
	{ID: 3277, Role: RoleHealth, Status: Reported, Meaning: "broker or registration failures"},
}

// EventIDs returns the IDs of the agent events of a role, in table order.
func EventIDs(role Role) []uint32 {
	var ids []uint32
	for _, e := range AgentEvents {
		if e.Role == role {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// agentEvent returns the table row of an event ID.
func agentEvent(id uint32) (AgentEvent, bool) {
	for _, e := range AgentEvents {
		if e.ID == id {
			return e, true
		}
	}
	return AgentEvent{}, false
}

// NewestTracked reports whether hosts[].newest3701 follows this event ID.
func NewestTracked(id uint32) bool {
	e, ok := agentEvent(id)
	return ok && e.Newest
}
