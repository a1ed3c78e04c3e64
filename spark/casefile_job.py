"""casefile on Apache Spark: the model runs in parallel on the executors, one
`casefile extract - --out -` process per task, and the cross-document step
(merged events, duplicate ids) runs once, in input order, in `casefile merge`,
so the output equals a single-machine `casefile extract` over the same input.

    spark-submit spark/casefile_job.py INPUT... --out DIR [options]

Inputs are JSONL files (or directories / globs of them; any Hadoop file
system), or with --format csv|parquet tables whose columns are named as for
`extract` (--text-column, --id-column, --date-column). DIR receives:

    documents.jsonl, events.csv, event_arguments.csv, entities.csv,
    places.csv, errors.csv, merged_events.csv, coded_events.csv
        written by `casefile merge`: the files `extract` writes, byte for byte
        the same for JSONL input (same columns, same spreadsheet safety);
    parquet/<table>/  the same tables as Parquet (documents, events,
        arguments, entities, places, errors, merged_events), text cells as in
        the CSV files, numeric columns typed.

Failure semantics: a bad document is a line with its error, never a failed
task; a worker that exits non-zero or returns fewer lines than it was given
fails its task, and Spark retries it; ids come from the input (or its file
and line), so a rerun writes the same files.
"""

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from pyspark import StorageLevel
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

# Columns of the CSV files that hold numbers (typed in Parquet).
INTEGER_COLUMNS = {"start", "end", "killed", "injured", "mentions", "first_start",
                   "first_end", "geonameid", "geo_precision"}
DOUBLE_COLUMNS = {"score", "latitude", "longitude"}
TABLES = {
    "events": "events.csv",
    "arguments": "event_arguments.csv",
    "entities": "entities.csv",
    "places": "places.csv",
    "errors": "errors.csv",
    "merged_events": "merged_events.csv",
}
# What extract counts as a blank line (Rust's is_ascii_whitespace).
ASCII_WHITESPACE = " \t\n\r\x0c"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("inputs", nargs="+")
    p.add_argument("--out", required=True, help="output directory (local path, or any "
                   "Hadoop file system URI: the merge writes locally and copies there)")
    p.add_argument("--format", choices=["jsonl", "csv", "parquet"], default="jsonl")
    p.add_argument("--text-column", default="text")
    p.add_argument("--id-column", default="id")
    p.add_argument("--date-column", default="published")
    p.add_argument("--casefile", default=os.environ.get("CASEFILE_BIN", "casefile"),
                   help="the binary on the executors: a shared path, or one inside an "
                   "archive shipped with --archives (relative to the task's directory)")
    p.add_argument("--merge-casefile", default=None,
                   help="the binary on the driver for the merge (default: --casefile)")
    p.add_argument("--worker-arg", action="append", default=[],
                   help="one more argument for each worker's extract (repeat): "
                   "--model DIR, --rules FILE, --batch-docs N...")
    p.add_argument("--worker-env", action="append", default=[],
                   help="KEY=VALUE for the workers' environment (repeat): "
                   "CASEFILE_GAZETTEER, LD_LIBRARY_PATH...")
    p.add_argument("--threads", type=int, default=0,
                   help="threads per worker process (text stages and libtorch); "
                   "default: spark.task.cpus, so one process per task slot uses its cores")
    p.add_argument("--partitions", type=int, default=0,
                   help="tasks to split the input into, contiguous ranges of the input "
                   "(default: 4 per core of spark.default.parallelism)")
    p.add_argument("--batch-docs", type=int, default=128,
                   help="documents per NER batch, as extract's option (the workers get it); "
                   "tasks are cut on batch boundaries of the input order")
    return p.parse_args(argv)


# ---------------------------------------------------------------- reading

