package evtxtest

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// SampleHost returns four days of the Application log of one Azure Virtual
// Desktop session host, in time order with ascending record identifiers:
//
//   - about 300 events from other sources (Microsoft-Windows-Security-SPP,
//     MsiInstaller, ESENT, SecurityCenter, WVD-Agent-Updater,
//     RDAgentBootLoader), some with no insertion strings, some with empty
//     ones;
//   - WVD-Agent 3277 (registration failures, at the start) and 3019
//     (web-socket transport not reachable, naming a gateway);
//   - WVD-Agent 3701 every three to six hours, its one insertion string laid
//     out like the output of WVDAgentUrlTool.exe with the region's host
//     names (broker and diagnostics names of a host pool that hosts of one
//     region share, a gateway cluster that changes once, the region's
//     ingest host and the global ones), lines ending in CR LF;
//   - at least one 3702 instead of a 3701, with one host under
//     "NOT Accessible URLs:".
//
// A host whose seed is divisible by 3 runs an old agent for its first day
// that still lists the deprecated gsm123456789eh.servicebus.windows.net,
// until WVD-Agent-Updater updates it.
//
// The result depends only on the arguments. The source texts other than
// the URL list are plausible, not copied from real logs.
func SampleHost(computer, region string, seed int64) []Record {
	g := &sampler{
		rng:      rand.New(rand.NewPCG(uint64(seed), 0x61766475726c73)),
		computer: computer,
	}
	g.start = time.Date(2024, 5, 6, 6, 0, 0, 0, time.UTC).Add(time.Duration(g.rng.IntN(180)) * time.Minute)
	g.end = g.start.Add(4 * 24 * time.Hour)
	u := newURLSet(region, g.rng)
	g.legacy = seed%3 == 0
	g.update = g.start.Add(time.Duration(20+g.rng.IntN(8)) * time.Hour)

	// The agent fails to register at first.
	for i := range 2 {
		g.add("WVD-Agent", 3277, 2, g.start.Add(time.Duration(i*2+1)*time.Minute),
			"RDAgent registration failed: INVALID_REGISTRATION_TOKEN. Make sure the registration token is valid and has not expired.")
	}
	g.add("RDAgentBootLoader", 3, 4, g.start.Add(9*time.Minute),
		"RDAgentBootLoader: agent started, version "+g.version(g.start))

	// URL checks every few hours, one of them failing.
	failed := 2 + g.rng.IntN(6)
	for i, t := 0, g.start.Add(30*time.Minute); t.Before(g.end); i++ {
		old := g.legacy && t.Before(g.update)
		if i == failed || (i > failed && g.rng.IntN(12) == 0) {
			hosts := u.hosts(t, old)
			k := 3 + g.rng.IntN(len(hosts)-3) // not a broker name
			bad := hosts[k]
			g.add("WVD-Agent", 3702, 3, t, urlReport(slices.Delete(hosts, k, k+1), []string{bad}))
		} else {
			g.add("WVD-Agent", 3701, 4, t, urlReport(u.hosts(t, old), nil))
		}
		t = t.Add(3*time.Hour + time.Duration(g.rng.IntN(180))*time.Minute)
	}
	if g.legacy {
		g.add("WVD-Agent-Updater", 1, 4, g.update.Add(-2*time.Minute),
			"Agent update started: "+oldAgent+" -> "+newAgent)
		g.add("WVD-Agent-Updater", 2, 4, g.update.Add(-time.Minute),
			"Agent update completed successfully: "+newAgent)
	}
	for range 1 + g.rng.IntN(4) {
		t := g.randTime()
		g.add("WVD-Agent", 3019, 3, t,
			"Transport: websocket. The following URLs are not reachable: wss://"+u.gateway(t)+":443/")
	}
	for range 280 + g.rng.IntN(60) {
		g.noise()
	}

	slices.SortStableFunc(g.recs, func(a, b Record) int { return a.Time.Compare(b.Time) })
	first := uint64(10000 + g.rng.IntN(50000))
	for i := range g.recs {
		g.recs[i].RecordID = first + uint64(i)
	}
	return g.recs
}

