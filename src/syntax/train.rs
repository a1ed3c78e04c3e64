//! Training the parser heads on a frozen encoder.
//!
//! The encoder does not change, so its states are computed once for every
//! train and dev sentence and cached (fp16, about 1 GB for UD English EWT);
//! epochs then run the heads alone. AdamW (β 0.9/0.9 as Dozat & Manning),
//! linear warm-up and decay, gradient clipping, a fixed seed, and early
//! stopping on dev LAS; the best epoch's heads are what is saved.

use super::conllu::{ConlluFile, Sentence};
use super::eval::Scores;
use super::lemma::{Lemmatizer, Lexicon, Scripts};
use super::model::{fingerprint, Heads, ParserConfig};
use super::{encode_states, predict, Cache, LEXICON_FILE};
use crate::error::{Error, Result};
use crate::ner::{model::weights_file, Tagger};
use crate::rng::Rng;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::time::Instant;
use tch::{nn, nn::OptimizerConfig, Device, Kind, Reduction, Tensor};

/// Settings: the `train-parser` command's flags.
#[derive(Debug, Clone, Serialize, clap::Args)]
pub struct TrainConfig {
    /// The NER model directory whose (frozen) encoder the parser reads.
    #[arg(long)]
    pub base: PathBuf,
    /// Training file (CoNLL-U).
    #[arg(long)]
    pub train: PathBuf,
    /// Development file (CoNLL-U): scored after every epoch, picks the best.
    #[arg(long)]
    pub dev: PathBuf,
    /// Where the best parser (by dev LAS) is written.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 30)]
    pub epochs: usize,
    /// Peak learning rate.
    #[arg(long, default_value_t = 2e-3)]
    pub lr: f64,
    /// Sentences per batch.
    #[arg(long, default_value_t = 32, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub batch_size: usize,
    /// Fraction of steps for linear warm-up.
    #[arg(long, default_value_t = 0.02)]
    pub warmup: f64,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Epochs without dev LAS improvement before stopping.
    #[arg(long, default_value_t = 4, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub patience: usize,
    /// Use only the first N training sentences (0: all): quick runs, tests.
    #[arg(long, default_value_t = 0)]
    pub limit: usize,
    /// Also score only the first N dev sentences (0: all).
    #[arg(long, default_value_t = 0)]
    pub dev_limit: usize,
    /// BiLSTM width per direction, and its layers.
    #[arg(long, default_value_t = 300)]
    pub lstm_hidden: usize,
    #[arg(long, default_value_t = 2)]
    pub lstm_layers: usize,
    /// Width of the arc scorer's MLPs (Dozat & Manning's "arc" size).
    #[arg(long, default_value_t = 400)]
    pub arc_mlp: usize,
    /// Width of the relation classifier's MLPs: its biaffine costs
    /// relations × width² per word, the largest head after the LSTM.
    #[arg(long, default_value_t = 100)]
    pub rel_mlp: usize,
    #[arg(long, default_value_t = 0.33)]
    pub dropout: f64,
    /// Lemma scripts seen fewer times in training are not classes.
    #[arg(long, default_value_t = 2)]
    pub min_script_count: usize,
    /// No progress output.
    #[arg(long, short)]
    #[serde(skip)]
    pub quiet: bool,
}

