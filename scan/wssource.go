package scan

import (
	"context"
	"fmt"
	"github.com/avdurls/avdurls/discover"
	"strings"
	"time"

	"github.com/avdurls/avdurls/catalog"
	"github.com/avdurls/avdurls/internal/termtext"
	"github.com/avdurls/avdurls/workspace"
)

// WorkspaceOptions say which workspace a workspace scan reads, and when.
type WorkspaceOptions struct {
	ID           string // the workspace ID (see workspace.CheckID)
	From, To     time.Time
	QueryTimeout time.Duration // bounds each query (0: none)
}

// Workspace is a Log Analytics workspace as a source: the agent's events
// of its Event table over [From, To), grouped by the service, through q.
func Workspace(q workspace.Querier, o WorkspaceOptions) Source { return wsSource{q, o} }

type wsSource struct {
	q workspace.Querier
	o WorkspaceOptions
}

func (s wsSource) read(ctx context.Context, r *run) error {
	source := discover.CleanText("workspace:"+strings.ToLower(s.o.ID), discover.MaxPath)
	provider := ""
	if len(r.o.Events.Providers) > 0 {
		provider = r.o.Events.Providers[0]
	}
	wo := workspace.Options{Workspace: s.o.ID, Provider: provider, EventIDs: r.o.Events.EventIDs,
		From: s.o.From, To: s.o.To, QueryTimeout: s.o.QueryTimeout,
		Info: func(t string) { r.note(Info, t, nil) }, Warn: func(t string) { r.note(Warning, t, nil) }}
	st, err := workspace.Query(ctx, s.q, wo, r.feed(source))
	r.st.Workspace = st
	if err != nil {
		return err
	}
	if st.Rows == 0 {
		r.note(Warning, fmt.Sprintf("workspace %s holds no %s events with IDs %s in the Event table from %s to %s; collect them with a data collection rule with this XPath:\n    %s\n(see the README, section Fleets)",
			s.o.ID, provider, idString(r.urlIDs), s.o.From.Format(time.RFC3339), s.o.To.Format(time.RFC3339), workspace.CollectXPath), nil)
	}
	r.note(Info, fmt.Sprintf("workspace %s: %s, %s, %d time ranges split", s.o.ID, termtext.Plural(st.Queries, "query"),
		termtext.Plural(st.Rows, "grouped row"), st.Splits), nil)
	in := catalog.InputFile{File: source, Kind: "workspace", Records: st.Rows + st.Bad, Matched: r.c.events}
	if st.Bad > 0 {
		in.Error = termtext.Plural(st.Bad, "row") + " skipped"
	}
	if st.Warnings > 0 { // the service's warnings: rows may be missing
		in.Error = strings.TrimPrefix(in.Error+"; "+termtext.Plural(st.Warnings, "answer")+" with a warning of the service", "; ")
	}
	r.inputs = []catalog.InputFile{in}
	r.st.Inputs, r.st.Partial = 1, in.Error != ""
	return nil
}
