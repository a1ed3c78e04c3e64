"""casefile benchmarks: `make bench` runs this after building and installing the pinned
Python `transformers` into the project venv.

Same machine, same model directory (models/ner-en-conll), same corpora:

  CoNLL-2003 dev (51,362 words; ../shared/data/conll2003/dev.txt)
    casefile tag-conll          the NER stage as shipped (process wall time, model load included)
    libtorch bare forward       the model's forward passes alone on the batches casefile runs
    transformers default        pipeline("token-classification", aggregation_strategy="simple")
    transformers tuned          the same with the batch_size that was fastest here
  Generated articles (bench/gen_articles.py, fixed seed)
    casefile extract --no-events  the pipeline without the syntax and events stages
                                (entities, dates, places): the baseline
    casefile extract --parser   the whole pipeline: the same with the syntax stage
                                (models/parser-en-ewt) and the events stage that reads it
    extract before the syntax stage  the extract of commit 76120ee, built here: the speed
                                the syntax stage was to keep 75% of
    libtorch bare forward       forward passes alone on the same articles' sentences

Prints a table, appends rows to bench/results/YYYY-MM-DD.csv, writes the table to
bench/results/latest.md and between the bench markers of README.md, and checks that
casefile and the Python pipeline find the same entities (agreement %).

Document size: one generated article of 0.5, 2 and 6 MB (BENCH_DOCSIZE, in MB) against the
same paragraphs as separate small documents, words/s of each (bench/results/docsize.md and the
README's docsize markers), with --no-events: tests/scaling.rs judges the events stage's growth
with the document.

Environment: BENCH_PARTS, which parts to run (default "ner extract before scale docsize"; "before"
adds to the extract rows the extract of commit 76120ee, the last before the syntax stage, built
once into target/bench-before); BENCH_ROUNDS (default 3) rounds of the extract rows, which
alternate and report the median round; BENCH_PARSER (default models/parser-en-ewt) the parser of
the end-to-end row; BENCH_ARTICLES (default 500) articles for extract; BENCH_SCALE, a list of corpus sizes for the scaling table
(default "1000 10000"); BENCH_SCALE_WORDS, the length range of those articles (default
150-300). `make bench-scale` runs only the scaling part, over 1,000, 10,000 and 100,000
articles of 50-100 words. The scaling table counts event mentions and merged events, so it runs
the whole pipeline (syntax and events stages). It goes to bench/results/scale.md and between the
README's scale markers.
"""

import csv
import datetime
import json
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(ROOT)
# CASEFILE_BIN: a copy of the binary, so that a rebuild during a long run does not change it.
BIN = os.environ.get("CASEFILE_BIN", "target/release/casefile")
MODEL = "models/ner-en-conll"
# BENCH_PARSER: another parser for the end-to-end row (`make parser-lite` trains a lighter one).
PARSER = os.environ.get("BENCH_PARSER", "models/parser-en-ewt")
DEV = "../shared/data/conll2003/dev.txt"
WORK = "bench/work"
PY = sys.executable
# The scaling corpora use short articles, so that 10,000 of them run in minutes
# on two cores; the end-to-end row above uses full-length ones. `make
# bench-scale` uses shorter ones still, so that 100,000 run in half an hour.
SCALE_WORDS = os.environ.get("BENCH_SCALE_WORDS", "150-300")


def run(cmd):
    """Runs a quick helper command; returns (seconds, stdout, stderr)."""
    start = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"benchmark command failed ({p.returncode}): {' '.join(cmd)}\n{p.stderr[-2000:]}")
    return time.perf_counter() - start, p.stdout, p.stderr


def run_rss(cmd, stdout=None):
    """Like run(), with the peak RSS of exactly this child (os.wait4)."""
    out = open(stdout, "w") if stdout else subprocess.DEVNULL
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=out if stdout else subprocess.PIPE, stderr=subprocess.PIPE)
    # Drain pipes while waiting, then reap with wait4 to get this child's rusage.
    data, err = b"", b""
    if not stdout:
        data = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    secs = time.perf_counter() - start
    if p.returncode not in (0, 3):
        sys.exit(
            f"benchmark command failed ({p.returncode}): {' '.join(cmd)}\n"
            + err.decode(errors="replace")[-2000:]
        )
    return secs, usage.ru_maxrss / 1024.0, data.decode(errors="replace"), err.decode(errors="replace")


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {cpu}, {mem:.0f} GiB, {platform.system()} {platform.machine()}"


