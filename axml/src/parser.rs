//! AXML markup → a tree of elements and text, with byte offsets (turned into spans by
//! [`crate::diagnostic::Source`]). Iterative, so deep nesting cannot overflow the stack.

use crate::diagnostic::{Diagnostic, Source};
use crate::expr::find_close;

/// How deep elements may nest (counting those of included files); deeper input is refused
/// with a diagnostic. Compiling and rendering recurse per level: in release builds that is
/// about 1 KB of stack per level, in unoptimised builds about 10 KB, so this bound keeps both
/// inside wasm's 1 MB stack and a 2 MB thread. Real pages nest a few dozen levels at most.
pub const MAX_NESTING: usize = 128;

/// A node of the markup tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// `<name attrs>children</name>` or `<name attrs/>`.
    Element(Element),
    /// Text between tags, raw (entities and `{{ }}` not yet processed), with its byte offset.
    Text(String, usize),
}

/// An element as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    /// The tag name (`view`, `a-custom-component`, `import-sjs`).
    pub name: String,
    /// Byte offset of the `<`.
    pub offset: usize,
    /// Attributes in source order.
    pub attrs: Vec<Attr>,
    /// Child nodes (comments are dropped).
    pub children: Vec<Node>,
}

/// An attribute as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Attr {
    /// The name (`class`, `a:if`, `onTap`, `data-id`).
    pub name: String,
    /// Byte offset of the name.
    pub offset: usize,
    /// The raw value and the byte offset of its first character; `None` for a bare attribute
    /// such as `a:else` or `disabled`.
    pub value: Option<(String, usize)>,
}

impl Element {
    /// The attribute called `name`.
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b':' | b'.')
}

/// Parses a whole file into its top-level nodes.
pub fn parse(src: &Source) -> Result<Vec<Node>, Diagnostic> {
    let text = src.text.as_str();
    let bytes = text.as_bytes();
    let mut stack: Vec<Element> = Vec::new();
    let mut top: Vec<Node> = Vec::new();
    let mut i = 0;

    fn push(stack: &mut [Element], top: &mut Vec<Node>, node: Node) {
        match stack.last_mut() {
            Some(parent) => parent.children.push(node),
            None => top.push(node),
        }
    }

    while i < bytes.len() {
        if text[i..].starts_with("<!--") {
            let end = text[i + 4..]
                .find("-->")
                .ok_or_else(|| src.error(i, "comment `<!--` is never closed with `-->`"))?;
            i += 4 + end + 3;
        } else if text[i..].starts_with("</") {
            let start = i;
            let name_start = i + 2;
            let mut j = name_start;
            while j < bytes.len() && is_name_char(bytes[j]) {
                j += 1;
            }
            let name = &text[name_start..j];
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if name.is_empty() || bytes.get(j) != Some(&b'>') {
                return Err(src.error(start, "malformed closing tag: expected `</name>`"));
            }
            let Some(open) = stack.pop() else {
                return Err(src.error(
                    start,
                    format!("`</{name}>` closes nothing: there is no open `<{name}>`"),
                ));
            };
            if open.name != name {
                let at = src.span(open.offset);
                return Err(src.error(
                    start,
                    format!(
                        "`</{name}>` does not match `<{}>` opened at line {}, column {}",
                        open.name, at.line, at.column
                    ),
                ));
            }
            push(&mut stack, &mut top, Node::Element(open));
            i = j + 1;
        } else if bytes[i] == b'<' && bytes.get(i + 1).copied().is_some_and(is_name_start) {
            let (element, self_closing, end) = open_tag(src, i)?;
            i = end;
            if self_closing {
                push(&mut stack, &mut top, Node::Element(element));
            } else {
                if stack.len() >= MAX_NESTING {
                    return Err(src.error(
                        element.offset,
                        format!("elements nest more than {MAX_NESTING} deep"),
                    ));
                }
                stack.push(element);
            }
        } else {
            // Text, up to the next tag; a `<` inside `{{ }}` (`{{a < b}}`) is part of the text.
            let start = i;
            while i < bytes.len() {
                if bytes[i..].starts_with(b"{{") {
                    // An unclosed `{{` is reported by the compiler, with its position.
                    i = find_close(text, i + 2).map_or(i + 2, |c| c + 2);
                } else if bytes[i] == b'<'
                    && (bytes
                        .get(i + 1)
                        .copied()
                        .is_some_and(|c| is_name_start(c) || c == b'/' || c == b'!'))
                    && i > start
                {
                    break;
                } else if bytes[i] == b'<' && i == start {
                    i += 1; // a lone `<` that opens no tag is text
                } else {
                    i += 1;
                }
            }
            let i_end = i.min(bytes.len());
            push(
                &mut stack,
                &mut top,
                Node::Text(text[start..i_end].to_string(), start),
            );
            i = i_end;
        }
    }
    if let Some(open) = stack.pop() {
        return Err(src.error(open.offset, format!("`<{}>` is never closed", open.name)));
    }
    Ok(top)
}

