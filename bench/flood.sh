#!/usr/bin/env bash
# Benchmark of memory on floods of distinct names (issue 19): for every
# input kind, an input of 1, 16 and 64 MB that names a new host on every
# line (bench/flood; "hosts": a new computer in every event), scanned by the built binary under /usr/bin/time -v.
# Prints a Markdown table: input size, CPU and wall seconds, peak resident
# MiB, report size, and the slope between 16 and 64 MB (MiB of memory and
# CPU seconds per MB of input). Not a test: numbers depend on the machine.
#
#   bash bench/flood.sh                    # all kinds, 1 16 64 MB
#   SIZES="1 16" KINDS="xml report" bash bench/flood.sh
#   OLD_BIN=/path/to/older/avdurls bash bench/flood.sh   # adds its 16 MB runs
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-/tmp/avdurls-flood}
SIZES=${SIZES:-1 16 64}
KINDS=${KINDS:-evtx xml xml-noregion hosts urltool azjson azcsv regionmap report}
mkdir -p "$BENCH_DIR"
go build -o "$BENCH_DIR/avdurls" ./cmd/avdurls
go build -o "$BENCH_DIR/flood" ./bench/flood

# input KIND SIZE: the path of the flood input, written once.
input() {
  local k=${1%-noregion} f="$BENCH_DIR/flood-$2.${1%-noregion}"
  [ -s "$f" ] || "$BENCH_DIR/flood" -kind "$k" -size "$2" -o "$f"
  echo "$f"
}

# measure BIN KIND SIZE: prints "cpu_seconds rss_kib report_bytes
# input_bytes wall_seconds" (CPU: user + system, which other load on the
# machine changes less than the wall clock).
measure() {
  local bin=$1 kind=$2 size=$3 in out tf args
  in=$(input "$kind" "$size")
  out="$BENCH_DIR/out-$kind-$size.json"
  tf=$(mktemp)
  case $kind in
    regionmap) args=(--region-map "$in" "$(input xml 1)") ;;
    xml-noregion) args=("$in") ;;
    *) args=(--region eastus2 "$in") ;;
  esac
  /usr/bin/time -v -o "$tf" "$bin" scan -q -f json -o "$out" "${args[@]}" >/dev/null 2>&1 || true
  local secs rss wall
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$tf")
  secs=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$tf")
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tf")
  rm -f "$tf"
  echo "$secs $rss $(stat -c %s "$out" 2>/dev/null || echo 0) $(stat -c %s "$in") $wall"
}

echo "| input | MB | CPU s | wall s | peak RSS MiB | report KB | MiB per MB (16->64) | CPU s per MB (16->64) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for kind in $KINDS; do
  declare -A S=() R=() B=()
  for size in $SIZES; do
    read -r secs rss rep bytes wall < <(measure "$BENCH_DIR/avdurls" "$kind" "$size")
    S[$size]=$secs R[$size]=$rss B[$size]=$bytes
    slope_m="" slope_s=""
    if [ "$size" = 64 ] && [ -n "${R[16]:-}" ]; then
      slope_m=$(awk -v a="${R[16]}" -v b="${R[64]}" -v x="${B[16]}" -v y="${B[64]}" 'BEGIN { printf "%.2f", (b - a) / 1024 / ((y - x) / 1e6) }')
      slope_s=$(awk -v a="${S[16]}" -v b="${S[64]}" -v x="${B[16]}" -v y="${B[64]}" 'BEGIN { printf "%.3f", (b - a) / ((y - x) / 1e6) }')
    fi
    printf '| %s | %.1f | %s | %s | %.0f | %.0f | %s | %s |\n' "$kind" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$secs" "$wall" \
      "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$(awk -v b="$rep" 'BEGIN { print b / 1024 }')" "$slope_m" "$slope_s"
  done
  if [ -n "${OLD_BIN:-}" ]; then
    read -r secs rss rep bytes wall < <(measure "$OLD_BIN" "$kind" 16)
    printf '| %s (before) | %.1f | %s | %s | %.0f | %.0f | | |\n' "$kind" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$secs" "$wall" \
      "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$(awk -v b="$rep" 'BEGIN { print b / 1024 }')"
  fi
  unset S R B
done
