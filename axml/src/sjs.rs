//! SJS modules (`<import-sjs>`), interpreted: the render calls them synchronously, and no
//! JavaScript realm the page could call synchronously is free of `window`, so SJS runs here,
//! in Rust, with no realm at all. It sees its arguments, its own module and the built-ins
//! below, nothing else.
//!
//! The language: `function` declarations and expressions, arrow functions, default
//! parameters, `var`/`let`/`const`, `if`/`else`, `for (;;)`, `while`, `switch`, `break`,
//! `continue`, `return`; assignment (`=`, `+=`, `-=`, `*=`, `/=`, `%=`), `++`/`--`; the
//! operators of AXML expressions; template literals; array and object literals; `export
//! default`, `export function`/`const`, `module.exports =`. Built-ins: `Math` (`floor`, `ceil`,
//! `round`, `abs`, `max`, `min`, `pow`, `sqrt`), `JSON.stringify`/`parse`, `parseInt`,
//! `parseFloat`, `Number`, `String`, `isNaN`, `Object.keys`, `Array.isArray`; strings'
//! `length` and `indexOf`, `lastIndexOf`, `slice`, `substring`, `substr`, `split`, `replace`
//! (a string pattern, first match), `toUpperCase`, `toLowerCase`, `trim`, `charAt`,
//! `startsWith`, `endsWith`, `includes`, `padStart`, `padEnd`, `repeat`, `concat`; numbers'
//! `toFixed`; arrays' `length` and `join`, `indexOf`, `includes`, `slice`, `concat`, `push`,
//! `map`, `filter`, `forEach`, `some`, `every`, `find`, `reduce`.
//!
//! Bounds: a call runs at most [`MAX_STEPS`] steps and nests at most [`MAX_RUN_DEPTH`] deep; past
//! either, or on a runtime error, the call is `undefined` (as a failed binding shows nothing),
//! never a panic or a hang.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde_json::{Map, Value};

use crate::diagnostic::{Diagnostic, Source};
use crate::expr::display_number;

/// Steps (statements and expressions evaluated) one call may take.
pub const MAX_STEPS: u64 = 200_000;
/// The longest string (bytes) and array (items) a module may build.
pub const MAX_STRING: usize = 1_000_000;
/// How many values converting one value to JSON or text may visit.
const MAX_NODES: usize = 100_000;
/// How deep expressions and template literals may nest in a module's source.
pub const MAX_DEPTH: usize = 48;
/// How deep calls and expressions may nest while running (each call counts about three), so
/// that even an unoptimised wasm build stays inside its 1 MB stack.
pub const MAX_RUN_DEPTH: usize = 64;

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    /// A template literal: its strings and the tokens of each `${}`.
    Tmpl(Vec<String>, Vec<Vec<(Tok, usize)>>),
    Ident(String),
    Punct(&'static str),
    Eof,
}

const PUNCTS: [&str; 47] = [
    "===", "!==", "...", "**", "=>", "==", "!=", "<=", ">=", "&&", "||", "??", "++", "--", "+=",
    "-=", "*=", "/=", "%=", "?.", "{", "}", "(", ")", "[", "]", ";", ",", "<", ">", "+", "-", "*",
    "/", "%", "!", "?", ":", "=", ".", "&", "|", "^", "~", "@", "#", "\\",
];

fn lex(src: &str, base: usize, depth: usize) -> Result<Vec<(Tok, usize)>, (usize, String)> {
    if depth > MAX_DEPTH {
        return Err((base, "template literals nest too deep".into()));
    }
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if src[i..].starts_with("//") {
            i = src[i..].find('\n').map_or(b.len(), |e| i + e);
        } else if src[i..].starts_with("/*") {
            i = src[i + 2..]
                .find("*/")
                .map(|e| i + 2 + e + 2)
                .ok_or((base + i, "unclosed comment".to_string()))?;
        } else if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            let start = i;
            if src[i..].starts_with("0x") || src[i..].starts_with("0X") {
                i += 2;
                while i < b.len() && b[i].is_ascii_hexdigit() {
                    i += 1;
                }
                let n = u64::from_str_radix(&src[start + 2..i], 16).unwrap_or(0) as f64;
                out.push((Tok::Num(n), base + start));
                continue;
            }
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                i += 1;
                if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                    i += 1;
                }
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let n = src[start..i]
                .parse::<f64>()
                .map_err(|_| (base + start, format!("bad number `{}`", &src[start..i])))?;
            out.push((Tok::Num(n), base + start));
        } else if c == b'"' || c == b'\'' {
            let (s, end) = string(src, i, c).ok_or((base + i, "unclosed string".to_string()))?;
            out.push((Tok::Str(s), base + i));
            i = end;
        } else if c == b'`' {
            let start = i;
            let mut strs = Vec::new();
            let mut exprs = Vec::new();
            let mut cur = String::new();
            i += 1;
            loop {
                let Some(ch) = src[i..].chars().next() else {
                    return Err((base + start, "unclosed template literal".into()));
                };
                if ch == '`' {
                    i += 1;
                    break;
                } else if ch == '\\' {
                    let (e, len) = escape(&src[i + 1..]);
                    cur.push_str(&e);
                    i += 1 + len;
                } else if src[i..].starts_with("${") {
                    let inner_start = i + 2;
                    let end = close_brace(src, inner_start)
                        .ok_or((base + i, "unclosed `${` in a template literal".to_string()))?;
                    strs.push(std::mem::take(&mut cur));
                    exprs.push(lex(&src[inner_start..end], base + inner_start, depth + 1)?);
                    i = end + 1;
                } else {
                    cur.push(ch);
                    i += ch.len_utf8();
                }
            }
            strs.push(cur);
            out.push((Tok::Tmpl(strs, exprs), base + start));
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80 {
            let start = i;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$' || b[i] >= 0x80)
            {
                i += 1;
            }
            // Stop on a char boundary (non-ASCII identifiers).
            while !src.is_char_boundary(i) {
                i += 1;
            }
            out.push((Tok::Ident(src[start..i].to_string()), base + start));
        } else if let Some(p) = PUNCTS.iter().find(|p| src[i..].starts_with(**p)) {
            out.push((Tok::Punct(p), base + i));
            i += p.len();
        } else {
            let ch = src[i..].chars().next().unwrap_or('?');
            return Err((base + i, format!("unexpected character `{ch}`")));
        }
    }
    out.push((Tok::Eof, base + b.len()));
    Ok(out)
}

/// The index of the `}` closing a `${` whose contents start at `from` (strings and nested
/// braces skipped).
fn close_brace(src: &str, from: usize) -> Option<usize> {
    close_brace_at(src, from, 0)
}

