//! Toponym resolution: each place mention of a document to one gazetteer
//! entry or to none.
//!
//! Candidates come from the mention's name keys (see `normalise`). They are
//! ranked by population (log scale), then the document's own evidence moves
//! them: a qualifier next to the mention ("Paris, Texas", "Tal Afar in
//! Nineveh province") keeps only the candidates inside it; a level word
//! ("Anbar province", "the town of Sadah") prefers that level; the countries
//! and provinces of the article's other places and of its dateline favour
//! candidates there. A mention with no candidate, or none inside its
//! qualifier, stays unresolved.

use super::gazetteer::{Candidate, Gazetteer, GeoPlace, Precision};
use super::normalise::{keys, KeyKind};
use crate::document::{Document, Span};
use crate::error::Result;
use regex::Regex;
use std::collections::HashSet;

/// Level words from rules/place_words.toml.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct PlaceWords {
    pub province: Vec<String>,
    pub town: Vec<String>,
}

impl PlaceWords {
    pub fn level(&self, word: &str) -> Option<Precision> {
        let w = word.to_lowercase();
        if self.province.contains(&w) {
            Some(Precision::Province)
        } else if self.town.contains(&w) {
            Some(Precision::Town)
        } else {
            None
        }
    }
}

/// Score weights (log10 population is the base).
const LEVEL_BONUS: f64 = 4.0;
const COUNTRY_BONUS: f64 = 1.5;
const ADMIN1_BONUS: f64 = 2.5;
const DATELINE_BONUS: f64 = 2.0;
const ALTERNATE_PENALTY: f64 = 0.3;
/// A candidate nothing in the article supports must be at least this
/// populous: small towns share their names with seas, regions and common
/// words ("Atlantic", Iowa; "Area").
const MIN_UNSUPPORTED_POPULATION: i64 = 10_000;
/// A city keeps its name over the province named after it ("Daraa",
/// "Hodeidah"), even when the province has the name as its main one and the
/// city as an alternate one.
const TOWN_BONUS: f64 = 0.5;

/// A mention ready for ranking: its candidates and the local evidence.
struct Mention {
    key: String,
    candidates: Vec<Candidate>,
    /// The level a neighbouring word names ("province" after it).
    level: Option<Precision>,
    /// The readings of the province or country the text puts it in ("Georgia":
    /// the country or the US state), and whether the text is explicit enough
    /// ("in Y province") that nothing outside Y will do.
    within: Option<(Vec<GeoPlace>, bool)>,
}

/// The article's other places, as evidence for a mention.
#[derive(Default)]
struct Evidence {
    countries: HashSet<String>,
    admin1: HashSet<(String, String)>,
    dateline: Option<GeoPlace>,
}

pub struct Resolver<'a> {
    pub gazetteer: &'a Gazetteer,
    pub words: &'a PlaceWords,
    pub patterns: &'a Patterns,
}

/// The regular expressions of the local evidence, compiled once.
pub struct Patterns {
    /// What may follow a mention before a qualifier: a town word, then ", "
    /// or " in ", and a capitalised name.
    after: Regex,
    /// A level word right before a mention ("the province of").
    before: Regex,
    /// An all-capitals dateline at the start of the article ("MOSUL, Iraq —").
    dateline: Regex,
}

impl Default for Patterns {
    fn default() -> Patterns {
        let name = r"\p{Lu}[\p{L}\p{M}'’‘`ʿ-]*(?:[ ](?:(?:al|el|ez|ad|ar|as|az|ash|de|del|la)[ -])?\p{Lu}[\p{L}\p{M}'’‘`ʿ-]*){0,3}";
        Patterns {
            after: Regex::new(&format!(
                r"^(?:\s+(\p{{L}}+))?(,\s*|\s+in\s+(?:the\s+)?)({name})(?:\s+(\p{{L}}+))?"
            ))
            .expect("valid regex"),
            before: Regex::new(r"(\p{L}+)\s+of\s+(?:the\s+)?$").expect("valid regex"),
            dateline: Regex::new(r"^\s*(\p{Lu}[\p{Lu}\p{M} .'’-]*\p{Lu})\s*(?:,|\(|—|–|-)")
                .expect("valid regex"),
        }
    }
}

