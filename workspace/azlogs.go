package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azlogs"

	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/internal/azcred"
)

// This file is the only one of avdurls that imports the Logs SDK
// (azlogs): it implements Querier with it.

// AzlogsConfig says how to reach the Logs query API.
type AzlogsConfig struct {
	Cloud      cloud.Configuration // endpoint and audience: Services[azlogs.ServiceName]
	Credential azcore.TokenCredential
	Transport  policy.Transporter // nil: the SDK's default HTTP client
	Retry      policy.RetryOptions
}

// azlogsQuerier is a Querier backed by azlogs.Client, and a Streamer
// through the same pipeline (credential, retries, telemetry) as the
// SDK's client builds it.
type azlogsQuerier struct {
	client *azlogs.Client
	probe  *azcred.Probe
	pl     runtime.Pipeline
	host   string
}

// New makes the Querier of a real workspace scan of a cloud (public,
// usgov, china): DefaultAzureCredential against the cloud's authority and
// Logs endpoint, throttling retried by the SDK's policy, each try bounded
// by tryTimeout (0: the service's longest wait and a minute more).
func New(cloudName string, tryTimeout time.Duration) (Querier, error) {
	cfg := azcred.Cloud(cloudName)
	cred, err := azcred.Default(cfg)
	if err != nil {
		return nil, &AuthError{Token: true, Detail: err.Error()}
	}
	if tryTimeout <= 0 {
		tryTimeout = (queryWait + 60) * time.Second
	}
	return NewAzlogs(AzlogsConfig{Cloud: cfg, Credential: cred,
		Retry: policy.RetryOptions{MaxRetries: 5, MaxRetryDelay: 2 * time.Minute, TryTimeout: tryTimeout}})
}

// retryStatus are the answers the SDK retries with its policy (honouring
// Retry-After). 504 is not among them: it is the query time limit, met by
// splitting the time range, not by running the same query again.
var retryStatus = []int{http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
	http.StatusBadGateway, http.StatusServiceUnavailable}

// NewAzlogs makes a Querier from a configuration (tests point it at a
// fake service through the cloud configuration and a static credential).
func NewAzlogs(cfg AzlogsConfig) (Querier, error) {
	probe := &azcred.Probe{Cred: cfg.Credential}
	retry := cfg.Retry
	if retry.StatusCodes == nil {
		retry.StatusCodes = retryStatus
	}
	opts := &azlogs.ClientOptions{ClientOptions: azcore.ClientOptions{Cloud: cfg.Cloud, Retry: retry,
		Transport: cfg.Transport, Telemetry: policy.TelemetryOptions{ApplicationID: "avdurls"}}}
	c, err := azlogs.NewClient(probe, opts)
	if err != nil {
		return nil, err
	}
	svc := opts.Cloud.Services[azlogs.ServiceName] // NewClient filled in the default cloud
	auth := runtime.NewBearerTokenPolicy(probe, []string{svc.Audience + "/.default"}, nil)
	ac, err := azcore.NewClient("avdurls.workspace", "v1.0.0", runtime.PipelineOptions{PerRetry: []policy.Policy{auth}}, &opts.ClientOptions)
	if err != nil {
		return nil, err
	}
	return &azlogsQuerier{client: c, probe: probe, pl: ac.Pipeline(), host: hostOf(svc.Endpoint)}, nil
}

// queryWait is how long the service may run one query, in seconds: its
// maximum (the default is 3 minutes).
const queryWait = 600

// Query implements Querier.
func (q *azlogsQuerier) Query(ctx context.Context, workspaceID, kql string) (Table, error) {
	wait := queryWait
	res, err := q.client.QueryWorkspace(ctx, workspaceID, azlogs.QueryBody{Query: &kql},
		&azlogs.QueryWorkspaceOptions{Options: &azlogs.QueryOptions{Wait: &wait}})
	if err != nil {
		return Table{}, q.classify(err)
	}
	var warn error // a warning beside the tables: the rows stand
	if res.Error != nil {
		err := classifyServiceError(res.Error.Code, []byte(res.Error.Error()))
		var w *WarningError
		if !errors.As(err, &w) {
			return Table{}, err
		}
		warn = err
	}
	if len(res.Tables) == 0 {
		return Table{}, errors.New("the service answered without a result table")
	}
	t := res.Tables[0]
	out := Table{Columns: make([]Column, len(t.Columns)), Rows: make([][]any, len(t.Rows))}
	for i, c := range t.Columns {
		if c.Name != nil {
			out.Columns[i].Name = *c.Name
		}
		if c.Type != nil {
			out.Columns[i].Type = string(*c.Type)
		}
	}
	for i, r := range t.Rows {
		out.Rows[i] = r
	}
	return out, warn
}