fn close_brace_at(src: &str, from: usize, nesting: usize) -> Option<usize> {
    if nesting > MAX_DEPTH {
        return None;
    }
    let b = src.as_bytes();
    let mut depth = 0usize;
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'{' => depth += 1,
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            q @ (b'"' | b'\'') => {
                i = string(src, i, q)?.1;
                continue;
            }
            b'`' => {
                // A nested template literal: skip to its end, honouring `${}`.
                i += 1;
                while i < b.len() && b[i] != b'`' {
                    if b[i] == b'\\' {
                        i += 1;
                    } else if b[i] == b'$' && b.get(i + 1) == Some(&b'{') {
                        i = close_brace_at(src, i + 2, nesting + 1)?;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn string(src: &str, start: usize, quote: u8) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut i = start + 1;
    loop {
        let ch = src[i..].chars().next()?;
        if ch as u32 == quote as u32 {
            return Some((out, i + 1));
        }
        if ch == '\n' {
            return None;
        }
        if ch == '\\' {
            let (e, len) = escape(&src[i + 1..]);
            out.push_str(&e);
            i += 1 + len;
        } else {
            out.push(ch);
            i += ch.len_utf8();
        }
    }
}

/// An escape after `\`: its text and how many bytes it took.
fn escape(rest: &str) -> (String, usize) {
    let Some(c) = rest.chars().next() else {
        return (String::new(), 0);
    };
    let simple = match c {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'v' => Some('\u{b}'),
        '0' => Some('\0'),
        _ => None,
    };
    if let Some(s) = simple {
        return (s.to_string(), 1);
    }
    if c == 'u' && rest.len() >= 5 && rest.is_char_boundary(5) {
        if let Some(ch) = u32::from_str_radix(&rest[1..5], 16)
            .ok()
            .and_then(char::from_u32)
        {
            return (ch.to_string(), 5);
        }
    }
    if c == 'x' && rest.len() >= 3 && rest.is_char_boundary(3) {
        if let Some(ch) = u32::from_str_radix(&rest[1..3], 16)
            .ok()
            .and_then(char::from_u32)
        {
            return (ch.to_string(), 3);
        }
    }
    (c.to_string(), c.len_utf8())
}

// ---------------------------------------------------------------------------------------------
// Syntax

#[derive(Debug)]
enum Expr {
    Lit(V),
    Tmpl(Vec<String>, Vec<Expr>),
    Name(String),
    Array(Vec<Expr>),
    Object(Vec<(String, Expr)>),
    Member(Box<Expr>, Box<Expr>),
    Call(Box<Expr>, Vec<Expr>),
    Unary(&'static str, Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Assign(&'static str, Box<Expr>, Box<Expr>),
    /// `++x` (true) / `x++` (false), with `+1` or `-1`.
    Update(bool, f64, Box<Expr>),
    Func(Rc<FuncDef>),
}

#[derive(Debug)]
struct FuncDef {
    params: Vec<(String, Option<Expr>)>,
    body: Body,
}

#[derive(Debug)]
enum Body {
    Block(Vec<Stmt>),
    Expr(Expr),
}

#[derive(Debug)]
enum Stmt {
    Expr(Expr),
    Var(Vec<(String, Option<Expr>)>),
    Func(String, Rc<FuncDef>),
    Return(Option<Expr>),
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    For(Option<Box<Stmt>>, Option<Expr>, Option<Expr>, Box<Stmt>),
    While(Expr, Box<Stmt>),
    Switch(Expr, Vec<(Option<Expr>, Vec<Stmt>)>),
    Block(Vec<Stmt>),
    Break,
    Continue,
    /// `export default e` (or `module.exports = e`).
    ExportDefault(Expr),
    /// `export function f` / `export const a = …`: the statement, then its names exported.
    Export(Box<Stmt>, Vec<String>),
    Empty,
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    depth: usize,
}

type PResult<T> = Result<T, (usize, String)>;

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos.min(self.toks.len() - 1)].0
    }
    fn at(&self) -> usize {
        self.toks[self.pos.min(self.toks.len() - 1)].1
    }
    fn next(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }
    fn is(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Ident(q) if q == w)
    }
    fn eat(&mut self, p: &str) -> bool {
        if self.is(p) {
            self.next();
            true
        } else {
            false
        }
    }
    fn expect(&mut self, p: &str) -> PResult<()> {
        if self.eat(p) {
            Ok(())
        } else {
            Err((
                self.at(),
                format!("`{p}` expected, found {}", describe(self.peek())),
            ))
        }
    }
    fn ident(&mut self) -> PResult<String> {
        match self.next() {
            Tok::Ident(s) => Ok(s),
            t => Err((
                self.at(),
                format!("a name expected, found {}", describe(&t)),
            )),
        }
    }
    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err((self.at(), "nested too deep".into()));
        }
        Ok(())
    }

    fn program(&mut self) -> PResult<Vec<Stmt>> {
        let mut out = Vec::new();
        while *self.peek() != Tok::Eof {
            out.push(self.stmt()?);
        }
        Ok(out)
    }

    fn block(&mut self) -> PResult<Vec<Stmt>> {
        self.expect("{")?;
        let mut out = Vec::new();
        while !self.is("}") {
            if *self.peek() == Tok::Eof {
                return Err((self.at(), "`}` expected".into()));
            }
            out.push(self.stmt()?);
        }
        self.next();
        Ok(out)
    }

    fn end(&mut self) {
        self.eat(";");
    }

    fn stmt(&mut self) -> PResult<Stmt> {
        self.enter()?;
        let r = self.stmt_inner();
        self.depth -= 1;
        r
    }

    fn stmt_inner(&mut self) -> PResult<Stmt> {
        if self.is("{") {
            return Ok(Stmt::Block(self.block()?));
        }
        if self.eat(";") {
            return Ok(Stmt::Empty);
        }
        let Tok::Ident(word) = self.peek().clone() else {
            let e = self.expr()?;
            self.end();
            return Ok(Stmt::Expr(e));
        };
        match word.as_str() {
            "var" | "let" | "const" => {
                self.next();
                let s = self.var_list()?;
                self.end();
                Ok(s)
            }
            "function" => {
                self.next();
                let name = self.ident()?;
                Ok(Stmt::Func(name, self.func_rest()?))
            }
            "return" => {
                self.next();
                let e = if self.is(";") || self.is("}") || *self.peek() == Tok::Eof {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.end();
                Ok(Stmt::Return(e))
            }
            "if" => {
                self.next();
                self.expect("(")?;
                let c = self.expr()?;
                self.expect(")")?;
                let then = Box::new(self.stmt()?);
                let other = if self.is_word("else") {
                    self.next();
                    Some(Box::new(self.stmt()?))
                } else {
                    None
                };
                Ok(Stmt::If(c, then, other))
            }
            "for" => {
                self.next();
                self.expect("(")?;
                let init = if self.eat(";") {
                    None
                } else {
                    let s = if self.is_word("var") || self.is_word("let") || self.is_word("const") {
                        self.next();
                        self.var_list()?
                    } else {
                        Stmt::Expr(self.expr()?)
                    };
                    self.expect(";")?;
                    Some(Box::new(s))
                };
                let cond = if self.is(";") {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.expect(";")?;
                let update = if self.is(")") {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.expect(")")?;
                Ok(Stmt::For(init, cond, update, Box::new(self.stmt()?)))
            }
            "while" => {
                self.next();
                self.expect("(")?;
                let c = self.expr()?;
                self.expect(")")?;
                Ok(Stmt::While(c, Box::new(self.stmt()?)))
            }
            "switch" => {
                self.next();
                self.expect("(")?;
                let on = self.expr()?;
                self.expect(")")?;
                self.expect("{")?;
                let mut cases = Vec::new();
                while !self.eat("}") {
                    let test = if self.is_word("case") {
                        self.next();
                        Some(self.expr()?)
                    } else if self.is_word("default") {
                        self.next();
                        None
                    } else {
                        return Err((self.at(), "`case` or `default` expected".into()));
                    };
                    self.expect(":")?;
                    let mut body = Vec::new();
                    while !self.is_word("case") && !self.is_word("default") && !self.is("}") {
                        if *self.peek() == Tok::Eof {
                            return Err((self.at(), "`}` expected".into()));
                        }
                        body.push(self.stmt()?);
                    }
                    cases.push((test, body));
                }
                Ok(Stmt::Switch(on, cases))
            }
            "break" => {
                self.next();
                self.end();
                Ok(Stmt::Break)
            }
            "continue" => {
                self.next();
                self.end();
                Ok(Stmt::Continue)
            }
            "export" => {
                self.next();
                if self.is_word("default") {
                    self.next();
                    let e = self.expr()?;
                    self.end();
                    return Ok(Stmt::ExportDefault(e));
                }
                let inner = self.stmt()?;
                let names = match &inner {
                    Stmt::Func(n, _) => vec![n.clone()],
                    Stmt::Var(list) => list.iter().map(|(n, _)| n.clone()).collect(),
                    _ => {
                        return Err((
                            self.at(),
                            "`export` takes `default`, a function or a declaration".into(),
                        ))
                    }
                };
                Ok(Stmt::Export(Box::new(inner), names))
            }
            "import" => Err((
                self.at(),
                "an SJS module cannot import other modules here".into(),
            )),
            _ => {
                let e = self.expr()?;
                self.end();
                // `module.exports = e`
                match e {
                    Expr::Assign("=", target, value) if is_module_exports(&target) => {
                        Ok(Stmt::ExportDefault(*value))
                    }
                    e => Ok(Stmt::Expr(e)),
                }
            }
        }
    }

    fn var_list(&mut self) -> PResult<Stmt> {
        let mut list = Vec::new();
        loop {
            let name = self.ident()?;
            let init = if self.eat("=") {
                Some(self.assign()?)
            } else {
                None
            };
            list.push((name, init));
            if !self.eat(",") {
                break;
            }
        }
        Ok(Stmt::Var(list))
    }

    /// `(params) { body }` after `function [name]`.
    fn func_rest(&mut self) -> PResult<Rc<FuncDef>> {
        self.expect("(")?;
        let params = self.params()?;
        let body = Body::Block(self.block()?);
        Ok(Rc::new(FuncDef { params, body }))
    }

    /// Parameters up to and including `)`.
    fn params(&mut self) -> PResult<Vec<(String, Option<Expr>)>> {
        let mut params = Vec::new();
        while !self.eat(")") {
            let name = self.ident()?;
            let default = if self.eat("=") {
                Some(self.assign()?)
            } else {
                None
            };
            params.push((name, default));
            if !self.is(")") {
                self.expect(",")?;
            }
        }
        Ok(params)
    }

    fn expr(&mut self) -> PResult<Expr> {
        let mut e = self.assign()?;
        // The comma operator: the last value.
        while self.eat(",") {
            e = self.assign()?;
        }
        Ok(e)
    }

    fn assign(&mut self) -> PResult<Expr> {
        self.enter()?;
        let r = self.assign_inner();
        self.depth -= 1;
        r
    }

    fn assign_inner(&mut self) -> PResult<Expr> {
        // Arrow functions: `x => …` and `(a, b) => …`.
        if let Tok::Ident(name) = self.peek().clone() {
            if matches!(self.toks.get(self.pos + 1), Some((Tok::Punct("=>"), _))) {
                self.next();
                self.next();
                return self.arrow(vec![(name, None)]);
            }
        }
        if self.is("(") {
            if let Some(close) = self.matching_paren(self.pos) {
                if matches!(self.toks.get(close + 1), Some((Tok::Punct("=>"), _))) {
                    self.next();
                    let params = self.params()?;
                    self.expect("=>")?;
                    return self.arrow(params);
                }
            }
        }
        let left = self.cond()?;
        for op in ["=", "+=", "-=", "*=", "/=", "%="] {
            if self.is(op) {
                if !matches!(left, Expr::Name(_) | Expr::Member(..)) {
                    return Err((self.at(), "only a name or a member can be assigned".into()));
                }
                self.next();
                let value = self.assign()?;
                let op = PUNCTS.iter().find(|p| **p == op).copied().unwrap_or("=");
                return Ok(Expr::Assign(op, Box::new(left), Box::new(value)));
            }
        }
        Ok(left)
    }

    fn matching_paren(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        for (i, (t, _)) in self.toks.iter().enumerate().skip(open) {
            match t {
                Tok::Punct("(") => depth += 1,
                Tok::Punct(")") => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                Tok::Eof => return None,
                _ => {}
            }
        }
        None
    }

    fn arrow(&mut self, params: Vec<(String, Option<Expr>)>) -> PResult<Expr> {
        let body = if self.is("{") {
            Body::Block(self.block()?)
        } else {
            Body::Expr(self.assign()?)
        };
        Ok(Expr::Func(Rc::new(FuncDef { params, body })))
    }

    fn cond(&mut self) -> PResult<Expr> {
        let c = self.binary(0)?;
        if self.eat("?") {
            let a = self.assign()?;
            self.expect(":")?;
            let b = self.assign()?;
            return Ok(Expr::Cond(Box::new(c), Box::new(a), Box::new(b)));
        }
        Ok(c)
    }

    fn binary(&mut self, min: u8) -> PResult<Expr> {
        let mut left = self.unary()?;
        while let Tok::Punct(op) = *self.peek() {
            let prec = match op {
                "??" => 1,
                "||" => 2,
                "&&" => 3,
                "==" | "!=" | "===" | "!==" => 4,
                "<" | "<=" | ">" | ">=" => 5,
                "+" | "-" => 6,
                "*" | "/" | "%" => 7,
                _ => break,
            };
            if prec < min {
                break;
            }
            self.next();
            self.enter()?;
            let right = self.binary(prec + 1);
            self.depth -= 1;
            left = Expr::Binary(op, Box::new(left), Box::new(right?));
        }
        // `instanceof`/`in` are not SJS.
        Ok(left)
    }

    fn unary(&mut self) -> PResult<Expr> {
        self.enter()?;
        let r = self.unary_inner();
        self.depth -= 1;
        r
    }

    fn unary_inner(&mut self) -> PResult<Expr> {
        for op in ["!", "-", "+"] {
            if self.eat(op) {
                let op = PUNCTS.iter().find(|p| **p == op).copied().unwrap_or("!");
                return Ok(Expr::Unary(op, Box::new(self.unary()?)));
            }
        }
        if self.is_word("typeof") {
            self.next();
            return Ok(Expr::Unary("typeof", Box::new(self.unary()?)));
        }
        for (op, d) in [("++", 1.0), ("--", -1.0)] {
            if self.eat(op) {
                return Ok(Expr::Update(true, d, Box::new(self.unary()?)));
            }
        }
        let e = self.postfix()?;
        for (op, d) in [("++", 1.0), ("--", -1.0)] {
            if self.eat(op) {
                return Ok(Expr::Update(false, d, Box::new(e)));
            }
        }
        Ok(e)
    }

    fn postfix(&mut self) -> PResult<Expr> {
        let mut e = self.primary()?;
        loop {
            if self.eat(".") || self.eat("?.") {
                let name = self.ident()?;
                e = Expr::Member(Box::new(e), Box::new(Expr::Lit(V::Str(name.into()))));
            } else if self.eat("[") {
                let k = self.expr()?;
                self.expect("]")?;
                e = Expr::Member(Box::new(e), Box::new(k));
            } else if self.eat("(") {
                let mut args = Vec::new();
                while !self.eat(")") {
                    args.push(self.assign()?);
                    if !self.is(")") {
                        self.expect(",")?;
                    }
                }
                e = Expr::Call(Box::new(e), args);
            } else {
                return Ok(e);
            }
        }
    }

    fn primary(&mut self) -> PResult<Expr> {
        let at = self.at();
        match self.next() {
            Tok::Num(n) => Ok(Expr::Lit(V::Num(n))),
            Tok::Str(s) => Ok(Expr::Lit(V::Str(s.into()))),
            Tok::Tmpl(strs, exprs) => {
                let mut parts = Vec::new();
                for toks in exprs {
                    let mut p = Parser {
                        toks,
                        pos: 0,
                        depth: self.depth + 1,
                    };
                    let e = p.expr()?;
                    if *p.peek() != Tok::Eof {
                        return Err((p.at(), format!("unexpected {}", describe(p.peek()))));
                    }
                    parts.push(e);
                }
                Ok(Expr::Tmpl(strs, parts))
            }
            Tok::Ident(w) => Ok(match w.as_str() {
                "true" => Expr::Lit(V::Bool(true)),
                "false" => Expr::Lit(V::Bool(false)),
                "null" => Expr::Lit(V::Null),
                "undefined" => Expr::Lit(V::Undef),
                "function" => {
                    if let Tok::Ident(_) = self.peek() {
                        self.next();
                    }
                    Expr::Func(self.func_rest()?)
                }
                _ => Expr::Name(w),
            }),
            Tok::Punct("(") => {
                let e = self.expr()?;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Punct("[") => {
                let mut items = Vec::new();
                while !self.eat("]") {
                    items.push(self.assign()?);
                    if !self.is("]") {
                        self.expect(",")?;
                    }
                }
                Ok(Expr::Array(items))
            }
            Tok::Punct("{") => {
                let mut props = Vec::new();
                while !self.eat("}") {
                    let key = match self.next() {
                        Tok::Ident(k) | Tok::Str(k) => k,
                        Tok::Num(n) => display_number(n),
                        t => {
                            return Err((
                                self.at(),
                                format!("a property name expected, found {}", describe(&t)),
                            ))
                        }
                    };
                    let value = if self.eat(":") {
                        self.assign()?
                    } else if self.is("(") {
                        // A method: `name(a) { … }`.
                        Expr::Func(self.func_rest()?)
                    } else {
                        Expr::Name(key.clone())
                    };
                    props.push((key, value));
                    if !self.is("}") {
                        self.expect(",")?;
                    }
                }
                Ok(Expr::Object(props))
            }
            t => Err((at, format!("unexpected {}", describe(&t)))),
        }
    }
}

fn is_module_exports(target: &Expr) -> bool {
    match target {
        Expr::Member(obj, key) => {
            matches!(&**obj, Expr::Name(n) if n == "module")
                && matches!(&**key, Expr::Lit(V::Str(k)) if &**k == "exports")
        }
        _ => false,
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("number `{}`", display_number(*n)),
        Tok::Str(_) => "a string".into(),
        Tok::Tmpl(..) => "a template literal".into(),
        Tok::Ident(w) => format!("`{w}`"),
        Tok::Punct(p) => format!("`{p}`"),
        Tok::Eof => "the end of the file".into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Values

/// A value while SJS runs.
#[derive(Clone, Debug)]
enum V {
    Undef,
    Null,
    Bool(bool),
    Num(f64),
    Str(Rc<str>),
    Arr(Rc<RefCell<Vec<V>>>),
    Obj(Rc<RefCell<Vec<(String, V)>>>),
    Fun(Rc<FuncDef>, Env),
    /// A built-in function (`Math.floor`), or a method bound to its receiver.
    Native(&'static str, Option<Box<V>>),
}

type Env = Rc<Scope>;

#[derive(Debug, Default)]
struct Scope {
    vars: RefCell<Vec<(String, V)>>,
    parent: Option<Env>,
}

impl Scope {
    fn lookup(&self, name: &str) -> Option<V> {
        if let Some((_, v)) = self.vars.borrow().iter().rev().find(|(n, _)| n == name) {
            return Some(v.clone());
        }
        self.parent.as_ref()?.lookup(name)
    }
    fn set(&self, name: &str, value: V) -> bool {
        if let Some(slot) = self
            .vars
            .borrow_mut()
            .iter_mut()
            .rev()
            .find(|(n, _)| n == name)
        {
            slot.1 = value;
            return true;
        }
        self.parent.as_ref().is_some_and(|p| p.set(name, value))
    }
    fn declare(&self, name: &str, value: V) {
        self.vars.borrow_mut().push((name.to_string(), value));
    }
}

fn from_json(v: &Value) -> V {
    match v {
        Value::Null => V::Null,
        Value::Bool(b) => V::Bool(*b),
        Value::Number(n) => V::Num(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => V::Str(s.as_str().into()),
        Value::Array(a) => V::Arr(Rc::new(RefCell::new(a.iter().map(from_json).collect()))),
        Value::Object(m) => V::Obj(Rc::new(RefCell::new(
            m.iter().map(|(k, v)| (k.clone(), from_json(v))).collect(),
        ))),
    }
}

/// As `JSON.stringify` would keep it: functions and `undefined` dropped from objects, `null`
/// in arrays; `None` for `undefined` and functions themselves. Bounded in depth (a cycle or a
/// very deep value ends as `null`).
fn to_json(v: &V, depth: usize) -> Option<Value> {
    let mut budget = MAX_NODES;
    to_json_in(v, depth, &mut budget)
}

/// `to_json` within a budget of nodes: a value that shares parts (`a = [a, a]`, repeated) would
/// otherwise expand exponentially.
fn to_json_in(v: &V, depth: usize, budget: &mut usize) -> Option<Value> {
    if depth > MAX_DEPTH || *budget == 0 {
        return Some(Value::Null);
    }
    *budget -= 1;
    Some(match v {
        V::Undef | V::Fun(..) | V::Native(..) => return None,
        V::Null => Value::Null,
        V::Bool(b) => Value::Bool(*b),
        V::Num(n) => crate::expr::number(*n),
        V::Str(s) => Value::String(s.to_string()),
        V::Arr(a) => Value::Array(
            a.borrow()
                .iter()
                .map(|x| to_json_in(x, depth + 1, budget).unwrap_or(Value::Null))
                .collect(),
        ),
        V::Obj(o) => {
            let mut m = Map::new();
            for (k, x) in o.borrow().iter() {
                if let Some(j) = to_json_in(x, depth + 1, budget) {
                    m.insert(k.clone(), j);
                }
            }
            Value::Object(m)
        }
    })
}

fn truthy(v: &V) -> bool {
    match v {
        V::Undef | V::Null => false,
        V::Bool(b) => *b,
        V::Num(n) => *n != 0.0 && !n.is_nan(),
        V::Str(s) => !s.is_empty(),
        _ => true,
    }
}

fn to_num(v: &V) -> f64 {
    match v {
        V::Undef => f64::NAN,
        V::Null => 0.0,
        V::Bool(b) => f64::from(u8::from(*b)),
        V::Num(n) => *n,
        V::Str(s) => {
            let t = s.trim();
            if t.is_empty() {
                0.0
            } else if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                u64::from_str_radix(h, 16).map_or(f64::NAN, |n| n as f64)
            } else {
                t.parse::<f64>()
                    .ok()
                    .filter(|_| !t.contains(['i', 'n', 'N']))
                    .unwrap_or(match t {
                        "Infinity" | "+Infinity" => f64::INFINITY,
                        "-Infinity" => f64::NEG_INFINITY,
                        _ => f64::NAN,
                    })
            }
        }
        V::Arr(a) => {
            let a = a.borrow();
            match a.len() {
                0 => 0.0,
                1 => to_num(&V::Str(to_str(&a[0], 0).into())),
                _ => f64::NAN,
            }
        }
        _ => f64::NAN,
    }
}

fn to_str(v: &V, depth: usize) -> String {
    let mut budget = MAX_NODES;
    to_str_in(v, depth, &mut budget)
}

fn to_str_in(v: &V, depth: usize, budget: &mut usize) -> String {
    if depth > MAX_DEPTH || *budget == 0 {
        return String::new();
    }
    *budget -= 1;
    match v {
        V::Undef => "undefined".into(),
        V::Null => "null".into(),
        V::Bool(b) => b.to_string(),
        V::Num(n) => display_number(*n),
        V::Str(s) => s.to_string(),
        V::Arr(a) => a
            .borrow()
            .iter()
            .map(|x| match x {
                V::Undef | V::Null => String::new(),
                x => to_str_in(x, depth + 1, budget),
            })
            .collect::<Vec<_>>()
            .join(","),
        V::Obj(_) => "[object Object]".into(),
        V::Fun(..) | V::Native(..) => "function () { [code] }".into(),
    }
}

fn type_of(v: &V) -> &'static str {
    match v {
        V::Undef => "undefined",
        V::Bool(_) => "boolean",
        V::Num(_) => "number",
        V::Str(_) => "string",
        V::Fun(..) | V::Native(..) => "function",
        V::Null | V::Arr(_) | V::Obj(_) => "object",
    }
}

fn strict_eq(a: &V, b: &V) -> bool {
    match (a, b) {
        (V::Undef, V::Undef) | (V::Null, V::Null) => true,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Num(x), V::Num(y)) => x == y,
        (V::Str(x), V::Str(y)) => x == y,
        (V::Arr(x), V::Arr(y)) => Rc::ptr_eq(x, y),
        (V::Obj(x), V::Obj(y)) => Rc::ptr_eq(x, y),
        (V::Fun(x, _), V::Fun(y, _)) => Rc::ptr_eq(x, y),
        _ => false,
    }
}

fn loose_eq(a: &V, b: &V) -> bool {
    match (a, b) {
        (V::Undef | V::Null, V::Undef | V::Null) => true,
        (V::Undef | V::Null, _) | (_, V::Undef | V::Null) => false,
        (V::Num(_) | V::Str(_) | V::Bool(_), V::Num(_) | V::Str(_) | V::Bool(_))
            if type_of(a) != type_of(b) =>
        {
            to_num(a) == to_num(b)
        }
        _ => strict_eq(a, b),
    }
}

// ---------------------------------------------------------------------------------------------
// Running

enum Flow {
    Normal,
    Return(V),
    Break,
    Continue,
}

struct Run {
    steps: u64,
    depth: usize,
}

type RResult<T> = Result<T, String>;

impl Run {
    fn step(&mut self) -> RResult<()> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(format!("ran more than {MAX_STEPS} steps"));
        }
        Ok(())
    }

    fn block(&mut self, stmts: &[Stmt], env: &Env) -> RResult<Flow> {
        // Function declarations are hoisted (exported ones too).
        for s in stmts {
            let s = match s {
                Stmt::Export(inner, _) => inner,
                s => s,
            };
            if let Stmt::Func(name, def) = s {
                env.declare(name, V::Fun(def.clone(), env.clone()));
            }
        }
        for s in stmts {
            match self.stmt(s, env)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    fn stmt(&mut self, s: &Stmt, env: &Env) -> RResult<Flow> {
        self.step()?;
        Ok(match s {
            Stmt::Expr(e) => {
                self.expr(e, env)?;
                Flow::Normal
            }
            Stmt::Var(list) => {
                for (name, init) in list {
                    let v = match init {
                        Some(e) => self.expr(e, env)?,
                        None => V::Undef,
                    };
                    env.declare(name, v);
                }
                Flow::Normal
            }
            Stmt::Func(..) | Stmt::Empty => Flow::Normal,
            Stmt::Return(e) => Flow::Return(match e {
                Some(e) => self.expr(e, env)?,
                None => V::Undef,
            }),
            Stmt::If(c, a, b) => {
                if truthy(&self.expr(c, env)?) {
                    self.stmt(a, env)?
                } else if let Some(b) = b {
                    self.stmt(b, env)?
                } else {
                    Flow::Normal
                }
            }
            Stmt::For(init, cond, update, body) => {
                let scope: Env = Rc::new(Scope {
                    vars: RefCell::default(),
                    parent: Some(env.clone()),
                });
                if let Some(init) = init {
                    self.stmt(init, &scope)?;
                }
                loop {
                    self.step()?;
                    if let Some(c) = cond {
                        if !truthy(&self.expr(c, &scope)?) {
                            break;
                        }
                    }
                    match self.stmt(body, &scope)? {
                        Flow::Break => break,
                        r @ Flow::Return(_) => return Ok(r),
                        Flow::Normal | Flow::Continue => {}
                    }
                    if let Some(u) = update {
                        self.expr(u, &scope)?;
                    }
                }
                Flow::Normal
            }
            Stmt::While(c, body) => {
                while truthy(&self.expr(c, env)?) {
                    self.step()?;
                    match self.stmt(body, env)? {
                        Flow::Break => break,
                        r @ Flow::Return(_) => return Ok(r),
                        Flow::Normal | Flow::Continue => {}
                    }
                }
                Flow::Normal
            }
            Stmt::Switch(on, cases) => {
                let v = self.expr(on, env)?;
                let mut start = None;
                for (i, (test, _)) in cases.iter().enumerate() {
                    if let Some(t) = test {
                        if strict_eq(&v, &self.expr(t, env)?) {
                            start = Some(i);
                            break;
                        }
                    }
                }
                let start = start.or_else(|| cases.iter().position(|(t, _)| t.is_none()));
                if let Some(start) = start {
                    for (_, body) in &cases[start..] {
                        match self.block(body, env)? {
                            Flow::Normal => {}
                            Flow::Break => return Ok(Flow::Normal),
                            other => return Ok(other),
                        }
                    }
                }
                Flow::Normal
            }
            Stmt::Block(stmts) => {
                let scope: Env = Rc::new(Scope {
                    vars: RefCell::default(),
                    parent: Some(env.clone()),
                });
                self.block(stmts, &scope)?
            }
            Stmt::Break => Flow::Break,
            Stmt::Continue => Flow::Continue,
            Stmt::ExportDefault(e) => {
                let v = self.expr(e, env)?;
                env.declare("\0default", v);
                Flow::Normal
            }
            Stmt::Export(inner, _) => self.stmt(inner, env)?,
        })
    }

    fn expr(&mut self, e: &Expr, env: &Env) -> RResult<V> {
        self.step()?;
        self.depth += 1;
        if self.depth > MAX_RUN_DEPTH {
            self.depth -= 1;
            return Err("nested too deep".into());
        }
        let r = self.expr_inner(e, env).and_then(bounded);
        self.depth -= 1;
        r
    }

    fn expr_inner(&mut self, e: &Expr, env: &Env) -> RResult<V> {
        Ok(match e {
            Expr::Lit(v) => v.clone(),
            Expr::Tmpl(strs, parts) => {
                let mut s = String::new();
                for (i, text) in strs.iter().enumerate() {
                    s.push_str(text);
                    if let Some(p) = parts.get(i) {
                        s.push_str(&to_str(&self.expr(p, env)?, 0));
                    }
                }
                V::Str(s.into())
            }
            Expr::Name(n) => env.lookup(n).or_else(|| global(n)).unwrap_or(V::Undef),
            Expr::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for x in items {
                    out.push(self.expr(x, env)?);
                }
                V::Arr(Rc::new(RefCell::new(out)))
            }
            Expr::Object(props) => {
                let mut out: Vec<(String, V)> = Vec::with_capacity(props.len());
                for (k, x) in props {
                    let v = self.expr(x, env)?;
                    match out.iter_mut().find(|(n, _)| n == k) {
                        Some(slot) => slot.1 = v,
                        None => out.push((k.clone(), v)),
                    }
                }
                V::Obj(Rc::new(RefCell::new(out)))
            }
            Expr::Member(obj, key) => {
                let o = self.expr(obj, env)?;
                let k = self.expr(key, env)?;
                member(&o, &to_str(&k, 0))?
            }
            Expr::Call(callee, args) => {
                let f = self.expr(callee, env)?;
                let mut values = Vec::with_capacity(args.len());
                for a in args {
                    values.push(self.expr(a, env)?);
                }
                self.call(&f, values)?
            }
            Expr::Unary(op, x) => {
                let v = self.expr(x, env)?;
                match *op {
                    "!" => V::Bool(!truthy(&v)),
                    "-" => V::Num(-to_num(&v)),
                    "+" => V::Num(to_num(&v)),
                    _ => V::Str(type_of(&v).into()),
                }
            }
            Expr::Binary(op, a, b) => {
                let a = self.expr(a, env)?;
                match *op {
                    "&&" if !truthy(&a) => return Ok(a),
                    "||" if truthy(&a) => return Ok(a),
                    "??" if !matches!(a, V::Undef | V::Null) => return Ok(a),
                    "&&" | "||" | "??" => return self.expr(b, env),
                    _ => {}
                }
                let b = self.expr(b, env)?;
                binary(op, &a, &b)
            }
            Expr::Cond(c, a, b) => {
                if truthy(&self.expr(c, env)?) {
                    self.expr(a, env)?
                } else {
                    self.expr(b, env)?
                }
            }
            Expr::Assign(op, target, value) => {
                let v = self.expr(value, env)?;
                let v = if *op == "=" {
                    v
                } else {
                    let old = self.expr(target, env)?;
                    binary(&op[..1], &old, &v)
                };
                self.store(target, v.clone(), env)?;
                v
            }
            Expr::Update(prefix, d, target) => {
                let old = to_num(&self.expr(target, env)?);
                let new = old + d;
                self.store(target, V::Num(new), env)?;
                V::Num(if *prefix { new } else { old })
            }
            Expr::Func(def) => V::Fun(def.clone(), env.clone()),
        })
    }

    fn store(&mut self, target: &Expr, v: V, env: &Env) -> RResult<()> {
        match target {
            Expr::Name(n) => {
                if !env.set(n, v.clone()) {
                    env.declare(n, v);
                }
                Ok(())
            }
            Expr::Member(obj, key) => {
                let o = self.expr(obj, env)?;
                let k = to_str(&self.expr(key, env)?, 0);
                match o {
                    V::Obj(m) => {
                        let mut m = m.borrow_mut();
                        match m.iter_mut().find(|(n, _)| *n == k) {
                            Some(slot) => slot.1 = v,
                            None => m.push((k, v)),
                        }
                        Ok(())
                    }
                    V::Arr(a) => {
                        let i = k
                            .parse::<usize>()
                            .map_err(|_| format!("cannot set `{k}` of an array"))?;
                        if i > 100_000 {
                            return Err("array index over 100000".into());
                        }
                        let mut a = a.borrow_mut();
                        if a.len() <= i {
                            a.resize(i + 1, V::Undef);
                        }
                        a[i] = v;
                        Ok(())
                    }
                    other => Err(format!("cannot set `{k}` of {}", type_of(&other))),
                }
            }
            _ => Err("only a name or a member can be assigned".into()),
        }
    }

    fn call(&mut self, f: &V, args: Vec<V>) -> RResult<V> {
        self.depth += 1;
        if self.depth > MAX_RUN_DEPTH {
            self.depth -= 1;
            return Err("calls nest too deep".into());
        }
        let r = match f {
            V::Fun(def, closure) => {
                let scope: Env = Rc::new(Scope {
                    vars: RefCell::default(),
                    parent: Some(closure.clone()),
                });
                let mut result = Ok(V::Undef);
                for (i, (name, default)) in def.params.iter().enumerate() {
                    let mut v = args.get(i).cloned().unwrap_or(V::Undef);
                    if matches!(v, V::Undef) {
                        if let Some(d) = default {
                            match self.expr(d, &scope) {
                                Ok(x) => v = x,
                                Err(e) => {
                                    result = Err(e);
                                    break;
                                }
                            }
                        }
                    }
                    scope.declare(name, v);
                }
                scope.declare("arguments", V::Arr(Rc::new(RefCell::new(args))));
                match result {
                    Err(e) => Err(e),
                    Ok(_) => match &def.body {
                        Body::Expr(e) => self.expr(e, &scope),
                        Body::Block(stmts) => match self.block(stmts, &scope)? {
                            Flow::Return(v) => Ok(v),
                            _ => Ok(V::Undef),
                        },
                    },
                }
            }
            V::Native(name, this) => self.native(name, this.as_deref(), args).and_then(bounded),
            other => Err(format!("{} is not a function", type_of(other))),
        };
        self.depth -= 1;
        r
    }

    fn callback(&mut self, f: &V, args: Vec<V>) -> RResult<V> {
        self.call(f, args)
    }

    #[allow(clippy::too_many_lines)]
    fn native(&mut self, name: &str, this: Option<&V>, args: Vec<V>) -> RResult<V> {
        let arg = |i: usize| args.get(i).cloned().unwrap_or(V::Undef);
        let num = |i: usize| to_num(&arg(i));
        let int = |i: usize, default: f64| {
            let n = args.get(i).map_or(default, to_num);
            if n.is_nan() {
                0.0
            } else {
                n.trunc()
            }
        };
        let s = |v: &str| V::Str(v.into());
        Ok(match (name, this) {
            ("Math.floor", _) => V::Num(num(0).floor()),
            ("Math.ceil", _) => V::Num(num(0).ceil()),
            ("Math.round", _) => V::Num((num(0) + 0.5).floor()),
            ("Math.abs", _) => V::Num(num(0).abs()),
            ("Math.sqrt", _) => V::Num(num(0).sqrt()),
            ("Math.pow", _) => V::Num(num(0).powf(num(1))),
            ("Math.max", _) => V::Num(args.iter().map(to_num).fold(f64::NEG_INFINITY, |a, b| {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.max(b)
                }
            })),
            ("Math.min", _) => V::Num(args.iter().map(to_num).fold(f64::INFINITY, |a, b| {
                if a.is_nan() || b.is_nan() {
                    f64::NAN
                } else {
                    a.min(b)
                }
            })),
            ("parseInt", _) => {
                let t = to_str(&arg(0), 0);
                let t = t.trim();
                let (neg, t) = t
                    .strip_prefix('-')
                    .map_or((false, t.strip_prefix('+').unwrap_or(t)), |r| (true, r));
                let radix = int(1, 10.0) as u32;
                let radix = if radix == 0 { 10 } else { radix };
                if !(2..=36).contains(&radix) {
                    return Ok(V::Num(f64::NAN));
                }
                let digits: String = t.chars().take_while(|c| c.is_digit(radix)).collect();
                if digits.is_empty() {
                    V::Num(f64::NAN)
                } else {
                    let n = digits.chars().fold(0f64, |a, c| {
                        a * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0))
                    });
                    V::Num(if neg { -n } else { n })
                }
            }
            ("parseFloat", _) => {
                let t = to_str(&arg(0), 0);
                let t = t.trim_start();
                let mut end = 0;
                let t = &t[..t.char_indices().nth(64).map_or(t.len(), |(i, _)| i)];
                for i in (1..=t.len()).rev() {
                    if t.is_char_boundary(i)
                        && t[..i].parse::<f64>().is_ok()
                        && !t[..i].contains(['i', 'n', 'N'])
                    {
                        end = i;
                        break;
                    }
                }
                V::Num(if end == 0 {
                    f64::NAN
                } else {
                    t[..end].parse().unwrap_or(f64::NAN)
                })
            }
            ("Number", _) => V::Num(if args.is_empty() { 0.0 } else { num(0) }),
            ("String", _) => s(&if args.is_empty() {
                String::new()
            } else {
                to_str(&arg(0), 0)
            }),
            ("isNaN", _) => V::Bool(num(0).is_nan()),
            ("Array.isArray", _) => V::Bool(matches!(arg(0), V::Arr(_))),
            ("Object.keys", _) => match arg(0) {
                V::Obj(o) => V::Arr(Rc::new(RefCell::new(
                    o.borrow().iter().map(|(k, _)| s(k)).collect(),
                ))),
                V::Arr(a) => V::Arr(Rc::new(RefCell::new(
                    (0..a.borrow().len()).map(|i| s(&i.to_string())).collect(),
                ))),
                _ => V::Arr(Rc::default()),
            },
            ("JSON.stringify", _) => match to_json(&arg(0), 0) {
                Some(j) => s(&j.to_string()),
                None => V::Undef,
            },
            ("JSON.parse", _) => match serde_json::from_str::<Value>(&to_str(&arg(0), 0)) {
                Ok(j) => from_json(&j),
                Err(e) => return Err(format!("JSON.parse: {e}")),
            },
            ("toFixed", Some(V::Num(n))) => {
                let d = int(0, 0.0).clamp(0.0, 100.0) as usize;
                s(&format!("{n:.d$}"))
            }
            ("toString", Some(v)) => s(&to_str(v, 0)),
            (m, Some(V::Str(text))) => string_method(m, text, &args)?,
            (m, Some(V::Arr(list))) => self.array_method(m, list, args)?,
            (m, _) => return Err(format!("`{m}` is not a function here")),
        })
    }

    fn array_method(&mut self, m: &str, list: &Rc<RefCell<Vec<V>>>, args: Vec<V>) -> RResult<V> {
        let arg = |i: usize| args.get(i).cloned().unwrap_or(V::Undef);
        let items: Vec<V> = list.borrow().clone();
        let len = items.len() as f64;
        let arr = |v: Vec<V>| V::Arr(Rc::new(RefCell::new(v)));
        let range = |a: Option<&V>, b: Option<&V>| {
            let at = |v: Option<&V>, d: f64| {
                let n = v.filter(|v| !matches!(v, V::Undef)).map_or(d, to_num);
                let n = if n.is_nan() { 0.0 } else { n.trunc() };
                (if n < 0.0 {
                    (len + n).max(0.0)
                } else {
                    n.min(len)
                }) as usize
            };
            (at(a, 0.0), at(b, len))
        };
        Ok(match m {
            "join" => {
                let sep = match arg(0) {
                    V::Undef => ",".to_string(),
                    v => to_str(&v, 0),
                };
                V::Str(
                    items
                        .iter()
                        .map(|x| match x {
                            V::Undef | V::Null => String::new(),
                            x => to_str(x, 1),
                        })
                        .collect::<Vec<_>>()
                        .join(&sep)
                        .into(),
                )
            }
            "indexOf" => V::Num(
                items
                    .iter()
                    .position(|x| strict_eq(x, &arg(0)))
                    .map_or(-1.0, |i| i as f64),
            ),
            "includes" => V::Bool(items.iter().any(|x| strict_eq(x, &arg(0)))),
            "slice" => {
                let (a, b) = range(args.first(), args.get(1));
                arr(if a < b { items[a..b].to_vec() } else { vec![] })
            }
            "concat" => {
                let mut out = items;
                for a in args {
                    match a {
                        V::Arr(more) => out.extend(more.borrow().iter().cloned()),
                        other => out.push(other),
                    }
                    if out.len() > MAX_STRING {
                        return Err("an array over the size limit".into());
                    }
                }
                arr(out)
            }
            "push" => {
                let mut l = list.borrow_mut();
                if l.len() + args.len() > 100_000 {
                    return Err("an array over 100000 items".into());
                }
                l.extend(args);
                V::Num(l.len() as f64)
            }
            "reverse" => {
                list.borrow_mut().reverse();
                V::Arr(list.clone())
            }
            "map" | "filter" | "forEach" | "some" | "every" | "find" | "findIndex" => {
                let f = arg(0);
                let mut out = Vec::new();
                for (i, x) in items.iter().enumerate() {
                    let r =
                        self.callback(&f, vec![x.clone(), V::Num(i as f64), V::Arr(list.clone())])?;
                    match m {
                        "map" => out.push(r),
                        "filter" if truthy(&r) => out.push(x.clone()),
                        "some" if truthy(&r) => return Ok(V::Bool(true)),
                        "every" if !truthy(&r) => return Ok(V::Bool(false)),
                        "find" if truthy(&r) => return Ok(x.clone()),
                        "findIndex" if truthy(&r) => return Ok(V::Num(i as f64)),
                        _ => {}
                    }
                }
                match m {
                    "map" | "filter" => arr(out),
                    "some" => V::Bool(false),
                    "every" => V::Bool(true),
                    "findIndex" => V::Num(-1.0),
                    _ => V::Undef,
                }
            }
            "reduce" => {
                let f = arg(0);
                let mut iter = items.iter().enumerate();
                let mut acc = if args.len() > 1 {
                    arg(1)
                } else {
                    match iter.next() {
                        Some((_, x)) => x.clone(),
                        None => return Err("reduce of an empty array with no initial value".into()),
                    }
                };
                for (i, x) in iter {
                    acc = self.callback(&f, vec![acc, x.clone(), V::Num(i as f64)])?;
                }
                acc
            }
            _ => return Err(format!("arrays have no method `{m}` in SJS")),
        })
    }
}

