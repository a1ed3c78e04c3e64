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
pub mod states;
pub mod train;
pub use states::{EntitiesAndSyntax, SYNTAX_CHUNK_WORDS};

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

/// The number format of the model's weights and activations at inference.
/// Training always runs in f32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Precision {
    /// bf16 on a CPU with native bf16 instructions (AVX-512 BF16 or AMX),
    /// else f32. On CoNLL dev, bf16 costs 0.02 F1 and runs 1.9x faster on
    /// such a CPU; without the instructions it would be emulated, and slower.
    #[default]
    Auto,
    /// 32-bit floats, as trained.
    F32,
    /// bfloat16: half the memory traffic, and native matrix instructions on CPUs
    /// with AVX-512 BF16 or AMX and on recent GPUs.
    Bf16,
}

impl Precision {
    /// What `Auto` means on this machine for this device.
    pub fn resolve(self, device: Device) -> Precision {
        match self {
            Precision::Auto if !device.is_cuda() && cpu_has_native_bf16() => Precision::Bf16,
            Precision::Auto => Precision::F32,
            p => p,
        }
    }

    /// The tensor kind of weights and activations at this precision on
    /// `device`: the one mapping the NER model and the parser heads share.
    pub fn kind(self, device: Device) -> Kind {
        match self.resolve(device) {
            Precision::Bf16 => Kind::BFloat16,
            _ => Kind::Float,
        }
    }
}

/// Whether the CPU computes bf16 natively (Linux: the `avx512_bf16` or
/// `amx_bf16` flag in /proc/cpuinfo). Elsewhere: no.
fn cpu_has_native_bf16() -> bool {
    std::fs::read_to_string("/proc/cpuinfo")
        .map(|info| {
            info.lines()
                .filter(|l| l.starts_with("flags"))
                .take(1)
                .any(|l| {
                    l.split_whitespace()
                        .any(|f| f == "avx512_bf16" || f == "amx_bf16")
                })
        })
        .unwrap_or(false)
}

/// How word labels are read from the model's scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Decode {
    /// Each word's first piece, and the best label sequence allowed by IOB2
    /// (no `I-X` after `O`): the default, and the better on CoNLL dev.
    #[default]
    Viterbi,
    /// What transformers' `pipeline(aggregation_strategy="simple")` does: the
    /// best label of every piece, consecutive pieces of one type grouped unless
    /// a piece says `B-`. For reproducing a Python script's entities exactly.
    Simple,
}

/// A label and its probability, for one word.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WordLabel {
    pub label: usize,
    pub prob: f32,
}

/// An entity of one sentence: from byte `start` of word `first` to byte `end`
/// of word `last` (word indices inclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceEntity {
    pub first: usize,
    pub start: usize,
    pub last: usize,
    pub end: usize,
    pub label: String,
    pub score: f32,
}

/// The best label of one word piece: (word, piece of the word, label, probability).
type PieceLabel = (usize, usize, usize, f32);

/// One padded forward batch: which windows its rows hold, and its inputs.
pub struct Batch {
    pub rows: Vec<usize>,
    /// Padded length in pieces.
    pub len: usize,
    pub ids: Tensor,
    pub types: Tensor,
    pub mask: Tensor,
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
    pub decode: Decode,
}

impl Tagger {
    pub fn load(dir: &Path, device: Device) -> Result<Tagger> {
        Tagger::with_model(dir, TokenClassifier::load(dir, device)?, device)
    }

    fn with_model(dir: &Path, model: TokenClassifier, device: Device) -> Result<Tagger> {
        let encoder = Encoder::load(dir, model.max_positions)?;
        let batch_pieces = if device.is_cuda() { 65_536 } else { 4_096 };
        let context = model.context;
        Ok(Tagger {
            model,
            encoder,
            batch_pieces,
            context,
            decode: Decode::Viterbi,
        })
    }

    /// Converts the weights to `precision` (inputs follow: the embeddings
    /// produce activations of the weights' kind).
    pub fn set_precision(&mut self, precision: Precision) {
        self.model.vs.set_kind(precision.kind(self.model.device()));
    }

    pub fn labels(&self) -> &LabelSet {
        &self.model.labels
    }

