//! The parser's heads over the frozen NER encoder, as a tch module.
//!
//! Per word: a softmax-weighted mix of the encoder layers at the word's first
//! piece (ELMo/UDify style) plus small hashed embeddings of the lower-cased
//! word and its last 1-3 characters (the first piece alone often misses an
//! inflection: "jurists" is "ju ##rist ##s"). A BiLSTM runs over the words;
//! MLPs read UPOS, XPOS, FEATS and lemma scripts from it, a biaffine scorer
//! scores arcs with a learned ROOT vector at position 0, and a biaffine
//! classifier labels each word's arc (Dozat & Manning 2017).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;
use tch::{nn, nn::Module, nn::RNN, Device, Kind, Tensor};

/// Hash buckets of the word slot and of each suffix slot.
const WORD_BUCKETS: i64 = 16_384;
const SUFFIX_BUCKETS: i64 = 4_096;
/// Slots per word: the word, its last 1, 2 and 3 characters.
pub const SLOTS: usize = 4;

/// Everything that defines a parser model, stored as its `config.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParserConfig {
    /// The encoder directory the heads read, relative to the parser directory.
    pub encoder: String,
    /// [`fingerprint`] of that encoder's weights file.
    pub encoder_fingerprint: String,
    /// Encoder layers mixed and their width.
    pub layers: usize,
    pub hidden: usize,
    pub lstm_hidden: usize,
    pub lstm_layers: usize,
    pub tag_mlp: usize,
    pub arc_mlp: usize,
    pub rel_mlp: usize,
    pub embed_dim: usize,
    pub dropout: f64,
    pub upos: Vec<String>,
    pub xpos: Vec<String>,
    pub feats: Vec<String>,
    pub deprel: Vec<String>,
    /// Lemma edit scripts ([`super::lemma::Script`] names).
    pub lemma: Vec<String>,
}

/// A cheap, stable fingerprint of a weights file: its size and the FNV-1a
/// hash of its bytes. A parser refuses an encoder whose fingerprint differs.
pub fn fingerprint(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in &bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    Ok(format!("fnv1a64:{h:016x}:{}", bytes.len()))
}

fn fnv(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Embedding rows of a word's slots: the lower-cased word, then its last 1, 2
/// and 3 characters, each hashed into its own range of rows.
pub fn word_slots(word: &str) -> [i64; SLOTS] {
    let lower = word.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let mut out = [0i64; SLOTS];
    out[0] = (fnv(&lower) % WORD_BUCKETS as u64) as i64;
    for k in 1..SLOTS {
        let suffix: String = chars[chars.len().saturating_sub(k)..].iter().collect();
        let row = (fnv(&suffix) % SUFFIX_BUCKETS as u64) as i64;
        out[k] = WORD_BUCKETS + (k as i64 - 1) * SUFFIX_BUCKETS + row;
    }
    out
}

/// Linear → LeakyReLU → dropout.
struct Mlp {
    lin: nn::Linear,
    dropout: f64,
}

impl Mlp {
    fn new(p: nn::Path, input: i64, output: i64, dropout: f64) -> Mlp {
        Mlp {
            lin: nn::linear(p, input, output, Default::default()),
            dropout,
        }
    }
    fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        self.lin
            .forward(x)
            .leaky_relu()
            .dropout(self.dropout, train)
    }
}

/// A token classifier: an MLP and a linear output layer.
struct Tagger {
    mlp: Mlp,
    out: nn::Linear,
}

impl Tagger {
    fn new(p: nn::Path, input: i64, hidden: i64, classes: usize, dropout: f64) -> Tagger {
        Tagger {
            mlp: Mlp::new(&p / "mlp", input, hidden, dropout),
            out: nn::linear(
                &p / "out",
                hidden,
                classes.max(1) as i64,
                Default::default(),
            ),
        }
    }
    fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        self.out.forward(&self.mlp.forward_t(x, train))
    }
}

/// A padded batch of sentences as the heads read them.
pub struct Inputs {
    /// `[batch, words, layers, hidden]`, or `[batch, words, hidden]` already
    /// mixed ([`Heads::mix_layers`]); any float kind.
    pub states: Tensor,
    /// `[batch, words, SLOTS]` embedding rows ([`word_slots`]).
    pub slots: Tensor,
    /// Words per sentence.
    pub lengths: Vec<usize>,
}

