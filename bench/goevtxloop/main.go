// Command goevtxloop is the benchmark's baseline: golang-evtx v1.2.9 used as
// its README shows (OpenDirty, then FastEvents), counting the events whose
// System.Provider.Name is the one asked for. It is here to be measured
// against, not used: the library loses classic providers' names, so the
// count it prints is expected to be 0 for WVD-Agent.
package main

import (
	"fmt"
	"os"

	"github.com/0xrawsec/golang-evtx/evtx"
)

func main() {
	total, matched := 0, 0
	path := evtx.Path("/Event/System/Provider/Name")
	for _, name := range os.Args[1:] {
		ef, err := evtx.OpenDirty(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "goevtxloop:", name, err)
			continue
		}
		for e := range ef.FastEvents() {
			total++
			if s, err := e.GetString(&path); err == nil && s == "WVD-Agent" {
				matched++
			}
		}
		ef.Close()
	}
	fmt.Printf("%d events, %d WVD-Agent\n", total, matched)
}