    /// Groups windows into forward batches: sorted by length so that padding
    /// stays small, each batch as many rows as fit `batch_pieces` (rows × the
    /// longest row).
    pub fn plan(&self, windows: &[Window]) -> Vec<Vec<usize>> {
        let mut order: Vec<usize> = (0..windows.len()).collect();
        order.sort_by_key(|&i| windows[i].ids.len());
        let mut out = Vec::new();
        let mut k = 0;
        while k < order.len() {
            // Sorted lengths make the last row the longest.
            let mut end = k + 1;
            while end < order.len()
                && (end + 1 - k) * windows[order[end]].ids.len() <= self.batch_pieces
            {
                end += 1;
            }
            out.push(order[k..end].to_vec());
            k = end;
        }
        out
    }

    /// The padded input tensors of one batch, on the model's device.
    pub fn inputs(&self, windows: &[Window], rows: &[usize]) -> Batch {
        let len = rows
            .iter()
            .map(|&i| windows[i].ids.len())
            .max()
            .unwrap_or(1);
        let n = rows.len();
        let mut ids = vec![self.encoder.pad; n * len];
        let mut types = vec![0i64; n * len];
        let mut mask = vec![0i64; n * len];
        for (r, &i) in rows.iter().enumerate() {
            let w = &windows[i];
            ids[r * len..r * len + w.ids.len()].copy_from_slice(&w.ids);
            if self.model.casing {
                types[r * len..r * len + w.types.len()].copy_from_slice(&w.types);
            }
            mask[r * len..r * len + w.ids.len()].fill(1);
        }
        let shape = [n as i64, len as i64];
        let device = self.model.device();
        let t = |v: &[i64]| Tensor::from_slice(v).view(shape).to(device);
        Batch {
            rows: rows.to_vec(),
            len,
            ids: t(&ids),
            types: t(&types),
            mask: t(&mask),
        }
    }

    /// The model's log-probabilities `[rows, len, labels]` for a batch, as f32 on
    /// the CPU. No gradients are tracked.
    pub fn forward(&self, batch: &Batch) -> Tensor {
        tch::no_grad(|| {
            self.model
                .forward_t(&batch.ids, &batch.mask, &batch.types, false)
                .log_softmax(-1, Kind::Float)
                .to_device(Device::Cpu)
        })
    }

    /// Per-word log-probabilities (`words × labels`) of each window, in the
    /// order given.
    pub fn window_log_probs(&self, windows: &[Window]) -> Result<Vec<Vec<f32>>> {
        self.log_probs_at(windows, |w| w.heads.clone())
    }

    /// Log-probabilities (`positions × labels`) at the piece positions
    /// `positions(window)` of each window, in the order given.
    fn log_probs_at(
        &self,
        windows: &[Window],
        positions: impl Fn(&Window) -> Vec<usize>,
    ) -> Result<Vec<Vec<f32>>> {
        let n_labels = self.labels().len();
        let mut out = vec![Vec::new(); windows.len()];
        for rows in self.plan(windows) {
            let batch = self.inputs(windows, &rows);
            let log_probs = self.forward(&batch);
            let len = batch.len;
            let flat: Vec<f32> = Vec::<f32>::try_from(log_probs.flatten(0, -1))?;
            for (r, &i) in batch.rows.iter().enumerate() {
                let at_positions = positions(&windows[i]);
                let mut lp = Vec::with_capacity(at_positions.len() * n_labels);
                for h in at_positions {
                    let at = (r * len + h) * n_labels;
                    lp.extend_from_slice(&flat[at..at + n_labels]);
                }
                out[i] = lp;
            }
        }
        Ok(out)
    }

    /// [`Decode::Simple`]: the best label of every piece of every sentence,
    /// as (word, piece of the word, label, probability) in order.
    fn piece_labels(
        &self,
        sentences: &[Vec<&str>],
        pieces: &[encode::Pieces],
        windows: &[Window],
    ) -> Result<Vec<Vec<PieceLabel>>> {
        let n_labels = self.labels().len();
        // Every piece of every word the window owns, in order.
        let owned = |w: &Window| -> Vec<(usize, usize, usize)> {
            let mut out = Vec::new();
            for (j, word) in (w.first..w.end).enumerate() {
                if w.owns[j] {
                    let n = pieces[w.sentence].words[word].len();
                    out.extend((0..n).map(|k| (word, k, w.heads[j] + k)));
                }
            }
            out
        };
        let log_probs =
            self.log_probs_at(windows, |w| owned(w).into_iter().map(|(.., p)| p).collect())?;
        let mut out: Vec<Vec<PieceLabel>> = vec![Vec::new(); sentences.len()];
        for (w, lp) in windows.iter().zip(&log_probs) {
            for (i, (word, k, _)) in owned(w).into_iter().enumerate() {
                let row = &lp[i * n_labels..(i + 1) * n_labels];
                let (label, best) =
                    row.iter()
                        .enumerate()
                        .fold(
                            (0, f32::NEG_INFINITY),
                            |b, (l, &v)| if v > b.1 { (l, v) } else { b },
                        );
                out[w.sentence].push((word, k, label, best.exp()));
            }
        }
        Ok(out)
    }

