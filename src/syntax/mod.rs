//! Syntax: lemmas, tags, morphology and dependency trees (UD) from the NER
//! encoder's states.
//!
//! The parser is a set of heads ([`model::Heads`]) over the frozen encoder of
//! the NER model, so one forward pass per sentence serves both: the pipeline
//! calls [`crate::ner::Tagger::tag_with_states`] and passes the states to
//! [`Parser::parse_states`]. The NER labels do not change (the encoder is not
//! trained further), and a parser refuses an encoder other than the one it was
//! trained on ([`crate::Error::EncoderMismatch`]).

pub mod conllu;
pub mod eval;
pub mod lemma;
pub mod model;
pub mod train;
pub mod tree;

use crate::error::{Error, Result};
use crate::ner::{model::weights_file, Tagger};
use conllu::WordParse;
use lemma::{Lemmatizer, Lexicon, Scripts};
use model::{Heads, Inputs, ParserConfig, SLOTS};
use std::path::{Path, PathBuf};
use tch::{Device, Kind, Tensor};

/// The lemma lexicon's file in a parser directory.
pub const LEXICON_FILE: &str = "lexicon.tsv";
/// Sentences per encoder call when computing states for many sentences.
const ENCODE_CHUNK: usize = 512;
/// Most words in one batch of the heads at inference.
const BATCH_WORDS: usize = 2_048;

/// Encoder states of many sentences in one tensor, for batching.
pub struct Cache {
    /// `[words + 1, layers, hidden]`: every sentence's words in order, then one
    /// zero row that padding points at.
    pub states: Tensor,
    /// First row of each sentence.
    pub offsets: Vec<usize>,
    pub lengths: Vec<usize>,
    /// [`model::word_slots`] of every word, in the same order.
    pub slots: Vec<[i64; SLOTS]>,
}

impl Cache {
    /// Joins per-sentence states (`[words, layers, hidden]`, or `[words,
    /// hidden]` already mixed), stored as `kind`.
    pub fn new(states: &[Tensor], sentences: &[Vec<&str>], kind: Kind) -> Cache {
        let lengths: Vec<usize> = sentences.iter().map(Vec::len).collect();
        let mut offsets = Vec::with_capacity(lengths.len());
        let mut at = 0;
        for n in &lengths {
            offsets.push(at);
            at += n;
        }
        // One padding row of the states' row shape.
        let mut pad_shape = states
            .iter()
            .find(|s| s.size()[0] > 0)
            .map_or(vec![1, 1], |s| s.size());
        pad_shape[0] = 1;
        let mut parts: Vec<Tensor> = states
            .iter()
            .filter(|s| s.size()[0] > 0)
            .map(|s| s.to_kind(kind))
            .collect();
        parts.push(Tensor::zeros(pad_shape.as_slice(), (kind, Device::Cpu)));
        let slots = sentences
            .iter()
            .flatten()
            .map(|w| model::word_slots(w))
            .collect();
        Cache {
            states: Tensor::cat(&parts, 0),
            offsets,
            lengths,
            slots,
        }
    }

    /// The heads' inputs for sentences `batch`, padded to the longest.
    pub fn inputs(&self, batch: &[usize]) -> Inputs {
        let width = batch
            .iter()
            .map(|&s| self.lengths[s])
            .max()
            .unwrap_or(1)
            .max(1);
        let pad = self.slots.len() as i64;
        let mut rows = vec![pad; batch.len() * width];
        let mut slots = vec![0i64; batch.len() * width * SLOTS];
        for (b, &s) in batch.iter().enumerate() {
            for w in 0..self.lengths[s] {
                let row = self.offsets[s] + w;
                rows[b * width + w] = row as i64;
                let at = (b * width + w) * SLOTS;
                slots[at..at + SLOTS].copy_from_slice(&self.slots[row]);
            }
        }
        let mut shape = vec![batch.len() as i64, width as i64];
        shape.extend_from_slice(&self.states.size()[1..]);
        let states = self
            .states
            .index_select(0, &Tensor::from_slice(&rows))
            .view(shape.as_slice());
        Inputs {
            states,
            slots: Tensor::from_slice(&slots).view([
                batch.len() as i64,
                width as i64,
                SLOTS as i64,
            ]),
            lengths: batch.iter().map(|&s| self.lengths[s]).collect(),
        }
    }
}

/// Encoder states of sentences, in chunks (sentence `s` is its own document:
/// no context from its neighbours, as the NER model was trained).
pub fn encode_states(
    tagger: &Tagger,
    sentences: &[Vec<&str>],
    kind: Kind,
    mut progress: impl FnMut(usize),
) -> Result<Cache> {
    let mut states = Vec::with_capacity(sentences.len());
    for chunk in sentences.chunks(ENCODE_CHUNK) {
        let doc_of: Vec<usize> = (0..chunk.len()).collect();
        let (_, part) = tagger.tag_with_states(chunk, &doc_of, &|s| s.shallow_clone())?;
        states.extend(part.into_iter().map(|t| t.to_kind(kind)));
        progress(states.len());
    }
    Ok(Cache::new(&states, sentences, kind))
}

