//! IOB2 label sets and label-constrained (Viterbi) decoding.
//!
//! A token classifier scores each word independently, and argmax over those
//! scores can produce sequences no annotator would write (`O I-PER`,
//! `B-LOC I-PER`). Decoding picks the most probable sequence among the valid
//! IOB2 ones instead, which both removes those errors and uses the model's
//! second choices where its first choice was inconsistent.

use super::WordLabel;
use std::collections::BTreeMap;

/// One label split into its IOB prefix and its entity type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tag {
    Outside,
    Begin(String),
    Inside(String),
}

impl Tag {
    pub fn parse(label: &str) -> Tag {
        if label == "O" {
            return Tag::Outside;
        }
        match label.split_once('-') {
            Some(("I", t)) => Tag::Inside(t.to_string()),
            Some(("B" | "S" | "E", t)) => Tag::Begin(t.to_string()),
            // A label without prefix names a type; treat it as starting an entity.
            _ => Tag::Begin(label.to_string()),
        }
    }

    pub fn entity_type(&self) -> Option<&str> {
        match self {
            Tag::Outside => None,
            Tag::Begin(t) | Tag::Inside(t) => Some(t),
        }
    }
}

/// The labels of a model, indexed by class id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSet {
    pub labels: Vec<String>,
    tags: Vec<Tag>,
    /// allowed[prev][next]; index `len` stands for the sentence start.
    allowed: Vec<Vec<bool>>,
}

impl LabelSet {
    pub fn new(labels: Vec<String>) -> LabelSet {
        let tags: Vec<Tag> = labels.iter().map(|l| Tag::parse(l)).collect();
        let n = labels.len();
        let mut allowed = vec![vec![true; n]; n + 1];
        for (next, tag) in tags.iter().enumerate() {
            if let Tag::Inside(t) = tag {
                allowed[n][next] = false;
                for (prev, ptag) in tags.iter().enumerate() {
                    allowed[prev][next] = ptag.entity_type() == Some(t.as_str());
                }
            }
        }
        LabelSet {
            labels,
            tags,
            allowed,
        }
    }

