//! The command-line contract, end to end: the real binary, real libtorch, real
//! files. These tests use tiny random models the test writes itself, so they
//! check plumbing and contracts (files, order, offsets, errors, exit codes),
//! not prediction quality; `tests/model.rs` judges the shipped model.

mod common;

use common::*;
use std::path::Path;

fn samples() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("data/samples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().map(|e| e == "txt").unwrap_or(false))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r.records().map(|r| r.unwrap()).collect();
    (header, rows)
}

#[test]
fn extract_on_samples_writes_every_output_with_exact_offsets() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("model"), "bert", 128);
    let out = tmp.path().join("out");
    let o = casefile(&[
        "extract",
        "--no-events",
        "data/samples",
        "--out",
        out.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let docs = read_jsonl(&out.join("documents.jsonl"));
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, samples(), "one line per input, in sorted input order");
    for d in &docs {
        assert!(d.get("error").is_none(), "{}", d["error"]);
        for key in ["published", "entities", "times", "events"] {
            assert!(d.get(key).is_some(), "{key} missing in {}", d["id"]);
        }
        assert_eq!(d["events"], serde_json::json!([]), "--no-events");
        let text = std::fs::read_to_string(
            repo()
                .join("data/samples")
                .join(format!("{}.txt", d["id"].as_str().unwrap())),
        )
        .unwrap();
        assert_eq!(
            d["text"].as_str().unwrap(),
            text,
            "text is the input exactly"
        );
    }
    // Times come from the rules, not the random model: they must be there.
    assert!(docs
        .iter()
        .any(|d| !d["times"].as_array().unwrap().is_empty()));
    assert!(assert_offsets(&docs) > 0);
    let (header, _) = csv_rows(&out.join("events.csv"));
    for col in [
        "doc_id",
        "event_id",
        "type",
        "trigger",
        "date",
        "date_text",
        "agent",
        "patient",
        "place",
        "instrument",
        "killed",
        "injured",
        "sentence",
        "score",
        "start",
        "end",
    ] {
        assert!(header.iter().any(|h| h == col), "events.csv lacks {col}");
    }
    let (header, _) = csv_rows(&out.join("entities.csv"));
    assert_eq!(header[..4], ["doc_id", "entity", "type", "mentions"]);
    assert_blocks_and_run_info(&out, &docs);
    // Finished outputs only: no temporary file left behind.
    for entry in std::fs::read_dir(&out).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".partial"), "{name} left behind");
    }
}

