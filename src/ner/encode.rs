//! From words to model inputs and back.
//!
//! Sentences are given as words (the segmenter's, or a CoNLL file's). The
//! tokenizer turns them into word pieces with the word each piece came from, so
//! a word's label is read at its first piece and maps back to the word's exact
//! characters. Sentences longer than the model window are cut into overlapping
//! windows of whole words; each word is labelled by the window in which it sits
//! furthest from an edge (most context on both sides). Nothing is truncated.

use super::casing::casing_class;
use crate::error::{Error, Result};
use std::path::Path;
use tokenizers::Tokenizer;

/// At most this many pieces of one word are fed to the model; its label is read
/// at the first, and a 300,000-character "word" must not eat whole windows.
const MAX_PIECES_PER_WORD: usize = 16;

/// The tokenizer and the special tokens that frame every input.
pub struct Encoder {
    tokenizer: Tokenizer,
    prefix: Vec<i64>,
    suffix: Vec<i64>,
    unk: i64,
    pub pad: i64,
    /// Pieces available for words in one window.
    pub window: usize,
}

/// One sentence as word pieces.
#[derive(Debug, Clone, Default)]
pub struct Pieces {
    /// Piece ids of each word (at least one per word).
    pub words: Vec<Vec<i64>>,
    /// Casing class of each word.
    pub classes: Vec<i64>,
}

/// A model input: a window of one sentence's words, framed by special tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub sentence: usize,
    /// Words `[first, end)` of the sentence in this window.
    pub first: usize,
    pub end: usize,
    pub ids: Vec<i64>,
    pub types: Vec<i64>,
    /// Position of each word's first piece in `ids`, for words `first..end`.
    pub heads: Vec<usize>,
    /// Which of the window's words this window labels (the others are context).
    pub owns: Vec<bool>,
}

impl Encoder {
    pub fn load(dir: &Path, max_positions: usize) -> Result<Encoder> {
        let path = dir.join("tokenizer.json");
        if !path.exists() {
            return Err(Error::model(
                dir,
                "no tokenizer.json (Hugging Face fast tokenizer)",
            ));
        }
        let mut tokenizer = Tokenizer::from_file(&path)
            .map_err(|e| Error::model(&path, format!("cannot load tokenizer: {e}")))?;
        // Windows are cut here, whole words at a time; the tokenizer's own
        // truncation would silently drop words.
        tokenizer
            .with_truncation(None)
            .map_err(|e| Error::model(&path, e.to_string()))?;
        tokenizer.with_padding(None);
        let probe = tokenizer
            .encode(vec!["a"], true)
            .map_err(|e| Error::model(&path, format!("tokenizer failed: {e}")))?;
        let mask = probe.get_special_tokens_mask();
        let ids = probe.get_ids();
        let first = mask.iter().position(|&m| m == 0).unwrap_or(0);
        let last = mask.iter().rposition(|&m| m == 0).unwrap_or(0);
        let prefix = ids[..first].iter().map(|&i| i as i64).collect::<Vec<_>>();
        let suffix = ids[last + 1..]
            .iter()
            .map(|&i| i as i64)
            .collect::<Vec<_>>();
        let id_of = |names: &[&str]| names.iter().find_map(|n| tokenizer.token_to_id(n));
        let unk = id_of(&["[UNK]", "<unk>"]).unwrap_or(0) as i64;
        let pad = id_of(&["[PAD]", "<pad>"]).unwrap_or(0) as i64;
        let window = max_positions
            .checked_sub(prefix.len() + suffix.len())
            .filter(|&w| w >= 8)
            .ok_or_else(|| Error::model(dir, "model window too small"))?;
        Ok(Encoder {
            tokenizer,
            prefix,
            suffix,
            unk,
            pad,
            window,
        })
    }

    /// Writes the tokenizer (without truncation or padding) next to a model.
    pub fn save_tokenizer(&self, path: &Path) -> Result<()> {
        self.tokenizer.save(path, true).map_err(|e| Error::Output {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
    }

    /// Word pieces of one sentence.
    pub fn pieces(&self, words: &[&str]) -> Result<Pieces> {
        let mut out = Pieces {
            words: vec![Vec::new(); words.len()],
            classes: words.iter().map(|w| casing_class(w)).collect(),
        };
        if words.is_empty() {
            return Ok(out);
        }
        let enc = self
            .tokenizer
            .encode(words.to_vec(), false)
            .map_err(|e| Error::model("tokenizer.json", format!("tokenizer failed: {e}")))?;
        for (&id, word) in enc.get_ids().iter().zip(enc.get_word_ids()) {
            if let Some(w) = word {
                let list = &mut out.words[*w as usize];
                if list.len() < MAX_PIECES_PER_WORD {
                    list.push(id as i64);
                }
            }
        }
        // A word the tokenizer normalised away (a lone combining mark, a control
        // character) still needs a piece to carry its label.
        for list in &mut out.words {
            if list.is_empty() {
                list.push(self.unk);
            }
        }
        Ok(out)
    }

    /// Cuts a sentence into windows that each fit the model.
    pub fn windows(&self, sentence: usize, pieces: &Pieces) -> Vec<Window> {
        let n = pieces.words.len();
        if n == 0 {
            return Vec::new();
        }
        let lens: Vec<usize> = pieces.words.iter().map(Vec::len).collect();
        let total: usize = lens.iter().sum();
        let mut ranges = Vec::new();
        if total <= self.window {
            ranges.push((0, n));
        } else {
            let mut start = 0;
            loop {
                let mut end = start;
                let mut used = 0;
                while end < n && used + lens[end] <= self.window {
                    used += lens[end];
                    end += 1;
                }
                ranges.push((start, end));
                if end >= n {
                    break;
                }
                // Next window starts so that about half a window overlaps.
                let mut next = end;
                let mut back = 0;
                while next > start + 1 && back + lens[next - 1] <= self.window / 2 {
                    back += lens[next - 1];
                    next -= 1;
                }
                start = next.max(start + 1);
            }
        }
        // Each word belongs to the window where it is furthest from an edge.
        let mut owner = vec![0usize; n];
        for (w, o) in owner.iter_mut().enumerate() {
            let mut best = (0i64, 0usize);
            for (k, &(s, e)) in ranges.iter().enumerate() {
                if s <= w && w < e {
                    let margin = (w - s).min(e - 1 - w) as i64;
                    if k == 0 || margin > best.0 {
                        best = (margin, k);
                    }
                }
            }
            *o = best.1;
        }
        ranges
            .iter()
            .enumerate()
            .map(|(k, &(first, end))| {
                let mut ids = self.prefix.clone();
                let mut types = vec![0; self.prefix.len()];
                let mut heads = Vec::with_capacity(end - first);
                for w in first..end {
                    heads.push(ids.len());
                    ids.extend_from_slice(&pieces.words[w]);
                    types.extend(std::iter::repeat_n(
                        pieces.classes[w],
                        pieces.words[w].len(),
                    ));
                }
                ids.extend_from_slice(&self.suffix);
                types.extend(std::iter::repeat_n(0, self.suffix.len()));
                Window {
                    sentence,
                    first,
                    end,
                    ids,
                    types,
                    heads,
                    owns: (first..end).map(|w| owner[w] == k).collect(),
                }
            })
            .collect()
    }
}
