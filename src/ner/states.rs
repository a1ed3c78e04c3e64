//! NER and the parser's encoder states from one forward pass: the tagger
//! keeps every layer's output at each word's first piece, hands it to the
//! parser's layer mix on the device, and runs long inputs in chunks so that
//! memory stays bounded.

use super::encode::Window;
use super::{Batch, Decode, SentenceEntity, Tagger, WordLabel};
use crate::document::{Document, WordSyntax};
use crate::error::{Error, Result};
use crate::ner::model::TokenClassifier;
use std::path::Path;
use tch::{Device, Kind, Tensor};

impl Tagger {
    /// Entities and, with a parser, the parse of every sentence. With Viterbi
    /// decoding both come from one forward pass (the parser reads the encoder's
    /// states); `--decode simple` labels pieces its own way, so there the parser
    /// runs the encoder again.
    pub fn entities_and_syntax(
        &self,
        sentences: &[Vec<&str>],
        doc_of: &[usize],
        parser: &crate::syntax::Parser,
    ) -> Result<EntitiesAndSyntax> {
        if self.decode == Decode::Viterbi {
            let (labels, states) =
                self.tag_with_states(sentences, doc_of, &|s| parser.heads.mix_layers(s))?;
            let parses = parser.parse_states(sentences, &states)?;
            Ok((self.word_entities(&labels, sentences), parses))
        } else {
            let entities = self.entities(sentences, doc_of)?;
            Ok((entities, parser.parse(self, sentences)?))
        }
    }

    /// Loads a model whose forward pass also keeps every transformer layer's
    /// output, for [`Tagger::tag_with_states`]. Labels are the same as with
    /// [`Tagger::load`].
    pub fn load_with_hidden_states(dir: &Path, device: Device) -> Result<Tagger> {
        let model = TokenClassifier::load_with_hidden_states(dir, device)?;
        Tagger::with_model(dir, model, device)
    }

    /// NER labels (Viterbi) and the encoder states of every word from ONE
    /// forward pass: per sentence a CPU tensor `[words, ...]` of what `keep`
    /// makes of the word's `[layers, hidden]` states (each layer's output at
    /// the word's first piece, read from the window that labels the word).
    /// `keep` runs on the model's device before anything is copied out: the
    /// parser mixes the layers there ([`crate::syntax::model::Heads::mix_layers`]),
    /// so a word costs one layer of memory, not all of them. The model must
    /// have been loaded with [`Tagger::load_with_hidden_states`].
    pub fn tag_with_states(
        &self,
        sentences: &[Vec<&str>],
        doc_of: &[usize],
        keep: &dyn Fn(&Tensor) -> Tensor,
    ) -> Result<(Vec<Vec<WordLabel>>, Vec<Tensor>)> {
        if !self.model.has_hidden_states() {
            return Err(Error::model(
                &self.model.dir,
                "loaded without hidden states (use Tagger::load_with_hidden_states)",
            ));
        }
        let n_labels = self.labels().len();
        let pieces = self.pieces_of(sentences)?;
        let windows = self.encoder.all_windows(&pieces, doc_of, self.context);
        drop(pieces);
        let mut word_lp: Vec<Vec<f32>> = sentences
            .iter()
            .map(|w| vec![0.0; w.len() * n_labels])
            .collect();
        let mut states: Vec<Option<Tensor>> = sentences.iter().map(|_| None).collect();
        for rows in self.plan(&windows) {
            let batch = self.inputs(&windows, &rows);
            let owned = owned_pieces(&windows, &batch);
            let (logits, picked) = tch::no_grad(|| {
                let (logits, hidden) =
                    self.model
                        .forward_all(&batch.ids, &batch.mask, &batch.types, false);
                let lp = logits.log_softmax(-1, Kind::Float).to_device(Device::Cpu);
                let at = Tensor::from_slice(&owned.iter().map(|o| o.2).collect::<Vec<_>>())
                    .to(self.model.device());
                let picked: Vec<Tensor> = hidden
                    .iter()
                    .map(|h| h.flatten(0, 1).index_select(0, &at))
                    .collect();
                let picked = keep(&Tensor::stack(&picked, 1)).to_device(Device::Cpu);
                (lp, picked)
            });
            let flat: Vec<f32> = Vec::<f32>::try_from(logits.flatten(0, -1))?;
            scatter(
                &mut word_lp,
                &mut states,
                sentences,
                &owned,
                &flat,
                n_labels,
                &picked,
            );
        }
        let labels = self.viterbi_words(&word_lp, sentences);
        let states = states
            .into_iter()
            .map(|s| s.unwrap_or_else(|| Tensor::zeros([0, 0, 0], (Kind::Float, Device::Cpu))))
            .collect();
        Ok((labels, states))
    }
}

