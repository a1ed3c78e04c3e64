//! CoNLL-U files that round-trip byte for byte.
//!
//! Every line is kept as read: comments, multiword-token ranges (`3-4 don't`),
//! empty nodes (`8.1`), blank lines, a missing final newline, `\r\n` endings.
//! Only word lines (an integer ID) take part in parsing, and writing replaces
//! only their LEMMA, UPOS, XPOS, FEATS, HEAD and DEPREL columns, so a file
//! whose predictions equal its annotation comes back unchanged.

use crate::error::{Error, Result};
use std::path::Path;

/// One word line of a sentence, as annotated in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub form: String,
    pub lemma: String,
    pub upos: String,
    pub xpos: String,
    pub feats: String,
    /// 0 for the root; `None` when the column is `_` (unannotated input).
    pub head: Option<usize>,
    pub deprel: String,
}

/// A sentence: its words and the file line each came from.
#[derive(Debug, Clone, Default)]
pub struct Sentence {
    pub words: Vec<Word>,
    /// Index into [`ConlluFile::lines`] of each word.
    pub lines: Vec<usize>,
    /// Number of the document the sentence belongs to (`# newdoc` starts one).
    pub document: usize,
}

impl Sentence {
    pub fn forms(&self) -> Vec<&str> {
        self.words.iter().map(|w| w.form.as_str()).collect()
    }
}

/// The predicted columns of one word, as written back: the same record the
/// pipeline keeps per word ([`crate::document::WordSyntax`]).
pub type WordParse = crate::document::WordSyntax;

/// A whole file: every line verbatim plus the sentences found in it.
#[derive(Debug, Clone, Default)]
pub struct ConlluFile {
    /// The text split at `\n`; joining with `\n` gives the file back.
    pub lines: Vec<String>,
    pub sentences: Vec<Sentence>,
}

/// What kind of line a CoNLL-U line is.
fn is_word_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
}

fn parse_word(line: &str, path: &Path, number: usize) -> Result<(usize, Word)> {
    let cols: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
    let bad = |reason: String| Error::format(path, Some(number as u64 + 1), reason);
    if cols.len() != 10 {
        return Err(bad(format!("{} columns, CoNLL-U has 10", cols.len())));
    }
    let id: usize = cols[0].parse().map_err(|_| bad("bad ID".into()))?;
    let head = match cols[6] {
        "_" => None,
        h => Some(h.parse().map_err(|_| bad(format!("bad HEAD {h:?}")))?),
    };
    Ok((
        id,
        Word {
            form: cols[1].to_string(),
            lemma: cols[2].to_string(),
            upos: cols[3].to_string(),
            xpos: cols[4].to_string(),
            feats: cols[5].to_string(),
            head,
            deprel: cols[7].to_string(),
        },
    ))
}

impl ConlluFile {
    pub fn read(path: &Path) -> Result<ConlluFile> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        ConlluFile::parse(&text, path)
    }

    /// Parses CoNLL-U text; `path` is only for error messages.
    pub fn parse(text: &str, path: &Path) -> Result<ConlluFile> {
        let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let mut sentences = Vec::new();
        let mut current = Sentence::default();
        let mut document = 0usize;
        let mut seen_doc = false;
        for (n, line) in lines.iter().enumerate() {
            let bare = line.trim_end_matches('\r');
            if bare.trim().is_empty() {
                if !current.words.is_empty() {
                    sentences.push(std::mem::take(&mut current));
                }
                continue;
            }
            if bare.starts_with("# newdoc") {
                if seen_doc {
                    document += 1;
                }
                seen_doc = true;
                continue;
            }
            if bare.starts_with('#') {
                continue;
            }
            let id = bare.split('\t').next().unwrap_or("");
            if !is_word_id(id) {
                continue; // a multiword range or an empty node: kept, not parsed
            }
            let (number, word) = parse_word(bare, path, n)?;
            if number != current.words.len() + 1 {
                return Err(Error::format(
                    path,
                    Some(n as u64 + 1),
                    format!("word ID {number}, expected {}", current.words.len() + 1),
                ));
            }
            current.words.push(word);
            current.lines.push(n);
            current.document = document;
        }
        if !current.words.is_empty() {
            sentences.push(current);
        }
        Ok(ConlluFile { lines, sentences })
    }

    /// Number of words (word lines) in the file.
    pub fn words(&self) -> usize {
        self.sentences.iter().map(|s| s.words.len()).sum()
    }

    /// The file with the predicted columns of each word line replaced;
    /// `parses[s][w]` is word `w` of sentence `s`. Every other byte is kept.
    pub fn write(&self, parses: &[Vec<WordParse>]) -> String {
        let mut lines: Vec<std::borrow::Cow<str>> =
            self.lines.iter().map(|l| l.as_str().into()).collect();
        for (sentence, parse) in self.sentences.iter().zip(parses) {
            for (&n, p) in sentence.lines.iter().zip(parse) {
                lines[n] = replace_columns(&self.lines[n], p).into();
            }
        }
        lines.join("\n")
    }
}

