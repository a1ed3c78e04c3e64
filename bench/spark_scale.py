"""`make bench-spark`: spark/casefile_job.py in Spark local mode with 1 and
2 executor cores (one casefile worker process per core, one thread each)
over generated articles, beside plain `casefile extract` on the same file;
words/s of the whole run, JVM start and the final merge included. Writes
bench/results/spark_scale.md and the README's spark-scale table.

    python bench/spark_scale.py            (BENCH_SPARK_ARTICLES, default 1024: 8 NER batches)
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from run import machine, publish, run_rss  # noqa: E402

BIN = os.path.abspath("target/release/casefile")
VENV = os.environ.get("VIRTUAL_ENV", os.path.abspath(".venv"))


def words_of(path):
    with open(path, encoding="utf-8") as f:
        return sum(len(json.loads(line)["text"].split()) for line in f if line.strip())


def spark(corpus, out, cores):
    python = os.path.join(VENV, "bin", "python")
    env = dict(os.environ, PYSPARK_PYTHON=python, PYSPARK_DRIVER_PYTHON=python)
    cmd = [os.path.join(VENV, "bin", "spark-submit"), "--master", f"local[{cores}]",
           "--conf", "spark.ui.enabled=false", "--conf", "spark.ui.showConsoleProgress=false",
           "spark/casefile_job.py", corpus,
           "--casefile", BIN, "--threads", "1", "--partitions", str(4 * cores), "--out", out]
    start = time.perf_counter()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"spark job failed:\n{p.stderr[-3000:]}")
    whole = time.perf_counter() - start
    # spark-submit passes the Python driver's stderr on to its stdout.
    log = p.stdout + p.stderr
    extraction = float(re.search(r"casefile_job: .*extraction ([0-9.]+)s", log).group(1))
    return whole, extraction


def main():
    n = int(os.environ.get("BENCH_SPARK_ARTICLES", "1024"))
    work = tempfile.mkdtemp(prefix="casefile-spark-bench-")
    corpus = os.path.join(work, "corpus.jsonl")
    subprocess.run([sys.executable, "bench/gen_articles.py", str(n), corpus,
                    "--words", "150-300"], check=True)
    words = words_of(corpus)
    rows = []
    for threads in (1, 2):
        out = os.path.join(work, f"extract{threads}")
        secs, rss, _, _ = run_rss(["env", f"OMP_NUM_THREADS={threads}", BIN, "extract", corpus,
                                   "--quiet", "--threads", str(threads), "--out", out])
        rows.append((f"`casefile extract`, {threads} thread{'s' * (threads > 1)}", secs, "—",
                     f"{rss:.0f} MB"))
    for cores in (1, 2):
        out = os.path.join(work, f"spark{cores}")
        secs, extraction = spark(corpus, out, cores)
        for name in ("documents.jsonl", "events.csv", "merged_events.csv"):
            same = open(os.path.join(out, name), "rb").read() == open(
                os.path.join(work, "extract1", name), "rb").read()
            if not same:
                sys.exit(f"spark output {name} differs from extract's")
        rows.append((f"Spark `local[{cores}]`: {cores} worker process{'es' * (cores > 1)}, "
                     "1 thread each", secs, f"{extraction:.1f}", "—"))
    # Memory of one worker as an executor runs it (the model loaded once).
    stream = os.path.join(work, "stream.jsonl")
    _, worker_rss, _, _ = run_rss(["sh", "-c", f"OMP_NUM_THREADS=1 exec {BIN} extract - --out - "
                                   f"--quiet --threads 1 < {corpus} > {stream}"])
    table = (f"Measured {time.strftime('%Y-%m-%d')} on {machine()} with `make bench-spark`: "
             f"{n:,} generated articles ({words:,} words, bench/gen_articles.py), "
             "wall time of the whole command (for Spark: JVM start, reading, the workers, "
             "the final `casefile merge` and the Parquet tables) and of the workers' stage "
             "alone; every Spark run's documents.jsonl, events.csv and merged_events.csv are "
             "checked to equal extract's.\n\n"
             "| run | seconds | words/s | workers' stage (s) | words/s there | peak RSS |\n"
             "|---|---:|---:|---:|---:|---:|\n")
    for name, secs, stage, rss in rows:
        there = f"{words / float(stage):,.0f}" if stage != "—" else "—"
        table += f"| {name} | {secs:.1f} | {words / secs:,.0f} | {stage} | {there} | {rss} |\n"
    table += (f"\nOne worker process (`extract - --out -`, 1 thread) peaked at "
              f"{worker_rss:.0f} MB resident.\n")
    os.makedirs("bench/results", exist_ok=True)
    publish(table, "bench/results/spark_scale.md", "spark-scale")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