/// Token-level scores of a batch.
pub struct TagScores {
    pub upos: Tensor,
    pub xpos: Tensor,
    pub feats: Tensor,
    pub lemma: Tensor,
}

/// The parser's heads and their variables.
pub struct Heads {
    pub vs: nn::VarStore,
    pub config: ParserConfig,
    mix: Tensor,
    gamma: Tensor,
    embed: nn::Embedding,
    /// (forward, backward) LSTM of each layer.
    lstm: Vec<(nn::LSTM, nn::LSTM)>,
    root: Tensor,
    upos: Tagger,
    xpos: Tagger,
    feats: Tagger,
    lemma: Tagger,
    arc_dep: Mlp,
    arc_head: Mlp,
    arc_u: Tensor,
    arc_b: Tensor,
    rel_dep: Mlp,
    rel_head: Mlp,
    rel_u: Tensor,
}

/// For each row of length n: positions n-1..0 then the padding in place, so
/// that taking rows with it ([`take_rows`]) reverses each sentence and leaves
/// its padding last; taking them twice is the identity.
fn reverse_index(lengths: &[usize], width: usize, device: Device) -> Tensor {
    let mut idx = Vec::with_capacity(lengths.len() * width);
    for &n in lengths {
        idx.extend((0..width).map(|t| if t < n { n - 1 - t } else { t } as i64));
    }
    Tensor::from_slice(&idx)
        .view([lengths.len() as i64, width as i64])
        .to(device)
}

/// `x` (`[batch, width, dim]`) with row `b, t` replaced by row `b,
/// positions[b, t]` of the same sentence. Copying whole rows (`index_select`
/// on the flattened batch) rather than gathering element by element took the
/// BiLSTM step from 1.28 to 1.12 s on 100 generated articles (2-core EPYC,
/// bf16).
fn take_rows(x: &Tensor, positions: &Tensor) -> Tensor {
    let size = x.size();
    let (batch, width) = (size[0], size[1]);
    let first = Tensor::arange(batch, (Kind::Int64, positions.device())).view([batch, 1]) * width;
    let rows = (positions + first).view([-1]);
    x.flatten(0, 1).index_select(0, &rows).view(size.as_slice())
}

impl Heads {
    pub fn new(config: ParserConfig, device: Device) -> Heads {
        let vs = nn::VarStore::new(device);
        let p = vs.root();
        let c = &config;
        let d = c.dropout;
        let embed_rows = WORD_BUCKETS + (SLOTS as i64 - 1) * SUFFIX_BUCKETS;
        let input = (c.hidden + SLOTS * c.embed_dim) as i64;
        let h = c.lstm_hidden as i64;
        let lstm = (0..c.lstm_layers)
            .map(|l| {
                let inp = if l == 0 { input } else { 2 * h };
                let cfg = nn::RNNConfig::default();
                (
                    nn::lstm(&p / format!("lstm{l}_fw"), inp, h, cfg),
                    nn::lstm(&p / format!("lstm{l}_bw"), inp, h, cfg),
                )
            })
            .collect();
        let out = 2 * h;
        let (a, r) = (c.arc_mlp as i64, c.rel_mlp as i64);
        let n_rel = c.deprel.len().max(1) as i64;
        let zeros = nn::Init::Const(0.0);
        Heads {
            mix: p.var("mix", &[c.layers as i64], zeros),
            gamma: p.var("gamma", &[1], nn::Init::Const(1.0)),
            embed: nn::embedding(
                &p / "embed",
                embed_rows,
                c.embed_dim as i64,
                Default::default(),
            ),
            lstm,
            root: p.var(
                "root",
                &[out],
                nn::Init::Randn {
                    mean: 0.0,
                    stdev: 0.1,
                },
            ),
            upos: Tagger::new(&p / "upos", out, c.tag_mlp as i64, c.upos.len(), d),
            xpos: Tagger::new(&p / "xpos", out, c.tag_mlp as i64, c.xpos.len(), d),
            feats: Tagger::new(&p / "feats", out, c.tag_mlp as i64, c.feats.len(), d),
            lemma: Tagger::new(&p / "lemma", out, c.tag_mlp as i64, c.lemma.len(), d),
            arc_dep: Mlp::new(&p / "arc_dep", out, a, d),
            arc_head: Mlp::new(&p / "arc_head", out, a, d),
            arc_u: p.var("arc_u", &[a, a], zeros),
            arc_b: p.var("arc_b", &[a], zeros),
            rel_dep: Mlp::new(&p / "rel_dep", out, r, d),
            rel_head: Mlp::new(&p / "rel_head", out, r, d),
            rel_u: p.var("rel_u", &[n_rel, r + 1, r + 1], zeros),
            vs,
            config,
        }
    }

