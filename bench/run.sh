#!/usr/bin/env bash
# casefile benchmarks. Prints a table and appends it to bench/results/YYYY-MM-DD.csv.
# Speed lives here, never in tests. Run through `make bench` (which builds first).
#
#   tag-conll  NER over the CoNLL-2003 dev file (51,362 words), words/s
#   extract    the whole pipeline over data/samples repeated to 200 documents, docs/s
#
# Needs ../shared/data/conll2003/dev.txt for the first; says so when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/casefile
DEV=../shared/data/conll2003/dev.txt
WORK=bench/work
mkdir -p "$WORK" bench/results
date=$(date -u +%Y-%m-%d)
out="bench/results/$date.csv"
[ -f "$out" ] || echo "date,machine,benchmark,items,unit,seconds,per_second,peak_rss_mb" > "$out"
machine="$(nproc)cpu-$(uname -m)"

# Runs a command under /usr/bin/time-like accounting: prints "seconds peak_rss_kb".
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
dt = time.perf_counter() - t
if p.returncode not in (0, 3):
    sys.exit(f"benchmark command failed ({p.returncode}): {' '.join(sys.argv[1:])}")
print(f"{dt:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
PY
}

row() { # name items unit seconds rss_kb
  local per; per=$(python3 -c "print(f'{$2/$4:.1f}')")
  local rss; rss=$(python3 -c "print(f'{$5/1024:.0f}')")
  printf "%-10s %8s %-6s %8.2fs %10s/s %6s MB\n" "$1" "$2" "$3" "$4" "$per" "$rss"
  echo "$date,$machine,$1,$2,$3,$4,$per,$rss" >> "$out"
}

echo "casefile benchmarks, $date, $machine"
if [ -f "$DEV" ]; then
  words=$(grep -v -e '^-DOCSTART-' -e '^\s*$' "$DEV" | wc -l)
  read -r secs rss < <(measure "$BIN" tag-conll "$DEV" --device cpu)
  row tag-conll "$words" words "$secs" "$rss"
else
  echo "tag-conll: skipped, $DEV is missing (needs ../shared beside the checkout)"
fi

rm -rf "$WORK/articles" && mkdir -p "$WORK/articles"
n=0
for i in $(seq 1 25); do
  for f in data/samples/*.txt; do
    cp "$f" "$WORK/articles/$(printf %04d $n).txt"; n=$((n+1))
  done
done
read -r secs rss < <(measure "$BIN" extract "$WORK/articles" --out "$WORK/out" --quiet --device cpu)
row extract "$n" docs "$secs" "$rss"
echo "results appended to $out"
