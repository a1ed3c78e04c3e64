//! The events stage: ACE-style events — who did what to whom, where and
//! when — read off the dependency parse of each sentence.
//!
//! [`syntax`] is the engine: the rules of `rules/events_syntax.toml` name
//! trigger lemmas and the dependency paths from a trigger to each argument
//! role; casualty counts, modality, genericity and one id per real event in
//! a document come with them. It needs the parse of the syntax stage, so
//! the pipeline runs it only with a parser (`extract --no-events` runs
//! neither). [`eval`] scores it on M2E2 records (`eval-events`).

pub mod eval;
pub mod syntax;
