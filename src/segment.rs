//! Sentence splitting and word tokenization.
//!
//! Words follow the CoNLL-2003 conventions the NER model was trained on:
//! punctuation is split off, possessive `'s` is its own word (`Iran` `’s`),
//! hyphenated names stay whole (`al-Muhandis`, `U.S.-led`), abbreviations keep
//! their period (`U.S.`, `Gen.`, `Jan.`). A sentence ends at `.`, `!` or `?`
//! before a capitalised word, but not after an abbreviation that precedes names
//! or numbers (`Lt. Gen. Othman`, `Jan. 3`). The abbreviation list is data
//! (`rules/abbreviations.txt`).

use crate::document::{Document, Sentence, Span, Token};
use crate::error::{Error, Result};
use crate::rules::RuleFile;
use std::collections::HashSet;
use std::path::Path;

/// Words that usually open a sentence; after an abbreviation of the `[any]`
/// class ("... the U.S. The talks"), one of these means a new sentence.
const OPENERS: &[&str] = &[
    "The",
    "A",
    "An",
    "In",
    "On",
    "At",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "But",
    "And",
    "This",
    "That",
    "These",
    "Those",
    "There",
    "Its",
    "His",
    "Her",
    "Their",
    "Our",
    "As",
    "After",
    "Before",
    "When",
    "While",
    "Since",
    "However",
    "Meanwhile",
    "Both",
    "Some",
    "Many",
    "Officials",
    "According",
];

/// The abbreviation lexicon.
pub struct Abbreviations {
    /// Never end a sentence ("Gen.", "Jan.").
    title: HashSet<String>,
    /// May end one ("U.S.").
    any: HashSet<String>,
}

impl RuleFile for Abbreviations {
    const BUILTIN: &'static str = include_str!("../rules/abbreviations.txt");
    const BUILTIN_PATH: &'static str = "rules/abbreviations.txt";

    fn parse(source: &str, path: &Path) -> Result<Abbreviations> {
        let mut title = HashSet::new();
        let mut any = HashSet::new();
        let mut section: Option<bool> = None;
        for (n, line) in source.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            match line {
                "" => continue,
                "[title]" => section = Some(true),
                "[any]" => section = Some(false),
                _ => {
                    let Some(is_title) = section else {
                        return Err(Error::Rules {
                            path: path.to_path_buf(),
                            reason: format!(
                                "line {}: abbreviation before a [title] or [any] section",
                                n + 1
                            ),
                        });
                    };
                    for word in line.split_whitespace() {
                        if !word.ends_with('.') {
                            return Err(Error::Rules {
                                path: path.to_path_buf(),
                                reason: format!("line {}: {word:?} must end with '.'", n + 1),
                            });
                        }
                        if is_title { &mut title } else { &mut any }.insert(word.to_string());
                    }
                }
            }
        }
        Ok(Abbreviations { title, any })
    }
}

impl Abbreviations {
    /// Whether `word` (with its final period) is an abbreviation, and whether it
    /// may end a sentence.
    fn classify(&self, word: &str) -> Option<AbbrevKind> {
        // "Iraq-U.S." ends with the abbreviation after its last hyphen.
        if let Some((_, last)) = word.rsplit_once('-') {
            if !last.is_empty() && last != word {
                return self.classify(last);
            }
        }
        if self.title.contains(word) {
            return Some(AbbrevKind::Title);
        }
        if self.any.contains(word) {
            return Some(AbbrevKind::Any);
        }
        let chars: Vec<char> = word.chars().collect();
        // An initial: "J."
        if chars.len() == 2 && chars[0].is_uppercase() {
            return Some(AbbrevKind::Title);
        }
        // Dotted acronyms: "N.S.C.", "E.U.", "a.m."
        if chars.len() >= 4
            && chars
                .chunks(2)
                .all(|p| p.len() == 2 && p[0].is_alphabetic() && p[1] == '.')
        {
            return Some(AbbrevKind::Any);
        }
        None
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum AbbrevKind {
    Title,
    Any,
}

/// Characters that separate words like spaces do. Zero-width and bidi control
/// characters are invisible in the page but would otherwise glue words together.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

fn is_opening(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '‘' | '(' | '[' | '{' | '«' | '‹' | '„'
    )
}

fn is_closing(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '”' | '’' | ')' | ']' | '}' | '»' | '›' | ',' | ';' | ':' | '!' | '?' | '…'
    )
}

