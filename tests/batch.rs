//! Batch runs at scale with nothing lost: hostile inputs, resume after a kill,
//! determinism across thread counts, spreadsheet-safe CSV, CSV and glob inputs.
//! The real binary on inputs written here; tiny random models where only the
//! plumbing is under test, the shipped model where events matter.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `extract` without the events stage: these tests run tiny models, which
/// the shipped parser (trained on the shipped encoder) refuses.
fn extract(args: &[&str]) -> std::process::Output {
    let mut all = vec!["extract", "--no-events"];
    all.extend_from_slice(args);
    casefile(&all)
}

fn ids(out: &Path) -> Vec<String> {
    read_jsonl(&out.join("documents.jsonl"))
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

/// Every file of an output directory, by name (hidden files included).
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn hostile_inputs_each_get_one_line_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("model"), "bert", 128);
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    let w = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    w(
        "a_good.txt",
        b"Iraq and Russia met in Baghdad on Thursday.\n",
    );
    w(
        "b_invalid_utf8.txt",
        b"Caf\xe9 owners in Baghdad met on Friday.\n",
    );
    w("c_empty.txt", b"");
    w("d_blank.txt", b"  \n\t \r\n  ");
    w("e_binary.txt", b"\x7fELF\x02\x01\x01\x00\x00\x00binary");
    // A multi-megabyte article goes through once, end to end; the stages'
    // growth with document size is judged by tests/scaling.rs and `make bench`.
    let sentence = "Officials in Baghdad said the talks would resume on Monday. ";
    w(
        "f_2mb.txt",
        sentence.repeat(2_000_000 / sentence.len() + 1).as_bytes(),
    );
    w("g_long_line.txt", "x".repeat(300_000).as_bytes());
    w(
        "h_controls.txt",
        "\u{feff}Iraq\u{200b}i officials\u{202e} met\u{2066} in Baghdad\u{2069} on Sunday.\r\nA second line.\r\n"
            .as_bytes(),
    );
    let deep = format!(
        "<html><body>{}<p>Deep text in Baghdad.</p>{}</body></html>",
        "<div>".repeat(60_000),
        "</div>".repeat(60_000)
    );
    w("i_deep.html", deep.as_bytes());
    w(
        "j_lines.jsonl",
        concat!(
            "{\"id\":\"ok\",\"text\":\"Troops left Mosul.\",\"published\":\"2024-02-30\"}\n",
            "not json at all\n",
            "[1,2,3]\n",
            "{\"id\":\"no-text\"}\n",
            "{\"id\":\"null-text\",\"text\":null}\n",
            "{\"id\":12,\"text\":\"A numeric id.\"}\n",
            "{\"id\":\"ok\",\"text\":\"The same id again.\"}\n",
        )
        .as_bytes(),
    );
    let out = tmp.path().join("out");
    let o = extract(&[
        dir.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let docs = read_jsonl(&out.join("documents.jsonl"));
    let jl = dir.join("j_lines.jsonl").display().to_string();
    let got: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(
        got,
        [
            "a_good",
            "b_invalid_utf8",
            "c_empty",
            "d_blank",
            "e_binary",
            "f_2mb",
            "g_long_line",
            "h_controls",
            "i_deep",
            "ok",
            &format!("{jl}:2"),
            &format!("{jl}:3"),
            "no-text",
            "null-text",
            "12",
            "ok",
        ]
    );
    let by_id = |i: usize| &docs[i];
    let error = |i: usize| by_id(i)["error"].as_str().unwrap_or("").to_string();
    let warnings = |i: usize| by_id(i)["warnings"].as_array().unwrap().len();
    assert_eq!(error(0), "");
    assert_eq!(error(1), "");
    assert!(warnings(1) >= 1, "invalid UTF-8 is recorded");
    assert!(by_id(1)["text"].as_str().unwrap().contains('\u{fffd}'));
    assert!(error(2).contains("empty"), "{}", error(2));
    assert!(error(3).contains("empty"), "{}", error(3));
    assert!(error(4).contains("binary"), "{}", error(4));
    assert_eq!(error(5), "", "a 2 MB article is processed");
    assert!(!by_id(6)["text"].as_str().unwrap().is_empty());
    assert_eq!(error(7), "", "control characters are text");
    assert!(!by_id(7)["text"].as_str().unwrap().starts_with('\u{feff}'));
    assert!(by_id(8)["text"]
        .as_str()
        .unwrap_or("")
        .contains("Deep text in Baghdad."));
    assert_eq!(error(9), "");
    assert!(warnings(9) >= 1, "a malformed published date is a warning");
    assert!(error(10).contains("not valid JSON"));
    assert!(error(11).contains("not a JSON object"));
    assert!(error(12).contains("no `text`"));
    assert!(error(13).contains("null"));
    assert_eq!(error(14), "");
    assert!(error(15).contains("duplicate id"));
    assert_offsets(&docs);
    // One errors.csv row per failed document, in order.
    let failed = docs.iter().filter(|d| !d["error"].is_null()).count();
    let mut r = csv::Reader::from_path(out.join("errors.csv")).unwrap();
    assert_eq!(r.records().count(), failed);
}

/// Documents written for the resume test: enough of them, in small batches,
/// that a kill lands between syncs.
fn resume_corpus(path: &Path, n: usize) {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "{{\"id\":\"d{i:04}\",\"published\":\"2024-02-08\",\"text\":\"On Wednesday a drone strike near Baghdad airport killed {i} fighters. Officials met in Mosul on Friday to discuss it.\"}}\n"
        ));
    }
    std::fs::write(path, s).unwrap();
}

