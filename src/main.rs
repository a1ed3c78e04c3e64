//! The `casefile` command line: argument parsing, progress and error reporting
//! over the library. Exit codes: 0 all documents processed, 1 the run could not
//! proceed (bad input path, unloadable model or rules, unwritable output),
//! 2 bad command-line usage, 3 the run finished but some documents failed.

use anyhow::{Context, Result};
use casefile::ner::conll::ConllFile;
use casefile::ner::train::{self, TrainConfig};
use casefile::ner::{Decode, DeviceChoice, Precision, Tagger};
use casefile::output::{OutputDir, OutputOptions, RunInfo, Sink};
use casefile::pipeline::{Pipeline, PipelineConfig, Progress, Silent, Summary, Tagging};
use casefile::rules::RuleFile;
use casefile::syntax::conllu::ConlluFile;
use casefile::syntax::Parser as SyntaxParser;
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

mod stream;

/// Exit code when some documents failed but the run completed.
const EXIT_SOME_FAILED: u8 = 3;

#[derive(Parser)]
#[command(
    name = "casefile",
    version,
    about = "Turns news articles into structured events: who did what to whom, where and when."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct ModelArgs {
    /// Token-classification model directory (Hugging Face layout). Default:
    /// $CASEFILE_MODEL, else models/ner-en-conll of this checkout.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Where to run the model: auto uses CUDA when libtorch sees a GPU.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    device: DeviceChoice,
    /// Word pieces of neighbouring sentences given to the model as context on
    /// each side (default: what the model was trained with).
    #[arg(long)]
    context: Option<usize>,
    /// Number format at inference (auto: bf16 where the CPU has native bf16
    /// instructions, else f32).
    #[arg(long, value_enum, default_value_t = Precision::Auto)]
    precision: Precision,
    /// How word labels are read from the model's scores.
    #[arg(long, value_enum, default_value_t = Decode::Viterbi)]
    decode: Decode,
    /// Word pieces per forward batch (rows × padded length); default: tuned
    /// per device.
    #[arg(long)]
    batch_pieces: Option<usize>,
}

impl ModelArgs {
    fn tagging(&self) -> Tagging {
        Tagging {
            precision: self.precision,
            decode: self.decode,
            context: self.context,
            batch_pieces: self.batch_pieces,
        }
    }

    /// The pipeline on this model with the built-in rules, no syntax stage
    /// and no events stage; callers override what they set.
    fn pipeline_config(&self) -> Result<PipelineConfig> {
        Ok(PipelineConfig {
            model: self.model.clone().unwrap_or_else(default_model),
            tagging: self.tagging(),
            device: self.device.resolve()?,
            boilerplate: None,
            abbreviations: None,
            events: None,
            actors: None,
            parser: None,
            run_events: false,
            batch_docs: 32,
            gazetteer: Some(default_gazetteer()),
        })
    }
}

