package catalog

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/internal/termtext"
)

// RegionInfo is one Azure region of a cloud.
type RegionInfo struct {
	Cloud       Cloud
	Name        string // "westeurope": what --region, region maps and reports use
	DisplayName string // "West Europe"
	Geography   string // "Europe"
	// Restricted marks a region open only to subscriptions given access
	// (paired regions such as swedensouth, the DoD regions): real, but
	// not in every subscription's list of locations.
	Restricted bool
}

//go:embed regions.tsv
var regionsTSV string

// regionTable is regions.tsv parsed: the physical Azure regions of each
// cloud, restricted-access regions included (see
// catalog/testdata/regions/SOURCE.md for the sources and dates).
var regionTable = sync.OnceValue(func() map[Cloud][]RegionInfo {
	m := map[Cloud][]RegionInfo{}
	for i, line := range strings.Split(strings.TrimSpace(regionsTSV), "\n") {
		f := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if i == 0 || len(f) < 4 {
			continue // the header
		}
		c, err := ParseCloud(f[0])
		if err != nil {
			panic("catalog: regions.tsv line " + fmt.Sprint(i+1) + ": " + err.Error())
		}
		m[c] = append(m[c], RegionInfo{Cloud: c, Name: f[1], DisplayName: f[2], Geography: f[3], Restricted: len(f) > 4 && f[4] == "restricted"})
	}
	return m
})

// Regions returns the regions of a cloud, sorted by name.
func Regions(c Cloud) []RegionInfo {
	return slices.Clone(regionTable()[c])
}

// LookupRegion returns the region of cloud c called name (its short name,
// as "westeurope").
func LookupRegion(c Cloud, name string) (RegionInfo, bool) {
	for _, ri := range regionTable()[c] {
		if ri.Name == name {
			return ri, true
		}
	}
	return RegionInfo{}, false
}

// CheckRegion returns nil when name is a region of cloud c, else an error a
// person can act on: the region of another cloud it is, or the nearest
// names ("did you mean westeurope?"). name must be the short lower-case
// name; "West Europe" is answered with its short name.
func CheckRegion(c Cloud, name string) error {
	if _, ok := LookupRegion(c, name); ok {
		return nil
	}
	shown := fmt.Sprintf("%q", discover.CleanText(name, 80))
	if name == "" {
		return fmt.Errorf("empty region name; give an Azure region such as %s", exampleRegion(c))
	}
	for _, other := range Clouds() {
		if _, ok := LookupRegion(other, name); ok && other != c {
			return fmt.Errorf("region %s is a region of cloud %s, not %s", shown, other, c)
		}
	}
	folded := strings.ToLower(strings.ReplaceAll(name, " ", ""))
	for _, ri := range regionTable()[c] {
		if strings.ToLower(strings.ReplaceAll(ri.DisplayName, " ", "")) == folded || ri.Name == folded {
			return fmt.Errorf("region %s: write it as %s", shown, ri.Name)
		}
	}
	if s := nearRegions(c, folded); len(s) > 0 {
		return fmt.Errorf("region %s is not an Azure region of cloud %s; did you mean %s?", shown, c, strings.Join(s, " or "))
	}
	return fmt.Errorf("region %s is not an Azure region of cloud %s", shown, c)
}

func exampleRegion(c Cloud) string {
	switch c {
	case CloudUSGov:
		return "usgovvirginia"
	case CloudChina:
		return "chinanorth3"
	}
	return "westeurope"
}

// nearRegions returns the region names of cloud c nearest to name (see
// termtext.Nearest).
func nearRegions(c Cloud, name string) []string {
	var names []string
	for _, ri := range regionTable()[c] {
		names = append(names, ri.Name)
	}
	return termtext.Nearest(name, names)
}

// regionNamePattern is the form of an Azure region's short name: lower-case
// letters and digits, at least five (no Windows device name such as "con").
var regionNamePattern = regexp.MustCompile(`^[a-z][a-z0-9]{4,39}$`)

// CheckReportedRegion accepts a region that Azure itself reported (the
// metadata service, az vm list, a workspace): a region of the table, or
// one of the right form that the table lacks (Azure opens regions before
// avdurls knows them), with a note saying so. A region of another cloud,
// or a name not of the form, is an error as for CheckRegion.
func CheckReportedRegion(c Cloud, name string) (note string, err error) {
	err = CheckRegion(c, name)
	if err == nil || !regionNamePattern.MatchString(name) {
		return "", err
	}
	for _, other := range Clouds() {
		if _, ok := LookupRegion(other, name); ok && other != c {
			return "", err
		}
	}
	return fmt.Sprintf("region %s, which Azure reported, is not in avdurls's region table of cloud %s; taken as it is", name, c), nil
}
