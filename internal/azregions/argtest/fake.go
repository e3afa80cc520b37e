// Package argtest is a loopback fake of Azure Resource Graph for tests:
// it answers the queries of package azregions from a list of machines,
// page by page, checks the bearer token, and can refuse.
package argtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/avdurls/avdurls/internal/azregions"
	"github.com/avdurls/avdurls/scan"
)

// Fake is a loopback fake of Resource Graph's resources endpoint.
type Fake struct {
	VMs      []scan.AzureVM
	PageSize int // rows per page (0: all)
	Status   int // when set, every request gets it (403: no Reader role)

	mu      sync.Mutex
	queries []string
}

var filterRE = regexp.MustCompile(`\| where (tolower\(id\)|computerName) in \(([^)]*)\)`)

// ServeHTTP implements POST /providers/Microsoft.ResourceGraph/resources.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/providers/Microsoft.ResourceGraph/resources" {
		http.Error(w, "bad path "+r.URL.Path, http.StatusNotFound)
		return
	}
	if r.Header.Get("Authorization") != "Bearer test-token" {
		http.Error(w, `{"error":{"code":"AuthenticationFailed","message":"no token"}}`, http.StatusUnauthorized)
		return
	}
	if f.Status != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		w.Write([]byte(`{"error":{"code":"AuthorizationFailed","message":"The client does not have authorization to perform action"}}`))
		return
	}
	var body struct {
		Query   string `json:"query"`
		Options struct {
			Skip string `json:"$skipToken"`
		} `json:"options"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.queries = append(f.queries, body.Query)
	f.mu.Unlock()
	m := filterRE.FindStringSubmatch(body.Query)
	if m == nil {
		http.Error(w, "no filter", http.StatusBadRequest)
		return
	}
	want := map[string]bool{}
	for _, q := range strings.Split(m[2], ",") {
		want[strings.Trim(strings.TrimSpace(q), `"`)] = true
	}
	var rows []map[string]string
	for _, vm := range f.VMs {
		if m[1] == "computerName" && want[vm.Name] || m[1] != "computerName" && want[strings.ToLower(vm.ID)] {
			rows = append(rows, map[string]string{"id": vm.ID, "computerName": vm.Name, "location": vm.Location, "subscriptionId": vm.Subscription})
		}
	}
	off, _ := strconv.Atoi(body.Options.Skip)
	res := map[string]any{"totalRecords": len(rows), "resultTruncated": "false"}
	end := len(rows)
	if f.PageSize > 0 && off+f.PageSize < end {
		end = off + f.PageSize
		res["$skipToken"] = strconv.Itoa(end)
	}
	rows = rows[min(off, len(rows)):end]
	res["count"], res["data"] = len(rows), rows
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(res)
}

// Queries returns the queries the fake was sent.
func (f *Fake) Queries() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.queries...)
}

// Lookup starts f on a loopback TLS server for the test's life and
// returns an azregions client that reaches it through the SDK's cloud
// configuration (never Azure), with cred.
func Lookup(t testing.TB, f *Fake, cred azcore.TokenCredential) (scan.RegionLookup, error) {
	t.Helper()
	srv := httptest.NewTLSServer(f)
	t.Cleanup(srv.Close)
	cfg := cloud.Configuration{ActiveDirectoryAuthorityHost: srv.URL + "/",
		Services: map[cloud.ServiceName]cloud.ServiceConfiguration{cloud.ResourceManager: {Endpoint: srv.URL, Audience: "https://management.core.windows.net/"}}}
	return azregions.New(azregions.Config{Cloud: cfg, Credential: cred, Transport: srv.Client(),
		Retry: policy.RetryOptions{MaxRetries: 1, RetryDelay: time.Millisecond, MaxRetryDelay: 10 * time.Millisecond}})
}