/// What one epoch gave, recorded in `training.json`.
#[derive(Debug, Clone, Serialize)]
pub struct EpochLog {
    pub epoch: usize,
    pub mean_loss: f64,
    pub dev_upos: f64,
    pub dev_xpos: f64,
    pub dev_feats: f64,
    pub dev_lemma: f64,
    pub dev_uas: f64,
    pub dev_las: f64,
    pub seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainLog {
    pub config: TrainConfig,
    pub device: String,
    pub threads: i32,
    pub train_sentences: usize,
    pub train_words: usize,
    pub dev_words: usize,
    /// Share of words whose gold lemma one of the script classes produces.
    pub lemma_script_coverage_train: f64,
    pub lemma_script_coverage_dev: f64,
    pub encode_seconds: f64,
    pub epochs: Vec<EpochLog>,
    pub best_epoch: usize,
    pub best_dev_las: f64,
}

/// The labels of one column as seen in training, sorted.
fn vocab(sentences: &[Sentence], column: impl Fn(&super::conllu::Word) -> &str) -> Vec<String> {
    let set: BTreeSet<&str> = sentences
        .iter()
        .flat_map(|s| s.words.iter().map(&column))
        .collect();
    set.into_iter().map(str::to_string).collect()
}

fn coverage(scripts: &Scripts, sentences: &[Sentence]) -> f64 {
    let (mut ok, mut all) = (0usize, 0usize);
    for w in sentences.iter().flat_map(|s| &s.words) {
        all += 1;
        ok += usize::from(scripts.class_of(&w.form, &w.lemma).is_some());
    }
    100.0 * ok as f64 / all.max(1) as f64
}

/// `to` relative to the directory `from` (both made absolute first), so the
/// parser finds its encoder wherever the checkout lives.
fn relative(from: &Path, to: &Path) -> Result<String> {
    let abs = |p: &Path| std::fs::canonicalize(p).map_err(|e| Error::io(p, e));
    let (from, to) = (abs(from)?, abs(to)?);
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..a.len() {
        out.push("..");
    }
    for c in &b[common..] {
        out.push(c.as_os_str());
    }
    Ok(out.to_string_lossy().into_owned())
}

/// Gold targets of a batch: one `[batch, width]` tensor per tag column (−100
/// on padding and unknown classes) and heads/relations `[batch, 1 + width]`.
struct Targets {
    tags: [Tensor; 4],
    heads: Tensor,
    rels: Tensor,
}

/// Class indices of every train word: upos, xpos, feats, lemma, relation.
struct Gold {
    classes: Vec<[i64; 5]>,
    heads: Vec<i64>,
}

fn gold(sentences: &[Sentence], config: &ParserConfig, scripts: &Scripts) -> Gold {
    let index = |list: &[String], v: &str| {
        list.binary_search_by(|x| x.as_str().cmp(v))
            .map_or(-100, |i| i as i64)
    };
    let mut classes = Vec::new();
    let mut heads = Vec::new();
    for w in sentences.iter().flat_map(|s| &s.words) {
        classes.push([
            index(&config.upos, &w.upos),
            index(&config.xpos, &w.xpos),
            index(&config.feats, &w.feats),
            scripts
                .class_of(&w.form, &w.lemma)
                .map_or(-100, |c| c as i64),
            index(&config.deprel, &w.deprel),
        ]);
        heads.push(w.head.map_or(-100, |h| h as i64));
    }
    Gold { classes, heads }
}

fn targets(gold: &Gold, cache: &Cache, batch: &[usize]) -> Targets {
    let width = batch
        .iter()
        .map(|&s| cache.lengths[s])
        .max()
        .unwrap_or(1)
        .max(1);
    let n = batch.len();
    let mut tags = vec![vec![-100i64; n * width]; 4];
    let mut heads = vec![-100i64; n * (width + 1)];
    let mut rels = vec![-100i64; n * (width + 1)];
    for (b, &s) in batch.iter().enumerate() {
        for w in 0..cache.lengths[s] {
            let row = cache.offsets[s] + w;
            for (k, t) in tags.iter_mut().enumerate() {
                t[b * width + w] = gold.classes[row][k];
            }
            heads[b * (width + 1) + w + 1] = gold.heads[row];
            rels[b * (width + 1) + w + 1] = gold.classes[row][4];
        }
    }
    let t = |v: &[i64], w: usize| Tensor::from_slice(v).view([n as i64, w as i64]);
    Targets {
        tags: [
            t(&tags[0], width),
            t(&tags[1], width),
            t(&tags[2], width),
            t(&tags[3], width),
        ],
        heads: t(&heads, width + 1),
        rels: t(&rels, width + 1),
    }
}

fn cross_entropy(scores: &Tensor, target: &Tensor) -> Tensor {
    let classes = scores.size()[scores.dim() - 1];
    scores.view([-1, classes]).cross_entropy_loss::<Tensor>(
        &target.view([-1]).to(scores.device()),
        None,
        Reduction::Mean,
        -100,
        0.0,
    )
}

/// The summed loss of one batch: four tag losses, arcs, and relations on the
/// gold heads.
fn batch_loss(heads: &Heads, cache: &Cache, gold: &Gold, batch: &[usize]) -> Tensor {
    let x = cache.inputs(batch);
    let t = targets(gold, cache, batch);
    let h = heads.encode(&x, true);
    let tags = heads.tags(&h, true);
    let mut loss = cross_entropy(&tags.upos, &t.tags[0])
        + cross_entropy(&tags.xpos, &t.tags[1])
        + cross_entropy(&tags.feats, &t.tags[2])
        + cross_entropy(&tags.lemma, &t.tags[3]);
    loss += cross_entropy(&heads.arcs(&h, &x.lengths, true), &t.heads);
    // Padding and the ROOT row attach to position 0 for the gather.
    let gold_heads = t.heads.clamp_min(0).to(h.device());
    loss + cross_entropy(&heads.rels(&h, &gold_heads, true), &t.rels)
}

/// Batches of similar length (little padding), in a seeded random order.
fn batches(lengths: &[usize], batch_size: usize, rng: &mut Rng) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    rng.shuffle(&mut order);
    let mut out = Vec::new();
    for pool in order.chunks(batch_size * 50) {
        let mut pool = pool.to_vec();
        pool.sort_by_key(|&i| lengths[i]);
        out.extend(pool.chunks(batch_size).map(<[usize]>::to_vec));
    }
    rng.shuffle(&mut out);
    out
}

