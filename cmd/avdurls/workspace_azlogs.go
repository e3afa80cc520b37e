package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/monitor/query/azlogs"

	"github.com/avdurls/avdurls/discover"
)

// This file is the only one that imports the Azure SDK: it implements
// logsQuerier with azlogs and azidentity.

// azlogsConfig says how to reach the Logs query API.
type azlogsConfig struct {
	Cloud      cloud.Configuration // endpoint and audience: Services[azlogs.ServiceName]
	Credential azcore.TokenCredential
	Transport  policy.Transporter // nil: the SDK's default HTTP client
	Retry      policy.RetryOptions
}

// azlogsQuerier is a logsQuerier backed by azlogs.Client.
type azlogsQuerier struct {
	client *azlogs.Client
	probe  *tokenProbe
}

// retryStatus are the answers the SDK retries with its policy (honouring
// Retry-After). 504 is not among them: it is the query time limit, met by
// splitting the time range, not by running the same query again.
var retryStatus = []int{http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
	http.StatusBadGateway, http.StatusServiceUnavailable}

// newAzlogsQuerier makes a querier from a configuration.
func newAzlogsQuerier(cfg azlogsConfig) (*azlogsQuerier, error) {
	probe := &tokenProbe{cred: cfg.Credential}
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
	return &azlogsQuerier{client: c, probe: probe}, nil
}

// sdkCloud returns the SDK's configuration of a cloud: the Logs endpoint
// and audience, and the Microsoft Entra authority.
func sdkCloud(name string) cloud.Configuration {
	switch name {
	case "usgov":
		return cloud.AzureGovernment
	case "china":
		return cloud.AzureChina
	}
	return cloud.AzurePublic
}

// newAzlogsQuerierFor makes the querier of a real scan: DefaultAzureCredential
// (environment, workload identity, managed identity, Azure CLI, Azure
// Developer CLI) against the cloud's authority and Logs endpoint.
func newAzlogsQuerierFor(cloudName string) (logsQuerier, error) {
	cfg := sdkCloud(cloudName)
	cred, err := azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
		ClientOptions: azcore.ClientOptions{Cloud: cfg}})
	if err != nil {
		return nil, &queryAuthError{Token: true, Detail: err.Error()}
	}
	return newAzlogsQuerier(azlogsConfig{Cloud: cfg, Credential: cred, Retry: policy.RetryOptions{MaxRetries: 5, MaxRetryDelay: 2 * time.Minute}})
}

// tokenProbe passes token requests to a credential and keeps the last
// failure, so that a failed query can be told apart as an auth failure.
type tokenProbe struct {
	cred azcore.TokenCredential
	mu   sync.Mutex
	err  error
}

// GetToken implements azcore.TokenCredential.
func (p *tokenProbe) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := p.cred.GetToken(ctx, o)
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
	return tok, err
}

// lastErr returns the last token failure, nil if the last request worked.
func (p *tokenProbe) lastErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// queryWait is how long the service may run one query, in seconds: its
// maximum (the default is 3 minutes).
const queryWait = 600

// Query implements logsQuerier.
func (q *azlogsQuerier) Query(ctx context.Context, workspaceID, kql string) (logTable, error) {
	wait := queryWait
	res, err := q.client.QueryWorkspace(ctx, workspaceID, azlogs.QueryBody{Query: &kql},
		&azlogs.QueryWorkspaceOptions{Options: &azlogs.QueryOptions{Wait: &wait}})
	if err != nil {
		return logTable{}, q.classify(err)
	}
	if res.Error != nil {
		return logTable{}, classifyServiceError(res.Error.Code, []byte(res.Error.Error()))
	}
	if len(res.Tables) == 0 {
		return logTable{}, errors.New("the service answered without a result table")
	}
	t := res.Tables[0]
	out := logTable{Columns: make([]logColumn, len(t.Columns)), Rows: make([][]any, len(t.Rows))}
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
	return out, nil
}

// classify turns a failed request into one of the scan's errors.
func (q *azlogsQuerier) classify(err error) error {
	if terr := q.probe.lastErr(); terr != nil {
		return &queryAuthError{Token: true, Detail: terr.Error()}
	}
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return err
	}
	body, _ := runtime.Payload(re.RawResponse)
	switch re.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		return &queryAuthError{Status: re.StatusCode, Detail: serviceMessage(re.ErrorCode, body)}
	case http.StatusGatewayTimeout:
		return &queryLimitError{Detail: "HTTP 504 after the longest wait the service allows (10 minutes)"}
	case http.StatusTooManyRequests:
		return fmt.Errorf("the service is still throttling (HTTP 429) after the retries its Retry-After allowed: %s; try again later or with a shorter --since",
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
		return &queryLimitError{Size: true, Detail: msg}
	case strings.Contains(s, "80DA0001"), strings.Contains(s, "exceeded the allowed limits"),
		strings.Contains(strings.ToLower(s), "timeout"):
		return &queryLimitError{Detail: msg}
	case strings.Contains(s, "Failed to resolve table") && strings.Contains(s, "'Event'"):
		return &queryNoTableError{Detail: msg}
	}
	return fmt.Errorf("the Log Analytics API answered with an error: %s", msg)
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