    /// Labels from a config's `id2label` (ids must be 0..n).
    pub fn from_id2label(map: &BTreeMap<i64, String>) -> Option<LabelSet> {
        let labels: Vec<String> = map.values().cloned().collect();
        let ids_ok = map.keys().enumerate().all(|(i, &k)| i as i64 == k);
        (ids_ok && !labels.is_empty()).then(|| LabelSet::new(labels))
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn index(&self, label: &str) -> Option<usize> {
        self.labels.iter().position(|l| l == label)
    }

    pub fn tag(&self, id: usize) -> &Tag {
        &self.tags[id]
    }

    /// The most probable valid label sequence for per-word log-probabilities
    /// (`words × labels`, row-major).
    pub fn viterbi(&self, log_probs: &[f32], words: usize) -> Vec<usize> {
        let n = self.len();
        if words == 0 {
            return Vec::new();
        }
        assert_eq!(log_probs.len(), words * n);
        let mut score = vec![f32::NEG_INFINITY; n];
        let mut back = vec![0usize; words * n];
        for j in 0..n {
            if self.allowed[n][j] {
                score[j] = log_probs[j];
            }
        }
        let mut next = vec![f32::NEG_INFINITY; n];
        for w in 1..words {
            for j in 0..n {
                let mut best = f32::NEG_INFINITY;
                let mut arg = 0;
                for (i, &s) in score.iter().enumerate() {
                    if self.allowed[i][j] && s > best {
                        best = s;
                        arg = i;
                    }
                }
                next[j] = best + log_probs[w * n + j];
                back[w * n + j] = arg;
            }
            std::mem::swap(&mut score, &mut next);
        }
        let mut best = 0;
        for j in 1..n {
            if score[j] > score[best] {
                best = j;
            }
        }
        let mut path = vec![0; words];
        path[words - 1] = best;
        for w in (1..words).rev() {
            path[w - 1] = back[w * n + path[w]];
        }
        path
    }

    /// Entities of a label sequence as (first word, end word exclusive, type).
    /// Groups piece labels as transformers' simple aggregation does: a piece
    /// joins the group of the piece before it when both name the same type
    /// (`O` included) and it is not a `B-`; groups of `O` are dropped.
    /// `pieces` holds (label, probability) in order; each group is returned as
    /// (first piece, last piece, type, mean probability).
    pub fn simple_groups(&self, pieces: &[(usize, f32)]) -> Vec<(usize, usize, String, f32)> {
        let mut groups: Vec<(Option<&str>, usize, usize, f32)> = Vec::new();
        let mut last: Option<Option<&str>> = None;
        for (k, &(label, prob)) in pieces.iter().enumerate() {
            let (begin, kind) = match &self.tags[label] {
                Tag::Outside => (false, None),
                Tag::Begin(t) => (true, Some(t.as_str())),
                Tag::Inside(t) => (false, Some(t.as_str())),
            };
            match groups.last_mut() {
                Some(g) if last == Some(kind) && !begin => {
                    g.2 = k;
                    g.3 += prob;
                }
                _ => groups.push((kind, k, k, prob)),
            }
            last = Some(kind);
        }
        groups
            .into_iter()
            .filter_map(|(kind, first, last, sum)| {
                kind.map(|t| (first, last, t.to_string(), sum / (last + 1 - first) as f32))
            })
            .collect()
    }

    /// Word labels for [`LabelSet::simple_groups`]: `B-T` on the word of a
    /// group's first piece, `I-T` on the following words up to its last piece;
    /// other words keep their first piece's label. `pieces` holds (word, label,
    /// probability) in order.
    pub fn simple_word_labels(
        &self,
        pieces: &[(usize, usize, f32)],
        n_words: usize,
    ) -> Vec<WordLabel> {
        let outside = self.index("O").unwrap_or(0);
        let mut out = vec![
            WordLabel {
                label: outside,
                prob: 0.0
            };
            n_words
        ];
        let mut seen = vec![false; n_words];
        for &(w, label, prob) in pieces {
            if !seen[w] {
                seen[w] = true;
                out[w] = WordLabel { label, prob };
            }
        }
        let flat: Vec<(usize, f32)> = pieces.iter().map(|&(_, l, p)| (l, p)).collect();
        for (first, last, t, prob) in self.simple_groups(&flat) {
            let b = self
                .index(&format!("B-{t}"))
                .or_else(|| self.index(&t))
                .unwrap_or(outside);
            let i = self.index(&format!("I-{t}")).unwrap_or(b);
            let (first, last) = (pieces[first].0, pieces[last].0);
            out[first] = WordLabel { label: b, prob };
            for word in out.iter_mut().take(last + 1).skip(first + 1) {
                *word = WordLabel { label: i, prob };
            }
        }
        out
    }

    pub fn chunks(&self, path: &[usize]) -> Vec<(usize, usize, String)> {
        let mut out: Vec<(usize, usize, String)> = Vec::new();
        let mut open: Option<(usize, String)> = None;
        for (w, &id) in path.iter().enumerate() {
            match &self.tags[id] {
                Tag::Inside(t) if open.as_ref().map(|(_, o)| o == t).unwrap_or(false) => {}
                tag => {
                    if let Some((s, t)) = open.take() {
                        out.push((s, w, t));
                    }
                    if let Some(t) = tag.entity_type() {
                        open = Some((w, t.to_string()));
                    }
                }
            }
        }
        if let Some((s, t)) = open {
            out.push((s, path.len(), t));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> LabelSet {
        LabelSet::new(
            ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        )
    }

    #[test]
    fn simple_groups_follow_transformers_rules() {
        let l = set();
        // O=0 B-PER=1 I-PER=2 B-LOC=3 I-LOC=4, as transformers' group_entities
        // groups them: I- joins the same type, B- always starts a group, an
        // I- after O starts one too, O groups are dropped.
        let pieces = [
            (1, 0.9),
            (2, 0.7),
            (1, 0.8),
            (0, 1.0),
            (2, 0.6),
            (4, 0.5),
            (3, 0.4),
        ];
        let groups = l.simple_groups(&pieces);
        let spans: Vec<(usize, usize, &str)> =
            groups.iter().map(|g| (g.0, g.1, g.2.as_str())).collect();
        assert_eq!(
            spans,
            [
                (0, 1, "PER"),
                (2, 2, "PER"),
                (4, 4, "PER"),
                (5, 5, "LOC"),
                (6, 6, "LOC")
            ]
        );
        assert!((groups[0].3 - 0.8).abs() < 1e-6, "mean piece probability");
    }

    #[test]
    fn simple_word_labels_cover_words_of_a_group() {
        let l = set();
        // Word 0 has pieces B-PER I-PER, word 1 one piece I-PER, word 2 O.
        let labels = l.simple_word_labels(&[(0, 1, 0.9), (0, 2, 0.9), (1, 2, 0.9), (2, 0, 0.9)], 3);
        let ids: Vec<usize> = labels.iter().map(|w| w.label).collect();
        assert_eq!(ids, [1, 2, 0]);
    }

    #[test]
    fn viterbi_never_starts_with_inside() {
        let s = set();
        // Word 0 prefers I-PER, word 1 prefers I-PER: argmax would give I-PER I-PER.
        let lp: Vec<f32> = [[0.1f32, 0.3, 0.6, 0.0, 0.0], [0.1, 0.1, 0.8, 0.0, 0.0]]
            .iter()
            .flatten()
            .map(|p| (p + 1e-6).ln())
            .collect();
        let path = s.viterbi(&lp, 2);
        assert_eq!(path, vec![1, 2]);
        assert_eq!(s.chunks(&path), vec![(0, 2, "PER".to_string())]);
    }

    #[test]
    fn viterbi_never_continues_another_type() {
        let s = set();
        let lp: Vec<f32> = [[0.0f32, 0.0, 0.0, 0.9, 0.1], [0.05, 0.05, 0.5, 0.0, 0.4]]
            .iter()
            .flatten()
            .map(|p| (p + 1e-6).ln())
            .collect();
        let path = s.viterbi(&lp, 2);
        assert_eq!(path, vec![3, 4]);
    }

    #[test]
    fn every_decoded_sequence_is_valid() {
        let s = set();
        // Pseudo-random scores: whatever they are, no O→I or X→I-Y transition.
        let mut x = 12345u32;
        for len in 1..12 {
            let lp: Vec<f32> = (0..len * 5)
                .map(|_| {
                    x = x.wrapping_mul(1664525).wrapping_add(1013904223);
                    -((x >> 8) as f32 / (1 << 24) as f32) * 5.0
                })
                .collect();
            let path = s.viterbi(&lp, len);
            let mut prev: Option<usize> = None;
            for &id in &path {
                if let Tag::Inside(t) = s.tag(id) {
                    let p = prev.expect("inside at start");
                    assert_eq!(s.tag(p).entity_type(), Some(t.as_str()));
                }
                prev = Some(id);
            }
        }
    }
}
