package render

import (
	"path/filepath"
	"testing"

	"github.com/avdurls/avdurls/catalog"
)

func TestRegionFile(t *testing.T) {
	for _, tc := range []struct {
		region string
		ok     bool
	}{
		{"westeurope", true}, {"unknown", true},
		{"../../x/avd", false}, {`..\x`, false}, {"/etc/x", false}, {"", false},
		{"con", false}, {"nul", false}, {"com1", false}, {"westeurope/..", false}, {"a\nb", false},
	} {
		p, err := regionFile("out", catalog.CloudPublic, tc.region, "tf")
		if (err == nil) != tc.ok {
			t.Errorf("regionFile(%q) = %q, %v; want ok %v", tc.region, p, err, tc.ok)
		}
		if err == nil && filepath.Dir(p) != "out" {
			t.Errorf("regionFile(%q) = %q, outside the folder", tc.region, p)
		}
	}
}