/// The arguments of `extract`.
#[derive(Args)]
struct ExtractArgs {
    /// .txt, .jsonl, .csv and .html/.htm files, directories (recursive), glob
    /// patterns ("dumps/*.jsonl"), or - for JSONL on stdin.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Output directory for documents.jsonl, events.csv, event_arguments.csv,
    /// entities.csv, errors.csv, merged_events.csv and run.json (the settings).
    /// `-`: only the documents.jsonl lines, on standard output, each batch
    /// flushed as it is done (a worker of a distributed job; exit 0 when
    /// every document got its line, failed ones included).
    #[arg(long)]
    out: PathBuf,
    /// With `-` as input: each line of standard input is a JSON array
    /// [PATH, LINE, RAW], line LINE of the JSONL file PATH, read as a run
    /// on that file reads it (ids, sources); how spark/casefile_job.py
    /// hands a partition to a worker.
    #[arg(long)]
    framed: bool,
    #[command(flatten)]
    model: ModelArgs,
    /// Event rules file, in the format of rules/events_syntax.toml
    /// (default: the built-in one).
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Boilerplate rules file (default: built-in rules/boilerplate.toml).
    #[arg(long)]
    boilerplate: Option<PathBuf>,
    /// Abbreviation list (default: built-in rules/abbreviations.txt).
    #[arg(long)]
    abbreviations: Option<PathBuf>,
    /// Actor aliases (default: built-in rules/actors.toml).
    #[arg(long)]
    actors: Option<PathBuf>,
    /// How events are coded in coded_events.csv and the coded fields of
    /// --db and --jsonl (default: built-in rules/coding.toml).
    #[arg(long, value_name = "FILE")]
    coding: Option<PathBuf>,
    /// Start CSV files with a byte-order mark so Excel shows non-ASCII names.
    #[arg(long)]
    excel: bool,
    /// Also write or update a SQLite knowledge base: documents, canonical
    /// entities, mentions, merged events and their sources. Later runs
    /// upsert into it: the same documents add nothing twice, and a new
    /// report of a stored event joins it as another source.
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
    /// Also write an event stream: one JSON object per event mention, with
    /// its merged event and that event's source documents.
    #[arg(long, value_name = "FILE")]
    jsonl: Option<PathBuf>,
    /// Documents per NER batch: their sentences are sorted by length and
    /// share forward passes. 128 ran 9% faster than 32 on generated
    /// articles (make bench); memory grows with it.
    #[arg(long, default_value_t = 128)]
    batch_docs: usize,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
    /// Also write the final summary (documents, failed, events, entities,
    /// words, seconds) as JSON to this file.
    #[arg(long)]
    stats: Option<PathBuf>,
    /// CSV inputs: the column holding the article text.
    #[arg(long, default_value = "text")]
    text_column: String,
    /// CSV inputs: the column holding the document id (else FILE:LINE).
    #[arg(long, default_value = "id")]
    id_column: String,
    /// CSV inputs: the column holding the publication date (YYYY-MM-DD...).
    #[arg(long, default_value = "published")]
    date_column: String,
    /// Continue a run into the same --out that was interrupted (killed,
    /// crashed, out of power), with the same inputs and options: documents
    /// already done are not processed again, and the final files are those
    /// an uninterrupted run would have written.
    #[arg(long)]
    resume: bool,
    /// Worker threads for the text stages (0: one per core). Output is the
    /// same for any number. The model's own threads are libtorch's (one
    /// per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// The parser of the syntax stage (lemmas, tags, heads and relations
    /// for every word), which the events stage reads; default: the shipped
    /// models/parser-en-ewt. It reads the NER model's encoder states, so
    /// both share one forward pass. The syntax stage runs unless
    /// --no-events is given without --syntax.
    #[arg(long, value_name = "DIR")]
    parser: Option<PathBuf>,
    /// Write the parse into documents.jsonl (per sentence, its words with
    /// text, start, end, lemma, upos, xpos, feats, head, deprel). Runs the
    /// syntax stage with --parser, or the default models/parser-en-ewt.
    #[arg(long)]
    syntax: bool,
    /// Also write report.html into --out: one self-contained page with
    /// the run's overview, timeline, events table, documents and errors
    /// (as `casefile report` does).
    #[arg(long)]
    report: bool,
    /// With --report: how many documents' full texts the page carries
    /// (those with the most events); counts and tables cover all.
    #[arg(long, value_name = "N", default_value_t = casefile::report::DEFAULT_DOCS)]
    report_docs: usize,
    /// Entities, dates and places only: no events stage, and no syntax
    /// stage unless --syntax asks for the parse. Every output file is
    /// still written, documents with no events and the event files with
    /// their header only. Runs with any token-classification model (the
    /// shipped parser reads the shipped model's encoder only).
    #[arg(long)]
    no_events: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Extract entities, dates and events from articles.
    Extract(Box<ExtractArgs>),
    /// Write the outputs of extract (CSV files, merged events,
    /// documents.jsonl) into --out from documents.jsonl lines, such as the
    /// `extract --out -` workers of a distributed job stream; the lines must
    /// be in input order for the files to equal a single run's.
    Merge {
        /// documents.jsonl files, or - for standard input, read in order.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        #[arg(long)]
        out: PathBuf,
        /// Start CSV files with a byte-order mark so Excel shows non-ASCII names.
        #[arg(long)]
        excel: bool,
        /// How events are coded in coded_events.csv (default: built-in
        /// rules/coding.toml).
        #[arg(long, value_name = "FILE")]
        coding: Option<PathBuf>,
        /// No summary line.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Write OUT_DIR/report.html from the outputs of a finished extract run
    /// in OUT_DIR: one self-contained page (no network) with an overview and
    /// timeline, the merged events (sortable, filterable, with their
    /// sentences), documents with highlighted entities, dates and events, and
    /// the failed documents.
    Report {
        /// The --out directory of an extract run.
        dir: PathBuf,
        /// How many documents' full texts the page carries (those with the
        /// most events); counts, timeline and events table cover all.
        #[arg(long = "report-docs", visible_alias = "docs", value_name = "N",
              default_value_t = casefile::report::DEFAULT_DOCS)]
        docs: usize,
    },
    /// Label a CoNLL file: print each line with the predicted IOB2 tag appended.
    TagConll {
        file: PathBuf,
        /// Instead, print one JSON line per sentence listing its entities as
        /// [start, end, type], character offsets into the sentence's words
        /// joined by single spaces (the form a Python pipeline's output takes).
        #[arg(long)]
        spans: bool,
        #[command(flatten)]
        model: ModelArgs,
    },
    /// Score place resolution on a TSV of place mentions with their expected
    /// GeoNames ids (data/geo/places.tsv): accuracy and share > 50 km off,
    /// per half (dev, test).
    EvalGeo {
        file: PathBuf,
        #[command(flatten)]
        model: ModelArgs,
        /// Also print every wrong resolution.
        #[arg(long)]
        errors: bool,
    },
    /// Score the model on a CoNLL file with gold tags (conlleval's definition).
    EvalNer {
        file: PathBuf,
        #[command(flatten)]
        model: ModelArgs,
    },
    /// Fine-tune an encoder for token classification on a CoNLL (IOB2) file.
    TrainNer {
        #[command(flatten)]
        config: TrainConfig,
        /// Threads for libtorch on CPU (0: libtorch's default).
        #[arg(long, default_value_t = 0)]
        threads: i32,
        #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
        device: DeviceChoice,
    },
    /// Score event extraction on M2E2 sentence records (ACE types): trigger and
    /// argument identification and classification.
    EvalEvents {
        file: PathBuf,
        #[command(flatten)]
        model: ModelArgs,
        /// Event rules file, in the format of rules/events_syntax.toml
        /// (default: the built-in one).
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Also write, per document, the predicted and gold triggers and
        /// arguments as JSON lines to this file (for tuning rules).
        #[arg(long)]
        dump: Option<PathBuf>,
        /// Instead of running the pipeline, print what a plain word list
        /// fitted to the gold triggers scores: on the same documents, and on
        /// held-out folds of documents (a yardstick for the rules).
        #[arg(long)]
        lexicon_ceiling: bool,
        /// Score only the first or second half of the documents by sorted
        /// id: develop on the first, judge on the second.
        #[arg(long, value_enum, default_value_t = casefile::events::eval::Half::All)]
        half: casefile::events::eval::Half,
        /// The parser of the syntax stage (default: the shipped
        /// models/parser-en-ewt).
        #[arg(long)]
        parser: Option<PathBuf>,
    },
    /// Time the model's forward passes alone on the batches casefile would run
    /// (for `make bench`): a CoNLL file with --conll, else articles as for
    /// extract (cleaned and split before the clock starts). Prints JSON.
    #[command(hide = true)]
    BenchForward {
        #[arg(required = true)]
        inputs: Vec<String>,
        /// The input is one CoNLL file.
        #[arg(long)]
        conll: bool,
        #[command(flatten)]
        model: ModelArgs,
    },
    /// Train the syntax parser (lemma, UPOS, XPOS, FEATS, dependencies) on
    /// CoNLL-U files, as heads over the frozen encoder of an NER model.
    TrainParser {
        #[command(flatten)]
        config: casefile::syntax::train::TrainConfig,
        /// Threads for libtorch on CPU (0: libtorch's default).
        #[arg(long, default_value_t = 0)]
        threads: i32,
        #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
        device: DeviceChoice,
    },
    /// Parse a CoNLL-U file: print it back with LEMMA, UPOS, XPOS, FEATS,
    /// HEAD and DEPREL predicted on every word line, all else unchanged.
    TagConllu {
        file: PathBuf,
        #[command(flatten)]
        parser: ParserArgs,
    },
    /// Score the parser on a gold CoNLL-U file: UPOS, XPOS, FEATS and lemma
    /// accuracy, UAS and LAS (universal relations), over all words.
    EvalConllu {
        file: PathBuf,
        #[command(flatten)]
        parser: ParserArgs,
    },
    /// Score the time stage on TimeML (.tml) files, TempEval-3 style.
    EvalTime {
        /// A directory searched recursively for .tml files.
        dir: PathBuf,
    },
}

