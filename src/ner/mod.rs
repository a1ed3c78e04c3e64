//! The NER stage: a transformer token classifier over the segmenter's words.
//!
//! Sentences of many documents are batched together, sorted by length so that
//! padding stays small; each word's label distribution is read at its first word
//! piece, and the label sequence of a sentence is decoded under IOB2 constraints
//! ([`labels::LabelSet::viterbi`]). An entity's score is the mean probability of
//! its words' labels.

pub mod casing;
pub mod conll;
pub mod encode;
pub mod eval;
pub mod labels;
pub mod model;
pub mod train;

use crate::document::{Document, Entity, Span};
use crate::error::{Error, Result};
use encode::{Encoder, Window};
use labels::LabelSet;
use model::TokenClassifier;
use std::path::Path;
use tch::{Device, Kind, Tensor};

/// Where the model runs: `auto` picks CUDA when libtorch sees a GPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DeviceChoice {
    #[default]
    Auto,
    Cpu,
    Cuda,
}

impl DeviceChoice {
    pub fn resolve(self) -> Result<Device> {
        match self {
            DeviceChoice::Auto => Ok(Device::cuda_if_available()),
            DeviceChoice::Cpu => Ok(Device::Cpu),
            DeviceChoice::Cuda if tch::Cuda::is_available() => Ok(Device::Cuda(0)),
            DeviceChoice::Cuda => Err(Error::model(
                "--device cuda",
                "libtorch sees no CUDA device",
            )),
        }
    }
}

/// A label and its probability, for one word.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WordLabel {
    pub label: usize,
    pub prob: f32,
}

/// A loaded model ready to label words.
pub struct Tagger {
    pub model: TokenClassifier,
    pub encoder: Encoder,
    /// Upper bound on word pieces in one forward batch (rows × padded length).
    pub batch_pieces: usize,
    /// Word pieces of neighbouring sentences added on each side as context
    /// (0: none). Defaults to what the model was trained with.
    pub context: usize,
}

impl Tagger {
    pub fn load(dir: &Path, device: Device) -> Result<Tagger> {
        let model = TokenClassifier::load(dir, device)?;
        let encoder = Encoder::load(dir, model.max_positions)?;
        let batch_pieces = if device.is_cuda() { 65_536 } else { 4_096 };
        let context = model.context;
        Ok(Tagger {
            model,
            encoder,
            batch_pieces,
            context,
        })
    }

    pub fn labels(&self) -> &LabelSet {
        &self.model.labels
    }

    /// Per-word log-probabilities (`words × labels`) of each window, in the
    /// order given.
    pub fn window_log_probs(&self, windows: &[Window]) -> Result<Vec<Vec<f32>>> {
        let n_labels = self.labels().len();
        let mut order: Vec<usize> = (0..windows.len()).collect();
        order.sort_by_key(|&i| windows[i].ids.len());
        let mut out = vec![Vec::new(); windows.len()];
        let device = self.model.device();
        let mut k = 0;
        while k < order.len() {
            // Grow the batch while rows × longest row fits the budget; sorted
            // lengths make the last row the longest.
            let mut end = k + 1;
            while end < order.len()
                && (end + 1 - k) * windows[order[end]].ids.len() <= self.batch_pieces
            {
                end += 1;
            }
            let batch = &order[k..end];
            let len = windows[*batch.last().unwrap()].ids.len();
            let rows = batch.len();
            let mut ids = vec![self.encoder.pad; rows * len];
            let mut types = vec![0i64; rows * len];
            let mut mask = vec![0i64; rows * len];
            for (r, &i) in batch.iter().enumerate() {
                let w = &windows[i];
                ids[r * len..r * len + w.ids.len()].copy_from_slice(&w.ids);
                types[r * len..r * len + w.types.len()].copy_from_slice(&w.types);
                mask[r * len..r * len + w.ids.len()].fill(1);
            }
            let shape = [rows as i64, len as i64];
            let ids = Tensor::from_slice(&ids).view(shape).to(device);
            let types_t = Tensor::from_slice(&types).view(shape).to(device);
            let mask = Tensor::from_slice(&mask).view(shape).to(device);
            let types_t = if self.model.casing {
                types_t
            } else {
                types_t.zeros_like()
            };
            let log_probs = tch::no_grad(|| {
                self.model
                    .forward_t(&ids, &mask, &types_t, false)
                    .log_softmax(-1, Kind::Float)
                    .to_device(Device::Cpu)
            });
            let flat: Vec<f32> = Vec::<f32>::try_from(log_probs.flatten(0, -1))?;
            for (r, &i) in batch.iter().enumerate() {
                let w = &windows[i];
                let mut lp = Vec::with_capacity(w.heads.len() * n_labels);
                for &h in &w.heads {
                    let at = (r * len + h) * n_labels;
                    lp.extend_from_slice(&flat[at..at + n_labels]);
                }
                out[i] = lp;
            }
            k = end;
        }
        Ok(out)
    }