    /// Word representations `[batch, 1 + words, 2·lstm_hidden]`, the ROOT
    /// vector first.
    pub fn encode(&self, x: &Inputs, train: bool) -> Tensor {
        let device = self.vs.device();
        let kind = self.kind();
        let states = x.states.to_device(device);
        let (b, t) = (states.size()[0], states.size()[1]);
        let mixed = match states.dim() {
            3 => states.to_kind(kind),
            _ => self.mix_layers(&states),
        };
        let embedded = self
            .embed
            .forward(&x.slots.to_device(device))
            .view([b, t, -1]);
        let mut h = Tensor::cat(&[mixed, embedded], 2).dropout(self.config.dropout, train);
        let rev = reverse_index(&x.lengths, t as usize, device);
        for (fw, bw) in &self.lstm {
            let (f, _) = fw.seq(&h);
            let (r, _) = bw.seq(&take_rows(&h, &rev));
            h = Tensor::cat(&[f, take_rows(&r, &rev)], 2).dropout(self.config.dropout, train);
        }
        let root = self.root.view([1, 1, -1]).expand([b, 1, -1], false);
        Tensor::cat(&[root, h], 1)
    }

    /// The learned mix of the encoder layers, scaled: `[..., layers, hidden]`
    /// → `[..., hidden]` in the heads' number format. The pipeline applies it
    /// right after the forward pass, so only one layer per word is kept.
    pub fn mix_layers(&self, states: &Tensor) -> Tensor {
        let kind = self.kind();
        let weights = self.mix.softmax(0, kind).view([-1, 1]);
        (states.to_kind(kind) * weights).sum_dim_intlist(-2, false, kind) * &self.gamma
    }

    /// The number format of the weights (f32 as trained, or bf16 after
    /// [`Heads::set_kind`]); activations follow it.
    pub fn kind(&self) -> Kind {
        self.root.kind()
    }

    /// Converts every weight to `kind`. bf16 roughly halves the heads' time
    /// on a CPU with native bf16 instructions (the LSTM) and cuts the
    /// relation scorer's by far more; `eval-conllu --precision` measures
    /// what it costs in accuracy.
    pub fn set_kind(&mut self, kind: Kind) {
        self.vs.set_kind(kind);
    }

    /// Tag scores of the words (ROOT excluded).
    pub fn tags(&self, h: &Tensor, train: bool) -> TagScores {
        let words = h.narrow(1, 1, h.size()[1] - 1);
        let [upos, xpos, feats] = self.word_classes(&words, train);
        TagScores {
            upos,
            xpos,
            feats,
            lemma: self.lemma_scores(&words, train),
        }
    }

    /// UPOS, XPOS and FEATS scores of word representations (any leading
    /// shape, ROOT excluded).
    pub fn word_classes(&self, words: &Tensor, train: bool) -> [Tensor; 3] {
        [&self.upos, &self.xpos, &self.feats].map(|t| t.forward_t(words, train))
    }

    /// Lemma script scores of word representations. At inference only words
    /// the lexicon lacks need them (about one in twenty in news).
    pub fn lemma_scores(&self, words: &Tensor, train: bool) -> Tensor {
        self.lemma.forward_t(words, train)
    }

    /// Arc scores `[batch, 1 + words (dependent), 1 + words (head)]`; heads
    /// past a sentence's end score -1e9.
    pub fn arcs(&self, h: &Tensor, lengths: &[usize], train: bool) -> Tensor {
        let dep = self.arc_dep.forward_t(h, train);
        let head = self.arc_head.forward_t(h, train);
        let scores = dep.matmul(&self.arc_u).matmul(&head.transpose(1, 2))
            + head.matmul(&self.arc_b).unsqueeze(1);
        let width = h.size()[1];
        let mut valid = Vec::with_capacity(lengths.len() * width as usize);
        for &n in lengths {
            valid.extend((0..width).map(|j| j <= n as i64));
        }
        let valid = Tensor::from_slice(&valid)
            .view([lengths.len() as i64, 1, width])
            .to(h.device());
        scores.masked_fill(&valid.logical_not(), -1e9)
    }