/// Copies one batch's results to the words of `owned`, a sentence's run of
/// words at a time: from `flat` (the log-probabilities, `n_labels` per piece)
/// into `word_lp`, and from `picked` (the kept states, one row per entry of
/// `owned`, in order) into `states`.
fn scatter(
    word_lp: &mut [Vec<f32>],
    states: &mut [Option<Tensor>],
    sentences: &[Vec<&str>],
    owned: &[(usize, i64, i64)],
    flat: &[f32],
    n_labels: usize,
    picked: &Tensor,
) {
    let mut shape = picked.size();
    let mut k = 0;
    while k < owned.len() {
        let sentence = owned[k].0;
        let run = owned[k..].iter().take_while(|o| o.0 == sentence).count();
        shape[0] = sentences[sentence].len() as i64;
        let target = states[sentence]
            .get_or_insert_with(|| Tensor::zeros(shape.as_slice(), (picked.kind(), Device::Cpu)));
        let mut words = Vec::with_capacity(run);
        for &(_, word, at) in &owned[k..k + run] {
            let (word, from) = (word as usize, at as usize * n_labels);
            word_lp[sentence][word * n_labels..(word + 1) * n_labels]
                .copy_from_slice(&flat[from..from + n_labels]);
            words.push(word as i64);
        }
        let rows = picked.narrow(0, k as i64, run as i64);
        let _ = target.index_copy_(0, &Tensor::from_slice(&words), &rows);
        k += run;
    }
}

/// Every word a batch's windows own, as (sentence, word, row of its first
/// piece in the flattened batch): only those rows leave the device.
fn owned_pieces(windows: &[Window], batch: &Batch) -> Vec<(usize, i64, i64)> {
    let mut owned = Vec::new();
    for (r, &i) in batch.rows.iter().enumerate() {
        let w = &windows[i];
        for (j, word) in (w.first..w.end).enumerate() {
            if w.owns[j] {
                owned.push((w.sentence, word as i64, (r * batch.len + w.heads[j]) as i64));
            }
        }
    }
    owned
}

/// Per sentence, its entities and the syntax of its words.
pub type EntitiesAndSyntax = (Vec<Vec<SentenceEntity>>, Vec<Vec<WordSyntax>>);

/// Words per forward chunk when the parser's states are kept: one mixed layer
/// of 384 per word, in the heads' number format (768 bytes in bf16, 1.5 KB in
/// f32: 50 or 100 MB a chunk). Each chunk sorts its own sentences into
/// forward batches, so small chunks pad more: 8,192 words cost 14% more
/// forward time than one chunk on 100 generated articles.
pub const SYNTAX_CHUNK_WORDS: usize = 65_536;

/// The end of the chunk of sentences starting at `from`: at least one
/// sentence, then as many as fit in [`SYNTAX_CHUNK_WORDS`] words.
pub(super) fn chunk_end(docs: &[Document], index: &[(usize, usize)], from: usize) -> usize {
    let mut words = 0;
    let mut to = from;
    while to < index.len() {
        let (d, s) = index[to];
        words += docs[d].sentences[s].tokens.len();
        if words > SYNTAX_CHUNK_WORDS && to > from {
            break;
        }
        to += 1;
    }
    to
}