impl Resolver<'_> {
    /// Resolves the spans of one document together: each one's evidence is
    /// the others' first-pass resolution.
    pub fn resolve(&self, doc: &Document, spans: &[Span]) -> Result<Vec<Option<GeoPlace>>> {
        let mut mentions = Vec::with_capacity(spans.len());
        for &span in spans {
            mentions.push(self.mention(doc, span)?);
        }
        let mut alone = Evidence {
            dateline: self.dateline(doc)?,
            ..Evidence::default()
        };
        let first: Vec<Option<GeoPlace>> = mentions.iter().map(|m| choose(m, &alone)).collect();
        let mut out = Vec::with_capacity(mentions.len());
        for m in &mentions {
            alone.countries.clear();
            alone.admin1.clear();
            for (j, p) in first.iter().enumerate() {
                match p {
                    Some(p) if mentions[j].key != m.key => add_evidence(&mut alone, p),
                    _ => {}
                }
            }
            out.push(choose(m, &alone));
        }
        Ok(out)
    }

    fn candidates(&self, name: &str) -> Result<(String, Vec<Candidate>)> {
        let keys = keys(name);
        let mut out: Vec<Candidate> = Vec::new();
        for (key, kind) in &keys {
            for mut c in self.gazetteer.candidates(key)? {
                if *kind == KeyKind::NoArticle {
                    c.how = c.how.max(2);
                }
                match out.iter_mut().find(|o| o.place.id == c.place.id) {
                    Some(o) => o.how = o.how.min(c.how),
                    None => out.push(c),
                }
            }
        }
        let key = keys.into_iter().next().map(|k| k.0).unwrap_or_default();
        Ok((key, out))
    }

    fn mention(&self, doc: &Document, span: Span) -> Result<Mention> {
        let text = doc.slice(span);
        // A level word inside the mention ("Nineveh province", "Kandahar
        // city") is evidence, not name.
        let mut name = text.trim();
        let mut level = None;
        if let Some((head, last)) = name.rsplit_once(' ') {
            if let Some(l) = self.words.level(last) {
                level = Some(l);
                name = head.trim();
            }
        }
        let (key, candidates) = self.candidates(name)?;
        let mut from = span.start.saturating_sub(40);
        while !doc.text.is_char_boundary(from) {
            from += 1;
        }
        let before = &doc.text[from..span.start];
        if let Some(c) = self.patterns.before.captures(before) {
            level = level.or_else(|| self.words.level(&c[1]));
        }
        let after = &doc.text[span.end..];
        let after = &after[..floor_boundary(after, 120)];
        let mut within = None;
        if let Some(c) = self.patterns.after.captures(after) {
            let leading = c.get(1).and_then(|w| self.words.level(w.as_str()));
            if c.get(1).is_none() || leading == Some(Precision::Town) {
                let trailing = c.get(4).and_then(|w| self.words.level(w.as_str()));
                let explicit = trailing == Some(Precision::Province) || c[2].trim() == "in";
                within = self
                    .qualifier(&c[3], trailing)?
                    .map(|(q, whole)| (q, explicit && whole));
            }
            if c.get(1).is_none() {
                // "Nineveh province": the word right after names the level.
            } else if level.is_none() {
                level = leading;
            }
        }
        if level.is_none() {
            if let Some(w) = after.split_whitespace().next() {
                level = self
                    .words
                    .level(w.trim_matches(|ch: char| !ch.is_alphanumeric()));
            }
        }
        Ok(Mention {
            key,
            candidates,
            level,
            within,
        })
    }

    /// The provinces and countries a qualifier may name: those of its longest
    /// leading words that name any ("Texas Governor": Texas), and whether that
    /// was all of its words (only then can the qualifier be explicit).
    fn qualifier(
        &self,
        name: &str,
        level: Option<Precision>,
    ) -> Result<Option<(Vec<GeoPlace>, bool)>> {
        let words: Vec<&str> = name.split(' ').collect();
        for n in (1..=words.len()).rev() {
            let (_, candidates) = self.candidates(&words[..n].join(" "))?;
            let readings: Vec<GeoPlace> = candidates
                .into_iter()
                .filter(|c| c.place.precision != Precision::Town)
                .filter(|c| level.is_none() || level == Some(c.place.precision))
                .map(|c| c.place)
                .collect();
            if !readings.is_empty() {
                return Ok(Some((readings, n == words.len())));
            }
        }
        Ok(None)
    }

    /// The place of an all-capitals dateline ("BAGHDAD, June 4 (Reuters) -").
    fn dateline(&self, doc: &Document) -> Result<Option<GeoPlace>> {
        let start = doc.blocks.first().map_or(0, |b| b.start);
        let head = &doc.text[start..];
        let head = &head[..floor_boundary(head, 60)];
        let Some(c) = self.patterns.dateline.captures(head) else {
            return Ok(None);
        };
        let (_, candidates) = self.candidates(&c[1])?;
        Ok(candidates
            .into_iter()
            .max_by_key(|c| (c.how == 0, c.place.population))
            .map(|c| c.place))
    }
}

