//! Loading, building and saving token-classification models in Hugging Face layout.
//!
//! A model directory holds `config.json` (with `id2label`), `tokenizer.json` and
//! weights as `model.safetensors` or `rust_model.ot`. The architectures are
//! rust-bert's (BERT, DistilBERT, RoBERTa); weights are read by name, so files
//! written by Python `transformers` load unchanged, and the files casefile writes
//! load in Python unchanged.

use super::casing::CASE_CLASSES;
use super::labels::LabelSet;
use crate::error::{Error, Result};
use rust_bert::bert::{BertConfig, BertForTokenClassification};
use rust_bert::distilbert::{DistilBertConfig, DistilBertForTokenClassification};
use rust_bert::roberta::RobertaForTokenClassification;
use safetensors::tensor::{serialize_to_file, Dtype, TensorView};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use tch::{nn, Device, Kind, Tensor};

/// Key in `config.json` under which casefile records how token types are used.
pub const CASEFILE_KEY: &str = "casefile";

enum Arch {
    Bert(BertForTokenClassification),
    DistilBert(DistilBertForTokenClassification),
    Roberta(RobertaForTokenClassification),
}

/// A token classifier and what is needed to feed it.
pub struct TokenClassifier {
    pub vs: nn::VarStore,
    arch: Arch,
    pub labels: LabelSet,
    /// Whether token types carry the casing classes (see [`super::casing`]).
    pub casing: bool,
    /// Longest input, in word pieces, including special tokens.
    pub max_positions: usize,
    /// Pieces of context per side the model was trained with (`casefile.context`).
    pub context: usize,
    /// The config as read (and, for a model built from a base, as rewritten).
    pub config: Value,
    pub model_type: String,
    pub dir: PathBuf,
}

/// How strictly weights must match the model's variables.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LoadMode {
    /// Every variable must be found with its exact shape.
    Strict,
    /// Starting from a base encoder: a token-type table with fewer rows is
    /// spread over the new rows. The classifier is loaded only when `classifier`
    /// is set (the base is a token classifier with the same labels, i.e. training
    /// continues); otherwise it stays randomly initialised.
    FromBase { classifier: bool },
}

fn read_config(dir: &Path) -> Result<Value> {
    let path = dir.join("config.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::model(&path, format!("invalid JSON: {e}")))
}

fn model_type(config: &Value, dir: &Path) -> Result<String> {
    if let Some(t) = config.get("model_type").and_then(Value::as_str) {
        return Ok(t.to_string());
    }
    let arch = config
        .get("architectures")
        .and_then(|a| a.get(0))
        .and_then(Value::as_str)
        .unwrap_or("");
    for (prefix, t) in [
        ("DistilBert", "distilbert"),
        ("Roberta", "roberta"),
        ("Bert", "bert"),
    ] {
        if arch.starts_with(prefix) {
            return Ok(t.to_string());
        }
    }
    Err(Error::model(
        dir,
        "config.json names no model_type (bert, distilbert or roberta)",
    ))
}

fn labels_of(config: &Value, dir: &Path) -> Result<LabelSet> {
    let map = config
        .get("id2label")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::model(dir, "config.json has no id2label"))?;
    let mut ids = BTreeMap::new();
    for (k, v) in map {
        let id: i64 = k
            .parse()
            .map_err(|_| Error::model(dir, format!("id2label key {k:?} is not a number")))?;
        let label = v
            .as_str()
            .ok_or_else(|| Error::model(dir, format!("id2label[{k}] is not a string")))?;
        ids.insert(id, label.to_string());
    }
    LabelSet::from_id2label(&ids)
        .ok_or_else(|| Error::model(dir, "id2label ids must run 0, 1, 2, ... without gaps"))
}

/// The weights file of a model directory.
pub fn weights_file(dir: &Path) -> Result<PathBuf> {
    for name in ["model.safetensors", "rust_model.ot"] {
        let p = dir.join(name);
        if p.exists() {
            return Ok(p);
        }
    }
    if dir.join("pytorch_model.bin").exists() {
        return Err(Error::model(
            dir,
            "only pytorch_model.bin found; save the model as model.safetensors \
             (model.save_pretrained(dir, safe_serialization=True)) to use it here",
        ));
    }
    Err(Error::model(dir, "no model.safetensors or rust_model.ot"))
}

