package scan

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/avdurls/avdurls/discover"
	"github.com/avdurls/avdurls/internal/termtext"
)

// AzureVM is a machine Azure Resource Graph knows: its resource ID and
// computer name (lower case), its location and subscription.
type AzureVM struct {
	ID, Name, Location, Subscription string
}

// RegionLookup finds machines in Azure by resource ID and by computer
// name (lower case, at most 15 characters, as Windows keeps it).
type RegionLookup interface {
	Lookup(ctx context.Context, ids, names []string) ([]AzureVM, error)
}

// maxComputerName is how long a Windows computer name is: an event's
// FQDN is matched on its first label, cut there.
const maxComputerName = 15

// shortName is a computer's name as osProfile.computerName holds it:
// the first label of its FQDN, lower case, at most 15 characters.
func shortName(computer string) string {
	s, _, _ := strings.Cut(strings.ToLower(computer), ".")
	return s[:min(len(s), maxComputerName)]
}

// noteResource records the resource ID of a row's computer, once.
func (r *run) noteResource(m *rowMerge, computer, rid string) {
	if rid == "" {
		return
	}
	if r.rids == nil {
		r.rids = map[string][]string{}
	}
	key := strings.ToLower(discover.CleanComputer(computer))
	rid = strings.ToLower(rid)
	if !slices.Contains(r.rids[key], rid) && len(r.rids[key]) < 8 {
		r.rids[key] = append(r.rids[key], m.intern(rid))
	}
}

// azureRegions asks o.AzureRegions where the hosts are and sets the
// region of each host it finds, by resource ID, else by computer name
// when one machine has it; a name of several machines is ambiguous and
// said so. --region and the region map still win (Build applies them),
// a disagreement is warned about. A failed lookup is a warning: the
// regions come from the other sources.
func (r *run) azureRegions(ctx context.Context) {
	computers := r.c.b.Computers()
	var ids, names []string
	for _, c := range computers {
		ids = append(ids, r.rids[strings.ToLower(c)]...)
		if n := shortName(c); n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	vms, err := r.o.AzureRegions.Lookup(ctx, ids, names)
	if err != nil {
		r.note(Warning, fmt.Sprintf("regions from Azure: %v; the hosts' regions come from --region, the region map or inference", err), err)
		return
	}
	byID, byName := map[string]AzureVM{}, map[string][]AzureVM{}
	for _, vm := range vms {
		byID[vm.ID] = vm
		if !slices.ContainsFunc(byName[vm.Name], func(o AzureVM) bool { return o.ID == vm.ID }) {
			byName[vm.Name] = append(byName[vm.Name], vm)
		}
	}
	found := 0
	for _, c := range computers {
		loc, basis := r.azureRegion(c, byID, byName)
		if loc == "" {
			continue
		}
		found++
		r.placeHost(c, loc, basis)
	}
	r.note(Info, fmt.Sprintf("regions from Azure Resource Graph: %d of %s", found, termtext.Plural(len(computers), "host")), nil)
}

// azureRegion is where Resource Graph puts a computer, and how it was
// found; "" when it was not, or ambiguously (said).
func (r *run) azureRegion(computer string, byID map[string]AzureVM, byName map[string][]AzureVM) (string, string) {
	for _, id := range r.rids[strings.ToLower(computer)] {
		if vm, ok := byID[id]; ok {
			return vm.Location, "Azure Resource Graph (resource ID " + vm.ID + ")"
		}
	}
	name := shortName(computer)
	switch cands := byName[name]; len(cands) {
	case 0:
		return "", ""
	case 1:
		return cands[0].Location, "Azure Resource Graph (computer name " + name + ")"
	default:
		var subs []string
		for _, vm := range cands {
			if !slices.Contains(subs, vm.Subscription) {
				subs = append(subs, vm.Subscription)
			}
		}
		slices.Sort(subs)
		r.note(Warning, fmt.Sprintf("host %s: the computer name %s is %d machines in Azure Resource Graph (subscriptions %s): ambiguous, its region is left to the region map or inference",
			computer, name, len(cands), strings.Join(subs, ", ")), nil)
		return "", ""
	}
}

// placeHost gives a host the region Resource Graph found, unless --region
// or the region map give one (then a disagreement is warned about).
func (r *run) placeHost(computer, loc, basis string) {
	given, from := r.o.Build.Region, "--region"
	if given == "" && r.o.Build.RegionMap != nil {
		lc := strings.ToLower(computer)
		from = "the region map"
		if g, ok := r.o.Build.RegionMap.Region(lc); ok {
			given = g
		} else if g, ok := r.o.Build.RegionMap.Region(strings.SplitN(lc, ".", 2)[0]); ok {
			given = g
		}
	}
	switch {
	case given != "" && !strings.EqualFold(given, loc):
		r.note(Warning, fmt.Sprintf("host %s: %s says %s, %s says %s; %s wins", computer, from, given, basis, loc, from), nil)
		return
	case given != "":
		return
	}
	earlier, hint := r.c.b.HostRegion(computer)
	if earlier != "" && earlier != loc {
		r.note(Warning, fmt.Sprintf("host %s: an earlier report says %s, %s says %s; Azure wins", computer, earlier, basis, loc), nil)
	}
	if hint != "" && hint != loc {
		r.note(Warning, fmt.Sprintf("host %s: its agent reports to the %s monitoring region, %s says %s; Azure wins", computer, hint, basis, loc), nil)
	}
	r.c.b.PlaceHost(computer, loc, basis)
}
