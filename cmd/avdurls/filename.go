package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/avdurls/avdurls/catalog"
)

// windowsReserved are device names Windows reserves in every folder,
// whatever the extension ("CON.txt" is the console).
var windowsReserved = map[string]bool{
	"con": true, "prn": true, "aux": true, "nul": true, "conin$": true, "conout$": true,
	"com1": true, "com2": true, "com3": true, "com4": true, "com5": true, "com6": true, "com7": true, "com8": true, "com9": true,
	"lpt1": true, "lpt2": true, "lpt3": true, "lpt4": true, "lpt5": true, "lpt6": true, "lpt7": true, "lpt8": true, "lpt9": true,
}

// regionFile returns the path of a region's file under dir for
// --output-dir. The name is made only from a region of the cloud's table
// (or "unknown") and the format's ending, and checked again to be a plain
// local name, no Windows device name, so that no region can place a file
// outside dir.
func regionFile(dir string, cloud catalog.Cloud, region, ext string) (string, error) {
	if region != catalog.UnknownRegion {
		if err := catalog.CheckRegion(cloud, region); err != nil {
			return "", err
		}
	}
	name := region + "." + ext
	base, _, _ := strings.Cut(strings.ToLower(name), ".")
	if !filepath.IsLocal(name) || filepath.Base(name) != name || windowsReserved[base] {
		return "", fmt.Errorf("region %q does not make a safe file name", region)
	}
	return filepath.Join(dir, name), nil
}