fn read_tensors(path: &Path) -> Result<Vec<(String, Tensor)>> {
    let tensors = if path.extension().and_then(|e| e.to_str()) == Some("ot") {
        Tensor::load_multi(path)
    } else {
        Tensor::read_safetensors(path)
    };
    tensors.map_err(|e| Error::model(path, format!("cannot read weights: {e}")))
}

/// Names under which a variable may be stored: as is, without the encoder
/// prefix (a bare `BertModel` checkpoint), or with old `gamma`/`beta` names.
fn candidate_names(name: &str) -> Vec<String> {
    let mut out = vec![name.to_string()];
    for prefix in ["bert.", "roberta.", "distilbert."] {
        if let Some(rest) = name.strip_prefix(prefix) {
            out.push(rest.to_string());
        }
    }
    let extra: Vec<String> = out
        .iter()
        .filter(|n| n.contains("LayerNorm") || n.contains("layer_norm"))
        .filter_map(|n| {
            n.strip_suffix(".weight")
                .map(|b| format!("{b}.gamma"))
                .or_else(|| n.strip_suffix(".bias").map(|b| format!("{b}.beta")))
        })
        .collect();
    out.extend(extra);
    out
}

fn load_weights(vs: &nn::VarStore, path: &Path, mode: LoadMode) -> Result<()> {
    let source: HashMap<String, Tensor> = read_tensors(path)?.into_iter().collect();
    let mut missing = Vec::new();
    let mut vars: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    tch::no_grad(|| -> Result<()> {
        for (name, mut var) in vars {
            let found = candidate_names(&name)
                .into_iter()
                .find_map(|n| source.get(&n));
            let from_base = matches!(mode, LoadMode::FromBase { .. });
            let new_head = mode == LoadMode::FromBase { classifier: false };
            if new_head && name.starts_with("classifier.") {
                continue;
            }
            let Some(src) = found else {
                missing.push(name);
                continue;
            };
            let src = src.to_kind(var.kind()).to_device(var.device());
            if src.size() == var.size() {
                var.copy_(&src);
            } else if from_base
                && name.ends_with("token_type_embeddings.weight")
                && src.size()[1] == var.size()[1]
            {
                // Every casing class starts from the base model's type 0, so the
                // new model starts out computing what the base computed.
                let rows = var.size()[0];
                var.copy_(&src.get(0).unsqueeze(0).expand([rows, -1], false));
            } else {
                return Err(Error::model(
                    path,
                    format!(
                        "weight {name} has shape {:?}, the config wants {:?}",
                        src.size(),
                        var.size()
                    ),
                ));
            }
        }
        Ok(())
    })?;
    if !missing.is_empty() {
        let shown: Vec<_> = missing.iter().take(5).cloned().collect();
        return Err(Error::model(
            path,
            format!(
                "{} weights missing, e.g. {}",
                missing.len(),
                shown.join(", ")
            ),
        ));
    }
    Ok(())
}

fn build(config: &Value, model_type: &str, vs: &nn::VarStore, dir: &Path) -> Result<Arch> {
    let bad = |e: String| Error::model(dir, format!("config.json: {e}"));
    let root = vs.root();
    Ok(match model_type {
        "bert" => {
            let c: BertConfig =
                serde_json::from_value(config.clone()).map_err(|e| bad(e.to_string()))?;
            Arch::Bert(BertForTokenClassification::new(&root, &c).map_err(|e| bad(e.to_string()))?)
        }
        "roberta" | "xlm-roberta" => {
            let c: BertConfig =
                serde_json::from_value(config.clone()).map_err(|e| bad(e.to_string()))?;
            Arch::Roberta(
                RobertaForTokenClassification::new(&root, &c).map_err(|e| bad(e.to_string()))?,
            )
        }
        "distilbert" => {
            let c: DistilBertConfig =
                serde_json::from_value(config.clone()).map_err(|e| bad(e.to_string()))?;
            Arch::DistilBert(
                DistilBertForTokenClassification::new(&root, &c).map_err(|e| bad(e.to_string()))?,
            )
        }
        other => {
            return Err(Error::model(
                dir,
                format!("model_type {other:?} is not supported (bert, distilbert, roberta)"),
            ))
        }
    })
}

