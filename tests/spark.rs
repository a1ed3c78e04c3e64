//! The Spark job (spark/casefile_job.py) end to end, in Spark local mode
//! with two cores: the samples plus a few hundred generated articles, bad
//! lines among them, go through `spark-submit` with workers of the real
//! binary and shipped model, and every output file must equal, byte for
//! byte, what `casefile extract` writes on the same input: documents,
//! events, arguments, entities, places, errors, and the events merged
//! across documents that different tasks extracted. The first worker is
//! made to crash, so the comparison also shows that a crashed task is
//! retried and leaves nothing behind. `make test` installs PySpark and a
//! JRE (`make spark-test-deps`); without them this test fails, it does not
//! skip.

mod common;

use common::*;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

const OUTPUTS: &[&str] = &[
    "documents.jsonl",
    "events.csv",
    "event_arguments.csv",
    "entities.csv",
    "places.csv",
    "errors.csv",
    "merged_events.csv",
    "coded_events.csv",
];

/// A short article from fixed lists, the same for the same `n`. Every
/// seventh reports one of a few shared events again, in another wording,
/// far from the first report: the merge must join reports that different
/// tasks extracted.
fn article(n: usize) -> (String, String) {
    const AGENTS: &[&str] = &[
        "Islamic State militants",
        "Government forces",
        "Rebels of the Free Army",
        "Police",
        "Al-Shabaab fighters",
    ];
    const TARGETS: &[&str] = &[
        "a police station",
        "an army convoy",
        "the village of Kalama",
        "a market",
        "Kurdish fighters",
    ];
    const PLACES: &[&str] = &["Mosul", "Basra", "Kirkuk", "Mogadishu", "Aleppo", "Kabul"];
    const DAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
    let (a, t, p) = if n % 7 == 3 {
        (n % 2, n % 3, n % 2)
    } else {
        (n % 5, (n / 5) % 5, (n / 3) % 6)
    };
    let date = format!("2024-03-{:02}", 1 + (n / 7) % 20);
    let text = match n % 4 {
        0 => format!(
            "{} attacked {} in {} on {}, killing {} people and wounding {}.\n\n\
             Officials said the attack began at dawn.",
            AGENTS[a],
            TARGETS[t],
            PLACES[p],
            DAYS[n % 5],
            2 + n % 9,
            n % 13
        ),
        1 => format!(
            // Turkey: a gazetteer latitude (38.575540000000004) that only an
            // exact float parser reads back as written.
            "{} met the foreign minister of Turkey in {} on {} to discuss security.",
            AGENTS[a],
            PLACES[p],
            DAYS[n % 5]
        ),
        2 => format!(
            "Police arrested {} suspects in {} after a bomb attack killed {} civilians, \
             the interior ministry said.",
            3 + n % 4,
            PLACES[p],
            1 + n % 6
        ),
        _ => format!(
            "In {}, {} shelled {} overnight. Residents reported heavy damage.",
            PLACES[p], AGENTS[a], TARGETS[t]
        ),
    };
    (date, text)
}

/// The samples and `n` generated articles as one JSONL file, with the lines
/// a real feed also has: not JSON, no text, no id, a formula-like id, a
/// repeated id (far from its first use), a blank line, non-ASCII text.
fn corpus(path: &Path, n: usize) {
    let mut lines = Vec::new();
    let samples = repo().join("data/samples");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&samples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    names.sort();
    for p in names {
        let id = p.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&p).unwrap();
        lines.push(json!({"id": id, "text": text}).to_string());
    }
    for i in 0..n {
        let (date, text) = article(i);
        lines.push(
            json!({"id": format!("gen-{i:04}"), "published": date, "text": text}).to_string(),
        );
        match i {
            40 => lines.push("this line is not JSON".into()),
            90 => lines.push(json!({"id": "no-text"}).to_string()),
            140 => lines.push(json!({"text": "Rebels shelled Homs on Sunday."}).to_string()),
            190 => lines.push(
                json!({"id": "=HYPERLINK(\"x\")", "text": "-2 dead as militants attack Gao, Mali."})
                    .to_string(),
            ),
            240 => lines.push(String::new()),
            250 => lines.push(
                json!({"id": "gen-0003", "text": "A repeated id: police raided a house."})
                    .to_string(),
            ),
            260 => lines.push(
                json!({"id": "ümlaut", "published": "2024-03-02",
                       "text": "Türkische Soldaten — „Angriff“: Rebels attacked Düsseldorf’s station, killing 3 people."})
                .to_string(),
            ),
            _ => {}
        }
    }
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn venv() -> PathBuf {
    std::env::var_os("VIRTUAL_ENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv"))
}

/// A worker that crashes the first time it is started (after reading some
/// of its input), and is the real binary after that.
fn flaky_worker(dir: &Path) -> (PathBuf, PathBuf) {
    let marker = dir.join("crashed");
    let script = dir.join("flaky-casefile");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nif mkdir {marker:?} 2>/dev/null; then head -c 300 >/dev/null; exit 1; fi\n\
             exec {bin:?} \"$@\"\n",
            marker = marker,
            bin = bin()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    (script, marker)
}