// classify turns a failed request into one of the scan's errors.
func (q *azlogsQuerier) classify(err error) error {
	if terr := q.probe.LastErr(); terr != nil {
		return &AuthError{Token: true, Detail: terr.Error()}
	}
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return err
	}
	body, _ := runtime.Payload(re.RawResponse)
	switch re.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return &AuthError{Status: re.StatusCode, Detail: serviceMessage(re.ErrorCode, body)}
	case http.StatusGatewayTimeout:
		return &LimitError{Detail: "HTTP 504 after the longest wait the service allows (10 minutes)"}
	case http.StatusTooManyRequests:
		return fmt.Errorf("the service is still throttling (HTTP 429) after the retries its Retry-After allowed: %s; try again later or read a shorter period",
			serviceMessage(re.ErrorCode, body))
	}
	return classifyServiceError(re.ErrorCode, body)
}

// classifyServiceError reads an error the service sent, in a failed answer
// or beside partial rows: a limit, a missing Event table, or another error
// with the service's own message.
func classifyServiceError(code string, body []byte) error {
	msg := serviceMessage(code, body)
	s := string(body)
	switch {
	case strings.Contains(s, "E_QUERY_RESULT_SET_TOO_LARGE"):
		return &LimitError{Size: true, Detail: msg}
	case containsAny(s, retryableLimits), strings.Contains(strings.ToLower(s), "timeout"):
		return &LimitError{Detail: msg}
	case strings.Contains(s, "Failed to resolve table") && strings.Contains(s, "'Event'"):
		return &NoTableError{Detail: msg}
	case code == "PartialError" && !severeRE.MatchString(s):
		return &WarningError{Detail: msg}
	}
	return fmt.Errorf("the Log Analytics API answered with an error: %s", msg)
}

// retryableLimits are the marks of the partial errors that asking for
// less meets (Kusto query limits: memory per node and per iterator, the
// engine's limits, the query's own time).
var retryableLimits = []string{"E_LOW_MEMORY_CONDITION", "E_RUNAWAY_QUERY", "80DA0001", "exceeded the allowed limits",
	"exceeded the memory budget", "Low memory condition"}

// severeRE finds an error detail of severity Error or Critical.
var severeRE = regexp.MustCompile(`(?i)"severityName"\s*:\s*"(error|critical)"`)

// containsAny reports whether s holds one of marks.
func containsAny(s string, marks []string) bool {
	for _, m := range marks {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// serviceError is the error shape of the Logs query API: a code and
// message, details, and inner errors with the engine's message.
type serviceError struct {
	Code       string         `json:"code"`
	Message    string         `json:"message"`
	Details    []serviceError `json:"details"`
	InnerError *serviceError  `json:"innererror"`
	Error      *serviceError  `json:"error"`
}

// serviceMessage returns the most specific message of an error body,
// made printable and cut: the innermost message of the first detail.
func serviceMessage(code string, body []byte) string {
	var e serviceError
	if json.Unmarshal(body, &e) != nil {
		return discover.CleanText(strings.TrimSpace(code+" "+string(body)), discover.MaxText)
	}
	if e.Error != nil {
		e = *e.Error
	}
	msg, cur := e.Code+": "+e.Message, &e
	for depth := 0; cur != nil && depth < 8; depth++ {
		if cur.Message != "" {
			msg = cur.Code + ": " + cur.Message
		}
		switch {
		case cur.InnerError != nil:
			cur = cur.InnerError
		case len(cur.Details) > 0:
			cur = &cur.Details[0]
		default:
			cur = nil
		}
	}
	return discover.CleanText(msg, discover.MaxText)
}

// CloudAt is a cloud configuration whose Logs query API is at endpoint
// (for example https://api.loganalytics.io/v1) and whose Microsoft Entra
// authority is at authority: for clouds the SDK does not name, and for
// tests against a fake service.
func CloudAt(endpoint, authority string) cloud.Configuration {
	return cloud.Configuration{ActiveDirectoryAuthorityHost: authority,
		Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			azlogs.ServiceName: {Endpoint: endpoint, Audience: "https://api.loganalytics.io"}}}
}