fn casing_of(config: &Value) -> bool {
    config
        .get(CASEFILE_KEY)
        .and_then(|c| c.get("token_types"))
        .and_then(Value::as_str)
        == Some("casing")
}

fn context_of(config: &Value) -> usize {
    config
        .get(CASEFILE_KEY)
        .and_then(|c| c.get("context"))
        .and_then(Value::as_u64)
        .unwrap_or(0) as usize
}

fn max_positions(config: &Value, model_type: &str) -> usize {
    let n = config
        .get("max_position_embeddings")
        .and_then(Value::as_u64)
        .unwrap_or(512) as usize;
    // RoBERTa reserves the first positions for padding.
    let n = if model_type.contains("roberta") {
        n.saturating_sub(2)
    } else {
        n
    };
    n.min(512)
}

impl TokenClassifier {
    /// Loads a fine-tuned token classifier from a Hugging Face-layout directory.
    pub fn load(dir: &Path, device: Device) -> Result<TokenClassifier> {
        let config = read_config(dir)?;
        let model_type = model_type(&config, dir)?;
        let labels = labels_of(&config, dir)?;
        TokenClassifier::assemble(dir, config, model_type, labels, LoadMode::Strict, device)
    }

    /// Like [`TokenClassifier::load`], but the forward pass also keeps the
    /// output of every transformer layer ([`TokenClassifier::forward_all`]),
    /// for heads that read the encoder's states (the syntax parser). The NER
    /// logits are unchanged; each layer's output is copied once per batch.
    pub fn load_with_hidden_states(dir: &Path, device: Device) -> Result<TokenClassifier> {
        let mut config = read_config(dir)?;
        let model_type = model_type(&config, dir)?;
        let labels = labels_of(&config, dir)?;
        if let Some(obj) = config.as_object_mut() {
            obj.insert("output_hidden_states".into(), Value::from(true));
        }
        TokenClassifier::assemble(dir, config, model_type, labels, LoadMode::Strict, device)
    }

    /// Whether [`TokenClassifier::forward_all`] returns the layers' outputs.
    pub fn has_hidden_states(&self) -> bool {
        self.config
            .get("output_hidden_states")
            .and_then(Value::as_bool)
            == Some(true)
    }

    /// Builds the architecture the config names and loads the directory's
    /// weights into it; casing and context are read from the config.
    fn assemble(
        dir: &Path,
        config: Value,
        model_type: String,
        labels: LabelSet,
        mode: LoadMode,
        device: Device,
    ) -> Result<TokenClassifier> {
        let weights = weights_file(dir)?;
        let vs = nn::VarStore::new(device);
        let arch = build(&config, &model_type, &vs, dir)?;
        load_weights(&vs, &weights, mode)?;
        Ok(TokenClassifier {
            vs,
            arch,
            labels,
            casing: casing_of(&config),
            max_positions: max_positions(&config, &model_type),
            context: context_of(&config),
            model_type,
            config,
            dir: dir.to_path_buf(),
        })
    }