    /// Labels sentences given as words; `doc_of[s]` names the document of
    /// sentence `s`, whose neighbours in the same document give it context.
    pub fn tag(&self, sentences: &[Vec<&str>], doc_of: &[usize]) -> Result<Vec<Vec<WordLabel>>> {
        let n_labels = self.labels().len();
        let pieces = sentences
            .iter()
            .map(|words| self.encoder.pieces(words))
            .collect::<Result<Vec<_>>>()?;
        let windows = self.encoder.all_windows(&pieces, doc_of, self.context);
        drop(pieces);
        let log_probs = self.window_log_probs(&windows)?;
        let mut word_lp: Vec<Vec<f32>> = sentences
            .iter()
            .map(|w| vec![0.0; w.len() * n_labels])
            .collect();
        for (w, lp) in windows.iter().zip(&log_probs) {
            for (j, word) in (w.first..w.end).enumerate() {
                if w.owns[j] {
                    word_lp[w.sentence][word * n_labels..(word + 1) * n_labels]
                        .copy_from_slice(&lp[j * n_labels..(j + 1) * n_labels]);
                }
            }
        }
        Ok(word_lp
            .iter()
            .zip(sentences)
            .map(|(lp, words)| {
                let path = self.labels().viterbi(lp, words.len());
                path.iter()
                    .enumerate()
                    .map(|(w, &label)| WordLabel {
                        label,
                        prob: lp[w * n_labels + label].exp(),
                    })
                    .collect()
            })
            .collect())
    }

    /// Finds the entities of a batch of documents (sentences must be set).
    pub fn process(&self, docs: &mut [Document]) -> Result<()> {
        let mut sentences: Vec<Vec<&str>> = Vec::new();
        let mut index: Vec<(usize, usize)> = Vec::new();
        for (d, doc) in docs.iter().enumerate() {
            if !doc.is_ok() {
                continue;
            }
            for (s, sentence) in doc.sentences.iter().enumerate() {
                sentences.push(
                    sentence
                        .tokens
                        .iter()
                        .map(|t| &doc.text[t.span.start..t.span.end])
                        .collect(),
                );
                index.push((d, s));
            }
        }
        let doc_of: Vec<usize> = index.iter().map(|&(d, _)| d).collect();
        let tagged = self.tag(&sentences, &doc_of)?;
        drop(sentences);
        for ((d, s), labels) in index.into_iter().zip(tagged) {
            let path: Vec<usize> = labels.iter().map(|l| l.label).collect();
            let doc = &mut docs[d];
            for (first, end, label) in self.labels().chunks(&path) {
                let tokens = &doc.sentences[s].tokens;
                let score =
                    labels[first..end].iter().map(|l| l.prob).sum::<f32>() / (end - first) as f32;
                doc.entities.push(Entity {
                    span: Span::new(tokens[first].span.start, tokens[end - 1].span.end),
                    label,
                    score,
                    sentence: s,
                    actor: None,
                });
            }
        }
        Ok(())
    }
}