/// The shipped parser's directory.
const DEFAULT_PARSER: &str = "models/parser-en-ewt";

#[derive(Args, Clone)]
struct ParserArgs {
    /// Parser model directory (its config.json names the encoder it reads).
    /// Default: models/parser-en-ewt of the current directory, else of the
    /// checkout the binary was built in.
    #[arg(long)]
    parser: Option<PathBuf>,
    /// Where to run the models: auto uses CUDA when libtorch sees a GPU.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    device: DeviceChoice,
    /// Number format of the encoder and the heads, as for extract (auto: bf16
    /// where the CPU has native bf16 instructions, else f32).
    #[arg(long, value_enum, default_value_t = Precision::Auto)]
    precision: Precision,
}

/// Parses every sentence of a CoNLL-U file with the parser of `args`.
fn parse_conllu(
    file: &Path,
    args: &ParserArgs,
) -> Result<(ConlluFile, Vec<Vec<casefile::syntax::conllu::WordParse>>)> {
    let dir = args
        .parser
        .clone()
        .unwrap_or_else(|| shipped_dir(DEFAULT_PARSER));
    let (mut tagger, mut parser) = SyntaxParser::load_with_encoder(&dir, args.device.resolve()?)
        .with_context(|| format!("loading parser {}", dir.display()))?;
    tagger.set_precision(args.precision);
    parser.set_precision(args.precision);
    let conllu = ConlluFile::read(file)?;
    let words: Vec<Vec<&str>> = conllu.sentences.iter().map(|s| s.forms()).collect();
    let parses = parser.parse(&tagger, &words)?;
    Ok((conllu, parses))
}

