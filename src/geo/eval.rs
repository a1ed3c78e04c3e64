//! `eval-geo`: scores place resolution on a hand-made test set
//! (data/geo/places.tsv): accuracy on the places the gazetteer can resolve,
//! correct refusals on those it cannot, and the share of resolved places more
//! than 50 km from where they should be.

use super::{distance_km, GeoStage};
use crate::document::{Document, Span};
use crate::error::{Error, Result};
use crate::pipeline::Pipeline;
use std::path::Path;
use std::time::Instant;

/// One gold place mention.
#[derive(Debug, Clone)]
pub struct GoldPlace {
    pub doc: String,
    /// `dev` (tuned on) or `test` (held out).
    pub half: String,
    pub mention: String,
    /// A GeoNames id or admin1 code; `None` (written `-`): no entry fits.
    pub expected: Option<String>,
    pub text: String,
}

/// Reads the TSV: doc, half, mention, expected id, text. Lines starting with
/// `#` are comments; a row with an empty text reuses its document's text.
pub fn read(path: &Path) -> Result<Vec<GoldPlace>> {
    let source = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut out: Vec<GoldPlace> = Vec::new();
    for (n, line) in source.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let bad = |reason: &str| Error::format(path, Some(n as u64 + 1), reason);
        if f.len() != 5 {
            return Err(bad(
                "expected 5 tab-separated fields: doc, half, mention, id, text",
            ));
        }
        let text = match (f[4].trim(), out.last()) {
            ("", Some(prev)) if prev.doc == f[0] => prev.text.clone(),
            ("", _) => return Err(bad("empty text for a new document")),
            (t, _) => t.to_string(),
        };
        if !text.contains(f[2]) {
            return Err(bad(&format!("mention {:?} is not in the text", f[2])));
        }
        out.push(GoldPlace {
            doc: f[0].into(),
            half: f[1].into(),
            mention: f[2].into(),
            expected: (f[3] != "-").then(|| f[3].to_string()),
            text,
        });
    }
    Ok(out)
}

/// Counts for one half of the test set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GeoScore {
    /// Mentions with an expected entry, and how many resolved to it.
    pub resolvable: usize,
    pub correct: usize,
    /// Resolvable mentions resolved to something, and how many of those lie
    /// more than 50 km from the expected entry.
    pub resolved: usize,
    pub far: usize,
    /// Mentions no entry fits, and how many stayed unresolved.
    pub unresolvable: usize,
    pub refused: usize,
    /// Gold mentions that the pipeline found as place mentions itself.
    pub found_by_pipeline: usize,
    pub mentions: usize,
}

impl GeoScore {
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct, self.resolvable)
    }
    pub fn far_share(&self) -> f64 {
        ratio(self.far, self.resolved)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// One scored mention, for the listing of errors.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub gold: GoldPlace,
    pub got: Option<super::GeoPlace>,
    pub km: Option<f64>,
}

impl Outcome {
    pub fn correct(&self) -> bool {
        self.gold.expected.as_deref() == self.got.as_ref().map(|p| p.id.as_str())
    }
}

/// Resolves the gold mentions of one processed document.
pub fn score_document(geo: &GeoStage, doc: &Document, gold: &[GoldPlace]) -> Result<Vec<Outcome>> {
    let spans: Vec<Span> = gold
        .iter()
        .map(|g| {
            let start = doc.text.find(&g.mention).unwrap_or(0);
            Span::new(start, start + g.mention.len())
        })
        .collect();
    let got = geo.resolve_spans(doc, &spans)?;
    let mut out = Vec::with_capacity(gold.len());
    for (g, p) in gold.iter().zip(got) {
        let km = match (&g.expected, &p) {
            (Some(id), Some(p)) => geo
                .gazetteer()
                .get(id)?
                .map(|e| distance_km((e.latitude, e.longitude), (p.latitude, p.longitude))),
            _ => None,
        };
        out.push(Outcome {
            gold: g.clone(),
            got: p,
            km,
        });
    }
    Ok(out)
}

