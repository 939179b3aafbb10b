//! A place in a script of a native mini program, and what is wrong there: the error the
//! simulator shows like a template's compile error (file, line, column, a caret display).

/// A syntax error (or an unresolvable import) at a place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    /// The file, relative to the app's root.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// The source line with a caret under the column.
    pub display: String,
}

impl SourceError {
    /// The error `message` at byte `offset` of `source` (the file `file`).
    pub fn at(file: &str, source: &str, offset: u32, message: String) -> SourceError {
        let offset = (offset as usize).min(source.len());
        let offset = (0..=offset)
            .rev()
            .find(|&i| source.is_char_boundary(i))
            .unwrap_or(0);
        let start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = source[offset..]
            .find('\n')
            .map_or(source.len(), |i| offset + i);
        let line = source[..offset].matches('\n').count() + 1;
        let column = source[start..offset].chars().count() + 1;
        let text = source[start..end].trim_end_matches('\r');
        let number = line.to_string();
        let pad = " ".repeat(number.len());
        let lead: String = text
            .chars()
            .take(column - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let display = format!(
            "error: {message}\n{pad}--> {file}:{line}:{column}\n{pad} |\n{number} | {text}\n{pad} | {lead}^"
        );
        SourceError {
            file: file.to_string(),
            line,
            column,
            message,
            display,
        }
    }

    /// A module that throws this error when it is loaded (the Worker shows it with its place).
    pub fn as_module(&self) -> String {
        let json = |s: &str| serde_json::Value::from(s).to_string();
        format!(
            "throw Object.assign(new SyntaxError({message}), {{ kind: 'compile', where: {{ file: {file}, line: {line}, column: {column} }}, display: {display} }});\n",
            message = json(&self.message),
            file = json(&self.file),
            line = self.line,
            column = self.column,
            display = json(&self.display),
        )
    }
}
