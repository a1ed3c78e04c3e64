//! The one type that flows through every stage.
//!
//! Every span is a pair of **byte** offsets into [`Document::text`], the text exactly
//! as the input gave it. Stages never rewrite the text: cleaning marks the blocks
//! worth reading, segmentation marks sentences and words inside them, and so on.
//! That keeps every output traceable to the input by construction. Byte offsets
//! are cheap to slice with in Rust; they are turned into character offsets (Unicode
//! scalar values, as the output contract promises) only when written out, by
//! [`CharMap`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A half-open byte range `[start, end)` into a document's text.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end);
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    /// Whether two spans share at least one byte.
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }
    pub fn contains(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// Where a document came from, so that errors can say where to look.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Origin {
    /// The input path, or `-` for standard input.
    pub path: String,
    /// 1-based line of the input file for line-oriented formats (JSONL), else `None`.
    pub line: Option<u64>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.path, line),
            None => write!(f, "{}", self.path),
        }
    }
}

/// Where the publication date used to anchor relative dates came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateSource {
    /// Given by the input (`published` field).
    Input,
    /// Found in the page text (an "Updated:" line, a dateline...), see `published_span`.
    Text,
    /// Found in an HTML page's metadata (`<meta>` tags, JSON-LD, `<time datetime>`),
    /// which is not part of the text.
    Meta,
}

/// A word: the unit the NER model labels and the rules match on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    pub span: Span,
}

/// A sentence with its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    pub span: Span,
    pub tokens: Vec<Token>,
    /// The parse, one entry per token in the same order, once the syntax stage
    /// ran (empty before, or without a parser).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub syntax: Vec<WordSyntax>,
}

/// One word's syntax as Universal Dependencies describes it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WordSyntax {
    pub lemma: String,
    /// Universal part of speech (`NOUN`, `VERB`, `PROPN`...).
    pub upos: String,
    /// Penn Treebank tag (`NNS`, `VBD`...).
    pub xpos: String,
    /// Morphological features (`Number=Plur|Tense=Past`), `_` for none.
    pub feats: String,
    /// The head word, 1-based within the sentence as in CoNLL-U; 0 for the root.
    pub head: usize,
    /// Dependency relation to the head (`nsubj`, `obl:agent`...).
    pub deprel: String,
}

/// A named-entity mention found by the NER stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub span: Span,
    /// The label without its IOB prefix: `PER`, `ORG`, `LOC`, `MISC`, or a user's own.
    pub label: String,
    /// Mean probability of the entity's word labels (never their product, which
    /// would punish long names).
    pub score: f32,
    /// Index of the sentence the mention sits in.
    pub sentence: usize,
    /// Index into [`Document::actors`] once the resolve stage ran.
    pub actor: Option<usize>,
}

/// A TimeML TIMEX3 temporal expression, normalised against the publication date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeExpr {
    pub span: Span,
    /// `DATE`, `TIME`, `DURATION` or `SET`.
    pub timex_type: String,
    /// The TIMEX3 value, e.g. `2020-01-03`, `XXXX-01-03`, `P2D`, `2024-W06`.
    pub value: String,
}

/// One argument of an event: a role filled by a span of text.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Argument {
    pub role: String,
    pub span: Span,
    /// The canonical actor name, when the argument is an entity mention.
    pub canonical: Option<String>,
    /// For `Time`, the normalised TIMEX3 value.
    pub value: Option<String>,
    /// The head word of the argument's noun phrase (the syntax engine sets
    /// it; the phrase in `span` is the head with its modifiers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<Span>,
    /// For a pronoun argument, what it refers to when that is clear: an
    /// entity mention, or the noun phrase of the one who reports the
    /// pronoun's clause ("The army said its drones..."); the argument itself
    /// stays the pronoun.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub antecedent: Option<Span>,
}

/// Whether the text says an event happened. Analysts filter on it; only
/// asserted events are counted by the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Modality {
    /// Reported as having happened.
    #[default]
    Asserted,
    /// Reported as not having happened ("no arrests were made").
    Negated,
    /// Possible, feared, threatened or conditional ("could attack").
    Hypothetical,
    /// Announced or planned ("will meet", "plans to visit").
    Future,
}

impl Modality {
    pub fn is_asserted(&self) -> bool {
        *self == Modality::Asserted
    }

    /// The name in outputs (as serde writes it).
    pub fn as_str(&self) -> &'static str {
        match self {
            Modality::Asserted => "asserted",
            Modality::Negated => "negated",
            Modality::Hypothetical => "hypothetical",
            Modality::Future => "future",
        }
    }
}

/// Whether an event is one particular occurrence or a kind of event
/// ("terror attacks are rising").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Genericity {
    #[default]
    Specific,
    Generic,
}

impl Genericity {
    pub fn is_specific(&self) -> bool {
        *self == Genericity::Specific
    }

    /// The name in outputs (as serde writes it).
    pub fn as_str(&self) -> &'static str {
        match self {
            Genericity::Specific => "specific",
            Genericity::Generic => "generic",
        }
    }
}

