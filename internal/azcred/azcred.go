// Package azcred builds the Azure credential and cloud configuration that
// avdurls's Azure clients share (the Logs query API today), and tells a
// sign-in failure apart from other errors of a request.
package azcred

import (
	"context"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Cloud returns the SDK's configuration of a cloud named as avdurls names
// them (public, usgov, china): the Microsoft Entra authority and the
// services' endpoints and audiences.
func Cloud(name string) cloud.Configuration {
	switch name {
	case "usgov":
		return cloud.AzureGovernment
	case "china":
		return cloud.AzureChina
	}
	return cloud.AzurePublic
}

// Default returns DefaultAzureCredential (environment variables, workload
// identity, managed identity, Azure CLI, Azure Developer CLI) against the
// cloud's authority.
func Default(cfg cloud.Configuration) (azcore.TokenCredential, error) {
	return azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
		ClientOptions: azcore.ClientOptions{Cloud: cfg}})
}

// Probe passes token requests to a credential and keeps the last
// failure, so that a failed request can be told apart as a sign-in
// failure.
type Probe struct {
	Cred azcore.TokenCredential
	mu   sync.Mutex
	err  error
}

// GetToken implements azcore.TokenCredential.
func (p *Probe) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	tok, err := p.Cred.GetToken(ctx, o)
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
	return tok, err
}

// LastErr returns the last token failure, nil if the last request worked.
func (p *Probe) LastErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}
