//! Shared test helpers: the built binary, and tiny randomly initialised models
//! written to a temporary directory in real Hugging Face layout. They exercise
//! the real loading code (config.json, tokenizer.json, model.safetensors) and
//! the real libtorch forward pass; their predictions are arbitrary, so tests
//! that judge predictions use the shipped model instead.
#![allow(dead_code)]

use rust_bert::bert::{BertConfig, BertForTokenClassification};
use rust_bert::distilbert::{DistilBertConfig, DistilBertForTokenClassification};
use rust_bert::roberta::RobertaForTokenClassification;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tch::{nn, Device, Tensor};

pub const LABELS: [&str; 9] = [
    "O", "B-LOC", "B-MISC", "B-ORG", "B-PER", "I-LOC", "I-MISC", "I-ORG", "I-PER",
];

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_casefile"))
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary as tests run it. libtorch runs on one thread: tests run side by
/// side on every core already, and with the tiny models most of a forward pass
/// went to OpenMP threads waiting on each other (78% of a hostile-input run's
/// time was spent spinning in libgomp), while nothing a test asserts depends on
/// how many threads the model uses.
pub fn command() -> Command {
    let mut c = Command::new(bin());
    c.env("OMP_NUM_THREADS", "1").current_dir(repo());
    c
}

pub fn casefile(args: &[&str]) -> Output {
    command()
        .args(args)
        .current_dir(repo())
        .output()
        .expect("casefile runs")
}

/// Runs casefile, fails the test with its stderr unless it succeeds, returns stdout.
pub fn casefile_ok(args: &[&str]) -> String {
    let o = casefile(args);
    assert!(
        o.status.success(),
        "casefile {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8 output")
}

pub fn shipped_model() -> PathBuf {
    repo().join("models/ner-en-conll")
}

/// The shared data folder beside the checkout; tests that need it fail loudly
/// when it is missing rather than pass silently.
pub fn shared() -> PathBuf {
    let p = repo().join("../shared");
    assert!(
        p.join("data").exists(),
        "../shared/data is missing: this test needs the shared corpora beside the checkout"
    );
    p
}

fn vocab() -> Vec<String> {
    let mut v: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for c in "abcdefghijklmnopqrstuvwxyz0123456789".chars() {
        v.push(c.to_string());
        v.push(format!("##{c}"));
    }
    for p in ".,;:!?'\"()-$%&/’“”—".chars() {
        v.push(p.to_string());
    }
    for w in [
        "the", "of", "and", "in", "to", "a", "strike", "killed", "near", "baghdad", "iraq", "u",
        "s",
    ] {
        v.push(w.to_string());
    }
    v.sort();
    v.dedup();
    // Specials first, at fixed ids.
    let specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
    let mut out: Vec<String> = specials.iter().map(|s| s.to_string()).collect();
    out.extend(v.into_iter().filter(|t| !specials.contains(&t.as_str())));
    out
}

fn tokenizer_json(vocab: &[String]) -> Value {
    let map: serde_json::Map<String, Value> = vocab
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), json!(i)))
        .collect();
    let added: Vec<Value> = vocab[..5]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            json!({"id": i, "content": t, "single_word": false, "lstrip": false,
                   "rstrip": false, "normalized": false, "special": true})
        })
        .collect();
    json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": true,
            "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
        "model": {"type": "WordPiece", "unk_token": "[UNK]",
            "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
            "vocab": map}
    })
}

/// Writes a tiny random token classifier of `arch` ("bert", "distilbert",
/// "roberta") with the CoNLL labels, or a bare encoder (no `id2label`, weights
/// without the classifier, as a base for training) when `base` is set.
pub fn tiny_model(dir: &Path, arch: &str, max_positions: i64) -> PathBuf {
    tiny(dir, arch, max_positions, false, None)
}

pub fn tiny_base(dir: &Path) -> PathBuf {
    tiny(dir, "bert", 64, true, None)
}

/// A tiny BERT whose classifier always answers `label`: entities for certain,
/// where a random model may find none.
pub fn tiny_fixed_model(dir: &Path, label: &str) -> PathBuf {
    tiny(dir, "bert", 128, false, Some(label))
}

