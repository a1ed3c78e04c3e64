//! Documents from CoNLL-U: hand-written parses for the rule examples and the
//! tests (until the parser fills `Sentence::syntax`), and parses written
//! by other tools.
//!
//! The text is rebuilt from the word forms, one space between words unless
//! the MISC column says `SpaceAfter=No`, one space between sentences. Named
//! entities come from MISC `NER=B-PER` / `NER=I-PER` (the NER stage's
//! labels), time expressions from the time stage run on the rebuilt text.
//! Columns may be separated by tabs or spaces (word forms have no spaces).

use crate::document::{Document, Entity, Sentence, Span, Token, WordSyntax};
use chrono::NaiveDate;

/// The sentence blocks of a CoNLL-U text (comment and word lines).
pub fn blocks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !cur.trim().is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.clear();
        } else {
            cur.push_str(line.trim());
            cur.push('\n');
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

/// One word line, split.
struct Word<'a> {
    form: &'a str,
    syntax: WordSyntax,
    misc: &'a str,
}

fn words(block: &str) -> Result<Vec<Word<'_>>, String> {
    let mut out = Vec::new();
    for line in block.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() != 10 {
            return Err(format!("{line:?}: a word line has 10 columns"));
        }
        // Multi-word tokens (1-2) and empty nodes (1.1) are not words here.
        if cols[0].contains('-') || cols[0].contains('.') {
            continue;
        }
        let id: usize = cols[0].parse().map_err(|_| format!("{line:?}: bad id"))?;
        if id != out.len() + 1 {
            return Err(format!("{line:?}: ids must run 1, 2, 3..."));
        }
        let head = cols[6].parse().map_err(|_| format!("{line:?}: bad head"))?;
        out.push(Word {
            form: cols[1],
            syntax: WordSyntax {
                lemma: cols[2].to_string(),
                upos: cols[3].to_string(),
                xpos: cols[4].to_string(),
                feats: cols[5].to_string(),
                head,
                deprel: cols[7].to_string(),
            },
            misc: cols[9],
        });
    }
    if out.iter().any(|w| w.syntax.head > out.len()) {
        return Err("a head outside the sentence".into());
    }
    Ok(out)
}

/// The sentence text a block's forms give.
pub fn text_of(block: &str) -> Result<String, String> {
    let mut text = String::new();
    for w in words(block)? {
        text.push_str(w.form);
        if !w.misc.split('|').any(|m| m == "SpaceAfter=No") {
            text.push(' ');
        }
    }
    Ok(text.trim_end().to_string())
}

/// A document of the given sentence blocks, with entities from the MISC
/// column and the time stage run against `published`.
pub fn document(id: &str, blocks: &[&str], published: NaiveDate) -> Result<Document, String> {
    let mut doc = Document::new(id, String::new());
    doc.published = Some(published);
    for block in blocks {
        if let Some(given) = block.lines().find_map(|l| l.strip_prefix("# text = ")) {
            let built = text_of(block)?;
            if given.trim() != built {
                return Err(format!(
                    "# text {given:?} differs from the forms: {built:?}"
                ));
            }
        }
        if !doc.text.is_empty() {
            doc.text.push(' ');
        }
        add_sentence(&mut doc, &words(block)?);
    }
    doc.blocks = vec![Span::new(0, doc.text.len())];
    crate::pipeline::time_stage(&mut doc);
    Ok(doc)
}

fn add_sentence(doc: &mut Document, words: &[Word]) {
    let s = doc.sentences.len();
    let start = doc.text.len();
    let mut tokens = Vec::new();
    let mut open: Option<Entity> = None;
    for w in words {
        let at = doc.text.len();
        doc.text.push_str(w.form);
        let span = Span::new(at, doc.text.len());
        tokens.push(Token { span });
        let ner = w.misc.split('|').find_map(|m| m.strip_prefix("NER="));
        match ner.and_then(|n| n.split_once('-')) {
            Some(("I", label)) if open.as_ref().is_some_and(|e| e.label == label) => {
                if let Some(e) = open.as_mut() {
                    e.span.end = span.end;
                }
            }
            Some((_, label)) => {
                doc.entities.extend(open.take());
                open = Some(Entity {
                    span,
                    label: label.to_string(),
                    score: 1.0,
                    sentence: s,
                    actor: None,
                });
            }
            None => doc.entities.extend(open.take()),
        }
        if !w.misc.split('|').any(|m| m == "SpaceAfter=No") {
            doc.text.push(' ');
        }
    }
    doc.entities.extend(open.take());
    while doc.text.ends_with(' ') {
        doc.text.pop();
    }
    doc.sentences.push(Sentence {
        span: Span::new(start, doc.text.len()),
        tokens,
        syntax: words.iter().map(|w| w.syntax.clone()).collect(),
    });
}
