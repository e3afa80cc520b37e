package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/avdurls/avdurls/catalog"
)

// imdsEndpoint is the Azure Instance Metadata Service's compute document.
const imdsEndpoint = "http://169.254.169.254/metadata/instance/compute?api-version=2021-02-01"

// imdsTimeout is short: off Azure, the address does not answer.
const imdsTimeout = 2 * time.Second

// regionFromIMDS asks the Azure Instance Metadata Service for this VM's
// region (field location), with header Metadata: true. The proxy settings
// of the environment are ignored: IMDS must be reached directly.
// The location must be a region of cloud.
func regionFromIMDS(ctx context.Context, endpoint string, cloud catalog.Cloud, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Metadata", "true")
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("instance metadata service: %w (not an Azure VM? give --region)", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("instance metadata service: HTTP %d; give --region", resp.StatusCode)
	}
	var doc struct {
		Location string `json:"location"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return "", fmt.Errorf("instance metadata service: bad JSON: %v; give --region", err)
	}
	if err := catalog.CheckRegion(cloud, doc.Location); err != nil {
		return "", fmt.Errorf("instance metadata service: location: %v; give --region", err)
	}
	return doc.Location, nil
}