fn tiny(dir: &Path, arch: &str, max_positions: i64, base: bool, fixed: Option<&str>) -> PathBuf {
    // Seeded, but tests run in parallel threads that share libtorch's
    // generator, so the draws may still interleave: no test may depend on what
    // a random model predicts (tiny_fixed_model is fixed by its bias).
    tch::manual_seed(7);
    std::fs::create_dir_all(dir).unwrap();
    let vocab = vocab();
    let id2label: serde_json::Map<String, Value> = LABELS
        .iter()
        .enumerate()
        .map(|(i, l)| (i.to_string(), json!(l)))
        .collect();
    let label2id: serde_json::Map<String, Value> = LABELS
        .iter()
        .enumerate()
        .map(|(i, l)| (l.to_string(), json!(i)))
        .collect();
    let config = match arch {
        "distilbert" => json!({
            "model_type": "distilbert", "architectures": ["DistilBertForTokenClassification"],
            "activation": "gelu", "attention_dropout": 0.1, "dim": 32, "dropout": 0.1,
            "hidden_dim": 64, "initializer_range": 0.02, "max_position_embeddings": max_positions,
            "n_heads": 2, "n_layers": 2, "qa_dropout": 0.1, "seq_classif_dropout": 0.1,
            "sinusoidal_pos_embds": false, "tie_weights_": true, "vocab_size": vocab.len(),
            "pad_token_id": 0, "id2label": id2label, "label2id": label2id
        }),
        _ => json!({
            "model_type": arch,
            "architectures": [if arch == "roberta" { "RobertaForTokenClassification" } else { "BertForTokenClassification" }],
            "hidden_act": "gelu", "attention_probs_dropout_prob": 0.1, "hidden_dropout_prob": 0.1,
            "hidden_size": 32, "initializer_range": 0.02, "intermediate_size": 64,
            "max_position_embeddings": max_positions, "num_attention_heads": 2,
            "num_hidden_layers": 2, "type_vocab_size": 2, "vocab_size": vocab.len(),
            "pad_token_id": if arch == "roberta" { 1 } else { 0 },
            "id2label": id2label, "label2id": label2id
        }),
    };
    let vs = nn::VarStore::new(Device::Cpu);
    match arch {
        "distilbert" => {
            let c: DistilBertConfig = serde_json::from_value(config.clone()).unwrap();
            DistilBertForTokenClassification::new(vs.root(), &c).unwrap();
        }
        "roberta" => {
            let c: BertConfig = serde_json::from_value(config.clone()).unwrap();
            RobertaForTokenClassification::new(vs.root(), &c).unwrap();
        }
        _ => {
            let c: BertConfig = serde_json::from_value(config.clone()).unwrap();
            BertForTokenClassification::new(vs.root(), &c).unwrap();
        }
    }
    if let Some(label) = fixed {
        let index = LABELS.iter().position(|l| *l == label).unwrap() as i64;
        let bias = vs.variables()["classifier.bias"].shallow_clone();
        tch::no_grad(|| {
            let _ = bias.get(index).fill_(50.0);
        });
    }
    let mut named: Vec<(String, Tensor)> = vs
        .variables()
        .into_iter()
        .filter(|(n, _)| !(base && n.starts_with("classifier.")))
        // A base checkpoint (BertModel) stores names without the "bert." prefix.
        .map(|(n, t)| {
            let n = if base {
                n.trim_start_matches("bert.").to_string()
            } else {
                n
            };
            (n, t)
        })
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    Tensor::write_safetensors(&named, dir.join("model.safetensors")).unwrap();
    let mut config = config;
    if base {
        let obj = config.as_object_mut().unwrap();
        obj.remove("id2label");
        obj.remove("label2id");
        obj.insert("architectures".into(), json!(["BertModel"]));
    }
    std::fs::write(
        dir.join("config.json"),
        serde_json::to_string_pretty(&config).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.join("tokenizer.json"),
        serde_json::to_string(&tokenizer_json(&vocab)).unwrap(),
    )
    .unwrap();
    dir.to_path_buf()
}

/// Reads documents.jsonl.
pub fn read_jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Byte offset of every character of a text, plus its length at the end, built
/// once per text so that each span is sliced in constant time (walking the text
/// from its start for every span made a multi-megabyte article quadratic).
pub struct CharIndex<'a> {
    text: &'a str,
    bytes: Vec<usize>,
}

impl<'a> CharIndex<'a> {
    pub fn new(text: &'a str) -> CharIndex<'a> {
        let mut bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        bytes.push(text.len());
        CharIndex { text, bytes }
    }

    /// Characters `[start, end)` (offsets are Unicode scalar values).
    pub fn slice(&self, start: u64, end: u64) -> &'a str {
        let (s, e) = (start as usize, end as usize);
        assert!(
            s <= e && e < self.bytes.len(),
            "span {s}..{e} outside the text"
        );
        &self.text[self.bytes[s]..self.bytes[e]]
    }
}

/// Characters `[start, end)` of a text (offsets are Unicode scalar values).
pub fn char_slice(text: &str, start: u64, end: u64) -> String {
    CharIndex::new(text).slice(start, end).to_string()
}

/// Asserts that every span of every document matches its text: the offsets contract.
pub fn assert_offsets(docs: &[Value]) -> usize {
    let mut checked = 0;
    for d in docs {
        let text = CharIndex::new(d["text"].as_str().unwrap_or(""));
        let mut check = |v: &Value, what: &str| {
            let (s, e) = (v["start"].as_u64().unwrap(), v["end"].as_u64().unwrap());
            assert_eq!(
                text.slice(s, e),
                v["text"].as_str().unwrap(),
                "{what} offsets in {}",
                d["id"]
            );
            checked += 1;
        };
        for e in d["entities"].as_array().unwrap() {
            check(e, "entity");
        }
        for t in d["times"].as_array().unwrap() {
            check(t, "time");
        }
        for ev in d["events"].as_array().unwrap() {
            check(&ev["trigger"], "trigger");
            for a in ev["arguments"].as_array().unwrap() {
                check(a, "argument");
            }
        }
    }
    checked
}

/// Runs `extract` with the shipped model on one `.txt` file per (name,
/// text), with `args` added; returns the temporary directory (the caller
/// keeps it alive) and the output folder in it.
pub fn extract_texts(docs: &[(&str, &str)], args: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for (name, text) in docs {
        std::fs::write(input.join(format!("{name}.txt")), text).unwrap();
    }
    let out = dir.path().join("out");
    let model = shipped_model();
    let mut all = vec![
        "extract",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--quiet",
    ];
    all.extend_from_slice(args);
    casefile_ok(&all);
    (dir, out)
}

/// Rows of a CSV file as header → cell maps, and its header.
pub fn csv_maps(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect()
        })
        .collect();
    (header, rows)
}
