//! Where a piece of source is, and the compile error that points at it.

use std::cell::Cell;
use std::fmt;
use std::sync::Arc;

/// A position in one source file: 1-based line and column (in characters), and the byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// The file, as the [`crate::FileProvider`] named it (e.g. `pages/index/index.axml`).
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
    /// Byte offset in the file.
    pub offset: usize,
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A source file with a line index (crate-internal; public only for the parser's signature), so byte offsets turn into lines and columns.
#[derive(Debug)]
pub(crate) struct Source {
    /// The file's path.
    pub name: Arc<str>,
    /// The file's text.
    pub text: String,
    line_starts: Vec<usize>,
    /// Per line, whether it is ASCII: then a column is a byte difference, with no counting
    /// (a minified template is one long line with thousands of bindings).
    line_ascii: Vec<bool>,
    /// The last span computed on a non-ASCII line, `(line, offset, column)`: spans come in
    /// increasing order, so counting resumes from there instead of the line's start.
    last: Cell<(usize, usize, usize)>,
}

impl Source {
    /// Indexes `text` as the file `name`.
    pub fn new(name: &str, text: String) -> Source {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let line_ascii = line_starts
            .iter()
            .enumerate()
            .map(|(n, &start)| {
                let end = line_starts.get(n + 1).copied().unwrap_or(text.len());
                text.as_bytes()[start..end].is_ascii()
            })
            .collect();
        Source {
            name: name.into(),
            text,
            line_starts,
            line_ascii,
            last: Cell::new((0, 0, 1)),
        }
    }

    /// The span of byte `offset` (clamped to the text and to a character boundary).
    pub fn span(&self, offset: usize) -> Span {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = if self.line_ascii[line - 1] {
            offset - start + 1
        } else {
            let (last_line, last_offset, last_column) = self.last.get();
            let column = if last_line == line && last_offset <= offset {
                last_column + self.text[last_offset..offset].chars().count()
            } else {
                self.text[start..offset].chars().count() + 1
            };
            self.last.set((line, offset, column));
            column
        };
        Span {
            file: self.name.clone(),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            offset,
        }
    }

    /// A diagnostic at byte `offset`, carrying the source line for display.
    /// A diagnostic at byte `offset`.
    pub fn error(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        let span = self.span(offset);
        let start = self.line_starts[(span.line as usize)
            .saturating_sub(1)
            .min(self.line_starts.len() - 1)];
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let line = self.text[start..end].trim_end_matches('\r').to_string();
        Diagnostic {
            span,
            message: message.into(),
            source_line: line,
        }
    }
}

/// A compile error: what went wrong, and where.
///
/// `Display` prints it like a compiler diagnostic:
///
/// ```text
/// error: `<view>` is never closed
///  --> pages/index/index.axml:3:5
///   |
/// 3 |     <view class="a">
///   |     ^
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where the problem is.
    pub span: Span,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The text of the line the span is on (without its line break), for display.
    pub source_line: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number = self.span.line.to_string();
        let pad = " ".repeat(number.len());
        // The caret sits under the column; tabs are kept so it lines up in a terminal.
        let lead: String = self
            .source_line
            .chars()
            .take((self.span.column as usize).saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        writeln!(f, "error: {}", self.message)?;
        writeln!(f, "{pad}--> {}", self.span)?;
        writeln!(f, "{pad} |")?;
        writeln!(f, "{number} | {}", self.source_line)?;
        write!(f, "{pad} | {lead}^")
    }
}

impl std::error::Error for Diagnostic {}

#[cfg(test)]
mod tests {
    use super::Source;

    #[test]
    fn columns_count_characters_in_any_order_of_lookup() {
        let text = "ab\n价格{{x}} 价{{y}}\n{{z}}".to_string();
        let src = Source::new("a.axml", text.clone());
        let expected = |offset: usize| {
            let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            (
                text[..offset].matches('\n').count() + 1,
                text[start..offset].chars().count() + 1,
            )
        };
        let offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        // Forward, backward and jumping lookups all agree with counting from the line start.
        for &o in offsets
            .iter()
            .chain(offsets.iter().rev())
            .chain(offsets.iter().step_by(3))
        {
            let span = src.span(o);
            assert_eq!(
                (span.line as usize, span.column as usize),
                expected(o),
                "offset {o}"
            );
        }
    }
}