fn journal_lines(out: &Path) -> usize {
    std::fs::read(out.join(".casefile-journal.jsonl"))
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

/// The extract command of the resume tests: small batches, so many syncs.
fn extract_command(
    input: &Path,
    out: &Path,
    model: &Path,
    batch_docs: &str,
    resume: bool,
) -> Command {
    let mut c = command();
    c.args([
        "extract",
        "--no-events",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--batch-docs",
        batch_docs,
        "--quiet",
    ])
    .current_dir(repo())
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    if resume {
        c.arg("--resume");
    }
    c
}

/// Counts the journal's lines as it grows, reading only the bytes added since
/// the last look (re-reading the whole journal every few milliseconds cost
/// more than the run under test).
struct JournalWatch {
    path: PathBuf,
    offset: u64,
    lines: usize,
}

impl JournalWatch {
    fn new(out: &Path) -> JournalWatch {
        JournalWatch {
            path: out.join(".casefile-journal.jsonl"),
            offset: 0,
            lines: 0,
        }
    }

    fn lines(&mut self) -> usize {
        use std::io::{Read, Seek, SeekFrom};
        if let Ok(mut f) = std::fs::File::open(&self.path) {
            let mut added = Vec::new();
            if f.seek(SeekFrom::Start(self.offset)).is_ok() && f.read_to_end(&mut added).is_ok() {
                self.offset += added.len() as u64;
                self.lines += added.iter().filter(|&&c| c == b'\n').count();
            }
        }
        self.lines
    }
}

/// Starts `cmd` and kills it (SIGKILL) once the journal in `out` holds at
/// least `lines` lines, or lets it be if it ends first. Says whether it was
/// killed while still running.
fn kill_at_journal_lines(mut cmd: Command, out: &Path, lines: usize) -> bool {
    let mut watch = JournalWatch::new(out);
    let mut child = cmd.spawn().unwrap();
    let started = Instant::now();
    while watch.lines() < lines && started.elapsed() < Duration::from_secs(120) {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let killed = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    child.wait().unwrap();
    killed
}

#[test]
fn resume_after_kill_nine_gives_the_files_of_an_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("model"), "bert", 128);
    let input = tmp.path().join("in.jsonl");
    let n = 240;
    resume_corpus(&input, n);
    let run = |out: &Path, resume: bool| extract_command(&input, out, &model, "2", resume);
    let whole = tmp.path().join("whole");
    assert!(run(&whole, false).status().unwrap().success());
    let expected = files(&whole);
    assert_eq!(ids(&whole).len(), n);
    assert!(!whole.join(".casefile-journal.jsonl").exists());

    // Kill points: before anything is journalled, early, in the middle (and
    // again during the resumed run), late.
    let mut kills = 0;
    for (k, at) in [0usize, 3, n / 2, n - 5].into_iter().enumerate() {
        let out = tmp.path().join(format!("killed{k}"));
        kills += kill_at_journal_lines(run(&out, false), &out, at) as usize;
        if at == n / 2 {
            let before = journal_lines(&out);
            kills += kill_at_journal_lines(run(&out, true), &out, before + 20) as usize;
        }
        assert!(run(&out, true).status().unwrap().success(), "resume {k}");
        let got = files(&out);
        assert_eq!(
            got.iter().map(|f| &f.0).collect::<Vec<_>>(),
            expected.iter().map(|f| &f.0).collect::<Vec<_>>(),
            "kill point {at}: the same files, no leftovers"
        );
        for ((name, a), (_, b)) in got.iter().zip(&expected) {
            assert!(
                a == b,
                "kill point {at}: {name} differs from the uninterrupted run"
            );
        }
    }
    assert!(
        kills >= 3,
        "only {kills} of 5 runs were killed before they ended"
    );
}