    /// Builds a new classifier for `labels` on top of a pretrained encoder; with
    /// `casing`, the token-type table grows to one row per casing class.
    pub fn from_base(
        dir: &Path,
        labels: LabelSet,
        casing: bool,
        context: usize,
        device: Device,
    ) -> Result<TokenClassifier> {
        let mut config = read_config(dir)?;
        let model_type = model_type(&config, dir)?;
        // A base that is already a token classifier for the same labels keeps its
        // classifier: training continues from it.
        let classifier = labels_of(&config, dir).is_ok_and(|l| l.labels == labels.labels);
        if casing && model_type == "distilbert" {
            return Err(Error::model(
                dir,
                "DistilBERT has no token types to carry the casing classes; train without --casing",
            ));
        }
        let obj = config
            .as_object_mut()
            .ok_or_else(|| Error::model(dir, "config.json is not an object"))?;
        let id2label: serde_json::Map<String, Value> = labels
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| (i.to_string(), Value::from(l.clone())))
            .collect();
        let label2id: serde_json::Map<String, Value> = labels
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.clone(), Value::from(i)))
            .collect();
        obj.insert("id2label".into(), Value::Object(id2label));
        obj.insert("label2id".into(), Value::Object(label2id));
        let arch_name = match model_type.as_str() {
            "distilbert" => "DistilBertForTokenClassification",
            "roberta" => "RobertaForTokenClassification",
            _ => "BertForTokenClassification",
        };
        obj.insert("architectures".into(), Value::from(vec![arch_name]));
        obj.insert("model_type".into(), Value::from(model_type.clone()));
        let mut extension = serde_json::json!({ "context": context });
        if casing {
            obj.insert("type_vocab_size".into(), Value::from(CASE_CLASSES));
            extension["token_types"] = Value::from("casing");
            extension["note"] = Value::from(
                "token_type_ids carry the casing class of each word piece's word: 0 special/pad, 1 lower or punctuation, 2 Initial-cap, 3 ALL-CAPS, 4 mIxed, 5 number",
            );
        }
        obj.insert(CASEFILE_KEY.into(), extension);
        TokenClassifier::assemble(
            dir,
            config,
            model_type,
            labels,
            LoadMode::FromBase { classifier },
            device,
        )
    }

    /// Logits `[batch, pieces, labels]`.
    pub fn forward_t(&self, ids: &Tensor, mask: &Tensor, types: &Tensor, train: bool) -> Tensor {
        self.forward_all(ids, mask, types, train).0
    }

    /// Logits `[batch, pieces, labels]` and, for a model loaded with
    /// [`TokenClassifier::load_with_hidden_states`], the output of each
    /// transformer layer in order (`[batch, pieces, hidden]` each; rust-bert
    /// does not return the embedding output). Otherwise the list is empty.
    pub fn forward_all(
        &self,
        ids: &Tensor,
        mask: &Tensor,
        types: &Tensor,
        train: bool,
    ) -> (Tensor, Vec<Tensor>) {
        match &self.arch {
            Arch::Bert(m) => {
                let out = m.forward_t(Some(ids), Some(mask), Some(types), None, None, train);
                (out.logits, out.all_hidden_states.unwrap_or_default())
            }
            Arch::Roberta(m) => {
                let types = if self.casing { Some(types) } else { None };
                let out = m.forward_t(Some(ids), Some(mask), types, None, None, train);
                (out.logits, out.all_hidden_states.unwrap_or_default())
            }
            Arch::DistilBert(m) => {
                let out = m
                    .forward_t(Some(ids), Some(mask), None, train)
                    .expect("DistilBERT forward with input ids cannot fail");
                (out.logits, out.all_hidden_states.unwrap_or_default())
            }
        }
    }

    pub fn device(&self) -> Device {
        self.vs.device()
    }

    /// Writes config.json and model.safetensors (fp16 storage, half the size;
    /// loading converts back to fp32) into `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let config_path = dir.join("config.json");
        let text = serde_json::to_string_pretty(&self.config).expect("a JSON value serialises");
        std::fs::write(&config_path, text + "\n").map_err(|e| Error::io(&config_path, e))?;
        let mut named: Vec<(String, Tensor)> = self
            .vs
            .variables()
            .into_iter()
            .map(|(n, t)| {
                let t = t
                    .detach()
                    .to_kind(Kind::Half)
                    .to_device(Device::Cpu)
                    .contiguous();
                (n, t)
            })
            .collect();
        named.sort_by(|a, b| a.0.cmp(&b.0));
        let path = dir.join("model.safetensors");
        let output_err = |reason: String| Error::Output {
            path: path.clone(),
            reason,
        };
        let bytes: Vec<Vec<u8>> = named
            .iter()
            .map(|(_, t)| {
                let numel = t.numel();
                let mut buf = vec![0u8; numel * 2];
                t.copy_data_u8(&mut buf, numel);
                buf
            })
            .collect();
        let views = named
            .iter()
            .zip(&bytes)
            .map(|((n, t), b)| {
                let shape = t.size().iter().map(|&d| d as usize).collect();
                TensorView::new(Dtype::F16, shape, b)
                    .map(|v| (n.clone(), v))
                    .map_err(|e| output_err(format!("{e:?}")))
            })
            .collect::<Result<Vec<_>>>()?;
        // Python transformers refuses safetensors files without this metadata.
        let metadata = Some(HashMap::from([("format".to_string(), "pt".to_string())]));
        serialize_to_file(views, &metadata, &path).map_err(|e| output_err(format!("{e:?}")))
    }
}