type sampler struct {
	rng        *rand.Rand
	computer   string
	start, end time.Time
	legacy     bool      // runs oldAgent until update
	update     time.Time // when it is updated to newAgent
	recs       []Record
}

const (
	oldAgent = "1.0.2866.1500"
	newAgent = "1.0.8431.2300"
)

// version returns the agent version the host runs at t.
func (g *sampler) version(t time.Time) string {
	if g.legacy && t.Before(g.update) {
		return oldAgent
	}
	return newAgent
}

func (g *sampler) add(provider string, id uint16, level uint8, t time.Time, data ...string) {
	g.addQ(provider, id, 0, level, t, data...)
}

func (g *sampler) addQ(provider string, id, qual uint16, level uint8, t time.Time, data ...string) {
	t = t.Add(time.Duration(g.rng.IntN(10_000_000)) * 100) // sub-second part, 100 ns steps
	g.recs = append(g.recs, Record{
		Provider:   provider,
		EventID:    id,
		Qualifiers: qual,
		Level:      level,
		Time:       t,
		Computer:   g.computer,
		Channel:    "Application",
		Data:       data,
	})
}

func (g *sampler) randTime() time.Time {
	return g.start.Add(time.Duration(g.rng.Int64N(int64(g.end.Sub(g.start)))))
}

func (g *sampler) guid() string {
	return formatGUID(g.rng)
}

func formatGUID(r *rand.Rand) string {
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x",
		r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xfff, 0x8000|r.Uint32()&0x3fff, r.Uint64()&0xffffffffffff)
}

// noise adds one event of a source that is not the agent's.
func (g *sampler) noise() {
	t := g.randTime()
	switch n := g.rng.IntN(100); {
	case n < 25:
		at := t.Add(time.Duration(20+g.rng.IntN(30)) * time.Hour).Truncate(time.Second)
		g.addQ("Microsoft-Windows-Security-SPP", 16384, 16384, 4, t, at.Format(time.RFC3339), "RulesEngine")
	case n < 35:
		g.addQ("Microsoft-Windows-Security-SPP", 16394, 16384, 4, t)
	case n < 45:
		id, pid := "{"+strings.ToUpper(g.guid())+"}", fmt.Sprint(1000+g.rng.IntN(9000))
		g.add("MsiInstaller", 1040, 4, t, id, pid)
		g.add("MsiInstaller", 1042, 4, t.Add(time.Duration(1+g.rng.IntN(50))*time.Second), id, pid)
	case n < 48:
		g.add("MsiInstaller", 11707, 4, t,
			"Product: Microsoft Edge Update Helper -- Installation completed successfully.",
			"(NULL)", "(NULL)", "(NULL)", "(NULL)", "(NULL)", "")
	case n < 65:
		pid := fmt.Sprint(1000 + g.rng.IntN(9000))
		db := `C:\Windows\system32\config\systemprofile\AppData\Local\TileDataLayer\Database\vedatamodel.edb`
		if g.rng.IntN(2) == 0 {
			g.add("ESENT", 326, 4, t, "svchost", pid+",D,50", "TILEREPOSITORYS-1-5-18: ", "1", db, "0", "")
		} else {
			g.add("ESENT", 327, 4, t, "svchost", pid+",D,50", "TILEREPOSITORYS-1-5-18: ", "1", db)
		}
	case n < 70:
		g.add("ESENT", 916, 4, t, "svchost", fmt.Sprint(1000+g.rng.IntN(9000))+",G,98", "", "EseDiskFlushConsistency", "ESENT", "0x800000")
	case n < 82:
		g.add("SecurityCenter", 15, 4, t, "Windows Defender", "SECURITY_PRODUCT_STATE_ON")
	case n < 85:
		g.add("SecurityCenter", 1, 4, t)
	case n < 93:
		msg := "No agent update available. Current version: " + newAgent
		if g.version(t) == oldAgent {
			msg = "Agent update available: " + oldAgent + " -> " + newAgent + ". Waiting for the maintenance window."
		}
		g.add("WVD-Agent-Updater", 3, 4, t, msg)
	default:
		g.add("RDAgentBootLoader", 4, 4, t, "RDAgentBootLoader: agent is running, version "+g.version(t))
	}
}

