//! Plain-text articles: one file, one document.

use super::{decode, Source};
use crate::document::{Document, Origin};

pub(super) fn read(source: &Source) -> Document {
    let origin = Origin {
        path: source.display(),
        line: None,
    };
    let Some(path) = &source.path else {
        return Document::failed(&source.id, origin, "text input needs a file path");
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return Document::failed(&source.id, origin, format!("cannot read: {e}")),
    };
    let mut warnings = Vec::new();
    match decode(bytes, &mut warnings) {
        Ok(text) => {
            let mut doc = Document::new(&source.id, text);
            doc.origin = origin;
            doc.warnings = warnings;
            doc
        }
        Err(reason) => Document::failed(&source.id, origin, reason),
    }
}
