package scan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/avdurls/avdurls/catalog"
)

// IMDSEndpoint is the Azure Instance Metadata Service's compute document.
const IMDSEndpoint = "http://169.254.169.254/metadata/instance/compute?api-version=2021-02-01"

// ErrNoRegion is wrapped in the error of a live scan that could not learn
// the VM's region from the metadata service: the caller should give it.
var ErrNoRegion = errors.New("no region from the metadata service")

// imdsTimeout is short: off Azure, the address does not answer.
const imdsTimeout = 2 * time.Second

// regionFromIMDS asks the Azure Instance Metadata Service for this VM's
// region (field location), with header Metadata: true. The proxy settings
// of the environment are ignored: IMDS must be reached directly.
// The location must be a region of cloud, or of the form of one (said to
// notify: Azure reported it, the table lacks it).
func regionFromIMDS(ctx context.Context, endpoint string, cloud catalog.Cloud, timeout time.Duration, notify func(string)) (string, error) {
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
		return "", fmt.Errorf("instance metadata service: %v (not an Azure VM?)%w", err, quiet{ErrNoRegion})
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("instance metadata service: HTTP %d%w", resp.StatusCode, quiet{ErrNoRegion})
	}
	var doc struct {
		Location string `json:"location"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return "", fmt.Errorf("instance metadata service: bad JSON: %v%w", err, quiet{ErrNoRegion})
	}
	note, err := catalog.CheckReportedRegion(cloud, doc.Location)
	if note != "" && notify != nil {
		notify(note)
	}
	if err != nil {
		return "", fmt.Errorf("instance metadata service: location: %v%w", err, quiet{ErrNoRegion})
	}
	return doc.Location, nil
}
