package workspace

import "fmt"

// LimitError says the service stopped a query at one of its limits: the
// rows or bytes of a result (Size), or the memory or time a query may
// use (a partial error the service's documentation calls retryable by
// asking for less: E_LOW_MEMORY_CONDITION, E_RUNAWAY_QUERY, 80DA0001,
// a timeout). Query meets it by splitting the time range.
type LimitError struct {
	Size   bool
	Detail string
}

// Error implements error.
func (e *LimitError) Error() string {
	if e.Size {
		return "the result passed the service's row or size limit (500,000 rows, 64 MB): " + e.Detail
	}
	return "the query passed the service's memory or time limit: " + e.Detail
}

// WarningError is a partial error of the service whose details are all
// warnings (no severity Error or Critical) beside valid tables: the rows
// stand, and the warning is said.
type WarningError struct {
	Detail string
}

// Error implements error.
func (e *WarningError) Error() string {
	return "the service warned: " + e.Detail
}

// TimeoutError says a query (Query) or the whole workspace scan got no
// answer within its deadline.
type TimeoutError struct {
	Query  bool
	Detail string
}

// Error implements error.
func (e *TimeoutError) Error() string {
	if e.Query {
		return "no answer to a query within its deadline: " + e.Detail
	}
	return "the workspace scan passed its deadline: " + e.Detail
}

// AuthError says no token could be had (Token) or the service refused the
// identity's token (Status 401 or 403).
type AuthError struct {
	Token  bool
	Status int
	Detail string
}

// Error implements error.
func (e *AuthError) Error() string {
	if e.Token {
		return "no token for the Log Analytics API: " + e.Detail
	}
	return fmt.Sprintf("the Log Analytics API refused the identity (HTTP %d): %s", e.Status, e.Detail)
}

// NoTableError says the workspace has no Event table: none of its
// machines sends Windows events.
type NoTableError struct {
	Detail string
}

// Error implements error.
func (e *NoTableError) Error() string {
	return "the workspace has no Event table: " + e.Detail
}