// urlSet holds the host names an agent in one region reports.
type urlSet struct {
	pool       string // host pool GUID
	region     string
	code       string
	gateways   [2]int
	changeover time.Time
}

// regionCodes are the region codes of gateway names.
var regionCodes = map[string]string{
	"australiaeast":  "AUE",
	"centralus":      "CUS",
	"eastus":         "EUS",
	"eastus2":        "EUS2",
	"japaneast":      "JPE",
	"northeurope":    "NEU",
	"southcentralus": "SCUS",
	"uksouth":        "UKS",
	"westeurope":     "WEU",
	"westus":         "WUS",
	"westus2":        "WUS2",
}

func newURLSet(region string, r *rand.Rand) *urlSet {
	code, ok := regionCodes[region]
	if !ok {
		code = strings.ToUpper(region[:min(4, len(region))])
	}
	// Hosts of one region share a host pool: its GUID depends on the region.
	h := fnv.New64a()
	h.Write([]byte("hostpool/" + region))
	pool := formatGUID(rand.New(rand.NewPCG(h.Sum64(), 1)))
	a := 100 + r.IntN(300)
	b := 100 + (a-100+1+r.IntN(298))%300
	return &urlSet{
		pool:       pool,
		region:     region,
		code:       code,
		gateways:   [2]int{a, b},
		changeover: time.Date(2024, 5, 8, r.IntN(24), 0, 0, 0, time.UTC),
	}
}

func (u *urlSet) gateway(t time.Time) string {
	c := u.gateways[0]
	if !t.Before(u.changeover) {
		c = u.gateways[1]
	}
	return fmt.Sprintf("rdgateway-c%d-%s-r1.wvd.microsoft.com", c, u.code)
}

// hosts returns the host names the agent checks at time t, brokers first.
func (u *urlSet) hosts(t time.Time, old bool) []string {
	hs := []string{
		u.pool + ".rdbroker-g-us-r0.wvd.microsoft.com",
		u.pool + ".rdbroker.wvd.microsoft.com",
		u.pool + ".rddiagnostics-g-us-r0.wvd.microsoft.com",
		u.gateway(t),
		"mrsglobalsteus2prod.blob.core.windows.net",
		"gcs.prod.monitoring.core.windows.net",
		"production.diagnostics.monitoring.core.windows.net",
		u.region + "-shared.prod.warm.ingest.monitor.core.windows.net",
		"qos.prod.warm.ingest.monitor.core.windows.net",
	}
	if old {
		hs = append(hs, "gsm123456789eh.servicebus.windows.net")
	}
	return hs
}

// urlReport lays out a URL check as WVDAgentUrlTool.exe prints it.
func urlReport(ok, notOK []string) string {
	const rule = "======================================================"
	list := func(hs []string) string {
		if len(hs) == 0 {
			return "<empty>"
		}
		return strings.Join(hs, "\r\n")
	}
	outcome, info := "HealthCheckSucceeded", "<empty>"
	if len(notOK) > 0 {
		outcome, info = "HealthCheckFailed", "One or more required URLs are not accessible"
	}
	return strings.Join([]string{
		"UrlsAccessibleCheck :  Outcome: " + outcome,
		"Additional Contextual Information:" + info,
		"",
		"Accessible URLs:",
		rule,
		list(ok),
		"",
		"NOT Accessible URLs:",
		rule,
		list(notOK),
	}, "\r\n")
}
