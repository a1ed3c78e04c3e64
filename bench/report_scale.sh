#!/usr/bin/env bash
# The report at scale (`make bench-report`): 10,000 generated articles of
# 50-100 words (bench/gen_articles.py, fixed seed), extract --report, then the
# page's size and its load time in headless chromium (bench/report_load.py).
# Appends a line to bench/results/report_scale.md; the corpus and outputs stay
# in bench/work/report (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${REPORT_BENCH_DOCS:-10000}
WORK=bench/work/report
PY=${VIRTUAL_ENV:-.venv}/bin/python
mkdir -p "$WORK"
python3 bench/gen_articles.py "$N" "$WORK/articles.jsonl" --words 50-100
start=$(date +%s.%N)
target/release/casefile extract "$WORK/articles.jsonl" --out "$WORK/out" --quiet
mid=$(date +%s.%N)
target/release/casefile report "$WORK/out"
end=$(date +%s.%N)
load=$("$PY" bench/report_load.py "$WORK/out/report.html")
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
cores=$(nproc)
line=$(printf '| %s | %s | %.1f | %.1f | %s | %s (%s cores) |' "$(date -u +%F)" "$N" \
  "$(python3 -c "print($mid - $start)")" "$(python3 -c "print($end - $mid)")" "$load" "$cpu" "$cores")
echo "$line"
if [ ! -f bench/results/report_scale.md ]; then
  printf '%s\n\n%s\n%s\n' "Report at scale (make bench-report): generated articles of 50-100 words." \
    '| date | documents | extract s | report s | load in headless chromium (JSON) | CPU |' \
    '|---|---:|---:|---:|---|---|' > bench/results/report_scale.md
fi
echo "$line" >> bench/results/report_scale.md