fn bar(len: usize, quiet: bool, template: &str) -> ProgressBar {
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(len as u64)
    };
    bar.set_style(
        ProgressStyle::with_template(template)
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar
}

fn read(path: &Path, limit: usize) -> Result<ConlluFile> {
    let mut file = ConlluFile::read(path)?;
    if limit > 0 && limit < file.sentences.len() {
        file.sentences.truncate(limit);
    }
    if file.sentences.is_empty() {
        return Err(Error::format(path, None, "no sentences"));
    }
    Ok(file)
}

fn forms(file: &ConlluFile) -> Vec<Vec<&str>> {
    file.sentences.iter().map(|s| s.forms()).collect()
}

/// The encoder's states of every sentence, with a progress bar.
fn cache_states(
    tagger: &Tagger,
    sentences: &[Vec<&str>],
    quiet: bool,
    what: &str,
) -> Result<Cache> {
    let bar = bar(
        sentences.len(),
        quiet,
        "encoding {prefix} [{bar:30}] {pos}/{len} eta {eta}",
    );
    bar.set_prefix(what.to_string());
    let cache = encode_states(tagger, sentences, Kind::Half, |done| {
        bar.set_position(done as u64);
        if !quiet && bar.is_hidden() {
            eprintln!("encoding {what}: {done}/{}", sentences.len());
        }
    })?;
    bar.finish_and_clear();
    Ok(cache)
}

/// The parser's config before training: vocabularies, sizes, the encoder.
fn parser_config(
    config: &TrainConfig,
    train: &ConlluFile,
    scripts: &Scripts,
    tagger: &Tagger,
) -> Result<ParserConfig> {
    std::fs::create_dir_all(&config.out).map_err(|e| Error::io(&config.out, e))?;
    let s = &train.sentences;
    Ok(ParserConfig {
        encoder: relative(&config.out, &config.base)?,
        encoder_fingerprint: fingerprint(&weights_file(&config.base)?)?,
        layers: tagger.model.config["num_hidden_layers"]
            .as_u64()
            .unwrap_or(6) as usize,
        hidden: tagger.model.config["hidden_size"].as_u64().unwrap_or(384) as usize,
        lstm_hidden: config.lstm_hidden,
        lstm_layers: config.lstm_layers,
        tag_mlp: 256,
        arc_mlp: config.arc_mlp,
        rel_mlp: config.rel_mlp,
        embed_dim: 32,
        dropout: config.dropout,
        upos: vocab(s, |w| &w.upos),
        xpos: vocab(s, |w| &w.xpos),
        feats: vocab(s, |w| &w.feats),
        deprel: vocab(s, |w| &w.deprel),
        lemma: scripts.names.clone(),
    })
}

/// Lemma scripts and the (form, UPOS) lexicon of a training file.
fn lemmatizer(train: &ConlluFile, min_script_count: usize) -> Lemmatizer {
    let words = || train.sentences.iter().flat_map(|s| &s.words);
    Lemmatizer {
        scripts: Scripts::learn(
            words().map(|w| (w.form.as_str(), w.lemma.as_str())),
            min_script_count,
        ),
        lexicon: Lexicon::learn(
            words().map(|w| (w.form.as_str(), w.upos.as_str(), w.lemma.as_str())),
        ),
    }
}

