//! `run.json`: how a run was made — casefile version, model, rule files,
//! engine, inputs — and what it counted.
//!
//! The other outputs say what was found, not with what; an analyst comparing
//! two runs, or reading a report weeks later, needs the settings next to the
//! results. Written last, when the run finishes, so its presence says the
//! output directory is complete. It holds no clock time (that is `--stats`):
//! like every output, the same run gives the same bytes, resumed or not, on
//! any number of threads.

use super::{write_err, AtomicWriter};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// The settings and counts of one `extract` run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    /// casefile's version (`CARGO_PKG_VERSION`).
    pub casefile: String,
    /// The inputs as given on the command line.
    pub inputs: Vec<String>,
    /// The NER model directory.
    pub model: String,
    /// The events stage: `syntax` (the rules of `rules/events_syntax.toml`
    /// on the parse), or `none` when it did not run (`extract --no-events`).
    /// Older runs may say `window`: the events engine casefile once had.
    pub engine: String,
    /// The syntax parser directory, when the syntax stage ran.
    pub parser: Option<String>,
    /// Rule file per kind (`events`, `boilerplate`, `abbreviations`,
    /// `actors`): the path given, or `built-in`.
    pub rules: BTreeMap<String, String>,
    pub documents: usize,
    pub failed: usize,
    /// Event mentions and entity mentions.
    pub events: usize,
    pub entities: usize,
}

impl RunInfo {
    /// The file name in the output directory.
    pub const FILE: &'static str = "run.json";

    /// Writes `dir/run.json` (atomically, like every output).
    pub fn write(&self, dir: &Path) -> Result<()> {
        let mut w = AtomicWriter::create(dir.join(Self::FILE))?;
        serde_json::to_writer_pretty(&mut w.out, self).map_err(|e| write_err(w.path(), e))?;
        w.out.write_all(b"\n").map_err(|e| write_err(w.path(), e))?;
        w.commit()
    }

    /// Reads `dir/run.json`; `None` when the directory has none (runs of
    /// casefile before it was written).
    pub fn read(dir: &Path) -> Result<Option<RunInfo>> {
        let path = dir.join(Self::FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| Error::format(&path, None, e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::RunInfo;

    #[test]
    fn run_info_round_trips_and_is_optional() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(RunInfo::read(dir.path()).unwrap(), None);
        let info = RunInfo {
            casefile: "0.1.0".into(),
            model: "models/ner-en-conll".into(),
            rules: [("events".to_string(), "built-in".to_string())].into(),
            documents: 3,
            failed: 1,
            ..RunInfo::default()
        };
        info.write(dir.path()).unwrap();
        assert_eq!(RunInfo::read(dir.path()).unwrap(), Some(info));
    }
}
