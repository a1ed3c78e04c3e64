//! casefile turns news articles into structured events — who did what to whom,
//! where and when — for spreadsheets and knowledge bases.
//!
//! One [`document::Document`] flows through stages named after what they do:
//!
//! ```text
//! ingest → clean → segment → ner → time → events → resolve → output
//! ```
//!
//! The outputs merge event mentions of one real-world event across documents
//! ([`merge`]): merged_events.csv, and the knowledge-base outputs `--db` and
//! `--jsonl`. [`report`] makes a finished run browsable as one HTML page.
//!
//! Every stage adds to the document and none rewrites its text, so every span
//! in every output maps back to the characters of the input. Rules and lexicons
//! are data files under `rules/` (built in, and replaceable at run time).
//! [`pipeline::Pipeline`] runs the stages; the `casefile` binary is a thin CLI.

pub mod clean;
pub mod coding;
pub mod document;
pub mod error;
pub mod events;
pub mod geo;
pub mod ingest;
pub mod memory;
pub mod merge;
pub mod ner;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod resolve;
pub mod rng;
pub mod rules;
pub mod segment;
pub mod syntax;
pub mod time;

pub use document::Document;
pub use error::{Error, Result};
pub use pipeline::{Pipeline, PipelineConfig};
