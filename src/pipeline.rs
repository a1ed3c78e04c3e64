//! The pipeline: ingest → clean → segment → ner → time → events → resolve → geo → output.
//!
//! Documents stream through in batches: the text stages run per document, the
//! NER stage once per batch (sentences of many documents share forward passes).
//! A failure inside a stage — even a panic — is confined to its document, which
//! is written out with its `error`; the run goes on.

use crate::clean::{BoilerplateRules, Cleaner};
use crate::document::{DateSource, Document, Span, TimeExpr};
use crate::error::Error;
use crate::error::Result;
use crate::events::syntax::SyntaxEvents;
use crate::geo::GeoStage;
use crate::ner::Tagger;
use crate::output::{OutputDir, Replay, Sink};
use crate::resolve::ActorRules;
use crate::rules::RuleFile;
use crate::segment::{Abbreviations, Segmenter};
use crate::syntax::Parser;
use rayon::prelude::*;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::Instant;
use tch::Device;

/// Where the pipeline's model and rules come from.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    pub model: PathBuf,
    pub device: Device,
    /// `None`: the built-in rules (the files under `rules/` at build time).
    pub boilerplate: Option<PathBuf>,
    pub abbreviations: Option<PathBuf>,
    /// The events rules (the format of `rules/events_syntax.toml`).
    pub events: Option<PathBuf>,
    pub actors: Option<PathBuf>,
    /// A parser directory (`models/parser-en-ewt`): the syntax stage gives every
    /// word its lemma, tags, head and relation. `None`: no syntax stage.
    pub parser: Option<PathBuf>,
    /// Whether the events stage runs. It reads the parse, so it needs
    /// `parser`; `false`: entities, dates and places only (`extract
    /// --no-events`), with or without the syntax stage.
    pub run_events: bool,
    /// Documents per NER batch.
    pub batch_docs: usize,
    /// Overrides of the tagger's defaults.
    pub tagging: Tagging,
    /// The place index of the geo stage; `None`, or a file that cannot be
    /// opened: no geo stage (see [`Pipeline::geo_warning`]).
    pub gazetteer: Option<PathBuf>,
}

/// How the model is run: number format, decoding, context.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tagging {
    pub precision: crate::ner::Precision,
    pub decode: crate::ner::Decode,
    /// Pieces of neighbouring sentences as context; `None`: as trained.
    pub context: Option<usize>,
    /// Word pieces per forward batch; `None`: the tagger's default for the device.
    pub batch_pieces: Option<usize>,
}

impl Tagging {
    pub fn apply(&self, tagger: &mut Tagger) {
        tagger.set_precision(self.precision);
        tagger.decode = self.decode;
        if let Some(c) = self.context {
            tagger.context = c;
        }
        if let Some(b) = self.batch_pieces {
            tagger.batch_pieces = b.max(1);
        }
    }
}

/// Counts for the final summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub documents: usize,
    pub failed: usize,
    pub events: usize,
    pub entities: usize,
    /// Words (tokens) of the article text the model labelled.
    pub words: usize,
}

impl Summary {
    /// Counts one written document.
    pub fn add(&mut self, doc: &Document) {
        self.documents += 1;
        if doc.error.is_some() {
            self.failed += 1;
        }
        self.events += doc.events.len();
        self.entities += doc.entities.len();
        self.words += doc.sentences.iter().map(|s| s.tokens.len()).sum::<usize>();
    }
}

/// Reports progress as documents are written.
pub trait Progress {
    fn update(&mut self, summary: &Summary);
    fn finish(&mut self, summary: &Summary, elapsed: std::time::Duration);
}

/// No progress output.
pub struct Silent;

impl Progress for Silent {
    fn update(&mut self, _: &Summary) {}
    fn finish(&mut self, _: &Summary, _: std::time::Duration) {}
}

pub struct Pipeline {
    text: TextStages,
    tagger: Tagger,
    /// The syntax stage: parser heads on the tagger's encoder, if asked for.
    parser: Option<Parser>,
    batch_docs: usize,
    /// Why the geo stage is off although a gazetteer was asked for.
    geo_warning: Option<String>,
}

/// The stages that work on one document's text alone. Kept apart from the
/// tagger (whose tensors are not `Sync`) so that they can run on all cores.
struct TextStages {
    cleaner: Cleaner,
    segmenter: Segmenter,
    /// `None`: no events stage (`PipelineConfig::run_events` off).
    events: Option<SyntaxEvents>,
    actors: ActorRules,
    geo: Option<GeoStage>,
}

/// The events stage's rules, when the events stage runs.
fn load_events(config: &PipelineConfig) -> Result<Option<SyntaxEvents>> {
    if !config.run_events {
        return Ok(None);
    }
    let file = config.events.as_deref();
    if config.parser.is_none() {
        return Err(crate::error::Error::Rules {
            path: file.unwrap_or(Path::new(SyntaxEvents::BUILTIN_PATH)).into(),
            reason: "the events stage needs the syntax stage (a parser)".into(),
        });
    }
    Ok(Some(SyntaxEvents::load_or_builtin(file)?))
}

