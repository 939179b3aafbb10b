//! ACSS → CSS: `rpx` units, `@import`, the `page` selector and component style isolation.
//!
//! Decisions (also in the crate's README):
//! - `rpx`: 750rpx is the screen's width. By default `Nrpx` becomes
//!   `calc(N * var(--rpx, 100vw / 750))`, so the page follows the phone frame's width (the
//!   iframe's `100vw`) and a host may pin it by setting `--rpx`; with [`Rpx::Px`] it becomes
//!   fixed pixels for a given width (`N * width / 750`, 4 decimals at most).
//! - `page` (the type selector) becomes [`PAGE_CLASS`] as a class: the renderer puts that class
//!   on the page's root element.
//! - Component isolation: with [`AcssOptions::scope`] set to a class name, every compound
//!   selector also requires that class (`.item .name` → `.item.c1 .name.c1`); the renderer puts
//!   it on every element the component's own template creates. Selectors inside `@keyframes`
//!   are left alone. The other way round, with [`AcssOptions::outside`] set to the class every
//!   component's elements carry, every compound of a page's style sheet gets `:not(.x)`
//!   (`.item` → `.item:not(.a-comp)`), so a page's styles do not reach into its components
//!   (the content a page puts into a component's slots is the page's own, and matches).
//! - Comments are dropped; everything else is passed through as written.

use std::rc::Rc;

use crate::diagnostic::{Diagnostic, Source};
use crate::files::{looked_for, read_reference, resolve, FileProvider};

/// The class the `page` selector becomes; the renderer sets it on the page's root element.
pub const PAGE_CLASS: &str = "a-page";

/// How deep `@media`/`@supports` blocks and `@import` chains may nest; deeper input is refused
/// (real style sheets nest two or three levels), so no input can exhaust the stack.
pub const MAX_NESTING: usize = 32;

/// Where a block of rules sits: how deep, and whether inside `@keyframes` (whose selectors
/// are `from`/`50%`, not to be rewritten).
#[derive(Clone, Copy, Default)]
struct Block {
    depth: usize,
    keyframes: bool,
}

impl Block {
    fn inner(self, keyframes: bool) -> Block {
        Block {
            depth: self.depth + 1,
            keyframes,
        }
    }
}

/// How `rpx` lengths are written out.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Rpx {
    /// `calc(N * var(--rpx, 100vw / 750))`: follows the viewport (the phone frame) width.
    #[default]
    Var,
    /// Fixed pixels for a screen this many CSS pixels wide.
    Px(f64),
}

/// What to do besides the plain conversion.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AcssOptions {
    /// How `rpx` is written.
    pub rpx: Rpx,
    /// For a component's styles: the class every selector is scoped to.
    pub scope: Option<String>,
    /// For a page's styles: a class whose elements no selector matches (`:not(.x)` on every
    /// compound), so a page's styles stay out of the components it uses.
    pub outside: Option<String>,
}

/// Compiles the ACSS file at `path` (reading `@import`s through `files`) to CSS.
pub fn compile_acss(
    path: &str,
    files: &dyn FileProvider,
    options: &AcssOptions,
) -> Result<String, Diagnostic> {
    let path = resolve("", path).unwrap_or_else(|| path.to_string());
    let text = files.read(&path).ok_or_else(|| {
        Source::new(&path, String::new()).error(0, format!("style sheet `{path}` does not exist"))
    })?;
    let mut out = String::new();
    let mut stack = vec![path.clone()];
    sheet(
        &Rc::new(Source::new(&path, text)),
        files,
        options,
        &mut stack,
        &mut out,
    )?;
    Ok(out)
}

/// Converts one file's rules, inlining its `@import`s, appending to `out`.
fn sheet(
    src: &Rc<Source>,
    files: &dyn FileProvider,
    opts: &AcssOptions,
    stack: &mut Vec<String>,
    out: &mut String,
) -> Result<(), Diagnostic> {
    let text = strip_comments(src)?;
    rules(
        src,
        &text,
        0,
        text.len(),
        files,
        opts,
        stack,
        out,
        Block::default(),
    )
}

/// Replaces comments by spaces (keeping offsets), refusing an unclosed one.
fn strip_comments(src: &Source) -> Result<String, Diagnostic> {
    let t = &src.text;
    let mut out = String::with_capacity(t.len());
    let mut i = 0;
    let mut quote: Option<char> = None;
    let mut chars = t.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if at < i {
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) if c == '\\' => {
                out.push(c);
                if let Some((_, n)) = chars.next() {
                    out.push(n);
                }
                continue;
            }
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '/' && t[at..].starts_with("/*") => {
                let end = t[at + 2..]
                    .find("*/")
                    .ok_or_else(|| src.error(at, "comment `/*` is never closed with `*/`"))?;
                let stop = at + 2 + end + 2;
                // Blank the comment out byte for byte, so offsets (and lines) stay right.
                for c in t[at..stop].chars() {
                    if c == '\n' {
                        out.push('\n');
                    } else {
                        out.extend(std::iter::repeat_n(' ', c.len_utf8()));
                    }
                }
                i = stop;
                continue;
            }
            None => {}
        }
        out.push(c);
    }
    Ok(out)
}