    /// The entities of sentences given as words. With [`Decode::Viterbi`] they
    /// are whole words; with [`Decode::Simple`] they start and end at word
    /// pieces, as transformers' do ("England" in "ex-England").
    pub fn entities(
        &self,
        sentences: &[Vec<&str>],
        doc_of: &[usize],
    ) -> Result<Vec<Vec<SentenceEntity>>> {
        if self.decode == Decode::Viterbi {
            let tagged = self.tag(sentences, doc_of)?;
            return Ok(self.word_entities(&tagged, sentences));
        }
        let pieces = self.pieces_of(sentences)?;
        let windows = self.encoder.all_windows(&pieces, doc_of, self.context);
        let labelled = self.piece_labels(sentences, &pieces, &windows)?;
        Ok(labelled
            .iter()
            .enumerate()
            .map(|(s, list)| {
                let flat: Vec<(usize, f32)> = list.iter().map(|&(.., l, p)| (l, p)).collect();
                self.labels()
                    .simple_groups(&flat)
                    .into_iter()
                    .map(|(a, b, label, score)| {
                        let (first, k, ..) = list[a];
                        let (last, m, ..) = list[b];
                        SentenceEntity {
                            first,
                            start: pieces[s].offsets[first][k].0,
                            last,
                            end: pieces[s].offsets[last][m].1,
                            label,
                            score,
                        }
                    })
                    .collect()
            })
            .collect())
    }

    /// Whole-word entities from word labels (IOB2 chunks); an entity's score is
    /// the mean probability of its words.
    fn word_entities(
        &self,
        tagged: &[Vec<WordLabel>],
        sentences: &[Vec<&str>],
    ) -> Vec<Vec<SentenceEntity>> {
        tagged
            .iter()
            .zip(sentences)
            .map(|(labels, words)| {
                let path: Vec<usize> = labels.iter().map(|l| l.label).collect();
                self.labels()
                    .chunks(&path)
                    .into_iter()
                    .map(|(first, end, label)| SentenceEntity {
                        first,
                        start: 0,
                        last: end - 1,
                        end: words[end - 1].len(),
                        label,
                        score: labels[first..end].iter().map(|l| l.prob).sum::<f32>()
                            / (end - first) as f32,
                    })
                    .collect()
            })
            .collect()
    }

    fn pieces_of(&self, sentences: &[Vec<&str>]) -> Result<Vec<encode::Pieces>> {
        sentences
            .iter()
            .map(|words| self.encoder.pieces(words))
            .collect()
    }

    /// Labels sentences given as words; `doc_of[s]` names the document of
    /// sentence `s`, whose neighbours in the same document give it context.
    pub fn tag(&self, sentences: &[Vec<&str>], doc_of: &[usize]) -> Result<Vec<Vec<WordLabel>>> {
        let n_labels = self.labels().len();
        let pieces = self.pieces_of(sentences)?;
        let windows = self.encoder.all_windows(&pieces, doc_of, self.context);
        if self.decode == Decode::Simple {
            let labelled = self.piece_labels(sentences, &pieces, &windows)?;
            return Ok(labelled
                .iter()
                .zip(sentences)
                .map(|(list, words)| {
                    let list: Vec<(usize, usize, f32)> =
                        list.iter().map(|&(w, _, l, p)| (w, l, p)).collect();
                    self.labels().simple_word_labels(&list, words.len())
                })
                .collect());
        }
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
        Ok(self.viterbi_words(&word_lp, sentences))
    }