/// Refuses a string or array past [`MAX_STRING`] (doubling in a loop would exhaust memory well
/// before the step limit).
fn bounded(v: V) -> RResult<V> {
    let too_big = match &v {
        V::Str(s) => s.len() > MAX_STRING,
        V::Arr(a) => a.borrow().len() > MAX_STRING,
        _ => false,
    };
    if too_big {
        return Err(format!("a value over {MAX_STRING} characters or items"));
    }
    Ok(v)
}

fn string_method(m: &str, text: &str, args: &[V]) -> RResult<V> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(V::Undef);
    let chars: Vec<char> = text.chars().collect();
    let len = chars.len() as f64;
    let pos = |v: Option<&V>, d: f64| {
        let n = v.filter(|v| !matches!(v, V::Undef)).map_or(d, to_num);
        if n.is_nan() {
            0.0
        } else {
            n.trunc()
        }
    };
    let sub = |a: usize, b: usize| -> String {
        if a < b {
            chars[a..b].iter().collect()
        } else {
            String::new()
        }
    };
    let clamp = |n: f64| n.clamp(0.0, len) as usize;
    // Char index ↔ byte offset (the searches are `str`'s, linear whatever the input).
    let byte_at = |ci: usize| text.char_indices().nth(ci).map_or(text.len(), |(b, _)| b);
    let char_at = |b: usize| text[..b].chars().count();
    let s = |v: String| V::Str(v.into());
    Ok(match m {
        "indexOf" => {
            let needle = to_str(&arg(0), 0);
            let from = byte_at(clamp(pos(args.get(1), 0.0)));
            V::Num(
                text[from..]
                    .find(needle.as_str())
                    .map_or(-1.0, |b| char_at(from + b) as f64),
            )
        }
        "lastIndexOf" => {
            let needle = to_str(&arg(0), 0);
            V::Num(
                text.rfind(needle.as_str())
                    .map_or(-1.0, |b| char_at(b) as f64),
            )
        }
        "includes" => V::Bool(text.contains(to_str(&arg(0), 0).as_str())),
        "startsWith" => V::Bool(text.starts_with(&to_str(&arg(0), 0))),
        "endsWith" => V::Bool(text.ends_with(&to_str(&arg(0), 0))),
        "slice" => {
            let rel = |n: f64| if n < 0.0 { clamp(len + n) } else { clamp(n) };
            s(sub(rel(pos(args.first(), 0.0)), rel(pos(args.get(1), len))))
        }
        "substring" => {
            let a = clamp(pos(args.first(), 0.0));
            let b = clamp(pos(args.get(1), len));
            s(sub(a.min(b), a.max(b)))
        }
        "substr" => {
            let start = pos(args.first(), 0.0);
            let a = if start < 0.0 {
                clamp(len + start)
            } else {
                clamp(start)
            };
            let n = pos(args.get(1), len - a as f64).max(0.0);
            s(sub(a, clamp(a as f64 + n)))
        }
        "charAt" => s(chars
            .get(pos(args.first(), 0.0).max(0.0) as usize)
            .map(char::to_string)
            .unwrap_or_default()),
        "split" => {
            let parts: Vec<V> = match arg(0) {
                V::Undef => vec![s(text.to_string())],
                sep => {
                    let sep = to_str(&sep, 0);
                    if sep.is_empty() {
                        chars.iter().map(|c| s(c.to_string())).collect()
                    } else {
                        text.split(sep.as_str()).map(|p| s(p.to_string())).collect()
                    }
                }
            };
            V::Arr(Rc::new(RefCell::new(parts)))
        }
        "replace" => {
            let from = to_str(&arg(0), 0);
            let to = to_str(&arg(1), 0);
            s(text.replacen(from.as_str(), &to, 1))
        }
        "toUpperCase" => s(text.to_uppercase()),
        "toLowerCase" => s(text.to_lowercase()),
        "trim" => s(text.trim().to_string()),
        "concat" => s(format!(
            "{text}{}",
            args.iter().map(|a| to_str(a, 0)).collect::<String>()
        )),
        "repeat" => {
            let n = pos(args.first(), 0.0);
            if n < 0.0 || n * len > 1_000_000.0 {
                return Err("repeat: a count out of range".into());
            }
            s(text.repeat(n as usize))
        }
        "padStart" | "padEnd" => {
            let target = pos(args.first(), 0.0).min(1_000_000.0);
            let fill = match arg(1) {
                V::Undef => " ".to_string(),
                v => to_str(&v, 0),
            };
            let need = (target - len).max(0.0) as usize;
            let pad: String = fill
                .chars()
                .cycle()
                .take(if fill.is_empty() { 0 } else { need })
                .collect();
            s(if m == "padStart" {
                format!("{pad}{text}")
            } else {
                format!("{text}{pad}")
            })
        }
        _ => return Err(format!("strings have no method `{m}` in SJS")),
    })
}

