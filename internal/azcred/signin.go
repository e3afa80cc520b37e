package azcred

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/avdurls/avdurls/discover"
)

// credLine starts one credential's part of DefaultAzureCredential's
// error: "\tAzureCLICredential: message".
var credLine = regexp.MustCompile(`^\s*([A-Za-z]+Credential): ?(.*)$`)

// triedCredentials reads the credentials a failed DefaultAzureCredential
// tried, and what each said, from its error text (one line per
// credential after "Attempted credentials:", messages that may run over
// several lines). Each message is made one printable line and cut.
func triedCredentials(detail string) (names, msgs []string) {
	_, list, ok := strings.Cut(strings.ReplaceAll(detail, "\r", ""), "Attempted credentials:")
	if !ok {
		return nil, nil
	}
	for _, line := range strings.Split(list, "\n") {
		if m := credLine.FindStringSubmatch(line); m != nil {
			names, msgs = append(names, m[1]), append(msgs, m[2])
		} else if len(msgs) > 0 {
			msgs[len(msgs)-1] += " " + line
		}
	}
	for i, m := range msgs {
		msgs[i] = discover.CleanText(strings.Join(strings.Fields(m), " "), 240)
	}
	return names, msgs
}

// azureVariables are the environment variables DefaultAzureCredential's
// environment and workload identity credentials read.
var azureVariables = []string{"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH",
	"AZURE_CLIENT_CERTIFICATE_PASSWORD", "AZURE_USERNAME", "AZURE_PASSWORD", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST"}

// Env is what SignInHelp reads of the environment: variables and the
// programs on PATH (the command's own, so that tests can set them).
type Env struct {
	Getenv   func(string) string
	LookPath func(string) (string, error)
}

// SignInHelp is a failed sign-in (detail: DefaultAzureCredential's error
// text) as one readable paragraph: the credentials it tried and what each
// said, then the fix that fits this environment (the AZURE_* variables
// that are set, or 'az login --tenant' when the Azure CLI is here), then
// the role. cloud is avdurls's name of the cloud (public, usgov, china).
func SignInHelp(detail, cloud string, env Env) string {
	var b strings.Builder
	b.WriteString("no token for the Log Analytics API")
	names, msgs := triedCredentials(detail)
	if len(names) == 0 {
		fmt.Fprintf(&b, ": %s", discover.CleanText(strings.Join(strings.Fields(detail), " "), 600))
	} else {
		b.WriteString(". DefaultAzureCredential tried ")
		for i := range names {
			if i > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "%s (%s)", names[i], strings.TrimSuffix(msgs[i], "."))
		}
	}
	b.WriteString(". ")
	var set []string
	for _, v := range azureVariables {
		if env.Getenv(v) != "" {
			set = append(set, v)
		}
	}
	_, azErr := env.LookPath("az")
	switch {
	case len(set) > 0:
		fmt.Fprintf(&b, "The variables %s are set, so the environment's credential is meant: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) together, of an app registration in the workspace's tenant, or unset them to sign in another way",
			strings.Join(set, ", "))
		if !slices.Contains(set, "AZURE_TENANT_ID") {
			b.WriteString("; AZURE_TENANT_ID is missing")
		}
	case azErr == nil:
		fmt.Fprintf(&b, "Sign in with 'az login --tenant TENANT_ID'%s, the tenant of the workspace", CloudLoginHint(cloud))
	default:
		b.WriteString("Run where a managed identity is assigned, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET of an app registration, or install the Azure CLI and run 'az login --tenant TENANT_ID'" + CloudLoginHint(cloud))
	}
	b.WriteString(". The identity needs the Log Analytics Reader role on the workspace")
	return b.String()
}

// CloudLoginHint is what to add to 'az login' for a cloud.
func CloudLoginHint(cloud string) string {
	switch cloud {
	case "usgov":
		return " (after 'az cloud set --name AzureUSGovernment')"
	case "china":
		return " (after 'az cloud set --name AzureChinaCloud')"
	}
	return ""
}
