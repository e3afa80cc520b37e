package main

import (
	"context"
	"fmt"
)

// logsQuerier runs one KQL query against a Log Analytics workspace and
// returns its first table. It is all the workspace scan needs of Azure
// Monitor Logs; workspace_azlogs.go implements it with the Azure SDK for
// Go, so that nothing else in the scan imports the SDK, and tests replace
// it. Everything a querier returns is untrusted input.
type logsQuerier interface {
	Query(ctx context.Context, workspaceID, kql string) (logTable, error)
}

// logTable is the primary result table of a query: its columns and rows
// as the service sent them (strings, float64 numbers, nil).
type logTable struct {
	Columns []logColumn
	Rows    [][]any
}

// logColumn is one column of a logTable: its name and the service's type
// name (string, int, long, datetime, ...).
type logColumn struct {
	Name, Type string
}

// newWorkspaceQuerier makes the querier of a scan for a cloud (public,
// usgov, china); tests replace it with one that talks to a fake service.
var newWorkspaceQuerier = newAzlogsQuerierFor

// queryLimitError says the service stopped a query at one of its limits:
// the rows or bytes of a result (Size) or the time a query may run.
type queryLimitError struct {
	Size   bool
	Detail string
}

// Error implements error.
func (e *queryLimitError) Error() string {
	if e.Size {
		return "the result passed the service's row or size limit (500,000 rows, 64 MB): " + e.Detail
	}
	return "the query passed the service's time limit: " + e.Detail
}

// queryAuthError says no token could be had (Token) or the service refused
// the identity's token (Status 401 or 403).
type queryAuthError struct {
	Token  bool
	Status int
	Detail string
}

// Error implements error.
func (e *queryAuthError) Error() string {
	if e.Token {
		return "no token for the Log Analytics API: " + e.Detail
	}
	return fmt.Sprintf("the Log Analytics API refused the identity (HTTP %d): %s", e.Status, e.Detail)
}

// queryNoTableError says the workspace has no Event table: none of its
// machines sends Windows events.
type queryNoTableError struct {
	Detail string
}

// Error implements error.
func (e *queryNoTableError) Error() string {
	return "the workspace has no Event table: " + e.Detail
}