impl TextStages {
    /// Runs a stage on one document, turning a panic into the document's error.
    fn guarded(doc: &mut Document, stage: &str, f: impl FnOnce(&mut Document)) {
        if doc.error.is_some() {
            return;
        }
        if let Err(p) = catch_unwind(AssertUnwindSafe(|| f(doc))) {
            doc.error = Some(format!(
                "internal error in stage {stage}: {}",
                panic_message(p)
            ));
        }
    }

    fn prepare(&self, doc: &mut Document) {
        if doc.error.is_none() && doc.text.trim().is_empty() {
            doc.error = Some("empty document: no text".into());
        }
        TextStages::guarded(doc, "clean", |d| self.cleaner.process(d));
        TextStages::guarded(doc, "segment", |d| self.segmenter.process(d));
        if doc.is_ok() && doc.sentences.is_empty() {
            doc.error = Some("no article text left after removing boilerplate".into());
        }
    }

    /// The stages after NER.
    fn finish_doc(&self, doc: &mut Document) {
        TextStages::guarded(doc, "time", time_stage);
        if let Some(events) = &self.events {
            TextStages::guarded(doc, "events", |d| events.process(d));
        }
        TextStages::guarded(doc, "resolve", |d| self.actors.process(d));
        if let Some(geo) = &self.geo {
            TextStages::guarded(doc, "geo", |d| geo.process(d));
            // Resolved places tell "inside Iraq" and "near Baghdad airport"
            // apart from "in Iraq" and "in Syria".
            if self.events.is_some() {
                TextStages::guarded(doc, "events", crate::events::syntax::nested::merge);
            }
        }
    }
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

impl Pipeline {
    pub fn new(config: &PipelineConfig) -> Result<Pipeline> {
        // Checked before the model loads: a bad rule file or a missing parser
        // fails at once.
        let events = load_events(config)?;
        // With a parser, the tagger keeps every layer's states so that NER and
        // syntax share one forward pass.
        let mut tagger = match &config.parser {
            Some(_) => Tagger::load_with_hidden_states(&config.model, config.device)?,
            None => Tagger::load(&config.model, config.device)?,
        };
        config.tagging.apply(&mut tagger);
        let parser = match &config.parser {
            Some(dir) => {
                let mut parser = Parser::load(dir, &tagger)?;
                parser.set_precision(config.tagging.precision);
                Some(parser)
            }
            None => None,
        };
        // A missing place index must not stop a run: places stay unresolved
        // and the caller reports why.
        let (geo, geo_warning) = match config.gazetteer.as_deref().map(GeoStage::open) {
            Some(Ok(g)) => (Some(g), None),
            Some(Err(e)) => (None, Some(format!("places are not resolved: {e}"))),
            None => (None, None),
        };
        Ok(Pipeline {
            text: TextStages {
                cleaner: Cleaner::new(BoilerplateRules::load_or_builtin(
                    config.boilerplate.as_deref(),
                )?),
                segmenter: Segmenter::new(Abbreviations::load_or_builtin(
                    config.abbreviations.as_deref(),
                )?),
                events,
                actors: ActorRules::load_or_builtin(config.actors.as_deref())?,
                geo,
            },
            tagger,
            parser,
            batch_docs: config.batch_docs.max(1),
            geo_warning,
        })
    }

    pub fn tagger(&self) -> &Tagger {
        &self.tagger
    }

    /// The geo stage, when its gazetteer could be opened.
    pub fn geo(&self) -> Option<&GeoStage> {
        self.text.geo.as_ref()
    }

    /// Why places are not resolved in this run (the gazetteer asked for
    /// could not be opened), for the caller to tell the user.
    pub fn geo_warning(&self) -> Option<&str> {
        self.geo_warning.as_deref()
    }

    /// The text stages before NER (ingest checks, clean, segment).
    pub fn prepare(&self, doc: &mut Document) {
        self.text.prepare(doc)
    }

    /// Runs every stage on a batch of documents. The text stages run on the
    /// rayon pool, one document per task; each document's result depends only
    /// on the document, so output is the same for any number of threads.
    pub fn process(&self, docs: &mut [Document]) {
        let text = &self.text;
        docs.par_iter_mut().for_each(|doc| text.prepare(doc));
        let parser = self.parser.as_ref();
        let ner = catch_unwind(AssertUnwindSafe(|| self.tagger.process(docs, parser)));
        if !matches!(ner, Ok(Ok(()))) {
            // Find the culprit: run the documents one by one.
            for doc in docs.iter_mut() {
                doc.entities.clear();
                for sentence in &mut doc.sentences {
                    sentence.syntax.clear();
                }
                if doc.error.is_some() {
                    continue;
                }
                match catch_unwind(AssertUnwindSafe(|| {
                    self.tagger.process(std::slice::from_mut(doc), parser)
                })) {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => doc.error = Some(format!("ner: {e}")),
                    Err(p) => {
                        doc.error =
                            Some(format!("internal error in stage ner: {}", panic_message(p)))
                    }
                }
            }
        }
        docs.par_iter_mut().for_each(|doc| text.finish_doc(doc));
    }