fn is_dash(c: char) -> bool {
    matches!(c, '—' | '–' | '―')
}

/// The segmentation stage.
pub struct Segmenter {
    abbreviations: Abbreviations,
}

impl Segmenter {
    pub fn new(abbreviations: Abbreviations) -> Segmenter {
        Segmenter { abbreviations }
    }

    /// Fills `doc.sentences` from `doc.blocks` (or the whole text when the
    /// cleaner did not run).
    pub fn process(&self, doc: &mut Document) {
        let blocks = if doc.blocks.is_empty() && doc.sentences.is_empty() {
            vec![Span::new(0, doc.text.len())]
        } else {
            doc.blocks.clone()
        };
        doc.sentences = blocks
            .iter()
            .flat_map(|&b| self.sentences(&doc.text, b))
            .collect();
    }

    /// Words of one span of text.
    pub fn words(&self, text: &str, span: Span) -> Vec<Span> {
        let mut out = Vec::new();
        let mut chunks = Vec::new();
        let mut start = None;
        for (i, c) in text[span.start..span.end].char_indices() {
            let i = span.start + i;
            if is_separator(c) {
                if let Some(s) = start.take() {
                    chunks.push(Span::new(s, i));
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            chunks.push(Span::new(s, span.end));
        }
        let mut k = 0;
        while k < chunks.len() {
            let mut chunk = chunks[k];
            // "U .S." as scraped: one word with a stray space.
            if k + 1 < chunks.len() {
                let a = &text[chunk.start..chunk.end];
                let b = &text[chunks[k + 1].start..chunks[k + 1].end];
                if a.len() == 1 && a.chars().all(|c| c.is_ascii_uppercase()) && {
                    let bb = b.as_bytes();
                    bb.len() >= 3 && bb[0] == b'.' && bb[1].is_ascii_uppercase() && bb[2] == b'.'
                } {
                    let glued_end = chunks[k + 1].start + 3;
                    out.push(Span::new(chunk.start, glued_end));
                    if glued_end < chunks[k + 1].end {
                        chunks[k + 1] = Span::new(glued_end, chunks[k + 1].end);
                        // The rest ("-led", ",") is split as a chunk of its own.
                        k += 1;
                        continue;
                    }
                    k += 2;
                    continue;
                }
            }
            // Split at dashes inside a chunk ("Baghdad—Washington").
            let s = &text[chunk.start..chunk.end];
            if let Some((i, c)) = s.char_indices().find(|&(i, c)| is_dash(c) && i > 0) {
                let pre = Span::new(chunk.start, chunk.start + i);
                let dash = Span::new(pre.end, pre.end + c.len_utf8());
                self.split_chunk(text, pre, &mut out);
                out.push(dash);
                chunk = Span::new(dash.end, chunk.end);
                if chunk.is_empty() {
                    k += 1;
                    continue;
                }
                chunks[k] = chunk;
                continue;
            }
            self.split_chunk(text, chunk, &mut out);
            k += 1;
        }
        out
    }

    /// Splits one whitespace-free chunk into words.
    fn split_chunk(&self, text: &str, chunk: Span, out: &mut Vec<Span>) {
        let mut start = chunk.start;
        let mut end = chunk.end;
        // Leading punctuation, one word each.
        while start < end {
            let c = text[start..end].chars().next().unwrap();
            if is_opening(c) || is_dash(c) {
                out.push(Span::new(start, start + c.len_utf8()));
                start += c.len_utf8();
            } else {
                break;
            }
        }
        // Trailing punctuation, collected in reverse.
        let mut tail = Vec::new();
        loop {
            if start >= end {
                break;
            }
            let s = &text[start..end];
            let c = s.chars().next_back().unwrap();
            if s.ends_with("...") && s.len() > 3 {
                tail.push(Span::new(end - 3, end));
                end -= 3;
            } else if c == '.' {
                if self.abbreviations.classify(s).is_some() || s.len() == 1 {
                    break;
                }
                tail.push(Span::new(end - 1, end));
                end -= 1;
            } else if is_closing(c) && s.len() > c.len_utf8() {
                // Possessive "’s" / "'s" is one word, as in CoNLL.
                let n = c.len_utf8();
                tail.push(Span::new(end - n, end));
                end -= n;
            } else if c.is_whitespace() {
                break;
            } else {
                // Possessive and negation clitics.
                let lower = s.to_lowercase();
                let clitic = ["’s", "'s", "n't", "n’t"]
                    .iter()
                    .find(|cl| lower.ends_with(*cl) && lower.len() > cl.len());
                if let Some(cl) = clitic {
                    let cut = end - cl.len();
                    if text.is_char_boundary(cut) {
                        tail.push(Span::new(cut, end));
                        end = cut;
                    }
                }
                break;
            }
        }
        if start < end {
            out.push(Span::new(start, end));
        }
        out.extend(tail.into_iter().rev());
    }

    /// Sentences of one block.
    pub fn sentences(&self, text: &str, block: Span) -> Vec<Sentence> {
        let words = self.words(text, block);
        let dateline = dateline_end(text, &words);
        let mut sentences = Vec::new();
        let mut current: Vec<Token> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            current.push(Token { span: *w });
            let word = &text[w.start..w.end];
            let next = words.get(i + 1).map(|n| &text[n.start..n.end]);
            let Some(next) = next else { break };
            let next_first = next.chars().next().unwrap_or(' ');
            let ends = Some(i) == dateline
                || match word {
                    "." | "!" | "?" | "..." | "…" => {
                        next_first.is_uppercase()
                            || next_first.is_numeric()
                            || is_opening(next_first)
                    }
                    // A closing quote or bracket after the final stop belongs to
                    // the sentence it closes.
                    _ if is_closing(word.chars().next().unwrap_or(' '))
                        && word.chars().count() == 1
                        && current.len() >= 2 =>
                    {
                        let prev = &text[current[current.len() - 2].span.start
                            ..current[current.len() - 2].span.end];
                        matches!(prev, "." | "!" | "?")
                            && (next_first.is_uppercase() || is_opening(next_first))
                    }
                    _ if word.ends_with('.') && word.len() > 1 => {
                        match self.abbreviations.classify(word) {
                            Some(AbbrevKind::Any) => OPENERS.contains(&next),
                            _ => false,
                        }
                    }
                    _ => false,
                };
            // A closing quote right after the stop stays in this sentence.
            let next_closes = next.chars().count() == 1
                && matches!(next_first, '"' | '”' | '’' | ')' | '\'')
                && matches!(word, "." | "!" | "?");
            if ends && !next_closes {
                sentences.push(finish(std::mem::take(&mut current)));
            }
        }
        if !current.is_empty() {
            sentences.push(finish(current));
        }
        sentences
    }
}

/// Words a wire dateline may run to before its dash ("NEW YORK, March 3
/// (Reuters) -").
const DATELINE_WORDS: usize = 14;

/// The index of the dash that ends a wire dateline at the start of a block
/// ("DORVA, March 3 (Wire) - A suicide bomber..."): a place in capitals, a
/// comma or bracket, then a dash before the story. The dateline is a
/// sentence of its own, so that the parser does not take the place for the
/// subject of the story's first clause.
fn dateline_end(text: &str, words: &[Span]) -> Option<usize> {
    let word = |i: usize| &text[words[i].start..words[i].end];
    let capitals = |w: &str| crate::ner::casing::casing_class(w) == crate::ner::casing::ALL_CAPS;
    let place = (0..words.len()).take_while(|&i| capitals(word(i))).count();
    if place == 0 || place >= words.len() || !matches!(word(place), "," | "(") {
        return None;
    }
    let dash = (place + 1..words.len().min(place + DATELINE_WORDS))
        .find(|&i| matches!(word(i), "-" | "--" | "—" | "–" | "―"))?;
    let next = words.get(dash + 1).map(|_| word(dash + 1))?;
    next.chars()
        .next()
        .is_some_and(char::is_uppercase)
        .then_some(dash)
}

fn finish(tokens: Vec<Token>) -> Sentence {
    let span = Span::new(tokens[0].span.start, tokens[tokens.len() - 1].span.end);
    Sentence {
        span,
        tokens,
        syntax: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg() -> Segmenter {
        Segmenter::new(Abbreviations::builtin())
    }

    fn words(text: &str) -> Vec<&str> {
        seg()
            .words(text, Span::new(0, text.len()))
            .into_iter()
            .map(|s| &text[s.start..s.end])
            .collect()
    }

    fn sentences(text: &str) -> Vec<&str> {
        seg()
            .sentences(text, Span::new(0, text.len()))
            .into_iter()
            .map(|s| &text[s.span.start..s.span.end])
            .collect()
    }

    #[test]
    fn words_follow_conll_conventions() {
        assert_eq!(
            words("the Jan. 3 U.S. drone strike killed Iran’s Gen. Qassem Soleimani, and al-Muhandis."),
            vec![
                "the", "Jan.", "3", "U.S.", "drone", "strike", "killed", "Iran", "’s", "Gen.",
                "Qassem", "Soleimani", ",", "and", "al-Muhandis", "."
            ]
        );
        assert_eq!(
            words("(“cooperation”) U.S.-led don't"),
            vec!["(", "“", "cooperation", "”", ")", "U.S.-led", "do", "n't"]
        );
        assert_eq!(
            words("future of Iraq-U.S. relations, in Baghdad-Washington."),
            vec![
                "future",
                "of",
                "Iraq-U.S.",
                "relations",
                ",",
                "in",
                "Baghdad-Washington",
                "."
            ]
        );
    }

    #[test]
    fn scraped_spacing_in_us_stays_one_word() {
        assert_eq!(
            words("the 3 January U .S. drone"),
            vec!["the", "3", "January", "U .S.", "drone"]
        );
    }

    #[test]
    fn a_wire_dateline_is_a_sentence_of_its_own() {
        assert_eq!(
            sentences("DORVA, March 3 (Wire) - A suicide bomber blew himself up on Sunday."),
            vec![
                "DORVA, March 3 (Wire) -",
                "A suicide bomber blew himself up on Sunday."
            ]
        );
        assert_eq!(
            sentences("NEW YORK (AP) — Police arrested two men."),
            vec!["NEW YORK (AP) —", "Police arrested two men."]
        );
        // Capitals alone, or a dash later in an ordinary sentence, are no dateline.
        assert_eq!(
            sentences("NATO said on Monday - as expected - that talks would go on.").len(),
            1
        );
        assert_eq!(
            sentences("UN, EU and AU envoys met in Addis Ababa.").len(),
            1
        );
    }

    #[test]
    fn sentences_split_around_abbreviations() {
        let text = "Lt. Gen. Othman Al-Ghanimi met Mr. Maksimov on Jan. 3 in Baghdad. He left. Talks with the U.S. The talks went on. Maj Gen Joel Vowell said “we will stay.” Then he left.";
        assert_eq!(
            sentences(text),
            vec![
                "Lt. Gen. Othman Al-Ghanimi met Mr. Maksimov on Jan. 3 in Baghdad.",
                "He left.",
                "Talks with the U.S.",
                "The talks went on.",
                "Maj Gen Joel Vowell said “we will stay.”",
                "Then he left."
            ]
        );
    }

    #[test]
    fn invisible_characters_separate_words() {
        assert_eq!(
            words("Iraq\u{200B}Iran \u{202E}US"),
            vec!["Iraq", "Iran", "US"]
        );
    }

    #[test]
    fn a_long_line_without_spaces_is_one_word() {
        let text = "x".repeat(300_000);
        assert_eq!(words(&text).len(), 1);
    }

    #[test]
    fn builtin_list_parses() {
        let a = Abbreviations::builtin();
        assert!(a.classify("Gen.") == Some(AbbrevKind::Title));
        assert!(a.classify("U.S.") == Some(AbbrevKind::Any));
        assert!(a.classify("N.S.C.") == Some(AbbrevKind::Any));
        assert!(a.classify("Baghdad.").is_none());
    }
}
