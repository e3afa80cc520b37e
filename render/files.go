package render

import (
	"fmt"
	"io"
	"os"
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

// regionFile returns the path of a region's file under dir (one file per
// region). The name is made only from a region of the cloud's table, a
// region name of its form that Azure reported, or "unknown", and the
// format's ending, and checked again to be a plain
// local name, no Windows device name, so that no region can place a file
// outside dir.
func regionFile(dir string, cloud catalog.Cloud, region, ext string) (string, error) {
	if region != catalog.UnknownRegion {
		if _, err := catalog.CheckReportedRegion(cloud, region); err != nil {
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

// A Part is one file of a set of files, one per region (see Set): its
// path, the region's report and options (nil for the Terraform
// variables file), and its writer.
type Part struct {
	Path    string
	Report  *catalog.Report
	Options Options
	Write   func(w io.Writer) error
}

// Set is the report written as one file per region into dir, each file
// DIR/REGION.EXT: the region's allowlist and hosts (Region), with the
// rule priorities it has in the single-file output (Options.Region: by
// the region's slot in the committed region index, never by its place in
// the run); a
// Terraform set gets one variables.tf that declares what the region
// files share. File names are made only from regions of the cloud's
// table (regionFile).
func Set(dir, format string, rep catalog.Report, fo Options) ([]Part, error) {
	parts := make([]Part, 0, len(rep.Regions)+1)
	unlisted := unlistedRegions(rep)
	for i, r := range rep.Regions {
		rr, ro := Region(rep, i), fo.Region(unlisted)
		path, err := regionFile(dir, rep.Cloud, r.Region, Ext(format))
		if err != nil {
			return nil, err
		}
		parts = append(parts, Part{Path: path, Report: &rr, Options: ro, Write: func(w io.Writer) error { return Write(w, format, rr, ro) }})
	}
	if format == "terraform" && len(rep.Regions) > 0 {
		parts = append(parts, Part{Path: filepath.Join(dir, TerraformVariablesFile),
			Write: func(w io.Writer) error { return WriteTerraformVariables(w, rep) }})
	}
	return parts, nil
}

// Stale lists the files of dir, by name, that are named like the region
// files of format (REGION.EXT with a region of cloud's table or "unknown",
// and Terraform's variables file) but are not among written (paths): an
// earlier run's regions. Links and other non-regular files are listed too:
// RemoveStale refuses them.
func Stale(dir, format string, cloud catalog.Cloud, written []string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	for _, p := range written {
		done[filepath.Base(p)] = true
	}
	var out []string
	for _, de := range entries {
		name := de.Name()
		if done[name] || !regionFileName(name, format, cloud) {
			continue
		}
		out = append(out, name)
	}
	return out, nil
}

// regionFileName reports whether name is a region file of format.
func regionFileName(name, format string, cloud catalog.Cloud) bool {
	if format == "terraform" && name == TerraformVariablesFile {
		return true
	}
	region, ok := strings.CutSuffix(name, "."+Ext(format))
	if !ok {
		return false
	}
	// Only names of the cloud's region table and "unknown": a file the
	// user keeps there ("notes.txt") is never taken for a region's.
	_, known := catalog.LookupRegion(cloud, region)
	return known || region == catalog.UnknownRegion
}

// RemoveStale removes the stale region file name of dir: only a regular
// file, never what a link points to.
func RemoveStale(dir, name string) error {
	path := filepath.Join(dir, name)
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file (%s): not removed", path, fi.Mode().Type())
	}
	return os.Remove(path)
}