/// The kept blocks are ordered, disjoint spans of the text that leave out
/// some boilerplate of the samples (comment rules, "READ ALSO" links);
/// run.json counts what the run wrote and says that no events stage and no
/// syntax stage ran (tests/batch.rs checks that event triggers lie in the
/// blocks, on a run with events).
fn assert_blocks_and_run_info(out: &Path, docs: &[serde_json::Value]) {
    let mut left_out = 0;
    for d in docs {
        let chars = d["text"].as_str().unwrap().chars().count() as u64;
        let blocks: Vec<(u64, u64)> = d["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| (b[0].as_u64().unwrap(), b[1].as_u64().unwrap()))
            .collect();
        assert!(!blocks.is_empty(), "{} kept nothing", d["id"]);
        let mut end = 0;
        for &(s, e) in &blocks {
            assert!(
                end <= s && s < e && e <= chars,
                "{} blocks {blocks:?}",
                d["id"]
            );
            end = e;
        }
        left_out += chars - blocks.iter().map(|(s, e)| e - s).sum::<u64>();
    }
    assert!(left_out > 100, "the samples' boilerplate is left out");
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(info["documents"], docs.len());
    assert_eq!(info["events"], 0);
    assert_eq!(info["engine"], "none");
    assert!(info["parser"].is_null(), "{info}");
    assert_eq!(info["casefile"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["rules"]["events"], "built-in");
    assert!(info["model"].as_str().unwrap().ends_with("model"));
}

#[test]
fn a_missing_input_path_fails_the_run_with_one_line_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let o = casefile(&[
        "extract",
        "--no-events",
        "no/such/article.txt",
        "--out",
        tmp.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("no/such/article.txt"), "{err}");
    let o = casefile(&[
        "extract",
        "--no-events",
        "Cargo.toml",
        "--out",
        tmp.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Cargo.toml"));
}

#[test]
fn bad_documents_are_reported_in_place_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("model"), "bert", 128);
    let input = tmp.path().join("in.jsonl");
    std::fs::write(
        &input,
        concat!(
            "{\"id\":\"good\",\"text\":\"Iraq and Russia met in Baghdad on Thursday.\",\"published\":\"2020-01-09\"}\n",
            "this is not json\n",
            "{\"id\":\"notext\"}\n",
            "{\"id\":\"nulltext\",\"text\":null}\n",
            "\n",
            "{\"id\":\"empty\",\"text\":\"   \"}\n",
            "{\"id\":\"good\",\"text\":\"A repeated id.\"}\n",
            "{\"id\":7,\"text\":\"A numeric id is fine.\",\"published\":\"not a date\"}\n",
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = casefile(&[
        "extract",
        "--no-events",
        input.to_str().unwrap(),
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
    let ids: Vec<&str> = docs.iter().map(|d| d["id"].as_str().unwrap()).collect();
    let in_name = input.to_str().unwrap();
    assert_eq!(
        ids,
        vec![
            "good".to_string(),
            format!("{in_name}:2"),
            "notext".into(),
            "nulltext".into(),
            "empty".into(),
            "good".into(),
            "7".into()
        ]
    );
    let error = |i: usize| docs[i]["error"].as_str().unwrap_or("").to_string();
    assert_eq!(error(0), "");
    assert!(error(1).contains("not valid JSON"));
    assert!(error(2).contains("no `text`"));
    assert!(error(3).contains("null"));
    assert!(error(4).contains("empty"));
    assert!(error(5).contains("duplicate id"));
    assert_eq!(error(6), "");
    assert_eq!(docs[0]["published"], "2020-01-09");
    assert!(docs[6]["warnings"].as_array().unwrap().len() == 2);
    let (_, rows) = csv_rows(&out.join("errors.csv"));
    assert_eq!(rows.len(), 5);
    assert_eq!(&rows[0][0], format!("{in_name}:2"));
}

#[test]
fn stdin_jsonl_and_single_txt_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("model"), "bert", 128);
    let out = tmp.path().join("out");
    let mut child = command()
        .args([
            "extract",
            "--no-events",
            "-",
            "data/samples/02_meeting.txt",
            "--out",
            out.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--quiet",
        ])
        .current_dir(repo())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"id\":\"s1\",\"text\":\"Jos\xc3\xa9 N\xc3\xba\xc3\xb1ez met the U.S. envoy \xf0\x9f\x9a\x80 in Rabat.\"}\n")
        .unwrap();
    assert!(child.wait().unwrap().success());
    let docs = read_jsonl(&out.join("documents.jsonl"));
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["id"], "s1");
    assert_eq!(docs[1]["id"], "02_meeting");
    assert_offsets(&docs);
}

fn conll_sample() -> String {
    "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\ncall NN I-NP O\n. . O O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n\n-DOCSTART- -X- -X- O\n\nBRUSSELS NNP B-NP B-LOC\n1996-08-22 CD I-NP O\n".to_string()
}

#[test]
fn tag_conll_prints_every_input_line_with_one_more_column() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("model"), "bert", 128);
    let file = tmp.path().join("in.conll");
    let input = conll_sample();
    std::fs::write(&file, &input).unwrap();
    let output = casefile_ok(&[
        "tag-conll",
        file.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
    ]);
    let (ins, outs): (Vec<&str>, Vec<&str>) = (input.lines().collect(), output.lines().collect());
    assert_eq!(ins.len(), outs.len());
    let mut previous = "O".to_string();
    for (i, o) in ins.iter().zip(&outs) {
        if i.is_empty() || i.starts_with("-DOCSTART-") {
            assert_eq!(i, o);
            previous = "O".into();
            continue;
        }
        let (head, tag) = o.rsplit_once(' ').unwrap();
        assert_eq!(head, *i);
        assert!(LABELS.contains(&tag), "{tag}");
        // Decoding is constrained: an I- tag continues an entity of its type.
        if let Some(t) = tag.strip_prefix("I-") {
            assert!(previous.ends_with(t), "{previous} then {tag}");
        }
        previous = tag.to_string();
    }
}

