//! What a word list chosen with the gold answers would score: a yardstick
//! for the rules (`eval-events --lexicon-ceiling`).

use super::GoldDocument;
use crate::ner::eval::Counts;
use std::collections::{BTreeMap, HashMap};

/// One line of [`lexicon_ceiling`]: a word list chosen with the gold answers.
#[derive(Debug, Clone)]
pub struct CeilingRow {
    /// A word is listed (with its most frequent gold type) when at least this
    /// share of its occurrences are gold triggers of that type...
    pub min_precision: f64,
    /// ...and at least this many.
    pub min_uses: usize,
    /// Words listed when fitted on all documents.
    pub words: usize,
    /// Scored on the documents it was fitted on.
    pub fitted: Counts,
    /// Scored on each fold of documents with the list fitted on the others.
    pub held_out: Counts,
}

/// A document's words, lowercased, each with the gold type of a trigger that
/// begins at it, and the document's number of gold triggers.
struct TaggedDoc<'a> {
    words: Vec<(String, Option<&'a str>)>,
    gold: usize,
}

fn tagged(doc: &GoldDocument) -> TaggedDoc<'_> {
    let chars: Vec<char> = doc.text.chars().collect();
    let words = doc
        .words
        .iter()
        .map(|&(s, e)| {
            let word: String = chars[s.min(chars.len())..e.min(chars.len())]
                .iter()
                .collect();
            let gold = doc
                .triggers
                .iter()
                .find(|t| t.start == s)
                .map(|t| t.event_type.as_str());
            (word.to_lowercase(), gold)
        })
        .collect();
    TaggedDoc {
        words,
        gold: doc.triggers.len(),
    }
}

/// The word list a rule writer who could see the answers would pick.
fn fit_lexicon(
    docs: &[&TaggedDoc],
    min_precision: f64,
    min_uses: usize,
) -> HashMap<String, String> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut typed: HashMap<&str, BTreeMap<&str, usize>> = HashMap::new();
    for d in docs {
        for (w, t) in &d.words {
            *seen.entry(w).or_default() += 1;
            if let Some(t) = t {
                *typed.entry(w).or_default().entry(t).or_default() += 1;
            }
        }
    }
    typed
        .into_iter()
        .filter_map(|(w, types)| {
            // The most frequent type; ties go to the first in name order.
            let (t, n) = types.into_iter().fold(
                ("", 0),
                |best, (t, n)| if n > best.1 { (t, n) } else { best },
            );
            (n >= min_uses && n as f64 >= min_precision * seen[w] as f64)
                .then(|| (w.to_string(), t.to_string()))
        })
        .collect()
}

/// Trigger classification of a word list: every occurrence of a listed word
/// is predicted as its type; right when a gold trigger of that type begins
/// there.
fn score_lexicon(lexicon: &HashMap<String, String>, docs: &[&TaggedDoc]) -> Counts {
    let mut c = Counts::default();
    for d in docs {
        c.gold += d.gold;
        for (w, gold) in &d.words {
            if let Some(t) = lexicon.get(w) {
                c.guessed += 1;
                c.correct += usize::from(*gold == Some(t.as_str()));
            }
        }
    }
    c
}

/// How far a plain word list can go on these documents, as a yardstick for
/// trigger rules: the list is fitted to the gold triggers themselves, then
/// scored on the same documents (an upper bound for lists) and, with the
/// documents split into `folds` (at least 2; document `i` in fold `i %
/// folds`), on each fold with the list fitted on the others (what such a
/// list is worth on unseen articles).
pub fn lexicon_ceiling(docs: &[GoldDocument], folds: usize) -> Vec<CeilingRow> {
    let folds = folds.max(2);
    let tagged: Vec<TaggedDoc> = docs.iter().map(tagged).collect();
    let all: Vec<&TaggedDoc> = tagged.iter().collect();
    // Document `i` is in fold `i % folds`: the training documents of fold
    // `k` (`held == false`) or its test documents (`held == true`).
    let fold = |k: usize, held: bool| -> Vec<&TaggedDoc> {
        tagged
            .iter()
            .enumerate()
            .filter(|(i, _)| (i % folds == k) == held)
            .map(|(_, d)| d)
            .collect()
    };
    let mut rows = Vec::new();
    for min_uses in [1, 2] {
        for min_precision in [0.2, 0.25, 0.3, 0.35, 0.4, 0.5] {
            let lexicon = fit_lexicon(&all, min_precision, min_uses);
            let mut held_out = Counts::default();
            for k in 0..folds {
                let lexicon = fit_lexicon(&fold(k, false), min_precision, min_uses);
                let c = score_lexicon(&lexicon, &fold(k, true));
                held_out.correct += c.correct;
                held_out.guessed += c.guessed;
                held_out.gold += c.gold;
            }
            rows.push(CeilingRow {
                min_precision,
                min_uses,
                words: lexicon.len(),
                fitted: score_lexicon(&lexicon, &all),
                held_out,
            });
        }
    }
    rows
}