def hadoop_files(spark, pattern):
    """The files a path, directory or glob names, sorted, as Hadoop sees them."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    path = jvm.org.apache.hadoop.fs.Path(pattern)
    fs = path.getFileSystem(conf)
    statuses = fs.globStatus(path) or []
    files = []
    for s in statuses:
        if s.isDirectory():
            it = fs.listFiles(s.getPath(), True)
            while it.hasNext():
                f = it.next().getPath().toString()
                if f.lower().endswith(".jsonl"):
                    files.append(f)
        else:
            files.append(s.getPath().toString())
    return sorted(files)


def jsonl_frames(spark, inputs):
    """(path, line, raw) of every non-blank line of the JSONL inputs, in input
    order. A file given by name keeps the name as given (as extract shows it)."""
    sc = spark.sparkContext
    rdds = []
    for pattern in inputs:
        files = hadoop_files(spark, pattern)
        if not files:
            raise SystemExit(f"casefile_job: {pattern}: no such input")
        for f in files:
            named = len(files) == 1 and not any(c in pattern for c in "*?[")
            shown = pattern if named else f
            lines = sc.textFile(f).zipWithIndex()
            rdds.append(lines.map(lambda li, shown=shown: (shown, li[1] + 1, li[0])))
    rdd = sc.union(rdds) if len(rdds) > 1 else rdds[0]
    return rdd.filter(lambda r: r[2].strip(ASCII_WHITESPACE) != "")


def table_frames(spark, args):
    """Rows of CSV or Parquet inputs as JSONL lines for the workers, with the
    file and row (1-based, in the order Spark reads the file) as origin."""
    reader = spark.read
    if args.format == "csv":
        reader = reader.option("header", True).option("multiLine", True).option("escape", '"')
        df = reader.csv(args.inputs)
    else:
        df = reader.parquet(*args.inputs)
    if args.text_column not in df.columns:
        raise SystemExit(f"casefile_job: no column {args.text_column!r} in {args.inputs} "
                         f"(it has {', '.join(df.columns)})")
    cols = {"text": args.text_column, "id": args.id_column, "published": args.date_column}
    df = df.select([F.col(c).cast("string").alias(k) for k, c in cols.items() if c in df.columns]
                   + [F.input_file_name().alias("_file"),
                      F.monotonically_increasing_id().alias("_order")])

    def frame(row):
        row = row.asDict()
        record = {k: row[k] for k in ("id", "text", "published") if row.get(k) is not None}
        return (row["_file"], row["_order"], json.dumps(record, ensure_ascii=False))

    # Sorted by file, then read order; rows numbered from 1 in each file.
    indexed = (df.rdd.map(frame).sortBy(lambda r: (r[0], r[1]))
               .zipWithIndex().map(lambda r: (r[0][0], r[1], r[0][2])))
    firsts = dict(indexed.map(lambda r: (r[0], r[1])).reduceByKey(min).collect())
    return indexed.map(lambda r: (r[0], r[1] - firsts[r[0]] + 1, r[2]))


def id_of(path, line, raw):
    """The id extract gives the document of a JSONL line (None: not knowable
    here, a non-integer numeric id), as ingest reads it."""
    fallback = f"{path}:{line}"
    try:
        obj = json.loads(raw.rstrip("\r\n"))
    except ValueError:
        return fallback
    if not isinstance(obj, dict):
        return fallback
    value = obj.get("id")
    if isinstance(value, bool) or value is None:
        return fallback
    if isinstance(value, str):
        return value if value.strip() else fallback
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return None
    return fallback


def repeated_ids(indexed):
    """{seq: origin of the first document with its id} for every document
    whose id an earlier one of the whole input had: the workers fail them as
    a single run does, before the model, so batches stay a single run's."""
    ids = (indexed.map(lambda fs: (id_of(*fs[0]), (fs[1], f"{fs[0][0]}:{fs[0][1]}")))
           .filter(lambda kv: kv[0] is not None))
    firsts = ids.reduceByKey(min)
    return dict(ids.join(firsts)
                .filter(lambda kv: kv[1][0][0] != kv[1][1][0])
                .map(lambda kv: (kv[1][0][0], kv[1][1][1]))
                .collect())


# ---------------------------------------------------------------- workers

def worker(command, env):
    """Runs one casefile process over a partition of (seq, frame) pairs and
    yields (seq, document line); raises (failing the task) if the process
    fails or returns a different number of lines."""

    def run(items):
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                env=env, bufsize=1 << 16)
        sent = collections.deque()
        error = []

        def feed():
            try:
                for seq, frame in items:
                    sent.append(seq)
                    proc.stdin.write(frame.encode("utf-8") + b"\n")
            except BrokenPipeError:
                pass
            except Exception as e:  # reported once the process is waited for
                error.append(e)
            finally:
                try:
                    proc.stdin.close()
                except BrokenPipeError:
                    pass

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        got = 0
        for line in proc.stdout:
            if not sent:
                proc.kill()
                raise RuntimeError(f"casefile worker {command[0]} wrote more lines than it was "
                                   "given documents")
            got += 1
            yield sent.popleft(), line.decode("utf-8").rstrip("\n")
        feeder.join()
        code = proc.wait()
        if error:
            raise error[0]
        if code != 0 or sent:
            raise RuntimeError(
                f"casefile worker {command[0]} exited with status {code} after {got} "
                f"document lines, {len(sent)} documents without a line; the task fails "
                "so that Spark retries it")

    return run


def worker_command(args, threads):
    return [args.casefile, "extract", "-", "--out", "-", "--framed", "--quiet",
            "--threads", str(threads), "--batch-docs", str(args.batch_docs)] + args.worker_arg


def worker_env(args, threads):
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = str(threads)
    for kv in args.worker_env:
        k, _, v = kv.partition("=")
        env[k] = v
    return env


# ---------------------------------------------------------------- outputs

def merge_on_driver(args, ordered_lines, out_local):
    """Writes the lines in input order to a file and runs `casefile merge`."""
    os.makedirs(out_local, exist_ok=True)
    stream = os.path.join(out_local, ".stream.jsonl")
    with open(stream, "w", encoding="utf-8") as f:
        for line in ordered_lines:
            f.write(line)
            f.write("\n")
    binary = args.merge_casefile or args.casefile
    code = subprocess.call([binary, "merge", stream, "--out", out_local, "--quiet"])
    os.remove(stream)
    if code not in (0, 3):  # 3: some documents failed, listed in errors.csv
        raise SystemExit(f"casefile_job: casefile merge exited with status {code}")


