#!/usr/bin/env bash
# Place resolution on data/geo/places.tsv: accuracy per half and resolutions
# per second, with the CPU it ran on (for the README's Places section).
set -euo pipefail
cd "$(dirname "$0")/.."
lscpu | grep -E 'Model name|^CPU\(s\)'
date -u +%F
target/release/casefile eval-geo data/geo/places.tsv "$@"
