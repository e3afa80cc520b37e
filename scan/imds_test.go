package scan

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/avdurls/avdurls/catalog"
)

func TestRegionFromIMDS(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
		err     string
	}{
		{"ok", func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Metadata") != "true" {
				http.Error(w, "no Metadata header", http.StatusBadRequest)
				return
			}
			w.Write([]byte(`{"location":"eastus2","name":"avd-0","vmSize":"Standard_D4s_v5"}`))
		}, "eastus2", ""},
		{"bad json", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"location":`)) }, "", "bad JSON"},
		{"bad region", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"location":"East US; rm -rf"}`)) }, "", "is not an Azure region"},
		{"escape in region", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"location":"eu\u001b]0;x\u0007"}`)) }, "", `"eu\\x1b]0;x\\x07"`},
		{"region of another cloud", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"location":"usgovvirginia"}`)) }, "", "region of cloud usgov"},
		{"restricted region", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"location":"swedensouth"}`)) }, "swedensouth", ""},
		{"region the table lacks", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"location":"eastus22"}`)) }, "eastus22", ""},
		{"http error", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "x", http.StatusInternalServerError) }, "", "HTTP 500"},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
		}, "", "deadline exceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.handler)
			defer srv.Close()
			var notes []string
			got, err := regionFromIMDS(context.Background(), srv.URL+"/metadata/instance/compute?api-version=2021-02-01", catalog.CloudPublic, 200*time.Millisecond,
				func(n string) { notes = append(notes, n) })
			if (tc.name == "region the table lacks") != (len(notes) == 1) {
				t.Errorf("notes %q", notes)
			}
			if got != tc.want || (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("regionFromIMDS = %q, %v; want %q, error containing %q", got, err, tc.want, tc.err)
			}
		})
	}
}
