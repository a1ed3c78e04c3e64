//! Fine-tuning a pretrained encoder for token classification, in Rust on libtorch.
//!
//! AdamW with linear warm-up and linear decay, dropout, gradient clipping,
//! evaluation on the dev file after every epoch and early stopping on its entity
//! F1; the best model is what is saved. Any IOB2 label set found in the training
//! file works, so users can train their own entity types. A fixed seed fixes the
//! order of examples and the initialisation of the new layers.

use super::conll::ConllFile;
use super::encode::{Encoder, Window};
use super::eval::Report;
use super::labels::LabelSet;
use super::model::TokenClassifier;
use super::Tagger;
use crate::error::{Error, Result};
use crate::rng::Rng;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tch::{nn, nn::OptimizerConfig, Device, Reduction, Tensor};

/// Training settings: the `train-ner` command's flags.
#[derive(Debug, Clone, Serialize, clap::Args)]
pub struct TrainConfig {
    /// Pretrained encoder directory (Hugging Face layout), e.g. models/base/minilm-l6.
    #[arg(long)]
    pub base: PathBuf,
    /// Training file, CoNLL columns with the IOB2 tag last.
    #[arg(long)]
    pub train: PathBuf,
    /// Development file: evaluated after every epoch, picks the best epoch.
    #[arg(long)]
    pub dev: PathBuf,
    /// Where the best model (by dev F1) is written.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 4)]
    pub epochs: usize,
    /// Peak learning rate.
    #[arg(long, default_value_t = 1e-4)]
    pub lr: f64,
    #[arg(long, default_value_t = 32, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub batch_size: usize,
    /// Fraction of steps for linear warm-up.
    #[arg(long, default_value_t = 0.1)]
    pub warmup: f64,
    #[arg(long, default_value_t = 0.01)]
    pub weight_decay: f64,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Epochs without dev improvement before stopping.
    #[arg(long, default_value_t = 2, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub patience: usize,
    /// Do not feed the casing class of each word as its token type (on by default).
    #[arg(long = "no-casing", action = clap::ArgAction::SetFalse)]
    pub casing: bool,
    /// Use only the first N training sentences (0: all): quick experiments, tests.
    #[arg(long, default_value_t = 0)]
    pub limit: usize,
    /// Word pieces of neighbouring sentences of the same document given as
    /// context on each side (0: none).
    #[arg(long, default_value_t = 0)]
    pub context: usize,
    /// Which word pieces carry a word's label in the loss: `first` (the first
    /// piece only; the others are ignored) or `all` (continuation pieces get the
    /// word's `I-` label, `O` stays `O`). casefile reads first pieces either way;
    /// `all` also makes the model readable by piece-level decoders such as
    /// transformers' `pipeline(aggregation_strategy="simple")`.
    #[arg(long, value_enum, default_value_t = LabelPieces::All)]
    pub label_pieces: LabelPieces,
    /// No progress output.
    #[arg(long, short)]
    #[serde(skip)]
    pub quiet: bool,
}

/// See [`TrainConfig::label_pieces`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LabelPieces {
    First,
    All,
}