fn member(o: &V, k: &str) -> RResult<V> {
    Ok(match o {
        V::Undef | V::Null => return Err(format!("cannot read `{k}` of {}", to_str(o, 0))),
        V::Obj(m) => m
            .borrow()
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map_or(V::Undef, |(_, v)| v.clone()),
        V::Arr(a) if k == "length" => V::Num(a.borrow().len() as f64),
        V::Arr(a) => match k.parse::<usize>() {
            Ok(i) => a.borrow().get(i).cloned().unwrap_or(V::Undef),
            Err(_) => V::Native(method_name(k), Some(Box::new(o.clone()))),
        },
        V::Str(s) if k == "length" => V::Num(s.chars().count() as f64),
        V::Str(s) => match k.parse::<usize>() {
            Ok(i) => s
                .chars()
                .nth(i)
                .map_or(V::Undef, |c| V::Str(c.to_string().into())),
            Err(_) => V::Native(method_name(k), Some(Box::new(o.clone()))),
        },
        V::Num(_) | V::Bool(_) => V::Native(method_name(k), Some(Box::new(o.clone()))),
        V::Native(ns, None) => global(&format!("{ns}.{k}")).unwrap_or(V::Undef),
        V::Fun(..) | V::Native(..) => V::Undef,
    })
}

