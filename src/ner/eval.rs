//! Entity-level scoring exactly as CoNLL's `conlleval` script defines it:
//! a phrase is correct when its start, end and type all match; chunk starts and
//! ends follow conlleval's rules, so IOB1 and IOB2 input score the same way.

use std::collections::BTreeMap;
use std::fmt;

/// Counts for one type (or all types).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub correct: usize,
    pub guessed: usize,
    pub gold: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        pct(self.correct, self.guessed)
    }
    pub fn recall(&self) -> f64 {
        pct(self.correct, self.gold)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// A conlleval report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub sentences: usize,
    pub tokens: usize,
    pub correct_tokens: usize,
    pub overall: Counts,
    pub by_type: BTreeMap<String, Counts>,
}

fn split(tag: &str) -> (&str, &str) {
    if tag == "O" {
        return ("O", "");
    }
    match tag.split_once('-') {
        Some((p, t)) => (p, t),
        None => ("B", tag),
    }
}

// conlleval's endOfChunk / startOfChunk.
fn end_of_chunk(prev: (&str, &str), cur: (&str, &str)) -> bool {
    let ((pt, ptype), (t, ty)) = (prev, cur);
    let by_tags = matches!(
        (pt, t),
        ("B" | "I", "B" | "O") | ("E" | "S", "E" | "I" | "O")
    );
    by_tags || (pt != "O" && pt != "." && ptype != ty) || pt == "]" || pt == "["
}

fn start_of_chunk(prev: (&str, &str), cur: (&str, &str)) -> bool {
    let ((pt, ptype), (t, ty)) = (prev, cur);
    let by_tags = matches!(
        (pt, t),
        ("B" | "I" | "O", "B") | ("O" | "E" | "S", "E" | "I")
    );
    by_tags || (t != "O" && t != "." && ptype != ty) || t == "[" || t == "]"
}

/// Phrases of a tag sequence as (start, end exclusive, type).
pub fn phrases(tags: &[&str]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut prev = ("O", "");
    let mut open: Option<(usize, String)> = None;
    for (i, tag) in tags.iter().enumerate() {
        let cur = split(tag);
        if end_of_chunk(prev, cur) {
            if let Some((s, t)) = open.take() {
                out.push((s, i, t));
            }
        }
        if start_of_chunk(prev, cur) {
            open = Some((i, cur.1.to_string()));
        }
        prev = cur;
    }
    if let Some((s, t)) = open {
        out.push((s, tags.len(), t));
    }
    out
}

impl Report {
    /// Adds one sentence's gold and predicted tags.
    pub fn add(&mut self, gold: &[&str], guess: &[&str]) {
        assert_eq!(gold.len(), guess.len());
        self.sentences += 1;
        self.tokens += gold.len();
        self.correct_tokens += gold.iter().zip(guess).filter(|(a, b)| a == b).count();
        let g = phrases(gold);
        let p = phrases(guess);
        for (_, _, t) in &g {
            self.overall.gold += 1;
            self.by_type.entry(t.clone()).or_default().gold += 1;
        }
        for ph in &p {
            self.overall.guessed += 1;
            let c = self.by_type.entry(ph.2.clone()).or_default();
            c.guessed += 1;
            if g.contains(ph) {
                c.correct += 1;
                self.overall.correct += 1;
            }
        }
    }

    pub fn f1(&self) -> f64 {
        self.overall.f1()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "processed {} tokens in {} sentences with {} phrases; found: {} phrases; correct: {}.",
            self.tokens,
            self.sentences,
            self.overall.gold,
            self.overall.guessed,
            self.overall.correct
        )?;
        writeln!(
            f,
            "accuracy: {:6.2}%; precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}",
            pct(self.correct_tokens, self.tokens),
            self.overall.precision(),
            self.overall.recall(),
            self.overall.f1()
        )?;
        for (t, c) in &self.by_type {
            writeln!(
                f,
                "{:>17}: precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}  {}",
                t,
                c.precision(),
                c.recall(),
                c.f1(),
                c.guessed
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrase_boundaries_follow_conlleval() {
        assert_eq!(
            phrases(&["B-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG"]),
            vec![
                (0, 2, "PER".to_string()),
                (3, 4, "LOC".to_string()),
                (4, 5, "LOC".to_string()),
                (5, 6, "ORG".to_string())
            ]
        );
    }

    #[test]
    fn scores() {
        let mut r = Report::default();
        r.add(
            &["B-PER", "I-PER", "O", "B-LOC"],
            &["B-PER", "I-PER", "O", "B-ORG"],
        );
        assert_eq!(
            r.overall,
            Counts {
                correct: 1,
                guessed: 2,
                gold: 2
            }
        );
        assert!((r.f1() - 50.0).abs() < 1e-9);
        assert_eq!(r.correct_tokens, 3);
        assert_eq!(r.by_type["LOC"].gold, 1);
        assert_eq!(r.by_type["ORG"].guessed, 1);
    }
}