/// What one epoch gave, recorded in `training.json` next to the model.
#[derive(Debug, Clone, Serialize)]
pub struct EpochLog {
    pub epoch: usize,
    pub mean_loss: f64,
    pub dev_precision: f64,
    pub dev_recall: f64,
    pub dev_f1: f64,
    pub seconds: f64,
    pub pieces_per_second: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainLog {
    pub config: TrainConfig,
    pub labels: Vec<String>,
    pub device: String,
    pub threads: i32,
    pub epochs: Vec<EpochLog>,
    pub best_epoch: usize,
    pub best_dev_f1: f64,
}

/// A training example: a window and the label of each piece (-100: no loss).
struct Example {
    window: Window,
    targets: Vec<i64>,
}

/// Collects the label set of a training file: `O` first, then sorted.
pub fn label_set(gold: &[Vec<String>]) -> LabelSet {
    let mut labels: Vec<String> = gold.iter().flatten().cloned().collect();
    labels.sort();
    labels.dedup();
    labels.retain(|l| l != "O");
    labels.insert(0, "O".to_string());
    LabelSet::new(labels)
}

fn examples(
    encoder: &Encoder,
    file: &ConllFile,
    gold: &[Vec<String>],
    labels: &LabelSet,
    context: usize,
    label_pieces: LabelPieces,
) -> Result<Vec<Example>> {
    let pieces = file
        .sentences
        .iter()
        .map(|s| encoder.pieces(&s.words.iter().map(String::as_str).collect::<Vec<_>>()))
        .collect::<Result<Vec<_>>>()?;
    let doc_of: Vec<usize> = file.sentences.iter().map(|s| s.document).collect();
    let mut out = Vec::new();
    for window in encoder.all_windows(&pieces, &doc_of, context) {
        let tags = &gold[window.sentence];
        let mut targets = vec![-100i64; window.ids.len()];
        for (j, w) in (window.first..window.end).enumerate() {
            if window.owns[j] {
                // Labels unknown to the training set (only possible in dev) count as O.
                let label = labels.index(&tags[w]).unwrap_or(0);
                let head = window.heads[j];
                targets[head] = label as i64;
                if label_pieces == LabelPieces::All {
                    let inside = continuation_label(labels, label) as i64;
                    let n = pieces[window.sentence].words[w].len();
                    targets[head + 1..head + n].fill(inside);
                }
            }
        }
        out.push(Example { window, targets });
    }
    Ok(out)
}

/// The label of a word's continuation pieces: `B-X` and `I-X` give `I-X` (when
/// the label set has it), anything else keeps its own label.
fn continuation_label(labels: &LabelSet, label: usize) -> usize {
    let name = &labels.labels[label];
    name.strip_prefix("B-")
        .or_else(|| name.strip_prefix("I-"))
        .and_then(|t| labels.index(&format!("I-{t}")))
        .unwrap_or(label)
}

/// Batches of similar length (little padding), in a seeded random order.
fn batches(examples: &[Example], batch_size: usize, rng: &mut Rng) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..examples.len()).collect();
    rng.shuffle(&mut order);
    let mut out = Vec::new();
    for pool in order.chunks(batch_size * 50) {
        let mut pool = pool.to_vec();
        pool.sort_by_key(|&i| examples[i].window.ids.len());
        out.extend(pool.chunks(batch_size).map(<[usize]>::to_vec));
    }
    rng.shuffle(&mut out);
    out
}

fn tensors(
    examples: &[Example],
    batch: &[usize],
    pad: i64,
    casing: bool,
    device: Device,
) -> [Tensor; 4] {
    let len = batch
        .iter()
        .map(|&i| examples[i].window.ids.len())
        .max()
        .unwrap_or(1);
    let rows = batch.len();
    let mut ids = vec![pad; rows * len];
    let mut types = vec![0i64; rows * len];
    let mut mask = vec![0i64; rows * len];
    let mut targets = vec![-100i64; rows * len];
    for (r, &i) in batch.iter().enumerate() {
        let e = &examples[i];
        let n = e.window.ids.len();
        ids[r * len..r * len + n].copy_from_slice(&e.window.ids);
        if casing {
            types[r * len..r * len + n].copy_from_slice(&e.window.types);
        }
        mask[r * len..r * len + n].fill(1);
        targets[r * len..r * len + n].copy_from_slice(&e.targets);
    }
    let shape = [rows as i64, len as i64];
    let t = |v: &[i64]| Tensor::from_slice(v).view(shape).to(device);
    [t(&ids), t(&types), t(&mask), t(&targets)]
}

