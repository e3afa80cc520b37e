package discover

import "testing"

func TestRegionHint(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"eastus2-shared.prod.warm.ingest.monitor.core.windows.net", "eastus2", true},
		{"EastUS-shared.prod.warm.ingest.monitor.core.windows.net.", "eastus", true},
		{"usgovvirginia-shared.prod.warm.ingest.monitor.core.usgovcloudapi.net", "usgovvirginia", true},
		{"chinanorth2-shared.prod.warm.ingest.monitor.core.chinacloudapi.cn", "chinanorth2", true},
		{"qos.prod.warm.ingest.monitor.core.windows.net", "", false},
		{"-shared.prod.warm.ingest.monitor.core.windows.net", "", false},
		{"east-us-shared.prod.warm.ingest.monitor.core.windows.net", "", false},
		{"a.eastus-shared.prod.warm.ingest.monitor.core.windows.net", "", false},
		{"eastus-shared.prod.warm.ingest.monitor.core.windows.net.evil.example", "", false},
		{"eastus-shared.prod.warm.ingest.monitor.core.windows.net:443", "", false},
		{"eastus-shared.prod.warm.ingest.monitor.core.chinacloudapi.com", "", false},
		{"east_us-shared.prod.warm.ingest.monitor.core.windows.net", "", false},
		{"rdbroker.wvd.microsoft.com", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := RegionHint(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("RegionHint(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestAgentLogs(t *testing.T) {
	for _, tc := range []struct {
		row  string
		want bool
	}{
		{"*.wvd.microsoft.com", true}, {"*.prod.warm.ingest.monitor.core.windows.net", true}, {"*.wvd.azure.cn", true},
		{"*eh.servicebus.windows.net", true}, {"*.events.data.microsoft.com", false}, {"*.windows.cloud.microsoft", false},
		{"*.sfx.ms", false}, {"login.microsoftonline.com", false}, {"*.evil.wvd.microsoft.com.example", false},
	} {
		if got := AgentLogs(tc.row); got != tc.want {
			t.Errorf("AgentLogs(%q) = %v, want %v", tc.row, got, tc.want)
		}
	}
}

func TestGatewayRegion(t *testing.T) {
	for _, tc := range []struct{ host, code, region string }{
		{"rdgateway-c100-eus2-r1.wvd.microsoft.com", "eus2", "eastus2"},
		{"rdgateway-host-green-c104-eus-r1.wvd.microsoft.com", "eus", "eastus"},
		{"RDGATEWAY-C225-UKS-R1.wvd.microsoft.com", "uks", "uksouth"},
		{"rdgateway-c100-cne2-r1.wvd.azure.cn", "cne2", "chinaeast2"},
		{"rdgateway-c100-xyz-r1.wvd.microsoft.com", "", ""},
		{"rdgateway-r0.wvd.microsoft.com", "", ""},
		{"rdgateway-c100-eus2-r1.wvd.microsoft.com.evil.example", "", ""},
	} {
		code, region, ok := GatewayRegion(tc.host)
		if ok != (tc.region != "") || region != tc.region || (ok && code != tc.code) {
			t.Errorf("GatewayRegion(%q) = %q, %q, %v; want %q, %q", tc.host, code, region, ok, tc.code, tc.region)
		}
	}
}

// TestAgentEvents: the table gives the URL and health IDs every source
// reads, and the status each URL event implies.
func TestAgentEvents(t *testing.T) {
	if got := EventIDs(RoleURLs); len(got) != 2 || got[0] != 3701 || got[1] != 3702 {
		t.Errorf("EventIDs(RoleURLs) = %v", got)
	}
	if got := EventIDs(RoleHealth); len(got) != 3 {
		t.Errorf("EventIDs(RoleHealth) = %v", got)
	}
	seen := map[uint32]bool{}
	for _, e := range AgentEvents {
		if seen[e.ID] || e.Role == 0 || e.Meaning == "" {
			t.Errorf("table row %+v: duplicate or incomplete", e)
		}
		seen[e.ID] = true
	}
	for id, want := range map[uint32]Status{3701: Reachable, 3702: Unreachable, 3703: Reported, 9999: Reported} {
		if got := StatusFor(id); got != want {
			t.Errorf("StatusFor(%d) = %s, want %s", id, got, want)
		}
	}
	// A host's newest URL check is its newest 3701 or 3702; health events
	// do not date it.
	if !NewestTracked(3701) || !NewestTracked(3702) || NewestTracked(3703) || NewestTracked(3019) {
		t.Error("NewestTracked: want 3701 and 3702 only")
	}
}