/// Method names are `&'static str` (the `native` dispatch); an unknown one stays unknown.
fn method_name(k: &str) -> &'static str {
    const NAMES: [&str; 40] = [
        "indexOf",
        "lastIndexOf",
        "slice",
        "substring",
        "substr",
        "split",
        "replace",
        "toUpperCase",
        "toLowerCase",
        "trim",
        "charAt",
        "startsWith",
        "endsWith",
        "includes",
        "padStart",
        "padEnd",
        "repeat",
        "concat",
        "toFixed",
        "toString",
        "join",
        "push",
        "reverse",
        "map",
        "filter",
        "forEach",
        "some",
        "every",
        "find",
        "findIndex",
        "reduce",
        "floor",
        "ceil",
        "round",
        "abs",
        "max",
        "min",
        "pow",
        "sqrt",
        "keys",
    ];
    NAMES.iter().find(|n| **n == k).copied().unwrap_or("?")
}

/// The built-in globals: functions, and the namespaces `Math`, `JSON`, `Object`, `Array`.
fn global(name: &str) -> Option<V> {
    const FUNCS: [&str; 18] = [
        "parseInt",
        "parseFloat",
        "Number",
        "String",
        "isNaN",
        "Math.floor",
        "Math.ceil",
        "Math.round",
        "Math.abs",
        "Math.sqrt",
        "Math.pow",
        "Math.max",
        "Math.min",
        "JSON.stringify",
        "JSON.parse",
        "Object.keys",
        "Array.isArray",
        "Math",
    ];
    match name {
        "Math" => Some(V::Native("Math", None)),
        "JSON" => Some(V::Native("JSON", None)),
        "Object" => Some(V::Native("Object", None)),
        "Array" => Some(V::Native("Array", None)),
        "NaN" => Some(V::Num(f64::NAN)),
        "Infinity" => Some(V::Num(f64::INFINITY)),
        "Math.PI" => Some(V::Num(std::f64::consts::PI)),
        _ => FUNCS
            .iter()
            .find(|f| **f == name)
            .map(|f| V::Native(f, Some(Box::new(V::Undef)))),
    }
}

