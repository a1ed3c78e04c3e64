//! Scores of predicted parses against a gold CoNLL-U file, as the CoNLL 2018
//! shared task counts them over words (punctuation included): UPOS, XPOS,
//! FEATS and lemma accuracy, UAS, and LAS comparing only the universal part of
//! the relation (before ':').

use super::conllu::{Sentence, WordParse};
use serde::Serialize;
use std::fmt;

/// Correct counts over `words` words.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Scores {
    pub words: usize,
    pub upos: usize,
    pub xpos: usize,
    pub feats: usize,
    pub lemma: usize,
    pub uas: usize,
    pub las: usize,
}

/// The universal part of a relation: `nmod:poss` → `nmod`.
fn universal(rel: &str) -> &str {
    rel.split(':').next().unwrap_or(rel)
}

impl Scores {
    pub fn add(&mut self, gold: &Sentence, guess: &[WordParse]) {
        for (g, p) in gold.words.iter().zip(guess) {
            self.words += 1;
            self.upos += usize::from(g.upos == p.upos);
            self.xpos += usize::from(g.xpos == p.xpos);
            self.feats += usize::from(g.feats == p.feats);
            self.lemma += usize::from(g.lemma == p.lemma);
            if g.head == Some(p.head) {
                self.uas += 1;
                self.las += usize::from(universal(&g.deprel) == universal(&p.deprel));
            }
        }
    }

    pub fn of(gold: &[Sentence], guess: &[Vec<WordParse>]) -> Scores {
        let mut s = Scores::default();
        for (g, p) in gold.iter().zip(guess) {
            s.add(g, p);
        }
        s
    }

    fn pct(&self, n: usize) -> f64 {
        100.0 * n as f64 / self.words.max(1) as f64
    }
    pub fn upos_pct(&self) -> f64 {
        self.pct(self.upos)
    }
    pub fn xpos_pct(&self) -> f64 {
        self.pct(self.xpos)
    }
    pub fn feats_pct(&self) -> f64 {
        self.pct(self.feats)
    }
    pub fn lemma_pct(&self) -> f64 {
        self.pct(self.lemma)
    }
    pub fn uas_pct(&self) -> f64 {
        self.pct(self.uas)
    }
    pub fn las_pct(&self) -> f64 {
        self.pct(self.las)
    }
}

impl fmt::Display for Scores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "UPOS   {:6.2}", self.upos_pct())?;
        writeln!(f, "XPOS   {:6.2}", self.xpos_pct())?;
        writeln!(f, "FEATS  {:6.2}", self.feats_pct())?;
        writeln!(f, "LEMMA  {:6.2}", self.lemma_pct())?;
        writeln!(f, "UAS    {:6.2}", self.uas_pct())?;
        writeln!(f, "LAS    {:6.2}", self.las_pct())?;
        writeln!(f, "words  {}", self.words)
    }
}

#[cfg(test)]
mod tests {
    use super::super::conllu::ConlluFile;
    use super::*;
    use std::path::Path;

    #[test]
    fn las_compares_universal_relations_and_needs_the_head() {
        let text = "1\tA\ta\tDET\tDT\t_\t2\tdet\t_\t_\n2\tB\tb\tNOUN\tNN\t_\t0\troot\t_\t_\n\
3\tC\tc\tNOUN\tNN\t_\t2\tnmod:poss\t_\t_\n";
        let f = ConlluFile::parse(text, Path::new("t")).unwrap();
        let p = |lemma: &str, head, deprel: &str| WordParse {
            lemma: lemma.into(),
            upos: "NOUN".into(),
            xpos: "NN".into(),
            feats: "_".into(),
            head,
            deprel: deprel.into(),
        };
        let guess = vec![vec![p("a", 3, "det"), p("b", 0, "root"), p("x", 2, "nmod")]];
        let s = Scores::of(&f.sentences, &guess);
        assert_eq!(
            s,
            Scores {
                words: 3,
                upos: 2,
                xpos: 2,
                feats: 3,
                lemma: 2,
                uas: 2,
                las: 2
            }
        );
    }
}
