//! CoNLL column files: a token in the first column, the (gold) tag in the last,
//! a blank line after each sentence, `-DOCSTART-` lines between documents.

use crate::error::{Error, Result};
use std::path::Path;

/// A sentence of a CoNLL file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConllSentence {
    pub words: Vec<String>,
    /// The last column, when lines have at least two.
    pub tags: Vec<Option<String>>,
    /// 0-based index in the file's lines of each word.
    pub lines: Vec<usize>,
    /// Which `-DOCSTART-` document the sentence belongs to.
    pub document: usize,
}

/// A CoNLL file: its lines as read, and its sentences.
#[derive(Debug, Clone)]
pub struct ConllFile {
    pub lines: Vec<String>,
    pub sentences: Vec<ConllSentence>,
}

impl ConllFile {
    pub fn parse(text: &str) -> ConllFile {
        let lines: Vec<String> = text
            .lines()
            .map(|l| l.trim_end_matches('\r').to_string())
            .collect();
        let mut sentences = Vec::new();
        let mut document = 0;
        let mut current: Option<ConllSentence> = None;
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim();
            let is_docstart = trimmed.starts_with("-DOCSTART-");
            if trimmed.is_empty() || is_docstart {
                if let Some(s) = current.take() {
                    sentences.push(s);
                }
                if is_docstart && !sentences.is_empty() {
                    document += 1;
                }
                continue;
            }
            let cols: Vec<&str> = trimmed.split_whitespace().collect();
            let s = current.get_or_insert_with(|| ConllSentence {
                words: Vec::new(),
                tags: Vec::new(),
                lines: Vec::new(),
                document,
            });
            s.words.push(cols[0].to_string());
            s.tags
                .push((cols.len() >= 2).then(|| cols[cols.len() - 1].to_string()));
            s.lines.push(i);
        }
        if let Some(s) = current.take() {
            sentences.push(s);
        }
        ConllFile { lines, sentences }
    }

    pub fn read(path: &Path) -> Result<ConllFile> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            Error::format(
                path,
                None,
                format!("not UTF-8 (byte {})", e.utf8_error().valid_up_to()),
            )
        })?;
        Ok(ConllFile::parse(&text))
    }

    /// Gold tags of every sentence; fails naming the first line without one.
    pub fn gold(&self, path: &Path) -> Result<Vec<Vec<String>>> {
        self.sentences
            .iter()
            .map(|s| {
                s.tags
                    .iter()
                    .zip(&s.lines)
                    .map(|(t, &line)| {
                        t.clone().ok_or_else(|| {
                            Error::format(path, Some(line as u64 + 1), "no tag column")
                        })
                    })
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_and_documents() {
        let f = ConllFile::parse(
            "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter B-PER\n-DOCSTART- -X- -X- O\n\nBonn B-LOC\n",
        );
        assert_eq!(f.sentences.len(), 3);
        assert_eq!(f.sentences[0].words, vec!["EU", "rejects"]);
        assert_eq!(f.sentences[0].tags[0].as_deref(), Some("B-ORG"));
        assert_eq!(f.sentences[0].lines, vec![2, 3]);
        assert_eq!(f.sentences[1].document, 0);
        assert_eq!(f.sentences[2].document, 1);
    }
}