/// Skips from `i` to the first of `stops` at nesting depth 0 (outside strings, parentheses and
/// brackets); returns its offset or `end`.
fn scan(text: &str, mut i: usize, end: usize, stops: &[u8]) -> usize {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    while i < end {
        let c = b[i];
        match quote {
            Some(_) if c == b'\\' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'"' || c == b'\'' => quote = Some(c),
            None if c == b'(' || c == b'[' => depth += 1,
            None if (c == b')' || c == b']') && depth > 0 => depth -= 1,
            None if depth == 0 && stops.contains(&c) => return i,
            None => {}
        }
        i += 1;
    }
    end
}

/// The offset of the `}` matching the `{` at `open`.
fn matching_brace(src: &Source, text: &str, open: usize, end: usize) -> Result<usize, Diagnostic> {
    let mut depth = 0usize;
    let mut i = open;
    loop {
        i = scan(text, i, end, b"{}");
        if i >= end {
            return Err(src.error(open, "`{` is never closed with `}`"));
        }
        if text.as_bytes()[i] == b'{' {
            depth += 1;
        } else {
            depth -= 1;
            if depth == 0 {
                return Ok(i);
            }
        }
        i += 1;
    }
}

#[allow(clippy::too_many_arguments)]
fn rules(
    src: &Rc<Source>,
    text: &str,
    mut i: usize,
    end: usize,
    files: &dyn FileProvider,
    opts: &AcssOptions,
    stack: &mut Vec<String>,
    out: &mut String,
    block: Block,
) -> Result<(), Diagnostic> {
    loop {
        while i < end && text.as_bytes()[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= end {
            return Ok(());
        }
        let stop = scan(text, i, end, b"{};");
        let prelude = text[i..stop].trim();
        match text.as_bytes().get(stop) {
            Some(b'}') if stop < end => {
                return Err(src.error(stop, "unexpected `}` with no open `{`"))
            }
            Some(b'{') if stop < end => {
                if block.depth >= MAX_NESTING {
                    return Err(
                        src.error(stop, format!("blocks nest more than {MAX_NESTING} deep"))
                    );
                }
                let close = matching_brace(src, text, stop, end)?;
                if let Some(at_rule) = prelude.strip_prefix('@') {
                    let name = at_rule
                        .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                        .next()
                        .unwrap_or("");
                    out.push_str(&rpx(prelude, opts.rpx));
                    out.push_str(" {\n");
                    let name = name.to_ascii_lowercase();
                    let keyframes = name.ends_with("keyframes");
                    let nests = keyframes
                        || matches!(
                            name.as_str(),
                            "media" | "supports" | "document" | "layer" | "container"
                        );
                    if nests {
                        rules(
                            src,
                            text,
                            stop + 1,
                            close,
                            files,
                            opts,
                            stack,
                            out,
                            block.inner(keyframes),
                        )?;
                    } else {
                        out.push_str(&declarations(&text[stop + 1..close], opts.rpx));
                    }
                    out.push_str("}\n");
                } else {
                    if prelude.is_empty() {
                        return Err(src.error(stop, "a rule needs a selector before `{`"));
                    }
                    let selector = if block.keyframes {
                        prelude.to_string()
                    } else {
                        selectors(prelude, opts)
                    };
                    out.push_str(&selector);
                    out.push_str(" {\n");
                    out.push_str(&declarations(&text[stop + 1..close], opts.rpx));
                    out.push_str("}\n");
                }
                i = close + 1;
            }
            _ => {
                // A statement: `@import "x";`, `@charset "utf-8";` (or a stray declaration).
                if let Some(rest) = prelude.strip_prefix("@import") {
                    import(src, i, rest, files, opts, stack, out)?;
                } else if prelude.starts_with('@') {
                    out.push_str(prelude);
                    out.push_str(";\n");
                } else if !prelude.is_empty() {
                    return Err(src.error(
                        i,
                        format!("expected a rule (`selector {{ ... }}`) but found `{prelude}`"),
                    ));
                }
                i = stop + 1;
            }
        }
    }
}

fn import(
    src: &Rc<Source>,
    at: usize,
    rest: &str,
    files: &dyn FileProvider,
    opts: &AcssOptions,
    stack: &mut Vec<String>,
    out: &mut String,
) -> Result<(), Diagnostic> {
    let rest = rest.trim();
    let inner = rest
        .strip_prefix("url(")
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(rest)
        .trim();
    let reference = inner.trim_matches(|c| c == '"' || c == '\'');
    if reference.is_empty() {
        return Err(src.error(
            at,
            "`@import` needs a quoted path, e.g. `@import \"./common.acss\";`",
        ));
    }
    let (path, text) = read_reference(files, &src.name, reference, None).map_err(|looked| {
        let message = if looked.is_empty() {
            format!("`{reference}` is not a valid path")
        } else {
            format!(
                "imported style sheet `{reference}` not found (looked for {})",
                looked_for(&looked)
            )
        };
        src.error(at, message)
    })?;
    if stack.len() > MAX_NESTING {
        return Err(src.error(at, format!("@imports nest more than {MAX_NESTING} deep")));
    }
    if stack.contains(&path) {
        let mut chain = stack.clone();
        chain.push(path);
        return Err(src.error(at, format!("@import cycle: {}", chain.join(" → "))));
    }
    stack.push(path.clone());
    let r = sheet(&Rc::new(Source::new(&path, text)), files, opts, stack, out);
    stack.pop();
    r
}

/// A declaration block, `rpx` converted, one declaration per line.
fn declarations(block: &str, mode: Rpx) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < block.len() {
        let stop = scan(block, i, block.len(), b";");
        let decl = block[i..stop].trim();
        if !decl.is_empty() {
            out.push_str("  ");
            out.push_str(&rpx(decl, mode));
            out.push_str(";\n");
        }
        i = stop + 1;
    }
    out
}