#[test]
fn tag_conll_spans_for_both_decodings() {
    let tmp = tempfile::tempdir().unwrap();
    // Always B-PER, so that there are spans to check: a random model may
    // label nothing at all (this test failed so once).
    let model = tiny_fixed_model(&tmp.path().join("model"), "B-PER");
    let file = tmp.path().join("in.conll");
    std::fs::write(&file, conll_sample()).unwrap();
    let sentences = [
        "EU rejects German call .",
        "Peter Blackburn",
        "BRUSSELS 1996-08-22",
    ];
    let mut total = 0;
    for decode in ["viterbi", "simple"] {
        let output = casefile_ok(&[
            "tag-conll",
            file.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--decode",
            decode,
            "--spans",
        ]);
        let lines: Vec<&str> = output.lines().collect();
        assert_eq!(lines.len(), sentences.len(), "one line per sentence");
        for (line, sentence) in lines.iter().zip(sentences) {
            let spans: Vec<(usize, usize, String)> = serde_json::from_str(line).unwrap();
            let n = sentence.chars().count();
            for (start, end, label) in &spans {
                assert!(
                    start < end && *end <= n,
                    "{decode}: {start}..{end} in {sentence:?}"
                );
                assert!(["PER", "LOC", "ORG", "MISC"].contains(&label.as_str()));
                if decode == "viterbi" {
                    // Whole words: spans start and end at word boundaries.
                    let chars: Vec<char> = sentence.chars().collect();
                    assert!(*start == 0 || chars[start - 1] == ' ');
                    assert!(*end == n || chars[*end] == ' ');
                }
            }
            total += spans.len();
        }
    }
    assert!(
        total > 0,
        "a model that always answers B-PER labels something"
    );
    // Entities of `extract --decode simple` may start inside words; offsets hold.
    let input = tmp.path().join("a.txt");
    std::fs::write(
        &input,
        "Ex-England captain Peter Blackburn met EU officials in Brussels.\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    casefile_ok(&[
        "extract",
        "--no-events",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--decode",
        "simple",
        "--quiet",
    ]);
    assert_offsets(&read_jsonl(&out.join("documents.jsonl")));
}

#[test]
fn eval_ner_agrees_with_conlleval_on_tag_conll_output() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("model"), "bert", 128);
    let file = tmp.path().join("in.conll");
    std::fs::write(&file, conll_sample().repeat(3)).unwrap();
    let args = |cmd: &str| {
        casefile(&[
            cmd,
            file.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
        ])
    };
    let tagged = String::from_utf8(args("tag-conll").stdout).unwrap();
    // Score the tag-conll output: gold is the second-to-last column, guess the last.
    let mut report = casefile::ner::eval::Report::default();
    let (mut gold, mut guess) = (Vec::new(), Vec::new());
    for line in tagged.lines().chain(std::iter::once("")) {
        if line.is_empty() || line.starts_with("-DOCSTART-") {
            if !gold.is_empty() {
                report.add(&gold, &guess);
                gold.clear();
                guess.clear();
            }
            continue;
        }
        let cols: Vec<&str> = line.split(' ').collect();
        gold.push(cols[cols.len() - 2]);
        guess.push(cols[cols.len() - 1]);
    }
    let eval = String::from_utf8(args("eval-ner").stdout).unwrap();
    let expected = format!("{report}");
    let first_two: Vec<&str> = eval.lines().take(2).collect();
    let want: Vec<&str> = expected.lines().take(2).collect();
    assert_eq!(first_two, want);
    assert!(
        eval.contains("processed 27 tokens in 9 sentences"),
        "{eval}"
    );
}

