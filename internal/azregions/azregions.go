// Package azregions asks Azure Resource Graph where VMs are: the location
// of each virtual machine, scale set instance and Azure Arc machine, by
// resource ID and by computer name (properties.osProfile.computerName),
// in batches, with the credential the other Azure clients use. It needs
// the Reader role (or any role that reads the machines) on their
// subscriptions; it reads nothing else.
package azregions

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resourcegraph/armresourcegraph"

	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/scan"
)

// Config says how to reach Resource Graph.
type Config struct {
	Cloud      cloud.Configuration // ARM endpoint and audience: Services[cloud.ResourceManager]
	Credential azcore.TokenCredential
	Transport  policy.Transporter // nil: the SDK's default HTTP client
	Retry      policy.RetryOptions
}

// Client is a scan.RegionLookup backed by Resource Graph.
type Client struct {
	c *armresourcegraph.Client
}

// New makes a Client.
func New(cfg Config) (*Client, error) {
	c, err := armresourcegraph.NewClient(cfg.Credential, &arm.ClientOptions{ClientOptions: azcore.ClientOptions{Cloud: cfg.Cloud,
		Transport: cfg.Transport, Retry: cfg.Retry, Telemetry: policy.TelemetryOptions{ApplicationID: "avdurls"}}})
	if err != nil {
		return nil, err
	}
	return &Client{c}, nil
}

// batch is how many IDs or names one query asks for; pageSize how many
// rows one page brings; maxPages bounds the pages of one query.
const (
	batch    = 200
	pageSize = 1000
	maxPages = 100
)

// machines are the kinds of machine whose location is asked for: VMs
// (with the instances of Flexible scale sets, which are VMs), the
// instances of Uniform scale sets (in the ComputeResources table: the
// Resource Graph sample "Virtual Machine Scale Set Uniform orchestration",
// ms.date 03/20/2024) and Arc machines (Azure Local, on-premises), whose
// properties.osProfile.computerName is "the host OS name of the hybrid
// machine" (the HybridCompute OSProfile of Microsoft's SDKs).
const machines = `union (Resources | where type in~ ("microsoft.compute/virtualmachines", "microsoft.hybridcompute/machines")),
    (ComputeResources | where type =~ "microsoft.compute/virtualmachinescalesets/virtualmachines")
| extend computerName = tolower(tostring(properties.osProfile.computerName))`

// Lookup implements scan.RegionLookup: the machines of the resource IDs
// and of the computer names given (lower case, at most 15 characters).
func (l *Client) Lookup(ctx context.Context, ids, names []string) ([]scan.AzureVM, error) {
	var out []scan.AzureVM
	for _, q := range []struct {
		list   []string
		filter string
	}{{ids, "tolower(id)"}, {names, "computerName"}} {
		for i := 0; i < len(q.list); i += batch {
			part := q.list[i:min(i+batch, len(q.list))]
			vms, err := l.query(ctx, machines+"\n| where "+q.filter+" in ("+quoteList(part)+")\n| project id, computerName, location, subscriptionId")
			if err != nil {
				return out, err
			}
			out = append(out, vms...)
		}
	}
	return out, nil
}

// query runs one Resource Graph query over every subscription the
// identity reads, page by page.
func (l *Client) query(ctx context.Context, kql string) ([]scan.AzureVM, error) {
	var out []scan.AzureVM
	var skip *string
	for page := 0; page < maxPages; page++ {
		top := int32(pageSize)
		format := armresourcegraph.ResultFormatObjectArray
		res, err := l.c.Resources(ctx, armresourcegraph.QueryRequest{Query: &kql,
			Options: &armresourcegraph.QueryRequestOptions{ResultFormat: &format, Top: &top, SkipToken: skip}}, nil)
		if err != nil {
			return out, explain(err)
		}
		rows, ok := res.Data.([]any)
		if !ok && res.Data != nil {
			return out, fmt.Errorf("Resource Graph answered rows of %T, not objects", res.Data)
		}
		for _, r := range rows {
			if vm, ok := machine(r); ok {
				out = append(out, vm)
			}
		}
		if res.SkipToken == nil || *res.SkipToken == "" {
			return out, nil
		}
		skip = res.SkipToken
	}
	return out, fmt.Errorf("Resource Graph: more than %d pages for one query", maxPages)
}

// machine reads one row of the answer; every value is checked.
func machine(r any) (scan.AzureVM, bool) {
	m, ok := r.(map[string]any)
	if !ok {
		return scan.AzureVM{}, false
	}
	get := func(k string) string {
		s, _ := m[k].(string)
		return s
	}
	vm := scan.AzureVM{ID: strings.ToLower(get("id")), Name: strings.ToLower(get("computerName")),
		Location: strings.ToLower(get("location")), Subscription: strings.ToLower(get("subscriptionId"))}
	if !strings.HasPrefix(vm.ID, "/subscriptions/") || len(vm.ID) > discover.MaxPath || len(vm.Name) > 64 || !validLocation(vm.Location) {
		return scan.AzureVM{}, false
	}
	return vm, true
}

// validLocation accepts an Azure location name: 2 to 40 lower-case
// letters and digits.
func validLocation(s string) bool {
	if len(s) < 2 || len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('a' <= s[i] && s[i] <= 'z' || '0' <= s[i] && s[i] <= '9') {
			return false
		}
	}
	return true
}

// quoteList writes values as a list of KQL string literals. The values
// are resource IDs and computer names that passed the scan's gate; a
// quote or backslash is escaped anyway.
func quoteList(vals []string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = `"` + r.Replace(strings.ToLower(v)) + `"`
	}
	return strings.Join(q, ", ")
}

// explain says what a failed Resource Graph request needs.
func explain(err error) error {
	var re *azcore.ResponseError
	if errors.As(err, &re) && (re.StatusCode == 401 || re.StatusCode == 403) {
		return fmt.Errorf("Azure Resource Graph refused the identity (HTTP %d, %s): --regions-from-azure needs the Reader role on the VMs' subscriptions (az role assignment create --assignee IDENTITY --role Reader --scope /subscriptions/ID)",
			re.StatusCode, discover.CleanText(re.ErrorCode, 80))
	}
	return fmt.Errorf("Azure Resource Graph: %s", discover.CleanText(err.Error(), 600))
}