/// Adds an outcome to a score; `found`: the pipeline had the mention itself.
pub fn add(score: &mut GeoScore, o: &Outcome, found: bool) {
    score.mentions += 1;
    score.found_by_pipeline += usize::from(found);
    match &o.gold.expected {
        Some(_) => {
            score.resolvable += 1;
            score.correct += usize::from(o.correct());
            if o.got.is_some() {
                score.resolved += 1;
                score.far += usize::from(o.km.is_none_or(|k| k > 50.0));
            }
        }
        None => {
            score.unresolvable += 1;
            score.refused += usize::from(o.got.is_none());
        }
    }
}

impl Outcome {
    /// One line for the listing of wrong resolutions.
    pub fn describe(&self) -> String {
        let got = self.got.as_ref().map_or("nothing".to_string(), |p| {
            format!(
                "{} {} ({}, {})",
                p.id,
                p.name,
                p.admin1.as_deref().unwrap_or("-"),
                p.country_code
            )
        });
        format!(
            "wrong {} {:?}: expected {}, got {got}{}",
            self.gold.doc,
            self.gold.mention,
            self.gold.expected.as_deref().unwrap_or("nothing"),
            self.km
                .map(|k| format!(", {k:.0} km off"))
                .unwrap_or_default()
        )
    }
}

/// Scores of a whole test set.
pub struct EvalReport {
    pub dev: GeoScore,
    pub test: GeoScore,
    pub outcomes: Vec<Outcome>,
    /// Time spent resolving (look-ups and ranking), not running the pipeline.
    pub seconds: f64,
}

/// Runs the pipeline on each test document, then resolves its gold mentions
/// with the document's own places as context.
pub fn evaluate(pipeline: &Pipeline, gold: &[GoldPlace]) -> Result<EvalReport> {
    let geo = pipeline.geo().ok_or_else(|| Error::Gazetteer {
        path: super::gazetteer::DEFAULT_PATH.into(),
        reason: pipeline.geo_warning().unwrap_or("no gazetteer").into(),
    })?;
    let mut docs: Vec<Document> = Vec::new();
    for g in gold {
        if docs.last().is_none_or(|d| d.id != g.doc) {
            docs.push(Document::new(&g.doc, g.text.clone()));
        }
    }
    pipeline.process(&mut docs);
    let mut report = EvalReport {
        dev: GeoScore::default(),
        test: GeoScore::default(),
        outcomes: Vec::new(),
        seconds: 0.0,
    };
    for doc in &docs {
        let mine: Vec<GoldPlace> = gold.iter().filter(|g| g.doc == doc.id).cloned().collect();
        let started = Instant::now();
        let outcomes = score_document(geo, doc, &mine)?;
        report.seconds += started.elapsed().as_secs_f64();
        for o in outcomes {
            let at = doc.text.find(&o.gold.mention).unwrap_or(0);
            let span = Span::new(at, at + o.gold.mention.len());
            let found = doc.places.iter().any(|p| p.span.overlaps(&span));
            let half = if o.gold.half == "dev" {
                &mut report.dev
            } else {
                &mut report.test
            };
            add(half, &o, found);
            report.outcomes.push(o);
        }
    }
    Ok(report)
}

/// One line of the report.
pub fn format_score(name: &str, s: &GeoScore) -> String {
    format!(
        "{name:<5} accuracy {:.1}% ({}/{} resolvable)  >50 km {:.1}% ({}/{} resolved)  \
         unresolvable kept unresolved {}/{}  found by the pipeline's NER {}/{}",
        100.0 * s.accuracy(),
        s.correct,
        s.resolvable,
        100.0 * s.far_share(),
        s.far,
        s.resolved,
        s.refused,
        s.unresolvable,
        s.found_by_pipeline,
        s.mentions
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_shipped_set() {
        let gold = read(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/geo/places.tsv"
        )))
        .expect("valid test set");
        assert!(gold.len() >= 100, "{}", gold.len());
        assert!(gold.iter().all(|g| g.half == "dev" || g.half == "test"));
    }

    #[test]
    fn a_bad_row_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("g.tsv");
        std::fs::write(&p, "# c\nd1\tdev\tMosul\t99072\tIn Basra.\n").unwrap();
        let e = read(&p).unwrap_err().to_string();
        assert!(e.contains(":2") && e.contains("Mosul"), "{e}");
    }
}
