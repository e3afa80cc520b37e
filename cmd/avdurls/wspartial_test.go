package main

import (
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"net"
	"strings"
	"testing"
	"time"

	"github.com/avdurls/avdurls/workspace"
	"github.com/avdurls/avdurls/workspace/workspacetest"
)

// partialError is the service's PartialError with one detail of a
// code, message and severity name.
func partialError(code, message, severity string) string {
	return `{"code":"PartialError","message":"There were some errors when processing your query.","details":[{"code":"EngineError","message":"Something went wrong processing your query on the server.","innererror":{"code":"` +
		code + `","message":"` + message + `","severity":2,"severityName":"` + severity + `"}}]}`
}

// TestWorkspaceLowMemorySplits: the service's low-memory and runaway
// partial errors split the range like the size limit; the report equals
// the one of a service without limits.
func TestWorkspaceLowMemorySplits(t *testing.T) {
	evs := fleetEvents(t, t.TempDir(), 6)
	plain := &workspacetest.Fake{Events: evs}
	want, errs, code := runScanIn(t, fakeEnv(t, plain, workspacetest.StaticCred{}, sampleNow), "-q", "-f", "json", "--workspace", testWorkspace, "--since", "30d")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, e := range []string{
		partialError("LimitsExceeded", "Partial query failure: Low memory condition (E_LOW_MEMORY_CONDITION). (message: 'bad allocation', details: '')", "Error"),
		partialError("LimitsExceeded", "HashJoin operator has exceeded the memory budget during evaluation (E_RUNAWAY_QUERY)", "Error"),
	} {
		f := &workspacetest.Fake{Events: evs, Partial: func(from, to time.Time) string {
			if to.Sub(from) > 5*24*time.Hour {
				return e
			}
			return ""
		}}
		got, errs, code := runScanIn(t, fakeEnv(t, f, workspacetest.StaticCred{}, sampleNow), "-f", "json", "--workspace", testWorkspace, "--since", "30d")
		if code != exitOK || !strings.Contains(errs, "splitting the time range") {
			t.Fatalf("exit %d: %s", code, errs)
		}
		wsDiffReports(t, "after low-memory splits", wsComparable(t, want), wsComparable(t, got))
	}
}

// TestWorkspaceWarningKeepsRows: a partial error whose details are
// warnings keeps the rows beside it; the warning is said and the scan is
// partial (exit 3).
func TestWorkspaceWarningKeepsRows(t *testing.T) {
	evs := fleetEvents(t, t.TempDir(), 3)
	warn := partialError("QueryWarning", "Some columns were truncated for display", "Warning")
	f := &workspacetest.Fake{Events: evs, Partial: func(time.Time, time.Time) string { return warn }}
	out, errs, code := runScanIn(t, fakeEnv(t, f, workspacetest.StaticCred{}, sampleNow), "-f", "json", "--workspace", testWorkspace, "--since", "30d")
	if code != exitPartial || !strings.Contains(errs, "the service warned") || !strings.Contains(errs, "rows are kept") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if rep := wsComparable(t, out); len(rep.Hosts) != 3 {
		t.Errorf("%d hosts: the rows beside the warning were dropped", len(rep.Hosts))
	}
	// An error detail (not a limit) still ends the scan.
	f.Partial = func(time.Time, time.Time) string { return partialError("SomethingBroke", "the engine failed", "Error") }
	if _, errs, code := runScanIn(t, fakeEnv(t, f, workspacetest.StaticCred{}, sampleNow), "-q", "--workspace", testWorkspace); code != exitError ||
		!strings.Contains(errs, "the engine failed") {
		t.Errorf("error detail: exit %d: %s", code, errs)
	}
}

// silentEnv is an environment whose Logs endpoint is a loopback listener
// that accepts connections and never answers (a middlebox that holds
// them).
func silentEnv(t *testing.T) *env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range held {
			c.Close()
		}
	})
	base := "https://" + ln.Addr().String()
	e := newEnv(nil, nil)
	e.now = func() time.Time { return sampleNow }
	e.newQuerier = func(_ string, try time.Duration) (workspace.Querier, error) {
		return workspace.NewAzlogs(workspace.AzlogsConfig{Cloud: workspace.CloudAt(base+"/v1", base+"/"), Credential: workspacetest.StaticCred{},
			Retry: retryFast(try)})
	}
	return e
}

// TestWorkspaceNeverAnswers: a service that accepts and never answers
// ends the scan at --query-timeout (each query, the SDK's per-try
// timeout too) or --workspace-timeout (the whole scan), with the flag
// named; the scan does not hang.
func TestWorkspaceNeverAnswers(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--query-timeout", "1s"}, "--query-timeout 1s"},
		{[]string{"--query-timeout", "1m", "--workspace-timeout", "1s"}, "--workspace-timeout"},
	} {
		type result struct {
			errs string
			code int
		}
		ch := make(chan result, 1)
		go func() {
			_, errs, code := runScanIn(t, silentEnv(t), append([]string{"-q", "--workspace", testWorkspace}, tc.args...)...)
			ch <- result{errs, code}
		}()
		select {
		case r := <-ch:
			if r.code != exitError || !strings.Contains(r.errs, tc.want) || strings.Contains(r.errs, "\\x0a") {
				t.Errorf("%v: exit %d: %s", tc.args, r.code, r.errs)
			}
		case <-time.After(2 * time.Minute):
			t.Fatalf("%v: the scan hangs", tc.args)
		}
	}
}

// retryFast is the retry policy of the tests: few retries, tiny delays,
// each try bounded by try.
func retryFast(try time.Duration) policy.RetryOptions {
	return policy.RetryOptions{MaxRetries: 2, RetryDelay: time.Millisecond, MaxRetryDelay: 10 * time.Millisecond, TryTimeout: try}
}