#[test]
fn models_of_three_architectures_load_and_tag() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("in.conll");
    std::fs::write(&file, conll_sample()).unwrap();
    for arch in ["bert", "distilbert", "roberta"] {
        let model = tiny_model(&tmp.path().join(arch), arch, 64);
        let o = casefile(&[
            "tag-conll",
            file.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
        ]);
        assert!(
            o.status.success(),
            "{arch}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(
            String::from_utf8(o.stdout).unwrap().lines().count(),
            conll_sample().lines().count()
        );
    }
}

#[test]
fn sentences_longer_than_the_model_window_are_tagged_whole() {
    let tmp = tempfile::tempdir().unwrap();
    // A 64-piece window and a 700-word sentence: many overlapping windows.
    let model = tiny_model(&tmp.path().join("model"), "bert", 64);
    let words: Vec<String> = (0..700).map(|i| format!("w{i} X O")).collect();
    let file = tmp.path().join("long.conll");
    std::fs::write(&file, words.join("\n") + "\n").unwrap();
    let out = casefile_ok(&[
        "tag-conll",
        file.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
    ]);
    assert_eq!(out.lines().count(), 700);
    assert!(out.lines().all(|l| l.split(' ').count() == 4));
}

#[test]
fn a_broken_model_directory_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("model"), "bert", 64);
    std::fs::remove_file(model.join("model.safetensors")).unwrap();
    let file = tmp.path().join("in.conll");
    std::fs::write(&file, conll_sample()).unwrap();
    let o = casefile(&[
        "tag-conll",
        file.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no model.safetensors"), "{err}");
}

#[test]
fn training_on_a_tiny_slice_lowers_the_loss_and_saves_a_loadable_model() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tiny_base(&tmp.path().join("base"));
    // A learnable toy task: capitalised words after "mr" are persons.
    let mut text = String::new();
    for i in 0..60 {
        let name = ["Smith", "Jones", "Brown", "Davis"][i % 4];
        text += &format!("mr X O\n{name} X B-PER\nsaid X O\nin X O\nbaghdad X B-LOC\n. X O\n\n");
    }
    let train = tmp.path().join("train.conll");
    std::fs::write(&train, &text).unwrap();
    let out = tmp.path().join("trained");
    let o = casefile(&[
        "train-ner",
        "--base",
        base.to_str().unwrap(),
        "--train",
        train.to_str().unwrap(),
        "--dev",
        train.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--epochs",
        "4",
        "--lr",
        "3e-3",
        "--batch-size",
        "8",
        "--patience",
        "4",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("training.json")).unwrap()).unwrap();
    let losses: Vec<f64> = log["epochs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["mean_loss"].as_f64().unwrap())
        .collect();
    assert_eq!(losses.len(), 4);
    assert!(losses[3] < losses[0] * 0.5, "loss went {losses:?}");
    // Python transformers only loads safetensors whose header says format "pt".
    let bytes = std::fs::read(out.join("model.safetensors")).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    assert_eq!(header["__metadata__"]["format"], "pt");
    assert_eq!(header["classifier.weight"]["dtype"], "F16");
    // The label set is the training file's, whatever it is.
    assert_eq!(log["labels"], serde_json::json!(["O", "B-LOC", "B-PER"]));
    let report = casefile_ok(&[
        "eval-ner",
        train.to_str().unwrap(),
        "--model",
        out.to_str().unwrap(),
    ]);
    assert!(
        report.contains("processed 360 tokens in 60 sentences"),
        "{report}"
    );
}

#[test]
fn weights_in_rust_bert_ot_format_load_too() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tiny_model(&tmp.path().join("model"), "bert", 64);
    let st = model.join("model.safetensors");
    let tensors = tch::Tensor::read_safetensors(&st).unwrap();
    tch::Tensor::save_multi(&tensors, model.join("rust_model.ot")).unwrap();
    std::fs::remove_file(&st).unwrap();
    let file = tmp.path().join("in.conll");
    std::fs::write(&file, conll_sample()).unwrap();
    let out = casefile_ok(&[
        "tag-conll",
        file.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
    ]);
    assert_eq!(out.lines().count(), conll_sample().lines().count());
}

