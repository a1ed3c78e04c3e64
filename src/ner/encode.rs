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
    /// Byte span of each piece within its word (the last kept piece of a
    /// truncated word reaches the word's end).
    pub offsets: Vec<Vec<(usize, usize)>>,
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
            offsets: vec![Vec::new(); words.len()],
        };
        if words.is_empty() {
            return Ok(out);
        }
        let enc = self
            .tokenizer
            .encode(words.to_vec(), false)
            .map_err(|e| Error::model("tokenizer.json", format!("tokenizer failed: {e}")))?;
        for ((&id, word), &span) in enc
            .get_ids()
            .iter()
            .zip(enc.get_word_ids())
            .zip(enc.get_offsets())
        {
            if let Some(w) = word {
                let w = *w as usize;
                if out.words[w].len() < MAX_PIECES_PER_WORD {
                    out.words[w].push(id as i64);
                    out.offsets[w].push(span);
                } else if let Some(last) = out.offsets[w].last_mut() {
                    last.1 = span.1;
                }
            }
        }
        // A word the tokenizer normalised away (a lone combining mark, a control
        // character) still needs a piece to carry its label.
        for (w, list) in out.words.iter_mut().enumerate() {
            if list.is_empty() {
                list.push(self.unk);
                out.offsets[w].push((0, words[w].len()));
            }
        }
        Ok(out)
    }

    /// Adds up to `ctx` pieces of the neighbouring sentences on each side of a
    /// window that holds a whole sentence, as context the model reads but is
    /// not asked to label. `left` and `right` list the neighbours nearest first.
    /// Only whole words are added, and never more than the window has room for.
    pub fn with_context(
        &self,
        mut w: Window,
        left: &[&Pieces],
        right: &[&Pieces],
        ctx: usize,
    ) -> Window {
        let used = w.ids.len() - self.prefix.len() - self.suffix.len();
        let side = ctx.min(self.window.saturating_sub(used) / 2);
        if side == 0 {
            return w;
        }
        let gather = |sentences: &[&Pieces], from_end: bool| {
            let mut out: Vec<(i64, i64)> = Vec::new();
            'outer: for p in sentences {
                let order: Vec<usize> = if from_end {
                    (0..p.words.len()).rev().collect()
                } else {
                    (0..p.words.len()).collect()
                };
                for k in order {
                    let word = &p.words[k];
                    if out.len() + word.len() > side {
                        break 'outer;
                    }
                    let pieces = word.iter().map(|&id| (id, p.classes[k]));
                    if from_end {
                        // Collected back to front; reversed below.
                        out.extend(pieces.rev());
                    } else {
                        out.extend(pieces);
                    }
                }
            }
            if from_end {
                out.reverse();
            }
            out
        };
        let before = gather(left, true);
        let after = gather(right, false);
        let p = self.prefix.len();
        let s = w.ids.len() - self.suffix.len();
        let mut ids = self.prefix.clone();
        let mut types = w.types[..p].to_vec();
        ids.extend(before.iter().map(|x| x.0));
        types.extend(before.iter().map(|x| x.1));
        ids.extend_from_slice(&w.ids[p..s]);
        types.extend_from_slice(&w.types[p..s]);
        ids.extend(after.iter().map(|x| x.0));
        types.extend(after.iter().map(|x| x.1));
        ids.extend_from_slice(&self.suffix);
        types.extend_from_slice(&w.types[s..]);
        for h in &mut w.heads {
            *h += before.len();
        }
        w.ids = ids;
        w.types = types;
        w
    }

    /// Windows of every sentence of a batch, with `ctx` pieces of context from
    /// the neighbouring sentences of the same document (`doc_of[s]`).
    pub fn all_windows(&self, pieces: &[Pieces], doc_of: &[usize], ctx: usize) -> Vec<Window> {
        let mut out = Vec::new();
        for (s, p) in pieces.iter().enumerate() {
            let windows = self.windows(s, p);
            if ctx == 0 || windows.len() != 1 {
                out.extend(windows);
                continue;
            }
            let same = |k: &usize| doc_of[*k] == doc_of[s];
            let left: Vec<&Pieces> = (s.saturating_sub(3)..s)
                .rev()
                .filter(same)
                .map(|k| &pieces[k])
                .collect();
            let right: Vec<&Pieces> = (s + 1..(s + 4).min(pieces.len()))
                .filter(same)
                .map(|k| &pieces[k])
                .collect();
            let w = windows.into_iter().next().expect("one window");
            out.push(self.with_context(w, &left, &right, ctx));
        }
        out
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
            let mut best: Option<(usize, usize)> = None;
            for (k, &(s, e)) in ranges.iter().enumerate() {
                if s <= w && w < e {
                    // A sentence's own first and last words have no more context
                    // to gain: count them as far from the edge they cannot pass.
                    let left = if s == 0 { usize::MAX } else { w - s };
                    let right = if e == n { usize::MAX } else { e - 1 - w };
                    let margin = left.min(right);
                    if best.map(|(m, _)| margin > m).unwrap_or(true) {
                        best = Some((margin, k));
                    }
                }
            }
            *o = best.expect("windows cover every word").1;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn encoder(window: usize) -> Encoder {
        let json = r#"{"version":"1.0","truncation":null,"padding":null,"added_tokens":[],
            "normalizer":null,"pre_tokenizer":{"type":"Whitespace"},"post_processor":null,
            "decoder":null,"model":{"type":"WordLevel","vocab":{"[UNK]":0},"unk_token":"[UNK]"}}"#;
        Encoder {
            tokenizer: Tokenizer::from_str(json).unwrap(),
            prefix: vec![101],
            suffix: vec![102],
            unk: 0,
            pad: 0,
            window,
        }
    }

    /// A sentence whose word k has `lens[k]` pieces, ids `base + 10k + j`.
    fn sentence(base: i64, lens: &[usize]) -> Pieces {
        Pieces {
            words: lens
                .iter()
                .enumerate()
                .map(|(k, &n)| (0..n as i64).map(|j| base + 10 * k as i64 + j).collect())
                .collect(),
            classes: lens.iter().map(|_| 2).collect(),
            offsets: lens
                .iter()
                .map(|&n| (0..n).map(|j| (j, j + 1)).collect())
                .collect(),
        }
    }

    #[test]
    fn long_sentences_get_overlapping_windows_and_every_word_one_owner() {
        let e = encoder(8);
        let p = sentence(1000, &[1, 2, 1, 3, 1, 1, 2, 1, 1, 2, 1, 1]);
        let windows = e.windows(0, &p);
        assert!(windows.len() > 1);
        for w in &windows {
            assert!(w.ids.len() <= 8 + 2);
            for (j, word) in (w.first..w.end).enumerate() {
                assert_eq!(w.ids[w.heads[j]], p.words[word][0]);
            }
        }
        for word in 0..p.words.len() {
            let owners = windows
                .iter()
                .filter(|w| (w.first..w.end).contains(&word) && w.owns[word - w.first])
                .count();
            assert_eq!(owners, 1, "word {word}");
        }
    }

    #[test]
    fn context_comes_from_neighbours_in_whole_words_and_keeps_heads() {
        let e = encoder(20);
        let pieces = vec![
            sentence(1000, &[1, 2, 1]),
            sentence(2000, &[2, 1]),
            sentence(3000, &[1, 1, 3]),
            sentence(4000, &[1]),
        ];
        // Sentences 0-2 are one document, 3 another.
        let windows = e.all_windows(&pieces, &[0, 0, 0, 1], 4);
        let w = &windows[1];
        assert_eq!(w.sentence, 1);
        // Left: the last whole words of sentence 0 within 4 pieces (1+2+1).
        assert_eq!(&w.ids[1..5], &[1000, 1010, 1011, 1020]);
        assert_eq!(w.ids[w.heads[0]], 2000);
        assert_eq!(w.ids[w.heads[1]], 2010);
        // Right: first words of sentence 2 within 4 pieces: 1 + 1 (the 3-piece word does not fit).
        assert_eq!(&w.ids[w.ids.len() - 3..], &[3000, 3010, 102]);
        // Sentence 2's right neighbour is another document: no context after it.
        let w2 = &windows[2];
        assert_eq!(w2.ids.last(), Some(&102));
        assert_eq!(w2.ids[w2.ids.len() - 2], 3022);
        // Context is read, not labelled: owns covers the sentence's own words only.
        assert_eq!(w.owns.len(), 2);
    }
}
