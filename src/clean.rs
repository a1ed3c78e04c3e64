//! Boilerplate removal.
//!
//! Scraped pages carry navigation, ads, "READ ALSO" links, photo credits and
//! comment sections around the article. The cleaner decides, line by line, which
//! text is article text, and records it as blocks (byte spans of the original
//! text). It never edits the text, so every later offset is an offset into the
//! input as given. The rules are data ([`BoilerplateRules`], `rules/boilerplate.toml`).

use crate::document::{Document, Span};
use crate::error::{Error, Result};
use crate::rules::RuleFile;
use regex::{Regex, RegexSet};
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    drop_line: Vec<String>,
    cut_rest: Vec<String>,
    min_words_before_cut: usize,
    trailing_credit: Option<String>,
    min_words: usize,
    min_title_words: usize,
}

/// Compiled boilerplate rules.
pub struct BoilerplateRules {
    drop_line: RegexSet,
    cut_rest: RegexSet,
    min_words_before_cut: usize,
    trailing_credit: Option<Regex>,
    min_words: usize,
    min_title_words: usize,
}

impl RuleFile for BoilerplateRules {
    const BUILTIN: &'static str = include_str!("../rules/boilerplate.toml");
    const BUILTIN_PATH: &'static str = "rules/boilerplate.toml";

    fn parse(source: &str, path: &Path) -> Result<BoilerplateRules> {
        let err = |reason: String| Error::Rules {
            path: path.to_path_buf(),
            reason,
        };
        let file: RulesFile = toml::from_str(source).map_err(|e| err(e.to_string()))?;
        let set = |patterns: &[String], key: &str| {
            RegexSet::new(patterns).map_err(|e| err(format!("{key}: {e}")))
        };
        Ok(BoilerplateRules {
            drop_line: set(&file.drop_line, "drop_line")?,
            cut_rest: set(&file.cut_rest, "cut_rest")?,
            min_words_before_cut: file.min_words_before_cut,
            trailing_credit: file
                .trailing_credit
                .map(|p| Regex::new(&p).map_err(|e| err(format!("trailing_credit: {e}"))))
                .transpose()?,
            min_words: file.min_words,
            min_title_words: file.min_title_words,
        })
    }
}

/// Lines of `text` as byte spans, without their line terminators.
fn lines(text: &str) -> impl Iterator<Item = Span> + '_ {
    let mut start = 0;
    text.split_inclusive('\n').map(move |line| {
        let s = start;
        start += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        Span::new(s, s + body.len())
    })
}

/// Shrinks a span to exclude surrounding whitespace (Unicode-aware).
fn trim(text: &str, span: Span) -> Span {
    let s = &text[span.start..span.end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead == s.len() {
        return Span::new(span.start, span.start);
    }
    Span::new(span.start + lead, span.end - trail)
}

fn ends_like_sentence(line: &str) -> bool {
    line.ends_with(['.', '!', '?', '"', '”', '’', ':', ')'])
}

/// The cleaning stage.
pub struct Cleaner {
    rules: BoilerplateRules,
}

impl Cleaner {
    pub fn new(rules: BoilerplateRules) -> Cleaner {
        Cleaner { rules }
    }

    /// Fills `doc.blocks` with the spans of article text.
    pub fn process(&self, doc: &mut Document) {
        doc.blocks = self.blocks(&doc.text);
    }

    pub fn blocks(&self, text: &str) -> Vec<Span> {
        let rules = &self.rules;
        let mut blocks: Vec<Span> = Vec::new();
        let mut kept_words = 0;
        let mut seen_lines = std::collections::HashSet::new();
        let mut first_line = true;
        // Whether the last line looked at was kept and did not end a sentence:
        // then a following kept line continues the same block (hard-wrapped text).
        let mut open_block = false;
        for raw in lines(text) {
            let mut span = trim(text, raw);
            if span.is_empty() {
                open_block = false;
                continue;
            }
            let line = &text[span.start..span.end];
            let is_title = std::mem::take(&mut first_line);
            if kept_words >= rules.min_words_before_cut && rules.cut_rest.is_match(line) {
                break;
            }
            let words = line.split_whitespace().count();
            let drop = rules.drop_line.is_match(line)
                // Repeated lines are captions and teasers shown twice.
                || !seen_lines.insert(line)
                || (words < rules.min_words
                    && !ends_like_sentence(line)
                    && !(is_title && words >= rules.min_title_words));
            if drop {
                open_block = false;
                continue;
            }
            if let Some(credit) = &rules.trailing_credit {
                if let Some(m) = credit.find(line) {
                    if m.start() > 0 {
                        span = Span::new(span.start, span.start + m.start());
                    }
                }
            }
            kept_words += words;
            match blocks.last_mut() {
                Some(last) if open_block => last.end = span.end,
                _ => blocks.push(span),
            }
            let line = &text[span.start..span.end];
            // A headline is a block of its own even without a final period.
            open_block = !is_title && !ends_like_sentence(line);
        }
        blocks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(text: &str) -> Vec<&str> {
        let cleaner = Cleaner::new(BoilerplateRules::builtin());
        cleaner
            .blocks(text)
            .into_iter()
            .map(|s| &text[s.start..s.end])
            .collect()
    }

    #[test]
    fn drops_page_furniture_and_comment_section() {
        let body = "The ministry said the talks would resume on Sunday in Baghdad after a pause of several weeks, officials told reporters on Thursday. ".repeat(3);
        let text = format!(
            "Connect with us\n\nUS Military\n\nTalks Set to Resume in Baghdad\n\nPhoto from: Press TV\n\n{body}\n\nREAD ALSO: Other story here\n\nADVERTISEMENT\n\nMore text of the article follows here.\n\n(0) comments\n\nWelcome to the discussion.\n\nKeep it Clean. Please avoid obscene language.\n"
        );
        let blocks = kept(&text);
        assert_eq!(blocks[0], "Talks Set to Resume in Baghdad");
        assert_eq!(blocks[1], body.trim());
        assert_eq!(blocks[2], "More text of the article follows here.");
        assert_eq!(blocks.len(), 3, "{blocks:?}");
    }

    #[test]
    fn keeps_offsets_and_trims_credits() {
        let text = "Headline about the strike today\r\n\r\nForces left Iraq in 2011 after the invasion. Getty Images\r\nUpdated: February 08, 2024, 7:04 PM\r\n";
        let cleaner = Cleaner::new(BoilerplateRules::builtin());
        let blocks = cleaner.blocks(text);
        assert_eq!(blocks.len(), 2);
        assert_eq!(
            &text[blocks[1].start..blocks[1].end],
            "Forces left Iraq in 2011 after the invasion."
        );
    }

    #[test]
    fn joins_hard_wrapped_lines() {
        let text = "A title for the page here\n\nThe minister said on Tuesday that\nthe talks would go on.\n";
        assert_eq!(
            kept(text)[1],
            "The minister said on Tuesday that\nthe talks would go on."
        );
    }

    #[test]
    fn teaser_lines_with_ellipsis_are_dropped() {
        let text = "Title of the page\n\nJose Mulino has pledged to halt illegal immigration towards the US...\n";
        assert_eq!(kept(text), vec!["Title of the page"]);
    }
}