fn tag_conllu(file: &Path, args: &ParserArgs) -> Result<ExitCode> {
    let (conllu, parses) = parse_conllu(file, args)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    out.write_all(conllu.write(&parses).as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn eval_conllu(file: &Path, args: &ParserArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let (conllu, parses) = parse_conllu(file, args)?;
    let scores = casefile::syntax::eval::Scores::of(&conllu.sentences, &parses);
    print!("{scores}");
    println!("parsed in {:.1}s", started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

fn train_parser(
    config: casefile::syntax::train::TrainConfig,
    threads: i32,
    device: DeviceChoice,
) -> Result<ExitCode> {
    if threads > 0 {
        tch::set_num_threads(threads);
    }
    let log = casefile::syntax::train::train(config, device.resolve()?)?;
    println!(
        "best dev LAS {:.2} at epoch {}",
        log.best_dev_las, log.best_epoch
    );
    Ok(ExitCode::SUCCESS)
}

/// The shipped model: $CASEFILE_MODEL, ./models/ner-en-conll, or the one of the
/// checkout the binary was built in (so target/release/casefile works from anywhere).
fn default_model() -> PathBuf {
    if let Some(p) = std::env::var_os("CASEFILE_MODEL") {
        return PathBuf::from(p);
    }
    shipped_dir("models/ner-en-conll")
}

/// The place index: $CASEFILE_GAZETTEER, else the one `make gazetteer`
/// builds in this checkout.
fn default_gazetteer() -> PathBuf {
    if let Some(p) = std::env::var_os("CASEFILE_GAZETTEER") {
        return PathBuf::from(p);
    }
    shipped_dir(casefile::geo::gazetteer::DEFAULT_PATH)
}

/// A shipped model directory: relative to the current directory, else to the
/// checkout the binary was built in.
fn shipped_dir(relative: &str) -> PathBuf {
    let rel = PathBuf::from(relative);
    if rel.exists() {
        return rel;
    }
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(4) {
            let candidate = dir.join(relative);
            if candidate.exists() {
                return candidate;
            }
        }
    }
    rel
}

fn load_tagger(args: &ModelArgs) -> Result<Tagger> {
    let dir = args.model.clone().unwrap_or_else(default_model);
    let device = args.device.resolve()?;
    let mut tagger =
        Tagger::load(&dir, device).with_context(|| format!("loading model {}", dir.display()))?;
    args.tagging().apply(&mut tagger);
    Ok(tagger)
}

/// Progress on stderr: a bar on a terminal, periodic lines otherwise.
struct Reporter {
    bar: Option<ProgressBar>,
    last: Instant,
    started: Instant,
    quiet: bool,
}

impl Reporter {
    /// On a terminal, the bar starts as a spinner; a background thread counts
    /// the input documents and, once it knows, turns it into a bar with an ETA.
    fn new(quiet: bool, sources: &[casefile::ingest::Source]) -> Reporter {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {pos} documents ({per_sec}) {msg} [{elapsed}]",
                )
                .expect("valid template"),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            let counting = bar.clone();
            let sources = sources.to_vec();
            std::thread::spawn(move || {
                if let Some(total) = casefile::ingest::count_documents(&sources) {
                    counting.set_length(total);
                    counting.set_style(
                        ProgressStyle::with_template(
                            "{bar:30} {pos}/{len} documents ({per_sec}, ETA {eta}) {msg} [{elapsed}]",
                        )
                        .expect("valid template"),
                    );
                }
            });
            bar
        });
        Reporter {
            bar,
            last: Instant::now(),
            started: Instant::now(),
            quiet,
        }
    }
}