/// The table `eval-events --lexicon-ceiling` prints.
pub fn format_ceiling(rows: &[CeilingRow], folds: usize) -> String {
    let mut out =
        String::from("trigger classification F1 of a word list fitted to the gold triggers\n");
    out.push_str(&format!(
        "{:>25}   {:<22}   held out ({folds} folds)\n",
        "", "fitted on all"
    ));
    out.push_str(&format!(
        "{:>9} {:>8} {:>6}   {:>6} {:>6} {:>7}   {:>6} {:>6} {:>7}\n",
        "min share", "min uses", "words", "P", "R", "F1", "P", "R", "F1"
    ));
    for r in rows {
        let f = &r.fitted;
        let h = &r.held_out;
        out.push_str(&format!(
            "{:>9.2} {:>8} {:>6}   {:>6.2} {:>6.2} {:>7.2}   {:>6.2} {:>6.2} {:>7.2}\n",
            r.min_precision,
            r.min_uses,
            r.words,
            f.precision(),
            f.recall(),
            f.f1(),
            h.precision(),
            h.recall(),
            h.f1()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::eval::Labelled;

    /// A document whose words are its space-separated tokens, with a gold
    /// trigger of `type` at each word listed.
    fn gold_doc(text: &str, triggers: &[(usize, &str)]) -> GoldDocument {
        let mut words = Vec::new();
        let mut at = 0;
        for w in text.split(' ') {
            words.push((at, at + w.chars().count()));
            at += w.chars().count() + 1;
        }
        GoldDocument {
            id: "d".into(),
            text: text.into(),
            published: None,
            triggers: triggers
                .iter()
                .map(|&(k, t)| Labelled {
                    start: words[k].0,
                    end: words[k].1,
                    event_type: t.into(),
                    role: String::new(),
                })
                .collect(),
            arguments: Vec::new(),
            words,
            unannotated: Vec::new(),
        }
    }

    #[test]
    fn a_word_list_fitted_to_the_answers_is_scored_on_them_and_on_held_out_folds() {
        let docs = [
            gold_doc(
                "Rebels attack ; another attack ; a meeting",
                &[(1, "Conflict:Attack")],
            ),
            gold_doc("The attack before the Meeting", &[(4, "Contact:Meet")]),
        ];
        let rows = lexicon_ceiling(&docs, 2);
        let row = rows
            .iter()
            .find(|r| r.min_uses == 1 && r.min_precision == 0.25)
            .unwrap();
        // "attack" is an Attack 1 time in 3, "meeting" a Meet 1 time in 2
        // (case folded): both listed, 5 guesses, 2 right, of 2 gold.
        assert_eq!(row.words, 2);
        assert_eq!(
            (row.fitted.correct, row.fitted.guessed, row.fitted.gold),
            (2, 5, 2)
        );
        // Each document alone teaches only the word the other uses once, and
        // wrongly.
        assert_eq!(
            (
                row.held_out.correct,
                row.held_out.guessed,
                row.held_out.gold
            ),
            (0, 2, 2)
        );
        // A word with one gold use is out once two are required.
        let strict = rows.iter().find(|r| r.min_uses == 2).unwrap();
        assert_eq!(strict.words, 0);
    }
}
