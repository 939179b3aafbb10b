//! Quoting a value inside an error message.

/// `"text"`, for a value quoted in an error message: `"` and `\` escaped, control characters
/// as `\u{..}`. Error messages use it instead of `{:?}`, whose escaping drags Unicode's
/// printable-character tables into the shim's start wasm (issue 10's size budget). The
/// shim and the sandbox quote alike.
pub struct Quoted<'a>(pub &'a str);

impl std::fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write;
        f.write_char('"')?;
        for c in self.0.chars() {
            match c {
                '"' | '\\' => {
                    f.write_char('\\')?;
                    f.write_char(c)?;
                }
                c if c.is_control() => write!(f, "\\u{{{:x}}}", c as u32)?,
                c => f.write_char(c)?,
            }
        }
        f.write_char('"')
    }
}

#[cfg(test)]
mod tests {
    use super::Quoted;

    #[test]
    fn quotes_like_debug_for_plain_text_and_escapes_quotes_backslashes_and_controls() {
        for (input, expected) in [
            ("abc", r#""abc""#),
            ("", r#""""#),
            ("中文 ok", r#""中文 ok""#),
            (r#"say "hi""#, r#""say \"hi\"""#),
            (r"a\b", r#""a\\b""#),
            ("line\nbreak\t\u{7f}", r#""line\u{a}break\u{9}\u{7f}""#),
        ] {
            assert_eq!(Quoted(input).to_string(), expected, "{input:?}");
        }
    }
}