impl Progress for Reporter {
    fn update(&mut self, s: &Summary) {
        if let Some(bar) = &self.bar {
            bar.set_position(s.documents as u64);
            bar.set_message(format!("{} events, {} failed", s.events, s.failed));
        } else if !self.quiet && self.last.elapsed() >= Duration::from_secs(10) {
            self.last = Instant::now();
            let rate = s.documents as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
            eprintln!(
                "casefile: {} documents ({:.1}/s), {} events, {} failed",
                s.documents, rate, s.events, s.failed
            );
        }
    }

    fn finish(&mut self, s: &Summary, elapsed: Duration) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if !self.quiet {
            eprintln!(
                "casefile: {} documents ({} ok, {} failed), {} events, {} entities in {:.1}s",
                s.documents,
                s.documents - s.failed,
                s.failed,
                s.events,
                s.entities,
                elapsed.as_secs_f64()
            );
        }
    }
}

fn extract(
    inputs: &[String],
    out: &Path,
    config: PipelineConfig,
    options: OutputOptions,
    quiet: bool,
    resume: bool,
    columns: &casefile::ingest::CsvColumns,
) -> Result<Summary> {
    let sources = casefile::ingest::resolve_with(inputs, columns)?;
    // Model and rule errors name their own file.
    let pipeline = Pipeline::new(&config).context("loading the pipeline")?;
    if let Some(w) = pipeline.geo_warning() {
        eprintln!("warning: {w}");
    }
    let mut silent = Silent;
    let mut reporter = Reporter::new(quiet, &sources);
    let documents = casefile::ingest::documents(sources);
    let progress: &mut dyn Progress = if quiet { &mut silent } else { &mut reporter };
    if resume {
        let (mut sink, replay) = OutputDir::resume(out, &options)?;
        let summary = match replay {
            Some(replay) => {
                if !quiet {
                    eprintln!(
                        "casefile: resuming the interrupted run in {}",
                        out.display()
                    );
                }
                pipeline.resume(documents, &mut sink, replay, progress)?
            }
            None => {
                if !quiet {
                    eprintln!(
                        "casefile: no interrupted run in {} (no {}); starting afresh",
                        out.display(),
                        casefile::output::JOURNAL
                    );
                }
                pipeline.run(documents, &mut sink, progress)?
            }
        };
        Box::new(sink).finish()?;
        return Ok(summary);
    }
    if !quiet && casefile::output::Journal::path(out).exists() {
        eprintln!(
            "casefile: {} holds an interrupted run; starting afresh (use --resume to continue it)",
            out.display()
        );
    }
    let mut sink = Box::new(OutputDir::create(out, &options)?);
    let summary = pipeline.run(documents, sink.as_mut(), progress)?;
    sink.finish()?;
    Ok(summary)
}

/// `report`, and `extract --report`: writes DIR/report.html and says what
/// it holds.
fn write_report(dir: &Path, docs: usize, quiet: bool) -> Result<()> {
    let r = casefile::report::write(dir, docs)
        .with_context(|| format!("writing the report of {}", dir.display()))?;
    if !quiet {
        eprintln!(
            "casefile: {} ({:.1} MB): {} documents, {} merged events; texts of {} documents{}",
            r.path.display(),
            r.bytes as f64 / 1e6,
            r.documents,
            r.merged_events,
            r.texts,
            match r.texts_left_out {
                0 => String::new(),
                n => format!(", {n} left out (--report-docs)"),
            }
        );
    }
    Ok(())
}

/// The settings `run.json` records, taken before the run starts.
fn run_info(inputs: &[String], config: &PipelineConfig, coding: &Option<PathBuf>) -> RunInfo {
    let file = |p: &Option<PathBuf>| {
        p.as_ref()
            .map_or_else(|| "built-in".to_string(), |p| p.display().to_string())
    };
    let rules = [
        ("events", &config.events),
        ("boilerplate", &config.boilerplate),
        ("abbreviations", &config.abbreviations),
        ("actors", &config.actors),
        ("coding", coding),
    ];
    RunInfo {
        casefile: env!("CARGO_PKG_VERSION").to_string(),
        inputs: inputs.to_vec(),
        model: config.model.display().to_string(),
        engine: if config.run_events { "syntax" } else { "none" }.to_string(),
        parser: config.parser.as_ref().map(|p| p.display().to_string()),
        rules: rules
            .iter()
            .map(|(k, p)| (k.to_string(), file(p)))
            .collect(),
        ..RunInfo::default()
    }
}