/// Labels every sentence of a CoNLL file; returns the predicted tags.
pub fn predict(tagger: &Tagger, file: &ConllFile) -> Result<Vec<Vec<String>>> {
    let sentences: Vec<Vec<&str>> = file
        .sentences
        .iter()
        .map(|s| s.words.iter().map(String::as_str).collect())
        .collect();
    let doc_of: Vec<usize> = file.sentences.iter().map(|s| s.document).collect();
    let mut out = Vec::with_capacity(sentences.len());
    // Chunks keep memory flat on large files while still batching well.
    for (chunk, docs) in sentences.chunks(2048).zip(doc_of.chunks(2048)) {
        for labels in tagger.tag(chunk, docs)? {
            out.push(
                labels
                    .iter()
                    .map(|l| tagger.labels().labels[l.label].clone())
                    .collect(),
            );
        }
    }
    Ok(out)
}

/// Scores predictions against the gold tags of a file.
pub fn score(gold: &[Vec<String>], guess: &[Vec<String>]) -> Report {
    let mut report = Report::default();
    for (g, p) in gold.iter().zip(guess) {
        let g: Vec<&str> = g.iter().map(String::as_str).collect();
        let p: Vec<&str> = p.iter().map(String::as_str).collect();
        report.add(&g, &p);
    }
    report
}

/// The files training reads: the training sentences (cut to `--limit`) and the
/// dev file, each with its gold tags.
struct TrainData {
    train_file: ConllFile,
    train_gold: Vec<Vec<String>>,
    dev_file: ConllFile,
    dev_gold: Vec<Vec<String>>,
}

impl TrainData {
    /// Reads both files; an empty training set (after `--limit`) is an error,
    /// not a model trained on nothing.
    fn read(config: &TrainConfig) -> Result<TrainData> {
        let train_file = ConllFile::read(&config.train)?;
        let mut train_gold = train_file.gold(&config.train)?;
        let dev_file = ConllFile::read(&config.dev)?;
        let dev_gold = dev_file.gold(&config.dev)?;
        let mut train_file = train_file;
        if config.limit > 0 && config.limit < train_file.sentences.len() {
            train_file.sentences.truncate(config.limit);
            train_gold.truncate(config.limit);
        }
        if train_file.sentences.is_empty() {
            return Err(Error::format(&config.train, None, "no sentences"));
        }
        Ok(TrainData {
            train_file,
            train_gold,
            dev_file,
            dev_gold,
        })
    }
}

/// The learning rate at each step: linear warm-up to the peak over the first
/// `warmup` share of all steps, then linear decay.
struct Schedule {
    peak: f64,
    steps_per_epoch: usize,
    total_steps: usize,
    warmup_steps: usize,
}

impl Schedule {
    fn new(config: &TrainConfig, examples: usize) -> Schedule {
        let steps_per_epoch = examples.div_ceil(config.batch_size);
        let total_steps = (steps_per_epoch * config.epochs).max(1);
        let warmup_steps = ((total_steps as f64) * config.warmup).round() as usize;
        Schedule {
            peak: config.lr,
            steps_per_epoch,
            total_steps,
            warmup_steps,
        }
    }

    fn lr(&self, step: usize) -> f64 {
        if step < self.warmup_steps {
            self.peak * (step + 1) as f64 / self.warmup_steps as f64
        } else {
            self.peak * (self.total_steps - step) as f64
                / (self.total_steps - self.warmup_steps).max(1) as f64
        }
    }
}

/// What one epoch's pass over the training examples gave.
struct EpochPass {
    loss_sum: f64,
    batches: usize,
    /// Word pieces fed, padding included.
    pieces: usize,
}

/// The model being trained and what updating it needs, set up once.
struct Trainer<'a> {
    config: &'a TrainConfig,
    device: Device,
    tagger: Tagger,
    opt: nn::Optimizer,
    examples: Vec<Example>,
    schedule: Schedule,
    n_labels: i64,
    /// Orders the batches of every epoch.
    rng: Rng,
    /// Optimiser steps taken, over all epochs.
    step: usize,
}