/// Linear warm-up to the peak rate, then linear decay to zero at the last
/// planned step.
struct Schedule {
    peak: f64,
    warmup: usize,
    total: usize,
}

impl Schedule {
    fn lr(&self, step: usize) -> f64 {
        if step < self.warmup {
            self.peak * (step + 1) as f64 / self.warmup as f64
        } else {
            self.peak * self.total.saturating_sub(step) as f64
                / (self.total - self.warmup).max(1) as f64
        }
    }
}

/// What an epoch trains on.
struct Data<'a> {
    cache: &'a Cache,
    gold: &'a Gold,
    /// Print a line now and then when there is no progress bar.
    log_lines: bool,
}

/// One pass over the training batches; returns the mean loss.
fn run_epoch(
    heads: &Heads,
    opt: &mut nn::Optimizer,
    data: &Data,
    order: &[Vec<usize>],
    schedule: &Schedule,
    step: &mut usize,
    bar: &ProgressBar,
) -> f64 {
    let mut loss_sum = 0.0;
    for (b, batch) in order.iter().enumerate() {
        let lr = schedule.lr(*step);
        opt.set_lr(lr);
        let loss = batch_loss(heads, data.cache, data.gold, batch);
        opt.backward_step_clip_norm(&loss, 5.0);
        loss_sum += loss.double_value(&[]);
        *step += 1;
        if b % 10 == 0 {
            let msg = format!("loss {:.4} lr {lr:.2e}", loss_sum / (b + 1) as f64);
            // Without a terminal the bar is hidden: log a line now and then.
            if data.log_lines && bar.is_hidden() && b % 100 == 0 {
                eprintln!("epoch {} step {b}/{}: {msg}", bar.prefix(), order.len());
            }
            bar.set_message(msg);
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    loss_sum / order.len().max(1) as f64
}

/// The dev scores of the heads as they are now.
fn dev_entry(epoch: usize, loss: f64, s: &Scores, started: Instant) -> EpochLog {
    EpochLog {
        epoch,
        mean_loss: loss,
        dev_upos: s.upos_pct(),
        dev_xpos: s.xpos_pct(),
        dev_feats: s.feats_pct(),
        dev_lemma: s.lemma_pct(),
        dev_uas: s.uas_pct(),
        dev_las: s.las_pct(),
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn print_entry(e: &EpochLog) {
    eprintln!(
        "epoch {}: loss {:.4}, dev UPOS {:.2} XPOS {:.2} FEATS {:.2} lemma {:.2} UAS {:.2} LAS {:.2}, {:.1} min",
        e.epoch, e.mean_loss, e.dev_upos, e.dev_xpos, e.dev_feats, e.dev_lemma, e.dev_uas, e.dev_las,
        e.seconds / 60.0
    );
}

/// The log before the first epoch: settings, data sizes, lemma coverage.
fn new_log(
    config: &TrainConfig,
    device: Device,
    train_file: &ConlluFile,
    dev_file: &ConlluFile,
    scripts: &Scripts,
    started: Instant,
) -> TrainLog {
    TrainLog {
        config: config.clone(),
        device: format!("{device:?}"),
        threads: tch::get_num_threads(),
        train_sentences: train_file.sentences.len(),
        train_words: train_file.words(),
        dev_words: dev_file.words(),
        lemma_script_coverage_train: coverage(scripts, &train_file.sentences),
        lemma_script_coverage_dev: coverage(scripts, &dev_file.sentences),
        encode_seconds: started.elapsed().as_secs_f64(),
        epochs: Vec::new(),
        best_epoch: 0,
        best_dev_las: -1.0,
    }
}

/// Trains, saving the best parser (by dev LAS) in `config.out`.
pub fn train(config: TrainConfig, device: Device) -> Result<TrainLog> {
    tch::manual_seed(config.seed as i64);
    let mut rng = Rng(config.seed);
    let train_file = read(&config.train, config.limit)?;
    let dev_file = read(&config.dev, config.dev_limit)?;
    let lemmas = lemmatizer(&train_file, config.min_script_count);
    let mut tagger = Tagger::load_with_hidden_states(&config.base, device)?;
    tagger.context = 0;
    let heads = Heads::new(
        parser_config(&config, &train_file, &lemmas.scripts, &tagger)?,
        device,
    );
    // Written first: it depends on the training file alone.
    let lexicon_path = config.out.join(LEXICON_FILE);
    std::fs::write(&lexicon_path, lemmas.lexicon.to_tsv())
        .map_err(|e| Error::io(&lexicon_path, e))?;
    let started = Instant::now();
    let (train_forms, dev_forms) = (forms(&train_file), forms(&dev_file));
    let train_cache = cache_states(&tagger, &train_forms, config.quiet, "train")?;
    let dev_cache = cache_states(&tagger, &dev_forms, config.quiet, "dev")?;
    drop(tagger);
    let gold = gold(&train_file.sentences, &heads.config, &lemmas.scripts);
    let mut log = new_log(
        &config,
        device,
        &train_file,
        &dev_file,
        &lemmas.scripts,
        started,
    );
    let dev = DevSet {
        file: &dev_file,
        cache: &dev_cache,
        forms: &dev_forms,
    };
    let data = Data {
        cache: &train_cache,
        gold: &gold,
        log_lines: !config.quiet,
    };
    fit(&config, &heads, &lemmas, &data, &dev, &mut log, &mut rng)?;
    write_log(&config.out, &log)?;
    Ok(log)
}

/// The dev sentences the heads are scored on after every epoch.
struct DevSet<'a> {
    file: &'a ConlluFile,
    cache: &'a Cache,
    forms: &'a [Vec<&'a str>],
}

/// The epochs: train, score on dev, keep the best heads in `config.out`,
/// stop after `patience` epochs without a better dev LAS.
fn fit(
    config: &TrainConfig,
    heads: &Heads,
    lemmas: &Lemmatizer,
    data: &Data,
    dev: &DevSet,
    log: &mut TrainLog,
    rng: &mut Rng,
) -> Result<()> {
    let mut opt = nn::AdamW {
        beta1: 0.9,
        beta2: 0.9,
        wd: 0.0,
        eps: 1e-8,
        amsgrad: false,
    }
    .build(&heads.vs, config.lr)
    .map_err(Error::Torch)?;
    let steps_per_epoch = data.cache.lengths.len().div_ceil(config.batch_size);
    let total = (steps_per_epoch * config.epochs).max(1);
    let schedule = Schedule {
        peak: config.lr,
        warmup: ((total as f64) * config.warmup).round().max(1.0) as usize,
        total,
    };
    let (mut step, mut since_best) = (0usize, 0usize);
    for epoch in 1..=config.epochs {
        let started = Instant::now();
        let bar = bar(
            steps_per_epoch,
            config.quiet,
            "epoch {prefix} [{bar:30}] {pos}/{len} {msg} eta {eta}",
        );
        bar.set_prefix(format!("{epoch}/{}", config.epochs));
        let order = batches(&data.cache.lengths, config.batch_size, rng);
        let loss = run_epoch(heads, &mut opt, data, &order, &schedule, &mut step, &bar);
        let scores = Scores::of(
            &dev.file.sentences,
            &predict(heads, lemmas, dev.cache, dev.forms),
        );
        let entry = dev_entry(epoch, loss, &scores, started);
        if !config.quiet {
            print_entry(&entry);
        }
        let improved = entry.dev_las > log.best_dev_las;
        log.epochs.push(entry);
        if improved {
            (log.best_dev_las, log.best_epoch, since_best) = (scores.las_pct(), epoch, 0);
            heads.save(&config.out)?;
            write_log(&config.out, log)?;
        } else {
            since_best += 1;
            if since_best >= config.patience {
                if !config.quiet {
                    eprintln!("no dev LAS improvement for {since_best} epochs: stopping");
                }
                break;
            }
        }
    }
    Ok(())
}

fn write_log(out: &Path, log: &TrainLog) -> Result<()> {
    let path = out.join("training.json");
    let text = serde_json::to_string_pretty(log).expect("log serialises");
    std::fs::write(&path, text + "\n").map_err(|e| Error::io(&path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_between_sibling_directories() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("models/parser");
        let b = dir.path().join("models/ner");
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        assert_eq!(relative(&a, &b).unwrap(), "../ner");
    }
}