    /// The best IOB2 path of each sentence from its per-word log-probabilities.
    fn viterbi_words(&self, word_lp: &[Vec<f32>], sentences: &[Vec<&str>]) -> Vec<Vec<WordLabel>> {
        let n_labels = self.labels().len();
        word_lp
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
            .collect()
    }

    /// Finds the entities of a batch of documents (sentences must be set),
    /// and with a parser the syntax of every sentence. The states the parser
    /// reads (one mixed layer: 1.5 KB per word in f32) wait for the heads, so
    /// sentences go through in chunks of [`SYNTAX_CHUNK_WORDS`] words: memory
    /// stays bounded for a huge article.
    pub fn process(
        &self,
        docs: &mut [Document],
        parser: Option<&crate::syntax::Parser>,
    ) -> Result<()> {
        let mut index: Vec<(usize, usize)> = Vec::new();
        for (d, doc) in docs.iter().enumerate() {
            if doc.is_ok() {
                index.extend((0..doc.sentences.len()).map(|s| (d, s)));
            }
        }
        let mut from = 0;
        while from < index.len() {
            let to = match parser {
                None => index.len(),
                Some(_) => states::chunk_end(docs, &index, from),
            };
            self.process_sentences(docs, &index[from..to], parser)?;
            from = to;
        }
        Ok(())
    }

    /// Entities (and syntax) of the sentences `index` names, `(document, sentence)`.
    fn process_sentences(
        &self,
        docs: &mut [Document],
        index: &[(usize, usize)],
        parser: Option<&crate::syntax::Parser>,
    ) -> Result<()> {
        let sentences: Vec<Vec<&str>> = index
            .iter()
            .map(|&(d, s)| {
                let doc = &docs[d];
                doc.sentences[s]
                    .tokens
                    .iter()
                    .map(|t| &doc.text[t.span.start..t.span.end])
                    .collect()
            })
            .collect();
        let doc_of: Vec<usize> = index.iter().map(|&(d, _)| d).collect();
        let (found, syntax) = match parser {
            Some(p) => self.entities_and_syntax(&sentences, &doc_of, p)?,
            None => (self.entities(&sentences, &doc_of)?, Vec::new()),
        };
        drop(sentences);
        let mut syntax = syntax.into_iter();
        for (&(d, s), entities) in index.iter().zip(found) {
            let doc = &mut docs[d];
            if let Some(words) = syntax.next() {
                doc.sentences[s].syntax = words;
            }
            for e in entities {
                let tokens = &doc.sentences[s].tokens;
                doc.entities.push(Entity {
                    span: Span::new(
                        tokens[e.first].span.start + e.start,
                        tokens[e.last].span.start + e.end,
                    ),
                    label: e.label,
                    score: e.score,
                    sentence: s,
                    actor: None,
                });
            }
        }
        Ok(())
    }
}

/// What [`bench_forward`] measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ForwardBench {
    pub sentences: usize,
    pub words: usize,
    pub pieces: usize,
    pub batches: usize,
    pub seconds: f64,
    pub words_per_second: f64,
}

/// Times the model's forward passes alone, on exactly the batches [`Tagger::tag`]
/// would run for these sentences: tokenising, batching and decoding are done
/// before the clock starts or not at all. This is the practical limit of the NER
/// stage that `make bench` compares casefile against.
pub fn bench_forward(
    tagger: &Tagger,
    sentences: &[Vec<&str>],
    doc_of: &[usize],
) -> Result<ForwardBench> {
    let pieces = tagger.pieces_of(sentences)?;
    let windows = tagger.encoder.all_windows(&pieces, doc_of, tagger.context);
    let batches: Vec<Batch> = tagger
        .plan(&windows)
        .iter()
        .map(|rows| tagger.inputs(&windows, rows))
        .collect();
    let started = std::time::Instant::now();
    for batch in &batches {
        // The copy back to the CPU is part of any real use of the output.
        let out = tagger.forward(batch);
        std::hint::black_box(Vec::<f32>::try_from(out.flatten(0, -1))?);
    }
    let seconds = started.elapsed().as_secs_f64();
    let words = sentences.iter().map(Vec::len).sum();
    Ok(ForwardBench {
        sentences: sentences.len(),
        words,
        pieces: windows.iter().map(|w| w.ids.len()).sum(),
        batches: batches.len(),
        seconds,
        words_per_second: words as f64 / seconds.max(1e-9),
    })
}