def typed(df):
    for c in df.columns:
        if c in INTEGER_COLUMNS:
            df = df.withColumn(c, F.col(c).cast("long"))
        elif c in DOUBLE_COLUMNS:
            df = df.withColumn(c, F.col(c).cast("double"))
    return df


def write_parquet(spark, out_uri):
    """The merged run's documents.jsonl and CSV files as Parquet tables."""
    fields = ["id", "source", "published", "published_source", "title", "url", "text", "error"]

    def document_row(line):
        d = json.loads(line)
        return tuple([d.get(k) for k in fields] + [
            "; ".join(d.get("warnings", [])), len(d["entities"]), len(d["events"]), line])

    schema = ("id string, source string, published string, published_source string, "
              "title string, url string, text string, error string, warnings string, "
              "entities long, events long, line string")
    lines = spark.read.text(f"{out_uri}/documents.jsonl").rdd
    spark.createDataFrame(lines.map(lambda r: document_row(r[0])), schema) \
        .write.mode("overwrite").parquet(f"{out_uri}/parquet/documents")
    for table, name in TABLES.items():
        df = (spark.read.option("header", True).option("multiLine", True)
              .option("escape", '"').option("mode", "FAILFAST")
              .csv(f"{out_uri}/{name}"))
        typed(df).write.mode("overwrite").parquet(f"{out_uri}/parquet/{table}")


def is_local(uri):
    return "://" not in uri or uri.startswith("file://")


def copy_out(spark, local_dir, uri):
    """Copies the merged files from the driver's disk to a Hadoop file system."""
    jvm = spark.sparkContext._jvm
    Path = jvm.org.apache.hadoop.fs.Path
    fs = Path(uri).getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    for name in sorted(os.listdir(local_dir)):
        fs.copyFromLocalFile(False, True, Path(os.path.join(local_dir, name)),
                             Path(f"{uri}/{name}"))
    shutil.rmtree(local_dir)


def main(argv):
    spark = SparkSession.builder.appName("casefile").getOrCreate()
    run(spark, parse_args(argv))
    spark.stop()


def run(spark, args):
    """The job on a running session (tests/spark_check.py runs it in-process)."""
    sc = spark.sparkContext
    threads = args.threads or int(sc.getConf().get("spark.task.cpus", "1"))
    if args.format == "jsonl":
        frames = jsonl_frames(spark, args.inputs)
    else:
        frames = table_frames(spark, args)
    indexed = frames.zipWithIndex().persist(StorageLevel.MEMORY_AND_DISK)
    repeated = sc.broadcast(repeated_ids(indexed))

    def frame(fs):
        (path, line, raw), seq = fs
        first = repeated.value.get(seq)
        parts = [path, line, raw] + ([first] if first else [])
        return seq, json.dumps(parts, ensure_ascii=False)

    keyed = indexed.map(frame)
    total = keyed.count()
    # The model's scores depend (in the last digits) on which documents
    # share a batch, so tasks are runs of whole batches of the input order,
    # batched as a single run batches them; sorted within each task (a
    # shuffle alone does not keep the order of what it moves).
    batch = args.batch_docs
    batches = max(1, -(-total // batch))
    parts = max(1, min(batches, args.partitions or 4 * sc.defaultParallelism))
    ranged = keyed.repartitionAndSortWithinPartitions(
        parts, lambda seq: (seq // batch) * parts // batches)
    docs = ranged.mapPartitions(worker(worker_command(args, threads), worker_env(args, threads)),
                                preservesPartitioning=True)
    docs.persist(StorageLevel.MEMORY_AND_DISK)
    started = time.perf_counter()
    # Every task at once (toLocalIterator alone would run them one by one).
    done = docs.count()
    extracted = time.perf_counter()
    indexed.unpersist()
    if done != total:
        raise SystemExit(f"casefile_job: {total} documents in, {done} out")
    # Partition k holds the k-th range in order: partitions in turn are the input order.
    ordered = docs.values().toLocalIterator()
    if is_local(args.out):
        out_local = args.out[len("file://"):] if args.out.startswith("file://") else args.out
    else:
        out_local = tempfile.mkdtemp(prefix="casefile-merge-")
    merge_on_driver(args, ordered, out_local)
    merged = time.perf_counter()
    docs.unpersist()
    if is_local(args.out):
        out_uri = "file://" + os.path.abspath(out_local)
    else:
        copy_out(spark, out_local, args.out)
        out_uri = args.out
    write_parquet(spark, out_uri)
    print(f"casefile_job: {total} documents in {parts} tasks: extraction {extracted - started:.1f}s, "
          f"merge {merged - extracted:.1f}s, parquet {time.perf_counter() - merged:.1f}s",
          file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
