//! The geo stage: resolves place mentions (NER `LOC` entities, and events'
//! `Place` arguments that hold none) to GeoNames entries of the offline
//! gazetteer, with country, first-level division, coordinates and precision.
//! Without a gazetteer the stage is off and the run says why.

pub mod eval;
pub mod gazetteer;
pub mod normalise;
pub mod resolve;

pub use gazetteer::{distance_km, Gazetteer, GeoPlace, Precision};
use resolve::{Patterns, PlaceWords, Resolver};

use crate::document::{Document, PlaceMention, Span};
use crate::error::{Error, Result};
use crate::rules::RuleFile;
use std::path::Path;

impl RuleFile for PlaceWords {
    const BUILTIN: &'static str = include_str!("../../rules/place_words.toml");
    const BUILTIN_PATH: &'static str = "rules/place_words.toml";

    fn parse(source: &str, path: &Path) -> Result<PlaceWords> {
        toml::from_str(source).map_err(|e| Error::Rules {
            path: path.into(),
            reason: e.to_string(),
        })
    }
}

/// The stage: the open gazetteer and the rules of local evidence.
pub struct GeoStage {
    gazetteer: Gazetteer,
    words: PlaceWords,
    patterns: Patterns,
}

impl GeoStage {
    pub fn open(gazetteer: &Path) -> Result<GeoStage> {
        Ok(GeoStage {
            gazetteer: Gazetteer::open(gazetteer)?,
            words: PlaceWords::builtin(),
            patterns: Patterns::default(),
        })
    }

    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    fn resolver(&self) -> Resolver<'_> {
        Resolver {
            gazetteer: &self.gazetteer,
            words: &self.words,
            patterns: &self.patterns,
        }
    }

    /// Resolves the document's place mentions into `doc.places`. A failing
    /// look-up becomes a warning on the document; its places stay unresolved.
    pub fn process(&self, doc: &mut Document) {
        let spans = place_spans(doc);
        let resolved = match self.resolver().resolve(doc, &spans) {
            Ok(r) => r,
            Err(e) => {
                doc.warnings.push(format!("places not resolved: {e}"));
                vec![None; spans.len()]
            }
        };
        doc.places = spans
            .into_iter()
            .zip(resolved)
            .map(|(span, place)| PlaceMention { span, place })
            .collect();
    }

    /// Resolves given spans of a processed document, its own places as
    /// context (for scoring against gold mentions).
    pub fn resolve_spans(&self, doc: &Document, spans: &[Span]) -> Result<Vec<Option<GeoPlace>>> {
        let mut all: Vec<Span> = spans.to_vec();
        all.extend(
            place_spans(doc)
                .into_iter()
                .filter(|s| !spans.iter().any(|g| g.overlaps(s))),
        );
        let mut out = self.resolver().resolve(doc, &all)?;
        out.truncate(spans.len());
        Ok(out)
    }
}

/// The place mentions of a document in text order: `LOC` entities, then
/// `Place` arguments that overlap none of them and hold a capitalised word
/// (a name: "the area" or "headquarters" are not looked up).
pub fn place_spans(doc: &Document) -> Vec<Span> {
    let mut spans: Vec<Span> = doc
        .entities
        .iter()
        .filter(|e| e.label == "LOC")
        .map(|e| e.span)
        .collect();
    let args: Vec<Span> = doc
        .events
        .iter()
        .flat_map(|e| &e.arguments)
        .filter(|a| a.role == "Place" && doc.slice(a.span).chars().any(char::is_uppercase))
        .map(|a| a.span)
        .filter(|s| !spans.iter().any(|e| e.overlaps(s)))
        .collect();
    for s in args {
        if !spans.contains(&s) {
            spans.push(s);
        }
    }
    spans.sort();
    spans
}
