package workspace

import "fmt"

// LimitError says the service stopped a query at one of its limits: the
// rows or bytes of a result (Size) or the time a query may run. Query
// meets it by splitting the time range.
type LimitError struct {
	Size   bool
	Detail string
}

// Error implements error.
func (e *LimitError) Error() string {
	if e.Size {
		return "the result passed the service's row or size limit (500,000 rows, 64 MB): " + e.Detail
	}
	return "the query passed the service's time limit: " + e.Detail
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