#[test]
fn resume_refuses_different_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("model"), "bert", 128);
    let input = tmp.path().join("in.jsonl");
    resume_corpus(&input, 400);
    let out = tmp.path().join("out");
    kill_at_journal_lines(extract_command(&input, &out, &model, "1", false), &out, 2);
    assert!(journal_lines(&out) >= 2, "the killed run left a journal");
    let other = tmp.path().join("other.jsonl");
    std::fs::write(&other, "{\"id\":\"zzz\",\"text\":\"Other news.\"}\n").unwrap();
    let o = extract(&[
        other.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--quiet",
        "--resume",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("\"d0000\"") && err.contains("\"zzz\""),
        "names both documents: {err}"
    );
}

#[test]
fn output_is_byte_identical_for_one_and_four_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let samples = repo().join("data/samples");
    let mut outs: Vec<PathBuf> = Vec::new();
    for threads in ["1", "4"] {
        let out = tmp.path().join(format!("t{threads}"));
        let db = tmp.path().join(format!("t{threads}.sqlite"));
        casefile_ok(&[
            "extract",
            samples.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--threads",
            threads,
            "--batch-docs",
            "3",
            "--jsonl",
            out.join("stream.jsonl").to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--quiet",
        ]);
        outs.push(out);
    }
    let (a, b) = (files(&outs[0]), files(&outs[1]));
    assert_eq!(a.len(), b.len());
    assert!(
        a.len() >= 7,
        "{:?}",
        a.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs between --threads 1 and 4");
    }
    let docs = read_jsonl(&outs[0].join("documents.jsonl"));
    assert!(
        docs.iter()
            .map(|d| d["events"].as_array().unwrap().len())
            .sum::<usize>()
            > 10
    );
    // Every event trigger lies in a kept block (boilerplate gives none).
    for d in &docs {
        let blocks = d["blocks"].as_array().unwrap();
        for ev in d["events"].as_array().unwrap() {
            let t = &ev["trigger"];
            let (s, e) = (t["start"].as_u64().unwrap(), t["end"].as_u64().unwrap());
            assert!(
                blocks
                    .iter()
                    .any(|b| b[0].as_u64().unwrap() <= s && e <= b[1].as_u64().unwrap()),
                "{}: trigger {t} outside the blocks",
                d["id"]
            );
        }
    }
}