/// A word line with columns 3-8 replaced; ID, FORM, DEPS and MISC (with any
/// trailing `\r`) stay as they were.
fn replace_columns(line: &str, p: &WordParse) -> String {
    let mut cols: Vec<String> = line.split('\t').map(str::to_string).collect();
    let head = p.head.to_string();
    let new = [&p.lemma, &p.upos, &p.xpos, &p.feats, &head, &p.deprel];
    for (k, value) in new.into_iter().enumerate() {
        cols[2 + k] = value.clone();
    }
    cols.join("\t")
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const SAMPLE: &str = "# newdoc id = a\n# text = I don't know.\n\
1\tI\tI\tPRON\tPRP\tCase=Nom\t4\tnsubj\t4:nsubj\t_\n\
2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n\
2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t4:aux\t_\n\
3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t4:advmod\t_\n\
4\tknow\tknow\tVERB\tVB\t_\t0\troot\t0:root\tSpaceAfter=No\n\
4.1\tknow\tknow\tVERB\tVB\t_\t_\t_\t0:root\t_\n\
5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t4:punct\t_\n\n\
# newdoc id = b\n1\tYes\tyes\tINTJ\tUH\t_\t0\troot\t0:root\t_\r\n\r\n";

    fn gold(file: &ConlluFile) -> Vec<Vec<WordParse>> {
        file.sentences
            .iter()
            .map(|s| {
                s.words
                    .iter()
                    .map(|w| WordParse {
                        lemma: w.lemma.clone(),
                        upos: w.upos.clone(),
                        xpos: w.xpos.clone(),
                        feats: w.feats.clone(),
                        head: w.head.unwrap_or(0),
                        deprel: w.deprel.clone(),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn reads_words_and_skips_ranges_and_empty_nodes() {
        let f = ConlluFile::parse(SAMPLE, Path::new("t")).unwrap();
        assert_eq!(f.sentences.len(), 2);
        assert_eq!(f.sentences[0].forms(), ["I", "do", "n't", "know", "."]);
        assert_eq!(f.sentences[0].words[2].head, Some(4));
        assert_eq!(f.sentences[1].document, 1);
        assert_eq!(f.sentences[1].words[0].deprel, "root");
        assert_eq!(f.words(), 6);
    }

    #[test]
    fn round_trips_byte_for_byte() {
        let f = ConlluFile::parse(SAMPLE, Path::new("t")).unwrap();
        assert_eq!(f.write(&gold(&f)), SAMPLE);
        let no_final_newline = SAMPLE.trim_end();
        let f = ConlluFile::parse(no_final_newline, Path::new("t")).unwrap();
        assert_eq!(f.write(&gold(&f)), no_final_newline);
    }

    #[test]
    fn replaces_only_predicted_columns() {
        let f = ConlluFile::parse(SAMPLE, Path::new("t")).unwrap();
        let mut p = gold(&f);
        p[1][0] = WordParse {
            lemma: "L".into(),
            upos: "U".into(),
            xpos: "X".into(),
            feats: "F=1".into(),
            head: 0,
            deprel: "dep".into(),
        };
        let out = f.write(&p);
        assert!(out.contains("1\tYes\tL\tU\tX\tF=1\t0\tdep\t0:root\t_\r\n"));
    }

    #[test]
    fn reports_bad_lines() {
        let err = ConlluFile::parse("1\ta\tb\n", Path::new("x.conllu")).unwrap_err();
        assert!(err.to_string().contains("x.conllu:1"), "{err}");
    }
}
