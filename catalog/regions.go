package catalog

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/avdurls/avdurls/discover"
)

// RegionInfo is one Azure region of a cloud.
type RegionInfo struct {
	Cloud       Cloud
	Name        string // "westeurope": what --region, region maps and reports use
	DisplayName string // "West Europe"
	Geography   string // "Europe"
}

//go:embed regions.tsv
var regionsTSV string

// regionTable is regions.tsv parsed: the physical Azure regions of each
// cloud (see catalog/testdata/regions-source.md for the source and date).
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
		m[c] = append(m[c], RegionInfo{Cloud: c, Name: f[1], DisplayName: f[2], Geography: f[3]})
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

// nearRegions returns the region names of cloud c at the smallest edit
// distance from name, if that distance is small (at most 2, or 3 for long
// names).
func nearRegions(c Cloud, name string) []string {
	best, limit := []string(nil), 2
	if len(name) > 10 {
		limit = 3
	}
	for _, ri := range regionTable()[c] {
		d := editDistance(name, ri.Name)
		switch {
		case d > limit:
		case d < limit || best == nil:
			best, limit = []string{ri.Name}, d
		default:
			best = append(best, ri.Name)
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two short ASCII strings.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 10
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