fn binary(op: &str, a: &V, b: &V) -> V {
    match op {
        "+" => {
            let prim = |v: &V| match v {
                V::Arr(_) | V::Obj(_) | V::Fun(..) | V::Native(..) => V::Str(to_str(v, 0).into()),
                v => v.clone(),
            };
            let (a, b) = (prim(a), prim(b));
            if matches!(a, V::Str(_)) || matches!(b, V::Str(_)) {
                V::Str(format!("{}{}", to_str(&a, 0), to_str(&b, 0)).into())
            } else {
                V::Num(to_num(&a) + to_num(&b))
            }
        }
        "-" => V::Num(to_num(a) - to_num(b)),
        "*" => V::Num(to_num(a) * to_num(b)),
        "/" => V::Num(to_num(a) / to_num(b)),
        "%" => V::Num(to_num(a) % to_num(b)),
        "==" => V::Bool(loose_eq(a, b)),
        "!=" => V::Bool(!loose_eq(a, b)),
        "===" => V::Bool(strict_eq(a, b)),
        "!==" => V::Bool(!strict_eq(a, b)),
        "<" | "<=" | ">" | ">=" => {
            let r = match (a, b) {
                (V::Str(x), V::Str(y)) => Some(x.cmp(y)),
                _ => to_num(a).partial_cmp(&to_num(b)),
            };
            V::Bool(match (op, r) {
                (_, None) => false,
                ("<", Some(o)) => o.is_lt(),
                ("<=", Some(o)) => o.is_le(),
                (">", Some(o)) => o.is_gt(),
                (_, Some(o)) => o.is_ge(),
            })
        }
        _ => V::Undef,
    }
}