# The last commit before the syntax stage (issue 13): its `extract` is the speed
# the syntax stage was asked to keep 75% of.
BEFORE = "76120ee"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def before_binary():
    """`extract` as it was before the syntax stage: commit BEFORE, exported with
    git archive and built beside this checkout's build (with the same venv).
    None, with the reason printed, where the history lacks the commit."""
    home = "target/bench-before"
    binary = f"{home}/target/release/casefile"
    if os.path.exists(binary):
        return binary
    if subprocess.run(["git", "cat-file", "-e", f"{BEFORE}^{{commit}}"], capture_output=True).returncode != 0:
        print(f"before-syntax row skipped: commit {BEFORE} is not in this clone's history")
        return None
    os.makedirs(home, exist_ok=True)
    archive = subprocess.run(["git", "archive", BEFORE], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", home], input=archive, check=True)
    if not os.path.exists(f"{home}/.venv"):
        os.symlink(os.path.abspath(".venv"), f"{home}/.venv")
    print(f"building commit {BEFORE} in {home} (once; a few minutes)", flush=True)
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=home, check=True)
    return binary


def extract_rows(row, with_before):
    """The extract rows: the same generated articles through the pipeline
    without the syntax and events stages, through all of it, and (with_before)
    through the build from before the syntax stage. The variants alternate,
    ROUNDS times, and each row is the median round: a ratio of two rows then
    compares runs from the same minutes of the same machine."""
    n_articles = int(os.environ.get("BENCH_ARTICLES", "500"))
    corpus = f"{WORK}/articles-{n_articles}.jsonl"
    subprocess.run([PY, "bench/gen_articles.py", str(n_articles), corpus], check=True)
    common = ["--quiet", "--device", "cpu"]
    variants = [
        # The baseline the cost of the syntax and events stages is measured against.
        ("extract casefile --no-events", [BIN, "extract", corpus, "--out", f"{WORK}/out", *common, "--no-events"],
         f"{n_articles} generated articles, no syntax or events stage"),
        # Their cost is mostly the parser heads: the NER encoder pass is shared.
        ("extract casefile end to end", [BIN, "extract", corpus, "--out", f"{WORK}/out-syntax", *common,
                                         "--parser", PARSER],
         f"same articles, with the syntax and events stages, --parser {PARSER}"),
    ]
    before = before_binary() if with_before else None
    if before:
        variants.append((f"extract before the syntax stage ({BEFORE})",
                         [before, "extract", corpus, "--out", f"{WORK}/out-before", *common],
                         f"same articles, commit {BEFORE} built here"))
    times = {name: [] for name, _, _ in variants}
    for _ in range(ROUNDS):
        for k, (name, cmd, _) in enumerate(variants):
            stats = f"{WORK}/extract-stats-{k}.json"
            secs, rss, _, _ = run_rss(cmd + ["--stats", stats])
            times[name].append((secs, rss, json.load(open(stats))["words"]))
    wps = {}
    for name, _, note in variants:
        secs, rss, words = sorted(times[name])[len(times[name]) // 2]
        wps[name] = row(name, words, "words", secs, rss, f"{note}; median of {ROUNDS}")
    _, rss, out, _ = run_rss([BIN, "bench-forward", corpus, "--device", "cpu"])
    fwd = json.loads(out)
    bare = row("extract libtorch bare forward", fwd["words"], "words", fwd["seconds"], rss,
               "same articles, forward passes only")
    return (wps[variants[0][0]], wps[variants[1][0]],
            wps.get(f"extract before the syntax stage ({BEFORE})"), bare)


def conll_words(path):
    n = 0
    for line in open(path, encoding="utf-8"):
        if line.strip() and not line.startswith("-DOCSTART-"):
            n += 1
    return n


def main():
    os.makedirs(WORK, exist_ok=True)
    os.makedirs("bench/results", exist_ok=True)
    today = datetime.date.today().isoformat()
    host = machine()
    rows = []  # (benchmark, items, unit, seconds, per_second, rss_mb, note)

    def row(name, items, unit, secs, rss, note=""):
        per = items / secs if secs > 0 else 0.0
        rows.append((name, items, unit, secs, per, rss, note))
        print(f"{name:<34} {items:>9} {unit:<5} {secs:>8.2f}s {per:>10.1f}/s {rss:>6.0f} MB  {note}", flush=True)
        return per

    print(f"casefile benchmarks, {today}, {host}", flush=True)
    parts = os.environ.get("BENCH_PARTS", "ner extract before scale docsize").split()
    ner = {}
    agreement = None
    extract_wps = bare_wps = syntax_wps = before_wps = None
    if "ner" in parts:
        if os.path.exists(DEV):
            words = conll_words(DEV)
            secs, rss, _, _ = run_rss([BIN, "tag-conll", DEV, "--device", "cpu"], stdout=f"{WORK}/cf.conll")
            ner["casefile"] = row("ner casefile tag-conll", words, "words", secs, rss,
                                  "as shipped: Viterbi decoding, model load included")
            secs, rss, _, _ = run_rss([BIN, "tag-conll", DEV, "--device", "cpu", "--precision", "f32"],
                                      stdout=f"{WORK}/cf_f32.conll")
            ner["casefile_f32"] = row("ner casefile tag-conll --precision f32", words, "words", secs, rss,
                                      "the trained numerics exactly, model load included")
            # Decoding as transformers' simple aggregation does: these are the entities
            # compared with the Python pipeline's, in both number formats.
            for precision in ("auto", "f32"):
                secs, rss, _, _ = run_rss([BIN, "tag-conll", DEV, "--device", "cpu", "--decode", "simple", "--spans",
                                           "--precision", precision], stdout=f"{WORK}/cf_simple_{precision}.jsonl")
                row(f"ner casefile --decode simple --precision {precision}", words, "words", secs, rss,
                    "transformers' aggregation, model load included")
            _, rss, out, _ = run_rss([BIN, "bench-forward", "--conll", DEV, "--device", "cpu"])
            fwd = json.loads(out)
            ner["bare"] = row("ner libtorch bare forward", words, "words", fwd["seconds"], rss,
                              "forward passes only, as shipped (auto)")
            _, rss, out, _ = run_rss([BIN, "bench-forward", "--conll", DEV, "--device", "cpu", "--precision", "f32"])
            fwd = json.loads(out)
            row("ner libtorch bare forward f32", words, "words", fwd["seconds"], rss, "forward passes only, f32")

            def python(batch, out, conll=DEV):
                cmd = [PY, "bench/py_ner.py", "--model", MODEL, "--conll", conll, "--out", out]
                if batch:
                    cmd += ["--batch-size", str(batch)]
                _, rss, text, _ = run_rss(cmd)
                return json.loads(text.strip().splitlines()[-1]), rss

            res, rss = python(0, f"{WORK}/py_default.jsonl")
            ner["py_default"] = row("ner transformers pipeline default", words, "words", res["seconds"], rss,
                                    "batch_size 1 (default), model load excluded")
            # Tune batch_size on the first 600 sentences, then run the best on the whole file.
            sample = f"{WORK}/dev_sample.txt"
            with open(DEV, encoding="utf-8") as f, open(sample, "w", encoding="utf-8") as g:
                n = 0
                for line in f:
                    g.write(line)
                    n += not line.strip()
                    if n > 600:
                        break
            best, best_wps = 1, 0.0
            for b in (4, 8, 16, 32, 64, 128):
                res, _ = python(b, f"{WORK}/py_tune.jsonl", conll=sample)
                print(f"  tuning transformers batch_size {b}: {res['words_per_second']:.0f} words/s", flush=True)
                if res["words_per_second"] > best_wps:
                    best, best_wps = b, res["words_per_second"]
            res, rss = python(best, f"{WORK}/py_tuned.jsonl")
            ner["py_tuned"] = row("ner transformers pipeline tuned", words, "words", res["seconds"], rss,
                                  f"batch_size {best}, model load excluded")
            agreement = {}
            for precision in ("auto", "f32"):
                _, agree_out, _ = run([PY, "bench/agree.py", f"{WORK}/cf_simple_{precision}.jsonl",
                                       f"{WORK}/py_default.jsonl"])
                a = json.loads(agree_out.strip().splitlines()[-1])
                agreement[precision] = a
                print(f"entity agreement casefile --decode simple --precision {precision} vs transformers: "
                      f"{a['agreement']}% ({a['agreed']} agreed; casefile {a['casefile']}, python {a['python']})")
        else:
            print(f"NER benchmarks skipped: {DEV} is missing (needs ../shared beside the checkout)")
            agreement = None

    if "extract" in parts:
        extract_wps, syntax_wps, before_wps, bare_wps = extract_rows(row, "before" in parts)

    scale = []
    if "scale" in parts:
        for n in [int(x) for x in os.environ.get("BENCH_SCALE", "1000 10000").split()]:
            corpus = f"{WORK}/short-{n}-{SCALE_WORDS}.jsonl"
            subprocess.run([PY, "bench/gen_articles.py", str(n), corpus, "--words", SCALE_WORDS], check=True)
            # How time, memory and merging grow with the corpus: the whole
            # pipeline, since the table counts events (it was first measured
            # with the window engine, since removed, which had no syntax stage).
            secs, rss, _, _ = run_rss([BIN, "extract", corpus, "--out", f"{WORK}/out-{n}", "--quiet",
                                       "--device", "cpu", "--stats", f"{WORK}/stats-{n}.json"])
            events = json.load(open(f"{WORK}/stats-{n}.json"))["events"]
            with open(f"{WORK}/out-{n}/merged_events.csv", encoding="utf-8", newline="") as f:
                merged = sum(1 for _ in csv.reader(f)) - 1
            row(f"scale extract {n} articles", n, "docs", secs, rss, f"{events} event mentions, {merged} merged")
            scale.append((n, secs, rss, events, merged))

    docsize = []
    if "docsize" in parts:
        docsize = document_size(row)

    with open(f"bench/results/{today}.csv", "a", encoding="utf-8") as f:
        if f.tell() == 0:
            f.write("date,machine,benchmark,items,unit,seconds,per_second,peak_rss_mb,note\n")
        for name, items, unit, secs, per, rss, note in rows:
            f.write(f'{today},"{host}",{name},{items},{unit},{secs:.3f},{per:.1f},{rss:.0f},"{note}"\n')

    if "ner" in parts and "extract" in parts:
        md = [f"Measured {today} on {host} with `make bench`.", ""]
        md += ["| benchmark | words | seconds | words/s | peak RSS | note |", "|---|---:|---:|---:|---:|---|"]
        for name, items, unit, secs, per, rss, note in rows:
            if unit == "words":
                md.append(f"| {name} | {items:,} | {secs:.1f} | {per:,.0f} | {rss:.0f} MB | {note} |")
        md.append("")
        if ner:
            md.append(f"- casefile (as shipped) / transformers default: **{ner['casefile'] / ner['py_default']:.2f}x**; "
                      f"/ transformers tuned: **{ner['casefile'] / ner['py_tuned']:.2f}x**; "
                      f"tag-conll / bare forward: {ner['casefile'] / ner['bare']:.0%}")
            md.append(f"- casefile `--precision f32` / transformers default: "
                      f"**{ner['casefile_f32'] / ner['py_default']:.2f}x**; / transformers tuned: "
                      f"**{ner['casefile_f32'] / ner['py_tuned']:.2f}x**")
        if extract_wps:
            md.append(f"- extract --no-events / bare forward on the same articles: **{extract_wps / bare_wps:.0%}**")
        if syntax_wps:
            md.append(f"- extract end to end (syntax and events stages) / --no-events, same articles and run: "
                      f"**{syntax_wps / extract_wps:.0%}**")
        if syntax_wps and before_wps:
            md.append(f"- extract end to end / extract before the syntax stage (commit {BEFORE}, built here), "
                      f"same articles and run: **{syntax_wps / before_wps:.0%}**")
        if agreement:
            for precision, a in agreement.items():
                md.append(f"- entity agreement of `tag-conll --decode simple --precision {precision}` with the "
                          f"transformers pipeline on CoNLL dev: **{a['agreement']}%** (same character span and "
                          f"type; {a['agreed']:,} agreed, casefile {a['casefile']:,}, transformers {a['python']:,})")
        publish("\n".join(md) + "\n", "bench/results/latest.md", "bench")
    if docsize:
        md = [f"Measured {today} on {host} with `make bench` (`BENCH_PARTS=docsize` for this table alone).", "",
              "Document size (`extract`: the same generated news paragraphs as one article and as many "
              "small documents):", "",
              "| one article | words | seconds | words/s | as small documents | words/s | one / small |",
              "|---:|---:|---:|---:|---:|---:|---:|"]
        for size, words, one_secs, one_wps, parts_n, many_wps in docsize:
            md.append(f"| {size / 1e6:.1f} MB | {words:,} | {one_secs:.1f} | {one_wps:,.0f} | {parts_n:,} "
                      f"| {many_wps:,.0f} | **{one_wps / many_wps:.0%}** |")
        publish("\n".join(md) + "\n", "bench/results/docsize.md", "docsize")
    if scale:
        md = [f"Measured {today} on {host} with `make bench` / `make bench-scale`.", "",
              f"Scaling (`extract`, generated articles of {SCALE_WORDS} words):", "",
              "| generated articles | seconds | docs/s | event mentions | merged events | peak RSS |",
              "|---:|---:|---:|---:|---:|---:|"]
        for n, secs, rss, events, merged in scale:
            md.append(f"| {n:,} | {secs:.1f} | {n / secs:.1f} | {events:,} | {merged:,} | {rss:.0f} MB |")
        publish("\n".join(md) + "\n", "bench/results/scale.md", "scale")


def document_size(row):
    """One article of 0.5, 2 and 6 MB against the same paragraphs as small documents:
    words/s of each, so that a stage that grows with the square of a document shows."""
    out = []
    for size in [int(float(x) * 1e6) for x in os.environ.get("BENCH_DOCSIZE", "0.5 2 6").split()]:
        one, many = f"{WORK}/big-{size}.jsonl", f"{WORK}/big-{size}-parts.jsonl"
        subprocess.run([PY, "bench/gen_articles.py", "--big", str(size), one, many], check=True)
        parts_n = sum(1 for _ in open(many, encoding="utf-8"))
        result = {}
        for name, corpus in (("one", one), ("many", many)):
            stats_file = f"{WORK}/big-{size}-{name}-stats.json"
            secs, rss, _, _ = run_rss([BIN, "extract", corpus, "--out", f"{WORK}/out-big-{name}", "--quiet",
                                       "--device", "cpu", "--no-events", "--stats", stats_file])
            words = json.load(open(stats_file))["words"]
            label = "one article" if name == "one" else f"{parts_n} documents"
            result[name] = (secs, words, row(f"docsize {size / 1e6:.1f} MB {label}", words, "words", secs, rss))
        out.append((size, result["one"][1], result["one"][0], result["one"][2], parts_n, result["many"][2]))
    return out


def publish(table, path, marker):
    """Prints a table, writes it to `path` and between the README's `marker` comments."""
    print()
    print(table)
    with open(path, "w", encoding="utf-8") as f:
        f.write(table)
    readme = open("README.md", encoding="utf-8").read()
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    if start in readme and end in readme:
        head, rest = readme.split(start, 1)
        _, tail = rest.split(end, 1)
        with open("README.md", "w", encoding="utf-8") as f:
            f.write(f"{head}{start}\n{table}{end}{tail}")
        print(f"README.md {marker} table updated")


if __name__ == "__main__":
    main()