/// The largest char boundary of `s` at or below `n`.
fn floor_boundary(s: &str, n: usize) -> usize {
    let mut n = n.min(s.len());
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    n
}

fn add_evidence(e: &mut Evidence, p: &GeoPlace) {
    e.countries.insert(p.country_code.clone());
    if let Some(a) = &p.admin1 {
        e.admin1.insert((p.country_code.clone(), a.clone()));
    }
}

/// Whether a candidate lies inside a qualifier (a province or a country).
fn inside(p: &GeoPlace, q: &GeoPlace) -> bool {
    p.country_code == q.country_code
        && p.id != q.id
        && (q.precision == Precision::Country || p.admin1 == q.admin1)
}

fn choose(m: &Mention, e: &Evidence) -> Option<GeoPlace> {
    let mut pool: Vec<&Candidate> = m.candidates.iter().collect();
    let mut qualified = false;
    if let Some((readings, explicit)) = &m.within {
        let inner: Vec<&Candidate> = pool
            .iter()
            .copied()
            .filter(|c| readings.iter().any(|q| inside(&c.place, q)))
            .collect();
        if !inner.is_empty() || *explicit {
            qualified = !inner.is_empty();
            pool = inner;
        }
    }
    let (_, best) = pool
        .into_iter()
        .map(|c| (score(c, m, e), c))
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    let supported = qualified || support(best, m, e) > 0.0;
    (supported || best.place.population >= MIN_UNSUPPORTED_POPULATION).then(|| best.place.clone())
}

fn score(c: &Candidate, m: &Mention, e: &Evidence) -> f64 {
    let p = &c.place;
    let mut s = ((p.population.max(0) + 10) as f64).log10() - ALTERNATE_PENALTY * c.how as f64;
    if p.precision == Precision::Town {
        s += TOWN_BONUS;
    }
    s + support(c, m, e)
}

/// The bonus the article's evidence gives a candidate (0: none supports it).
fn support(c: &Candidate, m: &Mention, e: &Evidence) -> f64 {
    let p = &c.place;
    let mut s = 0.0;
    if m.level == Some(p.precision) {
        s += LEVEL_BONUS;
    }
    if e.countries.contains(&p.country_code) {
        s += COUNTRY_BONUS;
    }
    if let Some(a) = &p.admin1 {
        if e.admin1.contains(&(p.country_code.clone(), a.clone())) {
            s += ADMIN1_BONUS;
        }
    }
    if let Some(d) = &e.dateline {
        if d.country_code == p.country_code {
            s += DATELINE_BONUS;
        }
    }
    s
}
