#!/usr/bin/env bash
# Fleet-size benchmarks (issue 21): 10,000 hosts × 20 distinct agent texts
# in a week (200,000 grouped rows) read through the fake workspace and
# through az JSON and portal CSV exports, grouped and raw. Each runs in
# its own process so that its peak resident memory (peak-RSS-MiB, VmHWM
# reset before the scan) is its own. ns/op is the wall time of one scan,
# cpu-s its CPU time (the workspace one includes the fake service's).
#   bash bench/fleet.sh                 # 10,000 hosts
#   AVDURLS_BENCH_HOSTS=1000 bash bench/fleet.sh
# Goal: within 256 MiB resident and 10 s on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -c -o /tmp/avdurls-bench.test ./cmd/avdurls
for b in Workspace AzJSON PortalCSV RawAzJSON RawPortalCSV AzJSONRegion; do
  (cd cmd/avdurls && /tmp/avdurls-bench.test -test.run '^$' -test.bench "^BenchmarkFleet$b\$" -test.benchtime 1x) | grep '^Benchmark'
done
