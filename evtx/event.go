// Package evtx reads Windows event records from .evtx files into a small,
// library-independent Event type.
//
// It is the only package that knows the EVTX file format, BinXML or
// golang-evtx. Damage in a file is reported as values (see Warning), never as
// a panic: a damaged chunk costs that chunk only.
package evtx

import (
	"fmt"
	"time"
)

// Event is one event record, reduced to the fields avdurls needs.
type Event struct {
	Provider   string    `json:"provider"`
	EventID    uint32    `json:"eventId"`
	Qualifiers uint32    `json:"qualifiers,omitempty"`
	RecordID   uint64    `json:"recordId"`
	Time       time.Time `json:"time"`
	Computer   string    `json:"computer"`
	Channel    string    `json:"channel"`
	// Data holds the <EventData> (or <UserData>) values in document order,
	// empty strings included.
	Data []string `json:"data"`
	// DataNames holds the Name attribute of each Data element, "" where the
	// element has none (classic event sources). Same length as Data.
	DataNames []string `json:"dataNames,omitempty"`
	// Message is the rendered message text where the source has one
	// (RenderingInfo in rendered XML); empty for .evtx records.
	Message string `json:"message,omitempty"`
	// Recovered is set for a record that lies past the last record its
	// chunk header accounts for: flushed by a log that was not closed
	// cleanly, or left from earlier use of the chunk. Readers that trust
	// the header (libevtx) do not show it.
	Recovered bool `json:"recovered,omitempty"`
	// Partial is set for a record that could be decoded only in part (a
	// warning names it and says why): some fields may be missing.
	Partial bool `json:"partial,omitempty"`
	// Source names where the record came from.
	File  string `json:"file"`
	Chunk int    `json:"chunk"` // index of the chunk in the file, 0-based; -1 if not from a chunk
}

// Warning reports damage that cost part of a file: a chunk that could not be
// read, or records inside a chunk that were skipped.
type Warning struct {
	File   string `json:"file"`
	Chunk  int    `json:"chunk"` // -1 for the file header
	Offset int64  `json:"offset"`
	Reason string `json:"reason"`
}

func (w Warning) String() string {
	if w.Chunk < 0 {
		return fmt.Sprintf("%s: %s", w.File, w.Reason)
	}
	return fmt.Sprintf("%s: chunk %d (offset %#x): %s", w.File, w.Chunk, w.Offset, w.Reason)
}