/// Batches of similar length for inference: sentence order sorted by length,
/// cut where the padded batch would pass `BATCH_WORDS`.
fn plan(lengths: &[usize]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&s| lengths[s]);
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for s in order {
        if !current.is_empty() && (current.len() + 1) * lengths[s].max(1) > BATCH_WORDS {
            out.push(std::mem::take(&mut current));
        }
        current.push(s);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn argmax_rows(scores: &Tensor) -> Vec<i64> {
    Vec::<i64>::try_from(
        scores
            .argmax(-1, false)
            .to_device(Device::Cpu)
            .flatten(0, -1),
    )
    .expect("argmax gives i64")
}

/// Tree-decoded heads of each sentence of a batch from arc scores.
fn decode_heads(arcs: &Tensor, lengths: &[usize]) -> Vec<Vec<usize>> {
    let lp = arcs.log_softmax(-1, Kind::Double).to_device(Device::Cpu);
    let width = lp.size()[1] as usize;
    let flat = Vec::<f64>::try_from(lp.flatten(0, -1)).expect("f64 scores");
    lengths
        .iter()
        .enumerate()
        .map(|(b, &n)| {
            let matrix: Vec<Vec<f64>> = (0..=n)
                .map(|d| {
                    let at = (b * width + d) * width;
                    flat[at..at + n + 1].to_vec()
                })
                .collect();
            tree::decode(&matrix)
        })
        .collect()
}

/// Parses of the sentences of a batch.
fn predict_batch(
    heads: &Heads,
    lemmas: &Lemmatizer,
    x: &Inputs,
    forms: &[&[&str]],
) -> Vec<Vec<WordParse>> {
    let c = &heads.config;
    tch::no_grad(|| {
        let h = heads.encode(x, false);
        let words = h.narrow(1, 1, h.size()[1] - 1);
        let [upos, xpos, feats] = heads.word_classes(&words, false).map(|t| argmax_rows(&t));
        let arcs = heads.arcs(&h, &x.lengths, false);
        let trees = decode_heads(&arcs, &x.lengths);
        let rels = predict_rels(heads, &h, &trees);
        let width = words.size()[1] as usize;
        let tags: Vec<&str> = upos.iter().map(|&u| c.upos[u as usize].as_str()).collect();
        let mut lemma = predict_lemmas(heads, lemmas, &words, forms, &tags).into_iter();
        trees
            .iter()
            .enumerate()
            .map(|(b, t)| {
                (0..x.lengths[b])
                    .map(|w| {
                        let at = b * width + w;
                        WordParse {
                            lemma: lemma.next().expect("a lemma per word"),
                            upos: tags[at].to_string(),
                            xpos: c.xpos[xpos[at] as usize].clone(),
                            feats: c.feats[feats[at] as usize].clone(),
                            head: t[w + 1],
                            deprel: c.deprel[rels[b * (width + 1) + w + 1] as usize].clone(),
                        }
                    })
                    .collect()
            })
            .collect()
    })
}

/// The relation of every position of a batch to its decoded head (ROOT's
/// row included), flat.
fn predict_rels(heads: &Heads, h: &Tensor, trees: &[Vec<usize>]) -> Vec<i64> {
    let width = h.size()[1] as usize;
    let mut head_index = vec![0i64; trees.len() * width];
    for (b, t) in trees.iter().enumerate() {
        for (d, &hd) in t.iter().enumerate() {
            head_index[b * width + d] = hd as i64;
        }
    }
    let head_index = Tensor::from_slice(&head_index)
        .view([trees.len() as i64, width as i64])
        .to(h.device());
    argmax_rows(&heads.rels(h, &head_index, false))
}

/// Every word's lemma in order (sentence by sentence). The script classifier
/// runs only on the words the lexicon and irregular verbs lack: `words` is
/// `[batch, width, dim]`, `tags` the UPOS of its rows, flat.
fn predict_lemmas(
    heads: &Heads,
    lemmas: &Lemmatizer,
    words: &Tensor,
    forms: &[&[&str]],
    tags: &[&str],
) -> Vec<String> {
    let width = words.size()[1] as usize;
    let mut out = Vec::new();
    let mut unknown: Vec<(usize, i64)> = Vec::new();
    for (b, sentence) in forms.iter().enumerate() {
        for (w, form) in sentence.iter().enumerate() {
            let at = b * width + w;
            match lemmas.known(form, tags[at]) {
                Some(lemma) => out.push(lemma),
                None => {
                    unknown.push((out.len(), at as i64));
                    out.push(String::new());
                }
            }
        }
    }
    if unknown.is_empty() {
        return out;
    }
    let rows = Tensor::from_slice(&unknown.iter().map(|u| u.1).collect::<Vec<_>>());
    let picked = words
        .flatten(0, 1)
        .index_select(0, &rows.to(words.device()));
    let scripts = argmax_rows(&heads.lemma_scores(&picked, false));
    for (&(i, at), script) in unknown.iter().zip(scripts) {
        let (b, w) = (at as usize / width, at as usize % width);
        out[i] = lemmas.guess(forms[b][w], tags[at as usize], script as usize);
    }
    out
}

/// Parses of every sentence of a cache, in order.
pub fn predict(
    heads: &Heads,
    lemmas: &Lemmatizer,
    cache: &Cache,
    sentences: &[Vec<&str>],
) -> Vec<Vec<WordParse>> {
    let mut out: Vec<Vec<WordParse>> = vec![Vec::new(); sentences.len()];
    for batch in plan(&cache.lengths) {
        let x = cache.inputs(&batch);
        let forms: Vec<&[&str]> = batch.iter().map(|&s| sentences[s].as_slice()).collect();
        for (s, parse) in batch.iter().zip(predict_batch(heads, lemmas, &x, &forms)) {
            out[*s] = parse;
        }
    }
    out
}

/// A trained parser, ready to run on an encoder's states.
pub struct Parser {
    pub heads: Heads,
    pub lemmas: Lemmatizer,
    pub dir: PathBuf,
}

fn read_config(dir: &Path) -> Result<ParserConfig> {
    let path = dir.join("config.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::model(&path, format!("not a casefile parser config: {e}")))
}

/// The model's `lexicon.tsv` ([`Lexicon`]); a parser without one lemmatises
/// by scripts alone.
fn read_lexicon(dir: &Path) -> Result<Lexicon> {
    let path = dir.join(LEXICON_FILE);
    if !path.exists() {
        return Ok(Lexicon::default());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    Ok(Lexicon::from_tsv(&text))
}

impl Parser {
    /// Runs the heads at `precision` (resolved as for the encoder: `Auto` is
    /// bf16 on a CPU with native bf16 instructions).
    pub fn set_precision(&mut self, precision: crate::ner::Precision) {
        self.heads.set_kind(precision.kind(self.heads.vs.device()));
    }

    /// The encoder (NER model) directory a parser sits on.
    pub fn encoder_dir(dir: &Path) -> Result<PathBuf> {
        Ok(dir.join(read_config(dir)?.encoder))
    }

    /// Loads the parser in `dir` for `tagger`'s encoder, which must be the one
    /// the parser was trained on (same weights file fingerprint).
    pub fn load(dir: &Path, tagger: &Tagger) -> Result<Parser> {
        let config = read_config(dir)?;
        let weights = weights_file(&tagger.model.dir)?;
        let found = model::fingerprint(&weights)?;
        if found != config.encoder_fingerprint {
            return Err(Error::EncoderMismatch {
                parser: dir.to_path_buf(),
                encoder: tagger.model.dir.clone(),
                expected: config.encoder_fingerprint,
                found,
            });
        }
        let lemmas = Lemmatizer {
            scripts: Scripts::from_names(config.lemma.clone()),
            lexicon: read_lexicon(dir)?,
        };
        let heads = Heads::load(dir, config, tagger.model.device())?;
        Ok(Parser {
            heads,
            lemmas,
            dir: dir.to_path_buf(),
        })
    }

    /// Loads a parser and the encoder it names (with hidden states kept).
    pub fn load_with_encoder(dir: &Path, device: Device) -> Result<(Tagger, Parser)> {
        let encoder = Parser::encoder_dir(dir)?;
        let mut tagger = Tagger::load_with_hidden_states(&encoder, device)?;
        tagger.context = 0;
        let parser = Parser::load(dir, &tagger)?;
        Ok((tagger, parser))
    }

    /// Parses sentences given as words: runs the encoder, then the heads.
    pub fn parse(&self, tagger: &Tagger, sentences: &[Vec<&str>]) -> Result<Vec<Vec<WordParse>>> {
        let mut out = Vec::with_capacity(sentences.len());
        for chunk in sentences.chunks(ENCODE_CHUNK) {
            let cache = encode_states(tagger, chunk, self.heads.kind(), |_| {})?;
            out.extend(predict(&self.heads, &self.lemmas, &cache, chunk));
        }
        Ok(out)
    }

    /// Parses sentences whose encoder states were already computed, e.g. by
    /// the NER forward pass ([`Tagger::tag_with_states`]): `states[s]` is
    /// `[words, layers, hidden]` for sentence `s`, or `[words, hidden]` when
    /// already mixed by [`Heads::mix_layers`].
    pub fn parse_states(
        &self,
        sentences: &[Vec<&str>],
        states: &[Tensor],
    ) -> Result<Vec<Vec<WordParse>>> {
        let c = &self.heads.config;
        let (layers, hidden) = (c.layers as i64, c.hidden as i64);
        for (s, t) in states.iter().enumerate() {
            let n = sentences[s].len() as i64;
            let size = t.size();
            if n > 0 && size != [n, layers, hidden] && size != [n, hidden] {
                return Err(Error::model(
                    &self.dir,
                    format!(
                        "sentence {s}: states of shape {size:?}, expected \
                         [{n}, {layers}, {hidden}] or [{n}, {hidden}]"
                    ),
                ));
            }
        }
        let cache = Cache::new(states, sentences, self.heads.kind());
        Ok(predict(&self.heads, &self.lemmas, &cache, sentences))
    }
}