impl<'a> Trainer<'a> {
    /// Loads the base encoder with new classification layers for `labels`,
    /// turns the training sentences into examples, and builds the optimiser.
    fn new(
        config: &'a TrainConfig,
        device: Device,
        data: &TrainData,
        labels: &LabelSet,
        rng: Rng,
    ) -> Result<Trainer<'a>> {
        let model = TokenClassifier::from_base(
            &config.base,
            labels.clone(),
            config.casing,
            config.context,
            device,
        )?;
        let encoder = Encoder::load(&config.base, model.max_positions)?;
        let examples = examples(
            &encoder,
            &data.train_file,
            &data.train_gold,
            labels,
            config.context,
            config.label_pieces,
        )?;
        let tagger = Tagger {
            model,
            encoder,
            batch_pieces: if device.is_cuda() { 65_536 } else { 4_096 },
            context: config.context,
            decode: super::Decode::Viterbi,
        };
        let opt = nn::AdamW::default()
            .wd(config.weight_decay)
            .build(&tagger.model.vs, config.lr)
            .map_err(Error::Torch)?;
        let schedule = Schedule::new(config, examples.len());
        Ok(Trainer {
            config,
            device,
            tagger,
            opt,
            examples,
            schedule,
            n_labels: labels.len() as i64,
            rng,
            step: 0,
        })
    }

    /// One pass over the training examples in a fresh seeded order of
    /// batches, with a progress bar (or, without a terminal, a line now and
    /// then). `started` is when the epoch began, for the pieces/s rate.
    fn run_epoch(&mut self, epoch: usize, started: Instant) -> EpochPass {
        let steps_per_epoch = self.schedule.steps_per_epoch;
        let bar = progress_bar(self.config, epoch, steps_per_epoch);
        let mut loss_sum = 0.0;
        let mut pieces = 0usize;
        let order = batches(&self.examples, self.config.batch_size, &mut self.rng);
        for (b, batch) in order.iter().enumerate() {
            let (l, lr, batch_pieces) = self.train_step(batch);
            loss_sum += l;
            pieces += batch_pieces;
            if b % 10 == 0 {
                let rate = pieces as f64 / started.elapsed().as_secs_f64().max(1e-9);
                let msg = format!(
                    "loss {:.4} lr {:.2e} {:.0} pieces/s",
                    loss_sum / (b + 1) as f64,
                    lr,
                    rate
                );
                // Without a terminal the bar is hidden: log a line now and then.
                if !self.config.quiet && bar.is_hidden() && b % 100 == 0 {
                    eprintln!("epoch {epoch} step {b}/{steps_per_epoch}: {msg}");
                }
                bar.set_message(msg);
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        EpochPass {
            loss_sum,
            batches: order.len(),
            pieces,
        }
    }

    /// One optimiser step on one batch (clipped to gradient norm 1); returns
    /// the batch's loss, the learning rate used and the word pieces fed.
    fn train_step(&mut self, batch: &[usize]) -> (f64, f64, usize) {
        let config = self.config;
        let lr = self.schedule.lr(self.step);
        self.opt.set_lr(lr);
        let [ids, types, mask, targets] = tensors(
            &self.examples,
            batch,
            self.tagger.encoder.pad,
            config.casing,
            self.device,
        );
        let pieces = ids.numel();
        let logits = self.tagger.model.forward_t(&ids, &mask, &types, true);
        let loss = logits
            .view([-1, self.n_labels])
            .cross_entropy_loss::<Tensor>(&targets.view([-1]), None, Reduction::Mean, -100, 0.0);
        self.opt.backward_step_clip_norm(&loss, 1.0);
        let l = loss.double_value(&[]);
        self.step += 1;
        (l, lr, pieces)
    }

    /// Scores the model on the dev file after an epoch of `train_secs`
    /// seconds and reports the epoch unless quiet.
    fn evaluate(
        &self,
        data: &TrainData,
        epoch: usize,
        pass: &EpochPass,
        train_secs: f64,
    ) -> Result<EpochLog> {
        let guess = predict(&self.tagger, &data.dev_file)?;
        let report = score(&data.dev_gold, &guess);
        let entry = EpochLog {
            epoch,
            mean_loss: pass.loss_sum / pass.batches.max(1) as f64,
            dev_precision: report.overall.precision(),
            dev_recall: report.overall.recall(),
            dev_f1: report.f1(),
            seconds: train_secs,
            pieces_per_second: pass.pieces as f64 / train_secs.max(1e-9),
        };
        if !self.config.quiet {
            eprintln!(
                "epoch {epoch}: loss {:.4}, dev P {:.2} R {:.2} F1 {:.2}, {:.1} min",
                entry.mean_loss,
                entry.dev_precision,
                entry.dev_recall,
                entry.dev_f1,
                train_secs / 60.0
            );
        }
        Ok(entry)
    }

    /// Adds the epoch to the log and keeps the best model: saved when dev F1
    /// improved. Returns whether to stop, after `patience` epochs in a row
    /// without improvement.
    fn record_epoch(
        &self,
        log: &mut TrainLog,
        entry: EpochLog,
        since_best: &mut usize,
    ) -> Result<bool> {
        let epoch = entry.epoch;
        let dev_f1 = entry.dev_f1;
        let improved = dev_f1 > log.best_dev_f1;
        log.epochs.push(entry);
        if improved {
            log.best_dev_f1 = dev_f1;
            log.best_epoch = epoch;
            *since_best = 0;
            save(&self.tagger, &self.config.out, log)?;
        } else {
            *since_best += 1;
            if *since_best >= self.config.patience {
                if !self.config.quiet {
                    eprintln!("no dev improvement for {since_best} epochs: stopping");
                }
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// The progress bar of one epoch; hidden with `--quiet`.
fn progress_bar(config: &TrainConfig, epoch: usize, steps_per_epoch: usize) -> ProgressBar {
    let bar = if config.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(steps_per_epoch as u64)
    };
    bar.set_style(
        ProgressStyle::with_template("epoch {prefix} [{bar:30}] {pos}/{len} {msg} eta {eta}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(format!("{epoch}/{}", config.epochs));
    bar
}

/// Trains, saving the best model (by dev F1) in `config.out`.
pub fn train(config: TrainConfig, device: Device) -> Result<TrainLog> {
    // The seed goes first: it fixes the initialisation of the new layers.
    tch::manual_seed(config.seed as i64);
    let rng = Rng(config.seed);
    let data = TrainData::read(&config)?;
    let labels = label_set(&data.train_gold);
    let mut trainer = Trainer::new(&config, device, &data, &labels, rng)?;
    let mut log = TrainLog {
        config: config.clone(),
        labels: labels.labels.clone(),
        device: format!("{device:?}"),
        threads: tch::get_num_threads(),
        epochs: Vec::new(),
        best_epoch: 0,
        best_dev_f1: -1.0,
    };
    let mut since_best = 0;
    for epoch in 1..=config.epochs {
        let started = Instant::now();
        let pass = trainer.run_epoch(epoch, started);
        let train_secs = started.elapsed().as_secs_f64();
        let entry = trainer.evaluate(&data, epoch, &pass, train_secs)?;
        if trainer.record_epoch(&mut log, entry, &mut since_best)? {
            break;
        }
    }
    // The log covers all epochs, also those after the best one.
    write_log(&config.out, &log)?;
    Ok(log)
}

fn write_log(out: &Path, log: &TrainLog) -> Result<()> {
    let path = out.join("training.json");
    let text = serde_json::to_string_pretty(log).expect("log serialises");
    std::fs::write(&path, text + "\n").map_err(|e| Error::io(&path, e))
}

fn save(tagger: &Tagger, out: &Path, log: &TrainLog) -> Result<()> {
    tagger.model.save(out)?;
    tagger.encoder.save_tokenizer(&out.join("tokenizer.json"))?;
    write_log(out, log)
}