// ---------------------------------------------------------------------------------------------
// Modules

/// A loaded SJS module: its top level has run; its exports are callable.
#[derive(Debug)]
pub struct SjsModule {
    exports: V,
}

impl SjsModule {
    /// Parses and runs the module at `path` (its text `text`): a syntax error is a
    /// [`Diagnostic`] naming the file, line and column; an error while its top level runs is
    /// one at the file's start.
    pub fn load(path: &str, text: &str) -> Result<SjsModule, Diagnostic> {
        let src = Source::new(path, text.to_string());
        let toks = lex(text, 0, 0).map_err(|(at, m)| src.error(at, format!("SJS: {m}")))?;
        let mut p = Parser {
            toks,
            pos: 0,
            depth: 0,
        };
        let program = p
            .program()
            .map_err(|(at, m)| src.error(at, format!("SJS: {m}")))?;
        let env: Env = Rc::new(Scope::default());
        let mut run = Run { steps: 0, depth: 0 };
        run.block(&program, &env)
            .map_err(|m| src.error(0, format!("SJS: the module failed while loading: {m}")))?;
        let exports = match env.lookup("\0default") {
            Some(v) => v,
            None => {
                let mut named = Vec::new();
                for s in &program {
                    if let Stmt::Export(_, names) = s {
                        for n in names {
                            named.push((n.clone(), env.lookup(n).unwrap_or(V::Undef)));
                        }
                    }
                }
                V::Obj(Rc::new(RefCell::new(named)))
            }
        };
        // Keep the program alive through the closures that refer to its definitions.
        Ok(SjsModule { exports })
    }

