//! Text from strangers made inert: error messages, versions and log lines come from servers,
//! drivers and whoever sits between them, and end up on terminals and in reports. One rule says
//! which characters must never be written raw; [`visible`] writes them as Rust escapes.

/// Whether `c` must be written escaped — visibly, as [`char::escape_default`] spells it
/// (`\u{1b}`, `\r`) — rather than raw: control characters other than `\n` and `\t` (ANSI and
/// OSC escapes, NUL, BEL, backspace, `\r`, DEL, C1 controls), the line and paragraph separators,
/// the bidi marks, embeddings, overrides and isolates (they reorder the text around them), and
/// U+FFFE/U+FFFF (not XML characters).
pub fn hidden_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t'))
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{fffe}'
                | '\u{ffff}'
        )
}

/// `text` with every [`hidden_char`] written as its escape (`"a\x1b[2J"` → `a\u{1b}[2J`);
/// `\n`, `\t` and everything printable are kept as they are.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if hidden_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_become_escapes_and_the_rest_stays() {
        assert_eq!(
            visible("a\x1b[31mb\r\x07\u{202e}c\u{fffe}"),
            "a\\u{1b}[31mb\\r\\u{7}\\u{202e}c\\u{fffe}"
        );
        assert_eq!(visible("line\n\tnext · ü"), "line\n\tnext · ü");
    }
}