/// Adds what the finished run counted to its `run.json` record.
fn finish_run_info(info: &mut RunInfo, summary: &Summary) {
    info.documents = summary.documents;
    info.failed = summary.failed;
    info.events = summary.events;
    info.entities = summary.entities;
}

/// `eval-geo`: scores place resolution on a TSV of gold mentions and prints
/// the scores per half and the resolutions per second.
fn eval_geo(file: &Path, model: &ModelArgs, errors: bool) -> Result<ExitCode> {
    use casefile::geo::eval::{evaluate, format_score, read};
    let gold = read(file)?;
    let pipeline = Pipeline::new(&model.pipeline_config()?)?;
    let report = evaluate(&pipeline, &gold)?;
    if errors {
        for o in report.outcomes.iter().filter(|o| !o.correct()) {
            println!("{}", o.describe());
        }
    }
    println!("{}", format_score("dev", &report.dev));
    println!("{}", format_score("test", &report.test));
    println!(
        "{} resolutions in {:.3}s ({:.0} resolutions/s, look-ups and ranking only)",
        report.outcomes.len(),
        report.seconds,
        report.outcomes.len() as f64 / report.seconds.max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}

/// `eval-events`: runs the pipeline and the events stage on M2E2 records
/// and prints the scores, overall and per half.
fn eval_events(cmd: Command) -> Result<ExitCode> {
    let Command::EvalEvents {
        file,
        model,
        rules,
        dump,
        lexicon_ceiling,
        half,
        parser,
    } = cmd
    else {
        unreachable!("eval_events is called with Command::EvalEvents")
    };
    use casefile::events::eval::{first_half_ids, select_half};
    let all = casefile::events::eval::read(&file)?;
    let first = first_half_ids(&all);
    let gold = select_half(all, half);
    if lexicon_ceiling {
        use casefile::events::eval::{format_ceiling, lexicon_ceiling};
        const FOLDS: usize = 5;
        print!("{}", format_ceiling(&lexicon_ceiling(&gold, FOLDS), FOLDS));
        return Ok(ExitCode::SUCCESS);
    }
    // The whole pipeline as extract runs it: the events stage between time
    // and resolve, then the geo stage and the merge of nested places.
    let config = PipelineConfig {
        parser: Some(parser.unwrap_or_else(|| shipped_dir(DEFAULT_PARSER))),
        events: rules,
        run_events: true,
        ..model.pipeline_config()?
    };
    let pipeline = Pipeline::new(&config)?;
    let scores = score_events(&gold, &first, &pipeline, dump.is_some())?;
    if let Some(path) = &dump {
        std::fs::write(path, scores.dump_lines)?;
    }
    print!("{}", scores.report);
    if half == casefile::events::eval::Half::All {
        println!("{}", scores.halves[0].summary("first half"));
        println!("{}", scores.halves[1].summary("second half"));
    }
    Ok(ExitCode::SUCCESS)
}

/// What scoring M2E2 documents gathered: the report over all of them and
/// over each half, and the dump lines when asked for.
struct EventScores {
    report: casefile::events::eval::EventReport,
    halves: [casefile::events::eval::EventReport; 2],
    dump_lines: String,
}

/// Runs the pipeline over the gold documents in chunks and scores them;
/// `dump` says whether to gather the dump lines.
fn score_events(
    gold: &[casefile::events::eval::GoldDocument],
    first: &std::collections::HashSet<String>,
    pipeline: &Pipeline,
    dump: bool,
) -> Result<EventScores> {
    use casefile::events::eval::{dump_line, EventReport};
    let mut s = EventScores {
        report: EventReport::default(),
        halves: [EventReport::default(), EventReport::default()],
        dump_lines: String::new(),
    };
    for chunk in gold.chunks(32) {
        let mut docs: Vec<casefile::Document> = chunk
            .iter()
            .map(|g| {
                let mut d = casefile::Document::new(&g.id, g.text.clone());
                d.published = g.published;
                d
            })
            .collect();
        pipeline.process(&mut docs);
        for (g, d) in chunk.iter().zip(&docs) {
            if let Some(e) = &d.error {
                anyhow::bail!("{}: {e}", g.id);
            }
            s.report.add(g, d);
            s.halves[usize::from(!first.contains(&g.id))].add(g, d);
            if dump {
                s.dump_lines.push_str(&dump_line(g, d));
                s.dump_lines.push('\n');
            }
        }
    }
    Ok(s)
}

/// The pipeline an `extract` run asks for: the shipped parser unless
/// `--no-events` without `--syntax` leaves no stage that reads the parse.
fn extract_config(args: &ExtractArgs) -> Result<PipelineConfig> {
    Ok(PipelineConfig {
        boilerplate: args.boilerplate.clone(),
        abbreviations: args.abbreviations.clone(),
        events: args.rules.clone(),
        actors: args.actors.clone(),
        // The events stage reads the parse.
        parser: (args.syntax || !args.no_events).then(|| {
            args.parser
                .clone()
                .unwrap_or_else(|| shipped_dir(DEFAULT_PARSER))
        }),
        run_events: !args.no_events,
        batch_docs: args.batch_docs,
        ..args.model.pipeline_config()?
    })
}

/// `--stats FILE`: the run's summary and its wall-clock seconds as JSON.
fn write_stats(path: &Path, summary: &Summary, started: Instant) -> Result<()> {
    let mut json = serde_json::to_value(summary)?;
    json["seconds"] = started.elapsed().as_secs_f64().into();
    std::fs::write(path, format!("{json}\n")).with_context(|| format!("writing {}", path.display()))
}

/// `extract`: runs the pipeline into --out (or, with `--out -`, streams
/// document lines to stdout), then run.json, the report and --stats.
fn run_extract(args: ExtractArgs) -> Result<ExitCode> {
    let config = extract_config(&args)?;
    let columns = casefile::ingest::CsvColumns {
        text: args.text_column,
        id: args.id_column,
        date: args.date_column,
        ..Default::default()
    };
    let started = Instant::now();
    if args.threads > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(args.threads)
            .build_global()
            .context("starting the worker threads")?;
    }
    if args.out == Path::new("-") {
        let not = stream::Unstreamable {
            db: args.db.is_some(),
            jsonl: args.jsonl.is_some(),
            resume: args.resume,
            report: args.report,
            coding: args.coding.is_some(),
        };
        return stream::extract_to_stdout(
            &args.inputs,
            config,
            args.framed,
            args.syntax,
            args.quiet,
            &columns,
            not,
        );
    }
    if args.framed {
        anyhow::bail!("--framed is for workers: use it with --out -");
    }
    let mut info = run_info(&args.inputs, &config, &args.coding);
    let summary = extract(
        &args.inputs,
        &args.out,
        config,
        OutputOptions {
            excel_bom: args.excel,
            events_jsonl: args.jsonl,
            db: args.db,
            syntax: args.syntax,
            coding: match args.coding {
                Some(path) => Some(casefile::coding::Coding::load(&path)?),
                None => None,
            },
        },
        args.quiet,
        args.resume,
        &columns,
    )?;
    finish_run_info(&mut info, &summary);
    info.write(&args.out)?;
    if args.report {
        write_report(&args.out, args.report_docs, args.quiet)?;
    }
    if let Some(path) = args.stats {
        write_stats(&path, &summary, started)?;
    }
    Ok(if summary.failed > 0 {
        ExitCode::from(EXIT_SOME_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Extract(args) => run_extract(*args),
        Command::TagConll { file, model, spans } => tag_conll(&file, &model, spans),
        Command::BenchForward {
            inputs,
            conll,
            model,
        } => bench_forward(&inputs, conll, &model),
        Command::EvalNer { file, model } => eval_ner(&file, &model),
        Command::TrainNer {
            config,
            threads,
            device,
        } => {
            if threads > 0 {
                tch::set_num_threads(threads);
            }
            let log = train::train(config, device.resolve()?)?;
            println!(
                "best dev F1 {:.2} at epoch {}",
                log.best_dev_f1, log.best_epoch
            );
            Ok(ExitCode::SUCCESS)
        }
        cmd @ Command::EvalEvents { .. } => eval_events(cmd),
        Command::EvalGeo {
            file,
            model,
            errors,
        } => eval_geo(&file, &model, errors),
        Command::Merge {
            inputs,
            out,
            excel,
            coding,
            quiet,
        } => {
            let coding = match coding {
                Some(path) => Some(casefile::coding::Coding::load(&path)?),
                None => None,
            };
            stream::merge(&inputs, &out, excel, coding, quiet)
        }
        Command::Report { dir, docs } => {
            write_report(&dir, docs, false)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::TrainParser {
            config,
            threads,
            device,
        } => train_parser(config, threads, device),
        Command::TagConllu { file, parser } => tag_conllu(&file, &parser),
        Command::EvalConllu { file, parser } => eval_conllu(&file, &parser),
        Command::EvalTime { dir } => {
            let report = casefile::time::timeml::evaluate_dir(&dir)?;
            print!("{report}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `tag-conll`: the model's labels appended to each word line of a CoNLL
/// file, or with `--spans` one JSON line of entity spans per sentence.
fn tag_conll(file: &Path, model: &ModelArgs, spans: bool) -> Result<ExitCode> {
    let tagger = load_tagger(model)?;
    let conll = ConllFile::read(file)?;
    if spans {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        let doc_of: Vec<usize> = conll.sentences.iter().map(|s| s.document).collect();
        // Chunks keep memory flat on large files, as in train::predict.
        for (chunk, docs) in conll.sentences.chunks(2048).zip(doc_of.chunks(2048)) {
            let words: Vec<Vec<&str>> = chunk
                .iter()
                .map(|s| s.words.iter().map(String::as_str).collect())
                .collect();
            for (ws, entities) in words.iter().zip(tagger.entities(&words, docs)?) {
                let mut at = Vec::with_capacity(ws.len());
                let mut pos = 0;
                for w in ws {
                    at.push(pos);
                    pos += w.chars().count() + 1;
                }
                let chars = |w: usize, byte: usize| at[w] + ws[w][..byte].chars().count();
                let list: Vec<serde_json::Value> = entities
                    .iter()
                    .map(|e| {
                        serde_json::json!([chars(e.first, e.start), chars(e.last, e.end), e.label])
                    })
                    .collect();
                writeln!(out, "{}", serde_json::Value::Array(list))?;
            }
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let tags = train::predict(&tagger, &conll)?;
    let mut tag_of_line: Vec<Option<&str>> = vec![None; conll.lines.len()];
    for (s, sentence) in conll.sentences.iter().enumerate() {
        for (w, &line) in sentence.lines.iter().enumerate() {
            tag_of_line[line] = Some(&tags[s][w]);
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (line, tag) in conll.lines.iter().zip(tag_of_line) {
        match tag {
            Some(t) => writeln!(out, "{line} {t}")?,
            None => writeln!(out, "{line}")?,
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `bench-forward`: the encoder's forward passes alone over the inputs'
/// sentences (the bare-libtorch row of `make bench`).
fn bench_forward(inputs: &[String], conll: bool, model: &ModelArgs) -> Result<ExitCode> {
    let result = if conll {
        let tagger = load_tagger(model)?;
        let file = ConllFile::read(Path::new(&inputs[0]))?;
        let sentences: Vec<Vec<&str>> = file
            .sentences
            .iter()
            .map(|s| s.words.iter().map(String::as_str).collect())
            .collect();
        let doc_of: Vec<usize> = file.sentences.iter().map(|s| s.document).collect();
        casefile::ner::bench_forward(&tagger, &sentences, &doc_of)?
    } else {
        let pipeline = Pipeline::new(&model.pipeline_config()?)?;
        let mut docs: Vec<_> =
            casefile::ingest::documents(casefile::ingest::resolve(inputs)?).collect();
        for doc in &mut docs {
            pipeline.prepare(doc);
        }
        let mut sentences = Vec::new();
        let mut doc_of = Vec::new();
        for (d, doc) in docs.iter().enumerate().filter(|(_, d)| d.is_ok()) {
            for s in &doc.sentences {
                sentences.push(s.tokens.iter().map(|t| doc.slice(t.span)).collect());
                doc_of.push(d);
            }
        }
        casefile::ner::bench_forward(pipeline.tagger(), &sentences, &doc_of)?
    };
    println!("{}", serde_json::to_string(&result)?);
    Ok(ExitCode::SUCCESS)
}

/// `eval-ner`: entity-level scores of the model on a CoNLL file, and its speed.
fn eval_ner(file: &Path, model: &ModelArgs) -> Result<ExitCode> {
    let tagger = load_tagger(model)?;
    let conll = ConllFile::read(file)?;
    let gold = conll.gold(file)?;
    let started = Instant::now();
    let guess = train::predict(&tagger, &conll)?;
    let secs = started.elapsed().as_secs_f64();
    let report = train::score(&gold, &guess);
    print!("{report}");
    println!(
        "tagged {} words in {:.1}s ({:.0} words/s)",
        report.tokens,
        secs,
        report.tokens as f64 / secs.max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    // Before any thread or tensor exists.
    casefile::memory::configure_process();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // One line: the chain of causes, outermost first.
            let msg: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("casefile: error: {}", msg.join(": "));
            ExitCode::from(1)
        }
    }
}