/// An event: a trigger word and the arguments the rules attached to it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Event {
    /// ACE type such as `Conflict:Attack`.
    pub event_type: String,
    pub trigger: Span,
    pub arguments: Vec<Argument>,
    pub score: f32,
    pub sentence: usize,
    /// Casualty counts read from the sentence, for Attack and Die events.
    pub killed: Option<u64>,
    pub injured: Option<u64>,
    /// The rule that fired, for debugging and for users tuning their rule files.
    pub rule: String,
    /// Whether the text says the event happened; absent in older outputs,
    /// which only had asserted events.
    #[serde(default, skip_serializing_if = "Modality::is_asserted")]
    pub modality: Modality,
    #[serde(default, skip_serializing_if = "Genericity::is_specific")]
    pub genericity: Genericity,
    /// `killed`/`injured` are lower bounds ("dozens", "at least 12").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub casualties_at_least: bool,
    /// The document-level event this mention belongs to: mentions of one
    /// real event in a document (headline, lead, "the strike" later) share it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_event: Option<usize>,
    /// Document-level events linked to this one without being the same
    /// event: an Attack and the deaths it caused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub linked: Vec<usize>,
}

/// A place mention and what the geo stage resolved it to (`None`: no
/// gazetteer entry fits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceMention {
    pub span: Span,
    pub place: Option<crate::geo::GeoPlace>,
}

/// A canonical actor of one document: all mentions that name the same thing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actor {
    pub name: String,
    pub label: String,
    pub mentions: usize,
    pub first: Span,
}

/// A document and everything the stages found in it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub text: String,
    pub title: Option<String>,
    pub url: Option<String>,
    pub origin: Origin,
    /// The publication date that relative dates are resolved against.
    pub published: Option<NaiveDate>,
    pub published_source: Option<DateSource>,
    /// Where in the text the publication date was found, when it came from the text.
    pub published_span: Option<Span>,
    /// Blocks of running text kept by the cleaner (boilerplate left out).
    pub blocks: Vec<Span>,
    pub sentences: Vec<Sentence>,
    pub entities: Vec<Entity>,
    pub times: Vec<TimeExpr>,
    pub events: Vec<Event>,
    pub actors: Vec<Actor>,
    /// Place mentions (`LOC` entities, `Place` arguments) and the gazetteer
    /// entries the geo stage resolved them to; empty without a gazetteer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<PlaceMention>,
    /// Problems that did not stop processing (e.g. invalid UTF-8 replaced).
    pub warnings: Vec<String>,
    /// Why the document could not be processed; such a document still appears
    /// in every output that lists documents, with this message.
    pub error: Option<String>,
    /// Ingest read this id earlier in the run. Outputs keyed by id (the
    /// SQLite knowledge base) keep the first document under it; outputs that
    /// list every document still list this one, with its error.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub duplicate: bool,
}

impl Document {
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Document {
        Document {
            id: id.into(),
            text: text.into(),
            ..Document::default()
        }
    }

    /// A document that failed before any stage could run on it.
    pub fn failed(id: impl Into<String>, origin: Origin, error: impl Into<String>) -> Document {
        Document {
            id: id.into(),
            origin,
            error: Some(error.into()),
            ..Document::default()
        }
    }

    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.start..span.end]
    }

    /// The entity mention overlapping `span`, if any. Entities are in text
    /// order (the NER stage adds them sentence by sentence, word by word),
    /// so this is one binary search, not a scan per look-up.
    pub fn entity_at(&self, span: Span) -> Option<&Entity> {
        let before = self.entities.partition_point(|e| e.span.start < span.end);
        self.entities[before.saturating_sub(4)..before]
            .iter()
            .rev()
            .find(|e| e.span.overlaps(&span))
    }

    pub fn is_ok(&self) -> bool {
        self.error.is_none()
    }
}

/// Maps byte offsets of a text to character offsets (Unicode scalar values).
///
/// Built once per document when it is written out; lookups are a binary search,
/// or nothing at all for ASCII text.
pub struct CharMap {
    /// Byte offset at which each non-ASCII character starts; empty for ASCII text.
    multibyte: Vec<(usize, usize)>,
}

impl CharMap {
    pub fn new(text: &str) -> CharMap {
        let mut multibyte = Vec::new();
        // Each entry: (byte offset just after a multi-byte char, extra bytes so far).
        let mut extra = 0;
        for (i, c) in text.char_indices() {
            let n = c.len_utf8();
            if n > 1 {
                extra += n - 1;
                multibyte.push((i + n, extra));
            }
        }
        CharMap { multibyte }
    }

    /// The character offset of a byte offset that lies on a character boundary.
    pub fn char_offset(&self, byte: usize) -> usize {
        let k = self.multibyte.partition_point(|&(after, _)| after <= byte);
        if k == 0 {
            byte
        } else {
            byte - self.multibyte[k - 1].1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_map_matches_char_indices() {
        let text = "Iran’s al-Muhandis — José Núñez 🚀 near Baghdad";
        let map = CharMap::new(text);
        for (chars, (bytes, _)) in text.char_indices().enumerate() {
            assert_eq!(map.char_offset(bytes), chars, "at byte {bytes}");
        }
        assert_eq!(map.char_offset(text.len()), text.chars().count());
    }
}