    /// Streams documents through the stages into a sink.
    pub fn run(
        &self,
        documents: impl Iterator<Item = Document>,
        sink: &mut dyn Sink,
        progress: &mut dyn Progress,
    ) -> Result<Summary> {
        self.run_from(documents, sink, progress, Summary::default())
    }

    /// Continues an interrupted run: the journal's documents go to the fresh
    /// outputs as they are, the matching input documents are skipped, and the
    /// rest are processed. The inputs must be the interrupted run's: each
    /// skipped input document must have the journalled document's id.
    pub fn resume(
        &self,
        documents: impl Iterator<Item = Document>,
        out: &mut OutputDir,
        mut replay: Replay,
        progress: &mut dyn Progress,
    ) -> Result<Summary> {
        let mut documents = documents;
        let mut summary = Summary::default();
        while let Some(done) = replay.next_doc()? {
            let position = summary.documents + 1;
            let mismatch = |now: &str| {
                Error::Input {
                path: PathBuf::from(crate::output::JOURNAL),
                reason: format!(
                    "document {position} of the interrupted run is {:?}, but the inputs now give {now}: \
                     resume with the same inputs, or run again without --resume",
                    done.id
                ),
            }
            };
            match documents.next() {
                Some(input) if input.id == done.id => {}
                Some(input) => return Err(mismatch(&format!("{:?}", input.id))),
                None => return Err(mismatch("no more documents")),
            }
            out.write(&done)?;
            summary.add(&done);
        }
        out.continue_journal(replay)?;
        progress.update(&summary);
        self.run_from(documents, out, progress, summary)
    }

    fn run_from(
        &self,
        documents: impl Iterator<Item = Document>,
        sink: &mut dyn Sink,
        progress: &mut dyn Progress,
        mut summary: Summary,
    ) -> Result<Summary> {
        let started = Instant::now();
        let mut batch = Vec::with_capacity(self.batch_docs);
        let mut documents = documents.peekable();
        while documents.peek().is_some() {
            batch.clear();
            batch.extend(documents.by_ref().take(self.batch_docs));
            self.process(&mut batch);
            for doc in &batch {
                sink.write(doc)?;
                summary.add(doc);
            }
            sink.sync()?;
            crate::memory::release_free_memory();
            progress.update(&summary);
        }
        progress.finish(&summary, started.elapsed());
        Ok(summary)
    }
}

/// The time stage: anchors the document (given date, else one found in the
/// page), then finds temporal expressions in the article text.
pub fn time_stage(doc: &mut Document) {
    if doc.published.is_none() {
        if let Some(found) = crate::time::infer_publication_date(&doc.text) {
            doc.published = Some(found.date);
            doc.published_source = Some(DateSource::Text);
            doc.published_span = Some(Span::new(found.start, found.end));
        }
    }
    let blocks = &doc.blocks;
    doc.times = crate::time::annotate(&doc.text, doc.published)
        .into_iter()
        .map(|t| TimeExpr {
            span: Span::new(t.start, t.end),
            timex_type: t.timex_type.as_str().to_string(),
            value: t.value,
        })
        // Dates in boilerplate (an "Updated:" line) are not the article's.
        .filter(|t| in_blocks(blocks, &t.span))
        .collect();
}

/// Whether a span lies inside one of the article's blocks. Blocks are disjoint
/// and in text order, so only the last one starting at or before the span can
/// hold it: a binary search, not a pass over every block per time expression.
fn in_blocks(blocks: &[Span], span: &Span) -> bool {
    let n = blocks.partition_point(|b| b.start <= span.start);
    n > 0 && blocks[n - 1].contains(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_events_stage_without_a_parser_is_refused_before_the_model_loads() {
        let mut config = PipelineConfig {
            model: "no/such/model".into(),
            device: Device::Cpu,
            boilerplate: None,
            abbreviations: None,
            events: None,
            actors: None,
            parser: None,
            run_events: true,
            batch_docs: 1,
            tagging: Tagging::default(),
            gazetteer: None,
        };
        let err = Pipeline::new(&config).err().unwrap().to_string();
        assert!(err.contains("needs the syntax stage"), "{err}");
        // Without the events stage, the next thing to fail is the model.
        config.run_events = false;
        let err = Pipeline::new(&config).err().unwrap().to_string();
        assert!(err.contains("no/such/model"), "{err}");
    }
}