/// Parses `<name attr="v" ...>` or `.../>` at `start`; returns the element, whether it closed
/// itself, and the offset after the `>`.
fn open_tag(src: &Source, start: usize) -> Result<(Element, bool, usize), Diagnostic> {
    let text = src.text.as_str();
    let bytes = text.as_bytes();
    let mut j = start + 1;
    while j < bytes.len() && is_name_char(bytes[j]) {
        j += 1;
    }
    let name = text[start + 1..j].to_string();
    let mut attrs: Vec<Attr> = Vec::new();
    loop {
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        let closes = match bytes.get(j) {
            None => return Err(src.error(start, format!("`<{name}` is never finished with `>`"))),
            Some(b'>') => Some((false, j + 1)),
            Some(b'/') if bytes.get(j + 1) == Some(&b'>') => Some((true, j + 2)),
            Some(_) => None,
        };
        if let Some((self_closing, after)) = closes {
            let element = Element {
                name,
                offset: start,
                attrs,
                children: vec![],
            };
            return Ok((element, self_closing, after));
        }
        let attr_start = j;
        let ends_name = |j: usize| {
            bytes[j].is_ascii_whitespace()
                || matches!(bytes[j], b'=' | b'>' | b'"' | b'\'' | b'<')
                || (bytes[j] == b'/' && bytes.get(j + 1) == Some(&b'>'))
        };
        while j < bytes.len() && !ends_name(j) {
            j += 1;
        }
        if j == attr_start {
            let ch = text[j..].chars().next().unwrap_or(' ');
            return Err(src.error(
                j,
                format!("unexpected `{ch}` in `<{name}>`: expected an attribute name, `>` or `/>`"),
            ));
        }
        let attr_name = text[attr_start..j].to_string();
        if attrs.iter().any(|a| a.name == attr_name) {
            return Err(src.error(
                attr_start,
                format!("attribute `{attr_name}` is given twice"),
            ));
        }
        let mut k = j;
        while k < bytes.len() && bytes[k].is_ascii_whitespace() {
            k += 1;
        }
        let mut value = None;
        if bytes.get(k) == Some(&b'=') {
            k += 1;
            while k < bytes.len() && bytes[k].is_ascii_whitespace() {
                k += 1;
            }
            match bytes.get(k) {
                Some(&q @ (b'"' | b'\'')) => {
                    let v_start = k + 1;
                    let mut m = v_start;
                    loop {
                        match bytes.get(m) {
                            None => {
                                return Err(src.error(
                                    k,
                                    format!(
                                        "the value of `{attr_name}` is never closed with {}",
                                        q as char
                                    ),
                                ));
                            }
                            Some(&c) if c == q => break,
                            // A quote inside `{{ }}` does not end the value: `title="{{ "a" }}"`.
                            Some(b'{') if bytes.get(m + 1) == Some(&b'{') => {
                                m = find_close(text, m + 2).map_or(m + 2, |c| c + 2);
                            }
                            Some(_) => m += 1,
                        }
                    }
                    value = Some((text[v_start..m].to_string(), v_start));
                    j = m + 1;
                }
                Some(_) => {
                    // Unquoted value, as HTML allows: up to whitespace or the tag's end.
                    let v_start = k;
                    let mut m = k;
                    while m < bytes.len()
                        && !bytes[m].is_ascii_whitespace()
                        && bytes[m] != b'>'
                        && !(bytes[m] == b'/' && bytes.get(m + 1) == Some(&b'>'))
                    {
                        m += 1;
                    }
                    if m == v_start {
                        return Err(src.error(k, format!("`{attr_name}=` has no value")));
                    }
                    value = Some((text[v_start..m].to_string(), v_start));
                    j = m;
                }
                None => return Err(src.error(k, format!("`{attr_name}=` has no value"))),
            }
        }
        attrs.push(Attr {
            name: attr_name,
            offset: attr_start,
            value,
        });
    }
}