#[test]
fn the_spark_job_writes_what_extract_writes_and_survives_a_crashed_worker() {
    let python = venv().join("bin/python");
    let pyspark = Command::new(&python)
        .args(["-c", "import pyspark"])
        .output()
        .expect("the venv's python runs");
    assert!(
        pyspark.status.success(),
        "pyspark missing from {}: run `make spark-test-deps`",
        python.display()
    );
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("corpus.jsonl");
    corpus(&input, 300);
    let input = input.to_str().unwrap();

    let single = extract_single(input, tmp.path());

    let (worker, crashed) = flaky_worker(tmp.path());
    let spark = tmp.path().join("spark");
    // The job in local[2,4], then its Parquet tables checked against its CSV
    // files, in one Python process (one JVM start).
    let o = Command::new(&python)
        .arg(repo().join("tests/spark_check.py"))
        .args([input, "--partitions", "6", "--casefile"])
        .arg(&worker)
        .arg("--merge-casefile")
        .arg(bin())
        .arg("--out")
        .arg(&spark)
        .env("PYSPARK_PYTHON", &python)
        .env("PYSPARK_DRIVER_PYTHON", &python)
        .current_dir(repo())
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.success(),
        "spark job or its Parquet check failed:\n{}{log}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(crashed.exists(), "the first worker should have crashed");
    assert!(
        log.contains("exited with status 1"),
        "the crash should fail its task (and Spark retry it):\n{log}"
    );

    for name in OUTPUTS {
        let a = std::fs::read_to_string(single.join(name)).unwrap();
        let b = std::fs::read_to_string(spark.join(name))
            .unwrap_or_else(|e| panic!("spark output {name}: {e}"));
        assert!(
            a == b,
            "{name} differs from extract's:\n{}",
            first_difference(&a, &b)
        );
    }
    let docs = read_jsonl(&spark.join("documents.jsonl"));
    assert_eq!(docs.len(), 8 + 300 + 6, "every input document has its line");
    let (_, merged) = csv_maps(&spark.join("merged_events.csv"));
    assert!(
        merged.iter().any(|m| m["sources"].contains("; ")),
        "some merged event should have sources from more than one document"
    );
}

fn first_difference(a: &str, b: &str) -> String {
    let (al, bl): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    for (i, (x, y)) in al.iter().zip(&bl).enumerate() {
        if x != y {
            return format!("line {}:\nextract: {x}\nspark:   {y}", i + 1);
        }
    }
    format!("{} lines vs {} lines", al.len(), bl.len())
}

/// Without Spark: the worker's standard output is exactly documents.jsonl
/// (framed lines read as the file itself), and `casefile merge` over those
/// lines writes every file extract writes, byte for byte; a line that does
/// not come back the same is refused, naming its document.
#[test]
fn the_worker_streams_documents_jsonl_and_merge_rebuilds_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("feed.jsonl");
    corpus(&input, 60);
    let input = input.to_str().unwrap();
    let single = extract_single(input, tmp.path());
    let expected = std::fs::read_to_string(single.join("documents.jsonl")).unwrap();

    let frames: String = std::fs::read_to_string(input)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| format!("{}\n", json!([input, i + 1, l])))
        .collect();
    let stream = tmp.path().join("stream.jsonl");
    let mut child = command()
        .args(["extract", "-", "--out", "-", "--framed"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::fs::File::create(&stream).unwrap())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(frames.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(
        o.status.success(),
        "a worker exits 0 with failed documents among its lines"
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("documents"),
        "progress goes to stderr"
    );
    assert_eq!(std::fs::read_to_string(&stream).unwrap(), expected);

    let merged = tmp.path().join("merged");
    let o = command()
        .args(["merge", "--quiet", "--out"])
        .arg(&merged)
        .arg(&stream)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for name in OUTPUTS {
        let a = std::fs::read_to_string(single.join(name)).unwrap();
        let b = std::fs::read_to_string(merged.join(name)).unwrap();
        assert!(a == b, "{name} differs:\n{}", first_difference(&a, &b));
    }

    let edited = expected.replacen("\"score\":", "\"score\":1.0,\"x\":", 1);
    std::fs::write(&stream, edited).unwrap();
    let o = command()
        .args(["merge", "--quiet", "--out"])
        .arg(tmp.path().join("bad"))
        .arg(&stream)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(":1: document \"01_airstrike\""), "{err}");
}

/// The single-machine run the distributed one must equal, into DIR/single.
/// It exits 3: the run finished with failed documents (the bad lines).
fn extract_single(input: &str, dir: &std::path::Path) -> std::path::PathBuf {
    let single = dir.join("single");
    let o = command()
        .args(["extract", input, "--quiet", "--out"])
        .arg(&single)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    single
}