#[test]
fn eval_events_rebuilds_documents_and_scores_triggers() {
    let tmp = tempfile::tempdir().unwrap();
    // Three sentences of one document; words placed by character offsets.
    // The third has no gold event, though the rules find one in it.
    let s1 = "Police arrested the man in Izmir .";
    let s2 = "Protesters marched on Tuesday .";
    let s3 = "Rebels attacked the town .";
    fn words(s: &'static str, base: usize) -> (Vec<&'static str>, Vec<serde_json::Value>) {
        let mut at = base;
        let mut index = Vec::new();
        for w in s.split(' ') {
            index.push(serde_json::json!([
                at.to_string(),
                (at + w.len() - 1).to_string()
            ]));
            at += w.len() + 1;
        }
        (s.split(' ').collect::<Vec<_>>(), index)
    }
    let (w1, i1) = words(s1, 0);
    let (w2, i2) = words(s2, s1.len() + 1);
    let (w3, i3) = words(s3, s1.len() + s2.len() + 2);
    let records = serde_json::json!([
        {"sentence_id": "VOA_EN_NW_2016.04.19.1_0", "sentence": s1, "words": w1, "index": i1,
         "golden-event-mentions": [{"trigger": {"start": 1, "end": 2, "text": "arrested"},
            "event_type": "Justice:Arrest-Jail",
            "arguments": [{"role": "Place", "start": 5, "end": 6, "text": "Izmir"}]}]},
        {"sentence_id": "VOA_EN_NW_2016.04.19.1_1", "sentence": s2, "words": w2, "index": i2,
         "golden-event-mentions": [{"trigger": {"start": 1, "end": 2, "text": "marched"},
            "event_type": "Conflict:Demonstrate", "arguments": []}]},
        {"sentence_id": "VOA_EN_NW_2016.04.19.1_2", "sentence": s3, "words": w3, "index": i3,
         "golden-event-mentions": []}
    ]);
    let file = tmp.path().join("m2e2.json");
    std::fs::write(&file, records.to_string()).unwrap();
    // The shipped model and parser: the events stage reads the parse.
    let report = casefile_ok(&["eval-events", file.to_str().unwrap()]);
    assert!(report.contains("documents: 1"), "{report}");
    let line = report
        .lines()
        .find(|l| l.starts_with("trigger classification"))
        .unwrap();
    let cols: Vec<&str> = line.split_whitespace().collect();
    // gold 2, found 3, right 2: both gold triggers are found, and the
    // attack, which this gold leaves out, is counted as lying in a sentence
    // with no gold event.
    assert_eq!(&cols[2..5], &["2", "3", "2"], "{report}");
    assert!(
        report.contains("wrong triggers in sentences with no gold event: 1 of 1"),
        "{report}"
    );
    // The one gold argument, the arrest's Place "Izmir", is found with its
    // role (the other arguments found, such as the police as Agent, are not
    // in this gold).
    let line = report
        .lines()
        .find(|l| l.starts_with("argument classification"))
        .unwrap();
    let cols: Vec<&str> = line.split_whitespace().collect();
    assert_eq!((cols[2], cols[4]), ("1", "1"), "{report}");

    // The word-list yardstick needs no model. Fitted on this one document,
    // "arrested" and "marched" are listed and right; on held-out folds the
    // document's list is learnt from no document at all.
    let ceiling = casefile_ok(&["eval-events", file.to_str().unwrap(), "--lexicon-ceiling"]);
    let first = ceiling
        .lines()
        .find(|l| l.trim_start().starts_with("0.20"))
        .unwrap_or_else(|| panic!("{ceiling}"));
    let cols: Vec<&str> = first.split_whitespace().collect();
    assert_eq!(cols[2], "2", "{ceiling}");
    assert_eq!(&cols[3..6], &["100.00", "100.00", "100.00"], "{ceiling}");
    assert_eq!(cols[8], "0.00", "{ceiling}");
}
