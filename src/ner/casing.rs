//! The case signal.
//!
//! The base encoder's vocabulary is uncased, yet capitalisation is the strongest
//! cue for names in news. Each word piece gets the casing class of the word it
//! belongs to, fed to the model as its token type. The token-type embedding has
//! one row per class, so the weights stay a stock `BertForTokenClassification`
//! that rust-bert and Python `transformers` both load; only the caller must pass
//! these ids as `token_type_ids`.

/// Number of casing classes, i.e. rows of the token-type embedding.
pub const CASE_CLASSES: i64 = 6;

/// The class of a word of two or more letters, all capitals ("ISIS",
/// "U.S."): also how the segmenter knows a dateline's place and the event
/// rules an abbreviated state ("the US strike").
pub const ALL_CAPS: i64 = 3;

/// Class 0 is kept for special tokens and padding.
pub fn casing_class(word: &str) -> i64 {
    let mut letters = 0;
    let mut upper = 0;
    let mut digits = 0;
    let mut first_upper = false;
    for (i, c) in word.chars().enumerate() {
        if c.is_alphabetic() {
            letters += 1;
            if c.is_uppercase() {
                upper += 1;
                if i == 0 {
                    first_upper = true;
                }
            }
        } else if c.is_numeric() {
            digits += 1;
        }
    }
    if letters == 0 {
        // Punctuation and numbers.
        return if digits > 0 { 5 } else { 1 };
    }
    if upper == 0 {
        1 // lower
    } else if upper == letters && letters > 1 {
        ALL_CAPS
    } else if first_upper && upper == 1 {
        2 // Initial cap
    } else {
        4 // mixed: McDonald, iPhone, U.S.-led
    }
}

#[cfg(test)]
mod tests {
    use super::casing_class;

    #[test]
    fn classes() {
        assert_eq!(casing_class("drone"), 1);
        assert_eq!(casing_class("Baghdad"), 2);
        assert_eq!(casing_class("ISIS"), 3);
        assert_eq!(casing_class("U.S."), 3);
        assert_eq!(casing_class("McKenzie"), 4);
        assert_eq!(casing_class("2,500"), 5);
        assert_eq!(casing_class(","), 1);
        assert_eq!(casing_class("Çelik"), 2);
        assert_eq!(casing_class("I"), 2);
    }
}
