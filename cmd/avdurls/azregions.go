package main

import (
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/avdurls/avdurls/internal/azcred"
	"github.com/avdurls/avdurls/internal/azregions"
	"github.com/avdurls/avdurls/scan"
)

// newRegionLookup makes the Resource Graph client of --regions-from-azure
// for a cloud, with DefaultAzureCredential as the workspace client.
func newRegionLookup(cloudName string) (scan.RegionLookup, error) {
	cfg := azcred.Cloud(cloudName)
	cred, err := azcred.Default(cfg)
	if err != nil {
		return nil, err
	}
	return azregions.New(azregions.Config{Cloud: cfg, Credential: cred,
		Retry: policy.RetryOptions{MaxRetries: 4, MaxRetryDelay: time.Minute, TryTimeout: 2 * time.Minute}})
}