/// The shipped model, so that the event files have rows (a meeting in the
/// second document) whose document id a spreadsheet would run.
#[test]
fn csv_cells_that_spreadsheets_would_run_are_neutralised() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.jsonl");
    std::fs::write(
        &input,
        concat!(
            "{\"id\":\"=HYPERLINK(\\\"http://x.example\\\",\\\"click\\\")\",\"text\":null}\n",
            "{\"id\":\"+cmd|' /C calc'!A0\",\"text\":\"Baghdad and Iraq and the U.S. met in Baghdad.\"}\n",
            "{\"id\":\"@SUM(A1)\",\"text\":\"\"}\n",
            "{\"id\":\"-2+3\",\"text\":\"Iraq.\"}\n",
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = casefile(&[
        "extract",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--model",
        shipped_model().to_str().unwrap(),
        "--quiet",
        "--excel",
    ]);
    assert_eq!(o.status.code(), Some(3));
    for name in [
        "errors.csv",
        "entities.csv",
        "events.csv",
        "event_arguments.csv",
        "merged_events.csv",
        "coded_events.csv",
    ] {
        let bytes = std::fs::read(out.join(name)).unwrap();
        assert!(
            bytes.starts_with("\u{feff}".as_bytes()),
            "{name}: --excel BOM"
        );
        let mut r = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(&bytes[3..]);
        let mut neutralised = 0;
        for row in r.records() {
            for cell in row.unwrap().iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{name}: dangerous cell {cell:?}"
                );
                neutralised += usize::from(cell.starts_with("'+cmd"));
            }
        }
        if name != "errors.csv" {
            assert!(neutralised > 0, "{name}: no row of the meeting's document");
        }
    }
    let errors = std::fs::read(out.join("errors.csv")).unwrap();
    let mut r = csv::Reader::from_reader(&errors[3..]);
    let first: Vec<String> = r.records().map(|row| row.unwrap()[0].to_string()).collect();
    assert_eq!(first[0], "'=HYPERLINK(\"http://x.example\",\"click\")");
    assert_eq!(first[1], "'@SUM(A1)");
    // documents.jsonl keeps the ids as given: it is not a spreadsheet.
    assert_eq!(ids(&out)[1], "+cmd|' /C calc'!A0");
}

#[test]
fn csv_files_and_glob_patterns_are_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("model"), "bert", 128);
    let dir = tmp.path().join("dump");
    std::fs::create_dir_all(dir.join("2024-02")).unwrap();
    std::fs::create_dir_all(dir.join("2024-03")).unwrap();
    std::fs::write(
        dir.join("2024-02/wire.csv"),
        "key,body,day\nw1,\"Troops left Mosul on Monday, officials said.\",2024-02-08\n,Second row.,\n",
    )
    .unwrap();
    std::fs::write(dir.join("2024-03/a.txt"), "Iraq and Iran met in Baghdad.\n").unwrap();
    std::fs::write(dir.join("2024-03/notes.md"), "not an input").unwrap();
    let out = tmp.path().join("out");
    let pattern = format!("{}/2024-*/*", dir.display());
    let o = extract(&[
        &pattern,
        "--out",
        out.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--text-column",
        "body",
        "--id-column",
        "key",
        "--date-column",
        "day",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let docs = read_jsonl(&out.join("documents.jsonl"));
    let got: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    let csv = dir.join("2024-02/wire.csv").display().to_string();
    assert_eq!(got, ["w1", &format!("{csv}:3"), "2024-03/a"]);
    assert_eq!(docs[0]["published"], "2024-02-08");
    assert_eq!(
        docs[0]["text"],
        "Troops left Mosul on Monday, officials said."
    );
    assert_offsets(&docs);

    // A wrong column name stops the run before any work, naming the columns.
    let o = extract(&[
        &pattern,
        "--out",
        tmp.path().join("out2").to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("\"text\"") && err.contains("key, body, day"),
        "{err}"
    );
    // A pattern that matches nothing is an error too.
    let o = extract(&[
        &format!("{}/1999-*/*.txt", dir.display()),
        "--out",
        tmp.path().join("out3").to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
}
