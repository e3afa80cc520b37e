package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/avdurls/avdurls/workspace/workspacetest"
)

// dacFailure is DefaultAzureCredential's error as azidentity writes it:
// a line per credential tried, tab-indented, some over several lines.
const dacFailure = "DefaultAzureCredential: failed to acquire a token.\nAttempted credentials:\n" +
	"\tEnvironmentCredential: missing environment variable AZURE_TENANT_ID\n" +
	"\tWorkloadIdentityCredential: no client ID specified. Check pod configuration or set ClientID in the options\n" +
	"\tManagedIdentityCredential: managed identity timed out. See https://aka.ms/azsdk/go/identity/troubleshoot#dac for more information\n" +
	"\tAzureCLICredential: ERROR: AADSTS700082: The refresh token has expired due to inactivity.\n\tTrace ID: 1234\n" +
	"\tAzureDeveloperCLICredential: Azure Developer CLI not found on path"

// TestSignInErrorReadable: a failed sign-in is one readable paragraph
// (no escaped line breaks or tabs) naming every credential tried and
// what it said, with the fix that fits: the AZURE_* variables set named,
// else 'az login --tenant' where az is on PATH, else the ways to sign in.
func TestSignInErrorReadable(t *testing.T) {
	cases := []struct {
		name string
		vars map[string]string
		az   bool
		want []string
	}{
		{"variables set", map[string]string{"AZURE_CLIENT_ID": "x", "AZURE_CLIENT_SECRET": "y"}, true,
			[]string{"The variables AZURE_CLIENT_ID, AZURE_CLIENT_SECRET are set", "AZURE_TENANT_ID is missing"}},
		{"az present", nil, true, []string{"az login --tenant TENANT_ID"}},
		{"nothing", nil, false, []string{"managed identity is assigned", "install the Azure CLI"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := fakeEnv(t, &workspacetest.Fake{}, workspacetest.StaticCred{Err: errors.New(dacFailure)}, sampleNow)
			e.getenv = func(k string) string { return tc.vars[k] }
			e.lookPath = func(string) (string, error) {
				if tc.az {
					return "/usr/bin/az", nil
				}
				return "", exec.ErrNotFound
			}
			_, errs, code := runScanIn(t, e, "-q", "--workspace", testWorkspace)
			if code != exitError {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if strings.Count(strings.TrimSpace(errs), "\n") != 0 || strings.Contains(errs, `\x0a`) || strings.Contains(errs, `\x09`) {
				t.Errorf("not one readable paragraph:\n%s", errs)
			}
			for _, w := range append([]string{"EnvironmentCredential (missing environment variable AZURE_TENANT_ID)", "WorkloadIdentityCredential",
				"ManagedIdentityCredential (managed identity timed out", "AzureCLICredential (ERROR: AADSTS700082", "Trace ID: 1234",
				"AzureDeveloperCLICredential", "Log Analytics Reader"}, tc.want...) {
				if !strings.Contains(errs, w) {
					t.Errorf("lacks %q:\n%s", w, errs)
				}
			}
		})
	}
}
