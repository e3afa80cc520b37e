package evtx

import (
	"errors"
	"time"
)

// Options say how every source is read: which events (Providers,
// EventIDs, Since), the budgets that bound a hostile input (MaxEvents,
// Timeout, MaxEventBytes, MaxEventElements) and how (NoPrefilter,
// Checksums, Workers, Channel). The zero value reads every event of every
// provider with no budget.
type Options struct {
	// Providers are matched case-insensitively; empty means any.
	Providers []string
	// EventIDs; empty means any.
	EventIDs []uint32
	// Since skips the events logged before it (counted in Stats.Old);
	// zero: every event. The live log is asked for the later ones only.
	Since time.Time
	// MaxEvents cuts a file after this many matching events, bounding the
	// memory a flood of (forged) events can take (the error wraps
	// ErrBudget); the live log: its newest MaxEvents. 0: no limit.
	MaxEvents int
	// Timeout cuts a file that takes longer than this (the error wraps
	// ErrBudget); 0: no limit.
	Timeout time.Duration
	// MaxEventBytes bounds the text, element names and attributes of one
	// event of rendered XML, MaxEventElements its elements. A larger event
	// is skipped with a warning and counted in Stats.Oversized; the read
	// goes on. 0 means the default, a negative value no limit.
	MaxEventBytes    int
	MaxEventElements int
	// NoPrefilter turns off the skipping of chunks and records that cannot
	// hold a wanted provider (see prefilter), for comparison.
	NoPrefilter bool
	// Checksums is the checksum policy; the zero value is ChecksumWarn.
	Checksums ChecksumPolicy
	// Workers decoding chunks of .evtx files; 0 means GOMAXPROCS.
	Workers int
	// Channel is the log the live source reads; "" is Application.
	Channel string
}

// Match reports whether an event passes the options' providers, event IDs
// and Since.
func (o Options) Match(ev Event) bool {
	return o.filter().match(ev) && (o.Since.IsZero() || !ev.Time.Before(o.Since))
}

// filter is the provider and event ID part of the options.
func (o Options) filter() filter {
	return filter{Providers: o.Providers, EventIDs: o.EventIDs}
}

// ErrBudget is wrapped in the error of an input cut short by a budget of
// Options; the events before the cut were delivered.
var ErrBudget = errors.New("budget exceeded")

// budgetError is the error of an input cut by a budget; it matches
// ErrBudget.
type budgetError string

func (e budgetError) Error() string        { return string(e) }
func (e budgetError) Is(target error) bool { return target == ErrBudget }

// ChecksumPolicy says what a read does with chunk and file header
// checksums.
type ChecksumPolicy int

// The checksum policies.
const (
	// ChecksumWarn, the default, verifies the checksums of the chunks that
	// matter (those that gave a wanted record or were found damaged):
	// a mismatch is a warning, counted in Stats.ChecksumErrors, and the
	// records are read anyway (the chunk being written when a log was
	// copied often has one).
	ChecksumWarn ChecksumPolicy = iota
	// ChecksumIgnore verifies no checksum: no warning, nothing counted.
	ChecksumIgnore
)
