//! Assembling the one HTML file: template, style, script and data.
//!
//! The page is static markup; everything from the input reaches it only as
//! escaped JSON data ([`super::escape`]) that the script renders as text
//! nodes. As a second line of defence the Content-Security-Policy allows no
//! network access at all and runs only the page's own script and style,
//! named by their SHA-256 hashes: a `<script>` that somehow got in would not
//! run.

use super::escape::json_for_script;
use base64::Engine as _;
use sha2::{Digest, Sha256};

const TEMPLATE: &str = include_str!("template.html");
const STYLE: &str = include_str!("report.css");
/// The script, in parts by concern: helpers and highlighting, the overview
/// and timeline, the events table, the document and error views.
const SCRIPTS: [&str; 4] = [
    include_str!("js/util.js"),
    include_str!("js/overview.js"),
    include_str!("js/events.js"),
    include_str!("js/views.js"),
];

/// `'sha256-…'`, the CSP source that allows exactly this inline content.
fn csp_hash(content: &str) -> String {
    let digest = Sha256::digest(content.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The page for `json`, the serialised report data.
pub fn render(json: &str) -> String {
    let script = SCRIPTS.concat();
    let csp = format!(
        "default-src 'none'; script-src {}; style-src {}; img-src data:; \
         base-uri 'none'; form-action 'none'",
        csp_hash(&script),
        csp_hash(STYLE)
    );
    // Replaced in one pass over the template, in order, so text inserted for
    // one placeholder is never searched for the next.
    let mut out = String::with_capacity(TEMPLATE.len() + json.len() + script.len() + 4096);
    let mut rest = TEMPLATE;
    for (mark, value) in [
        ("{{csp}}", csp.as_str()),
        ("{{style}}", STYLE),
        ("{{data}}", &json_for_script(json)),
        ("{{script}}", &script),
    ] {
        let (before, after) = rest
            .split_once(mark)
            .expect("the template holds each placeholder once, in order");
        out.push_str(before);
        out.push_str(value);
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_the_exact_script_and_style() {
        let page = render(r#"{"x":"</script>"}"#);
        assert!(page.contains(&csp_hash(&SCRIPTS.concat())));
        assert!(page.contains(&csp_hash(STYLE)));
        assert!(page.contains(r#"{"x":"\u003c/script\u003e"}"#));
        assert_eq!(page.matches("<script").count(), 2, "data and code only");
    }

    /// The script renders input as text nodes only: none of the calls that
    /// parse a string as markup or code may appear in it.
    #[test]
    fn the_script_never_parses_strings_as_markup() {
        let script = SCRIPTS.concat();
        for call in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
            "new Function",
            "setAttribute('style'",
        ] {
            assert!(!script.contains(call), "{call} in the report script");
        }
        assert!(!script.contains("</script") && !STYLE.contains("</style"));
    }
}
