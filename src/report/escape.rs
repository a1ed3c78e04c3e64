//! Putting data into the page so that no input can break out of it.
//!
//! The page carries its data as JSON inside `<script type="application/json">`.
//! In there, the HTML parser ends the element at the first `</script`, and
//! `<!--` changes how it looks for that end, whatever JSON thinks; so `<`,
//! `>` and `&` are written as JSON escapes (`\u003c`...), which the JSON parser
//! reads back as the same characters. U+2028 and U+2029 are escaped too: they
//! end lines in older JavaScript. Outside strings serde_json writes none of
//! these characters, so escaping the whole text is exact.

/// JSON text made safe to sit inside a `<script>` element.
pub fn json_for_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + json.len() / 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::json_for_script;

    #[test]
    fn script_breakouts_are_escaped_and_the_json_reads_back_the_same() {
        let hostile = "</script><script>alert(1)</script><!-- & \u{2028}\u{2029} \u{202e}";
        let json = serde_json::to_string(&serde_json::json!({ "t": hostile })).unwrap();
        let safe = json_for_script(&json);
        for bad in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
            assert!(!safe.contains(bad), "{bad:?} left in {safe}");
        }
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["t"], hostile);
    }
}
