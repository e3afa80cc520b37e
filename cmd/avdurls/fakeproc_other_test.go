//go:build !linux

package main

// serveFakeWorkspace is the fleet benchmark's fake workspace process,
// which runs on Linux only (see fleetbench_test.go).
func serveFakeWorkspace() int { return 1 }
