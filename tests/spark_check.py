"""Runs spark/casefile_job.py in Spark local mode, two cores, a failed task
tried up to four times, in this process (one JVM start for the job and the
check), then checks its Parquet tables against its CSV files and
documents.jsonl: the same columns, and the same rows once numbers are read
as numbers and empty cells as null. tests/spark.rs runs it and compares the
CSV files with extract's.

    python tests/spark_check.py JOB_ARGS...   (with --out OUT among them)
"""

import csv
import json
import os
import sys

from pyspark.sql import SparkSession

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "spark"))
import casefile_job  # noqa: E402
from casefile_job import DOUBLE_COLUMNS, INTEGER_COLUMNS, TABLES  # noqa: E402


def cell(column, value):
    if value == "":
        return None
    if column in INTEGER_COLUMNS:
        return int(value)
    if column in DOUBLE_COLUMNS:
        return float(value)
    return value


def main(argv):
    args = casefile_job.parse_args(argv)
    out = args.out
    spark = (SparkSession.builder.master("local[2,4]").config("spark.ui.enabled", "false")
             .appName("casefile-test").getOrCreate())
    # The job's functions are pickled by reference to its module here.
    spark.sparkContext.addPyFile(casefile_job.__file__)
    casefile_job.run(spark, args)
    failures = []
    for table, name in TABLES.items():
        with open(os.path.join(out, name), newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        want = sorted((tuple(cell(c, v) for c, v in zip(header, r)) for r in body), key=repr)
        df = spark.read.parquet(os.path.join(out, "parquet", table))
        if df.columns != header:
            failures.append(f"{table}: columns {df.columns} != {header}")
            continue
        got = sorted((tuple(r) for r in df.collect()), key=repr)
        if got != want:
            diff = next((g, w) for g, w in zip(got + [None] * len(want), want + [None] * len(got))
                        if g != w)
            failures.append(f"{table}: {len(got)} rows vs {len(want)} in {name}; first "
                            f"difference: parquet {diff[0]!r} vs csv {diff[1]!r}")
    with open(os.path.join(out, "documents.jsonl"), encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    docs = spark.read.parquet(os.path.join(out, "parquet", "documents"))
    got = sorted(r["line"] for r in docs.select("line").collect())
    if got != sorted(lines):
        failures.append("documents: the Parquet lines differ from documents.jsonl")
    ids = sorted(r["id"] for r in docs.select("id").collect())
    if ids != sorted(json.loads(line)["id"] for line in lines):
        failures.append("documents: ids differ")
    spark.stop()
    for f in failures:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
