//! Normalisation and limits of user text.
//!
//! Every string typed by a person goes through [`clean`] before it is checked or stored:
//! NFC normalisation, removal of control characters (line breaks kept where allowed) and of
//! the Unicode bidirectional controls that can make text display in a misleading order.
//! Lengths are counted in Unicode scalar values after cleaning.

use unicode_normalization::UnicodeNormalization;

/// Maximum length of a secret's title, in characters.
pub const TITLE_MAX: usize = 120;
/// Maximum length of a secret's text, in characters.
pub const TEXT_MAX: usize = 2000;
/// Maximum length of a place, a best moment or a free-text commune, in characters.
pub const PLACE_MAX: usize = 160;
/// Maximum length of a first name, in characters.
pub const NAME_MAX: usize = 40;
/// Maximum length of a moderation note, a feedback comment or a workshop title.
pub const NOTE_MAX: usize = 1000;
/// Maximum length of an e-mail address (RFC 5321 path limit).
pub const EMAIL_MAX: usize = 254;

/// Whether line breaks survive cleaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    Keep,
    Fold,
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Cleans user text: NFC, no control characters, no bidirectional controls, CRLF folded to LF,
/// surrounding white space trimmed. With [`Lines::Fold`], line breaks become spaces.
pub fn clean(input: &str, lines: Lines) -> String {
    let unified = input.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(unified.len());
    for c in unified.nfc() {
        if c == '\n' {
            match lines {
                Lines::Keep => out.push('\n'),
                Lines::Fold => out.push(' '),
            }
        } else if c == '\t' {
            out.push(' ');
        } else if c.is_control() || is_bidi_control(c) || c == '\u{FEFF}' {
            continue;
        } else {
            out.push(c);
        }
    }
    out.trim().to_owned()
}

/// Number of characters, as the limits count them.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_removes_controls_and_bidi() {
        assert_eq!(clean("a\u{202E}b\u{0007}c", Lines::Keep), "abc");
        assert_eq!(clean("  line1\r\nline2 ", Lines::Keep), "line1\nline2");
        assert_eq!(clean("line1\nline2", Lines::Fold), "line1 line2");
    }

    #[test]
    fn clean_normalises_to_nfc() {
        let decomposed = "Cricquebœuf e\u{0301}";
        assert_eq!(clean(decomposed, Lines::Keep), "Cricquebœuf é");
        assert_eq!(char_len(&clean("e\u{0301}", Lines::Keep)), 1);
    }
}
