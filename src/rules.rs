//! Rule and lexicon files: each kind is parsed from text, compiled into the
//! binary as a default (the file under `rules/` at build time), and replaceable
//! at run time by a user's file. The loading logic is written once, here.

use crate::error::{Error, Result};
use std::path::Path;

pub trait RuleFile: Sized {
    /// The built-in file's text and the path it has in the repository.
    const BUILTIN: &'static str;
    const BUILTIN_PATH: &'static str;

    /// Parses a file's text; errors name `path`.
    fn parse(source: &str, path: &Path) -> Result<Self>;

    fn load(path: &Path) -> Result<Self> {
        let source = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&source, path)
    }

    /// The built-in rules; their validity is checked by the tests.
    fn builtin() -> Self {
        Self::parse(Self::BUILTIN, Path::new(Self::BUILTIN_PATH))
            .unwrap_or_else(|e| panic!("built-in {} is invalid: {e}", Self::BUILTIN_PATH))
    }

    /// A user's file when given, else the built-in rules.
    fn load_or_builtin(path: Option<&Path>) -> Result<Self> {
        match path {
            Some(p) => Self::load(p),
            None => Ok(Self::builtin()),
        }
    }
}