    /// Calls the exported function at `function` (`format`, or `a.b` for a nested one) with
    /// `args`; `None` is `undefined` (no such function, a runtime error, or past the limits).
    pub fn call(&self, function: &str, args: &[Value]) -> Option<Value> {
        let mut f = self.exports.clone();
        for part in function.split('.') {
            f = member(&f, part).ok()?;
        }
        let mut run = Run { steps: 0, depth: 0 };
        let v = run.call(&f, args.iter().map(from_json).collect()).ok()?;
        to_json(&v, 0)
    }
}

/// The SJS modules a template imports, by the names its `<import-sjs>` gives them: an
/// [`SjsHost`](crate::SjsHost) for [`render_with`](crate::render_with).
#[derive(Clone, Debug, Default)]
pub struct SjsModules {
    by_name: HashMap<String, Rc<SjsModule>>,
}

impl SjsModules {
    /// Loads every `<import-sjs>` of `template` through `files` (each module once per call).
    pub fn for_template(
        template: &crate::CompiledTemplate,
        files: &dyn crate::FileProvider,
    ) -> Result<SjsModules, Diagnostic> {
        let mut by_name = HashMap::new();
        let mut loaded: HashMap<String, Rc<SjsModule>> = HashMap::new();
        for import in template.sjs_imports() {
            let module = match loaded.get(&import.from) {
                Some(m) => m.clone(),
                None => {
                    let text = files.read(&import.from).ok_or_else(|| Diagnostic {
                        span: import.span.clone(),
                        message: format!("SJS module `{}` not found", import.from),
                        source_line: String::new(),
                    })?;
                    let m = Rc::new(SjsModule::load(&import.from, &text)?);
                    loaded.insert(import.from.clone(), m.clone());
                    m
                }
            };
            by_name.insert(import.name.clone(), module);
        }
        Ok(SjsModules { by_name })
    }

    /// Whether the template imports no SJS module.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

impl crate::SjsHost for SjsModules {
    fn call(&mut self, module: &str, function: &str, args: &[Value]) -> Option<Value> {
        self.by_name.get(module)?.call(function, args)
    }
}