/// Rewrites every `Nrpx` outside strings and `url()`.
pub fn rpx(text: &str, mode: Rpx) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    let mut quote: Option<u8> = None;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == b'\\' {
                i += 1;
            } else if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if c == b'"' || c == b'\'' {
            quote = Some(c);
            i += 1;
            continue;
        }
        if b[i..].len() >= 4
            && b[i..i + 4].eq_ignore_ascii_case(b"url(")
            && (i == 0 || !is_ident(b[i - 1]))
        {
            i = text[i..].find(')').map_or(b.len(), |e| i + e + 1);
            continue;
        }
        let starts_number = (c.is_ascii_digit()
            || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
            && (i == 0
                || !is_ident(b[i - 1])
                || b[i - 1] == b'-' && (i < 2 || !is_ident(b[i - 2])));
        if !starts_number {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < b.len() && (b[j].is_ascii_digit() || b[j] == b'.') {
            j += 1;
        }
        let has_unit = text
            .get(j..j + 3)
            .is_some_and(|u| u.eq_ignore_ascii_case("rpx"))
            && !b.get(j + 3).copied().is_some_and(is_ident);
        if !has_unit {
            i = j;
            while i < b.len() && is_ident(b[i]) {
                i += 1; // skip the rest of this token (`10px`, `1e3`)
            }
            continue;
        }
        let negative = i > 0 && b[i - 1] == b'-';
        let start = if negative { i - 1 } else { i };
        let n: f64 = text[i..j].parse().unwrap_or(0.0) * if negative { -1.0 } else { 1.0 };
        out.push_str(&text[copied..start]);
        out.push_str(&match mode {
            Rpx::Var => format!("calc({} * var(--rpx, 100vw / 750))", short(n)),
            Rpx::Px(width) => format!("{}px", short(n * width / 750.0)),
        });
        i = j + 3;
        copied = i;
    }
    out.push_str(&text[copied..]);
    out
}

fn short(n: f64) -> String {
    let s = format!("{:.4}", n);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c >= 0x80
}

/// Rewrites a selector list: `page` → `.a-page`, and the scope class on every compound.
fn selectors(list: &str, opts: &AcssOptions) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i <= list.len() {
        let stop = scan(list, i, list.len(), b",");
        parts.push(complex(list[i..stop].trim(), opts));
        i = stop + 1;
    }
    parts.join(", ")
}

/// One complex selector (compounds joined by combinators).
fn complex(sel: &str, opts: &AcssOptions) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < sel.len() {
        // A combinator and the whitespace around it is copied as is.
        let combinator_end = sel[i..]
            .find(|c: char| !c.is_whitespace() && !matches!(c, '>' | '+' | '~'))
            .map_or(sel.len(), |e| i + e);
        out.push_str(&sel[i..combinator_end]);
        i = combinator_end;
        if i >= sel.len() {
            break;
        }
        let end = scan(sel, i, sel.len(), b" \t\n\r>+~");
        out.push_str(&compound(&sel[i..end], opts));
        i = end;
    }
    out
}

fn compound(c: &str, opts: &AcssOptions) -> String {
    let page_class = format!(".{PAGE_CLASS}");
    let c = match c.strip_prefix("page") {
        Some(rest) if !rest.bytes().next().is_some_and(is_ident) => format!("{page_class}{rest}"),
        _ => c.to_string(),
    };
    let mut add = String::new();
    if let Some(scope) = &opts.scope {
        add.push('.');
        add.push_str(scope);
    }
    if let Some(outside) = &opts.outside {
        add.push_str(":not(.");
        add.push_str(outside);
        add.push(')');
    }
    if add.is_empty() {
        return c;
    }
    // The scope goes before a pseudo-element (`::before`, or the legacy `:before`).
    let pseudo = c.find("::").or_else(|| {
        [":before", ":after", ":first-line", ":first-letter"]
            .iter()
            .filter_map(|p| c.find(p))
            .min()
    });
    match pseudo {
        Some(p) => format!("{}{add}{}", &c[..p], &c[p..]),
        None => format!("{c}{add}"),
    }
}