    /// Relation scores `[batch, 1 + words, relations]` of each word attached
    /// to `heads` (`[batch, 1 + words]`, positions into the same axis).
    pub fn rels(&self, h: &Tensor, heads: &Tensor, train: bool) -> Tensor {
        let dep = self.rel_dep.forward_t(h, train);
        let head = self.rel_head.forward_t(h, train);
        let size = head.size();
        let head = take_rows(&head, heads);
        let ones = Tensor::ones([size[0], size[1], 1], (h.kind(), h.device()));
        let dep = Tensor::cat(&[dep, ones.shallow_clone()], 2);
        let head = Tensor::cat(&[head, ones], 2);
        Tensor::einsum(
            "bid,rde,bie->bir",
            &[dep, self.rel_u.shallow_clone(), head],
            None::<i64>,
        )
    }

    /// Loads `model.safetensors` (stored fp16) into f32 variables.
    pub fn load(dir: &Path, config: ParserConfig, device: Device) -> Result<Heads> {
        let heads = Heads::new(config, device);
        let path = dir.join("model.safetensors");
        let source: HashMap<String, Tensor> = Tensor::read_safetensors(&path)
            .map_err(|e| Error::model(&path, format!("cannot read weights: {e}")))?
            .into_iter()
            .collect();
        tch::no_grad(|| -> Result<()> {
            for (name, mut var) in heads.vs.variables() {
                let src = source
                    .get(&name)
                    .ok_or_else(|| Error::model(&path, format!("weight {name} missing")))?;
                if src.size() != var.size() {
                    return Err(Error::model(
                        &path,
                        format!(
                            "weight {name} has shape {:?}, the config wants {:?}",
                            src.size(),
                            var.size()
                        ),
                    ));
                }
                var.copy_(&src.to_kind(Kind::Float).to_device(device));
            }
            Ok(())
        })?;
        Ok(heads)
    }

    /// Writes `config.json` and the weights (fp16) into `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let config_path = dir.join("config.json");
        let text = serde_json::to_string_pretty(&self.config).expect("config serialises");
        std::fs::write(&config_path, text + "\n").map_err(|e| Error::io(&config_path, e))?;
        let mut named: Vec<(String, Tensor)> = self
            .vs
            .variables()
            .into_iter()
            .map(|(n, t)| (n, t.detach().to_kind(Kind::Half).to_device(Device::Cpu)))
            .collect();
        named.sort_by(|a, b| a.0.cmp(&b.0));
        let path = dir.join("model.safetensors");
        Tensor::write_safetensors(&named, &path).map_err(|e| Error::Output {
            path: path.clone(),
            reason: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_fall_in_their_ranges() {
        let s = word_slots("Jurists");
        assert_eq!(s, word_slots("jurists"));
        assert!(s[0] < WORD_BUCKETS);
        for (k, &row) in s.iter().enumerate().skip(1) {
            let lo = WORD_BUCKETS + (k as i64 - 1) * SUFFIX_BUCKETS;
            assert!((lo..lo + SUFFIX_BUCKETS).contains(&row));
        }
        // A one-letter word has the same 1-, 2- and 3-character suffix text.
        let a = word_slots("a");
        assert_eq!(a[1] - WORD_BUCKETS, a[2] - WORD_BUCKETS - SUFFIX_BUCKETS);
    }

    #[test]
    fn reversal_keeps_padding_last() {
        let idx = reverse_index(&[3, 1], 4, Device::Cpu);
        let v: Vec<i64> = Vec::try_from(idx.view([-1])).unwrap();
        assert_eq!(v, [2, 1, 0, 3, 0, 1, 2, 3]);
        let x = Tensor::arange(8, (Kind::Float, Device::Cpu)).view([2, 4, 1]);
        let once: Vec<f32> = Vec::try_from(take_rows(&x, &idx).view([-1])).unwrap();
        assert_eq!(once, [2., 1., 0., 3., 4., 5., 6., 7.]);
        let twice: Vec<f32> =
            Vec::try_from(take_rows(&take_rows(&x, &idx), &idx).view([-1])).unwrap();
        assert_eq!(twice, [0., 1., 2., 3., 4., 5., 6., 7.]);
    }
}
