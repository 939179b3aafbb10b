//! The `{{ }}` expression language: lexer, parser, evaluator (with JavaScript's coercions,
//! against JSON data) and the data paths an expression reads.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Number, Value};

/// How deep an expression may nest (parentheses, operands, member chains) before it is refused;
/// keeps the recursive evaluator's stack bounded on any input.
const MAX_DEPTH: usize = 96;

/// A parsed `{{ }}` expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `null`, `true`/`false`, a number or a string.
    Literal(Value),
    /// `undefined`.
    Undefined,
    /// A name: a data field, a loop variable, or (after binding) an SJS module.
    Name(String),
    /// A name that refers to an `<import-sjs>` module.
    SjsModule(String),
    /// `object.name`
    Member(Box<Expr>, String),
    /// `object[key]`
    Index(Box<Expr>, Box<Expr>),
    /// `callee(args)`: only calls into SJS modules have a value; any other call is `undefined`.
    Call(Box<Expr>, Vec<Expr>),
    /// `!x`, `-x`, `+x`, `typeof x`
    Unary(UnaryOp, Box<Expr>),
    /// Arithmetic, comparison and equality.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `a && b`, `a || b`, `a ?? b` (short-circuit).
    Logical(LogicalOp, Box<Expr>, Box<Expr>),
    /// `test ? then : otherwise`
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `[a, ...b]`
    Array(Vec<Element>),
    /// `{a: 1, b, ...c}`
    Object(Vec<Property>),
}

/// One entry of an array literal.
#[derive(Clone, Debug, PartialEq)]
pub enum Element {
    /// `x`
    Item(Expr),
    /// `...x`
    Spread(Expr),
}

/// One entry of an object literal.
#[derive(Clone, Debug, PartialEq)]
pub enum Property {
    /// `key: value` (and the shorthand `key`).
    Field(String, Expr),
    /// `...object`
    Spread(Expr),
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `!`
    Not,
    /// `-`
    Negate,
    /// `+`
    Plus,
    /// `typeof`
    TypeOf,
}

/// Binary operators that evaluate both sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `+` (numbers add, anything with a string concatenates)
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    LooseEq,
    /// `!=`
    LooseNe,
    /// `===`
    StrictEq,
    /// `!==`
    StrictNe,
}

/// Short-circuit operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogicalOp {
    /// `&&`
    And,
    /// `||`
    Or,
    /// `??`
    Nullish,
}

/// A syntax error in an expression, at a byte offset into the expression's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    /// Byte offset into the text given to the parser.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    Punct(&'static str),
    /// A template literal (`` `w: ${size}px` ``), already read as string concatenation.
    Template(Box<Expr>),
    End,
}

/// Template literals nest (`` `${a ? `x${b}` : ''}` ``) at most this deep.
const MAX_TEMPLATE_DEPTH: usize = 8;

const PUNCTS: [&str; 30] = [
    "...", "===", "!==", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "+", "-", "*", "/", "%",
    "<", ">", "!", "?", ":", ".", ",", "(", ")", "[", "]", "{", "}", "=",
];

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
    lex_nested(src, 0)
}

fn lex_nested(src: &str, depth: usize) -> Result<Vec<(Tok, usize)>, ExprError> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            i = lex_number(bytes, i);
            let text = &src[start..i];
            let n = if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
                u64::from_str_radix(hex, 16).ok().map(|n| n as f64)
            } else {
                text.parse::<f64>().ok()
            };
            let n = n.ok_or_else(|| err(start, format!("`{text}` is not a number")))?;
            out.push((Tok::Num(n), start));
        } else if c == b'\'' || c == b'"' {
            let (s, end) = lex_string(src, i)?;
            out.push((Tok::Str(s), start));
            i = end;
        } else if c == b'`' {
            let (e, end) = lex_template(src, i, depth)?;
            out.push((Tok::Template(Box::new(e)), start));
            i = end;
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80 {
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric()
                    || bytes[i] == b'_'
                    || bytes[i] == b'$'
                    || bytes[i] >= 0x80)
            {
                i += 1;
            }
            out.push((Tok::Ident(src[start..i].to_string()), start));
        } else if let Some(p) = PUNCTS.iter().find(|p| src[i..].starts_with(**p)) {
            // `?.` followed by a digit is `? .5`, as in JavaScript.
            if *p == "?." && bytes.get(i + 2).is_some_and(u8::is_ascii_digit) {
                out.push((Tok::Punct("?"), start));
                i += 1;
            } else {
                out.push((Tok::Punct(p), start));
                i += p.len();
            }
        } else {
            let ch = src[i..].chars().next().unwrap_or('?');
            return Err(err(
                start,
                format!("unexpected character `{ch}` in expression"),
            ));
        }
    }
    out.push((Tok::End, src.len()));
    Ok(out)
}

fn lex_number(bytes: &[u8], mut i: usize) -> usize {
    if bytes[i] == b'0' && matches!(bytes.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        while i < bytes.len() && bytes[i].is_ascii_hexdigit() {
            i += 1;
        }
        return i;
    }
    while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
        i += 1;
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        let mut j = i + 1;
        if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
            j += 1;
        }
        if j < bytes.len() && bytes[j].is_ascii_digit() {
            i = j;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    i
}

/// A quoted string starting at `start`; returns its value and the offset after the closing quote.
fn lex_string(src: &str, start: usize) -> Result<(String, usize), ExprError> {
    let quote = src.as_bytes()[start] as char;
    let mut out = String::new();
    let mut chars = src[start + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == quote => return Ok((out, start + 1 + i + 1)),
            '\\' => match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, 'r')) => out.push('\r'),
                Some((_, '0')) => out.push('\0'),
                Some((j, 'u')) => {
                    let hex = src.get(start + 1 + j + 1..start + 1 + j + 5).unwrap_or("");
                    let code = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                    let code =
                        code.ok_or_else(|| err(start + 1 + j, "`\\u` needs four hex digits"))?;
                    out.push(code);
                    for _ in 0..4 {
                        chars.next();
                    }
                }
                Some((_, other)) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    Err(err(start, "string literal is never closed"))
}

/// A template literal starting at `start` (its backtick), as the concatenation JavaScript
/// makes of it: `"text" + (expr) + "text"`, a string whatever the values (the first part is a
/// string, even an empty one). Returns the expression and the offset after the closing backtick.
fn lex_template(src: &str, start: usize, depth: usize) -> Result<(Expr, usize), ExprError> {
    if depth >= MAX_TEMPLATE_DEPTH {
        return Err(err(start, "template literals nest too deeply"));
    }
    let bytes = src.as_bytes();
    let mut parts: Vec<Expr> = Vec::new();
    let mut text = String::new();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'`' => {
                if !text.is_empty() {
                    parts.push(Expr::Literal(Value::String(std::mem::take(&mut text))));
                }
                let mut e = Expr::Literal(Value::String(String::new()));
                for part in parts {
                    e = Expr::Binary(BinaryOp::Add, Box::new(e), Box::new(part));
                }
                return Ok((e, i + 1));
            }
            b'\\' => {
                let (c, len) = match src[i + 1..].chars().next() {
                    Some('n') => ('\n', 1),
                    Some('t') => ('\t', 1),
                    Some('r') => ('\r', 1),
                    Some(c) => (c, c.len_utf8()),
                    None => break,
                };
                text.push(c);
                i += 1 + len;
            }
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                let inner = i + 2;
                let close = template_hole_end(bytes, inner)
                    .ok_or_else(|| err(i, "`${` in a template literal is never closed with `}`"))?;
                let mut p = Parser {
                    toks: lex_nested(&src[inner..close], depth + 1)
                        .map_err(|e| err(inner + e.offset, e.message))?,
                    pos: 0,
                };
                if p.peek() == &Tok::End {
                    return Err(err(inner, "empty `${}` in a template literal"));
                }
                let e = p
                    .expr(0, depth + 1)
                    .and_then(|e| p.expect_end().map(|()| e))
                    .map_err(|e| err(inner + e.offset, e.message))?;
                if !text.is_empty() {
                    parts.push(Expr::Literal(Value::String(std::mem::take(&mut text))));
                }
                parts.push(e);
                i = close + 1;
            }
            _ => {
                let c = src[i..].chars().next().unwrap_or('?');
                text.push(c);
                i += c.len_utf8();
            }
        }
    }
    Err(err(
        start,
        "template literal is never closed with a backtick",
    ))
}

/// The offset of the `}` that closes a template literal's `${` hole whose text starts at `from`
/// (braces of object literals inside counted, strings and nested template literals skipped).
fn template_hole_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    if bytes[i] == b'\\' {
                        i += 1;
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

fn err(offset: usize, message: impl Into<String>) -> ExprError {
    ExprError {
        offset,
        message: message.into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Parser (precedence climbing)

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
}

/// Parses one whole expression.
pub fn parse(src: &str) -> Result<Expr, ExprError> {
    let mut p = Parser {
        toks: lex(src)?,
        pos: 0,
    };
    if p.peek() == &Tok::End {
        return Err(err(0, "empty expression"));
    }
    let e = p.expr(0, 0)?;
    p.expect_end()?;
    Ok(e)
}

/// Parses the inside of a template's `data="{{ ... }}"`: a whole expression (`{{item}}`), or,
/// as the AXML docs allow, the body of an object literal without its braces
/// (`{{...item, index: 1}}`, `{{a: 1, b}}`).
pub fn parse_template_data(src: &str) -> Result<Expr, ExprError> {
    let whole = parse(src);
    if whole.is_ok() {
        return whole;
    }
    let mut p = Parser {
        toks: lex(src)?,
        pos: 0,
    };
    match p.object_body(0, &Tok::End) {
        Ok(props) => Ok(Expr::Object(props)),
        // Report the error of the reading the author meant: an object body when it has the
        // marks of one, an expression otherwise.
        Err(body_err) if src.contains(':') || src.contains("...") => Err(body_err),
        Err(_) => whole,
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos.min(self.toks.len() - 1)].0
    }

    fn offset(&self) -> usize {
        self.toks[self.pos.min(self.toks.len() - 1)].1
    }

    fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn eat(&mut self, p: &str) -> bool {
        if matches!(self.peek(), Tok::Punct(q) if *q == p) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, p: &str) -> Result<(), ExprError> {
        if self.eat(p) {
            Ok(())
        } else {
            Err(err(
                self.offset(),
                format!("expected `{p}` but found {}", describe(self.peek())),
            ))
        }
    }

    fn expect_end(&mut self) -> Result<(), ExprError> {
        match self.peek() {
            Tok::End => Ok(()),
            t => Err(err(
                self.offset(),
                format!("unexpected {} after the expression", describe(t)),
            )),
        }
    }

    /// An expression whose operators bind tighter than `min_bp`; `depth` is how deep this
    /// expression already nests.
    fn expr(&mut self, min_bp: u8, depth: usize) -> Result<Expr, ExprError> {
        if depth > MAX_DEPTH {
            return Err(err(self.offset(), "expression nests too deeply"));
        }
        let mut depth = depth;
        let mut lhs = self.unary(depth)?;
        loop {
            depth += 1;
            if depth > MAX_DEPTH {
                return Err(err(self.offset(), "expression nests too deeply"));
            }
            let Tok::Punct(op) = *self.peek() else { break };
            if op == "?" {
                if min_bp > 1 {
                    break;
                }
                self.bump();
                let then = self.expr(0, depth)?;
                self.expect(":")?;
                let otherwise = self.expr(1, depth)?;
                lhs = Expr::Conditional(Box::new(lhs), Box::new(then), Box::new(otherwise));
                continue;
            }
            let Some((bp, kind)) = binary_op(op) else {
                break;
            };
            if bp <= min_bp {
                break;
            }
            self.bump();
            let rhs = self.expr(bp, depth)?;
            lhs = match kind {
                Op::Binary(b) => Expr::Binary(b, Box::new(lhs), Box::new(rhs)),
                Op::Logical(l) => Expr::Logical(l, Box::new(lhs), Box::new(rhs)),
            };
        }
        Ok(lhs)
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, ExprError> {
        if depth > MAX_DEPTH {
            return Err(err(self.offset(), "expression nests too deeply"));
        }
        let op = match self.peek() {
            Tok::Punct("!") => Some(UnaryOp::Not),
            Tok::Punct("-") => Some(UnaryOp::Negate),
            Tok::Punct("+") => Some(UnaryOp::Plus),
            Tok::Ident(s) if s == "typeof" => Some(UnaryOp::TypeOf),
            _ => None,
        };
        if let Some(op) = op {
            self.bump();
            let operand = self.unary(depth + 1)?;
            return Ok(Expr::Unary(op, Box::new(operand)));
        }
        self.postfix(depth)
    }

    fn postfix(&mut self, mut depth: usize) -> Result<Expr, ExprError> {
        let mut e = self.primary(depth)?;
        loop {
            depth += 1;
            if depth > MAX_DEPTH {
                return Err(err(self.offset(), "expression nests too deeply"));
            }
            if self.eat(".") || self.eat("?.") {
                match self.bump() {
                    Tok::Ident(name) => e = Expr::Member(Box::new(e), name),
                    t => {
                        return Err(err(
                            self.offset(),
                            format!(
                                "expected a property name after `.` but found {}",
                                describe(&t)
                            ),
                        ))
                    }
                }
            } else if self.eat("[") {
                let key = self.expr(0, depth)?;
                self.expect("]")?;
                e = Expr::Index(Box::new(e), Box::new(key));
            } else if self.eat("(") {
                let mut args = Vec::new();
                while !self.eat(")") {
                    args.push(self.expr(0, depth)?);
                    if !self.eat(",") {
                        self.expect(")")?;
                        break;
                    }
                }
                e = Expr::Call(Box::new(e), args);
            } else {
                return Ok(e);
            }
        }
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, ExprError> {
        let at = self.offset();
        match self.bump() {
            Tok::Num(n) => Ok(Expr::Literal(number(n))),
            Tok::Str(s) => Ok(Expr::Literal(Value::String(s))),
            Tok::Template(e) => Ok(*e),
            Tok::Ident(name) => Ok(match name.as_str() {
                "true" => Expr::Literal(Value::Bool(true)),
                "false" => Expr::Literal(Value::Bool(false)),
                "null" => Expr::Literal(Value::Null),
                "undefined" => Expr::Undefined,
                _ => Expr::Name(name),
            }),
            Tok::Punct("(") => {
                let e = self.expr(0, depth + 1)?;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Punct("[") => {
                let mut items = Vec::new();
                while !self.eat("]") {
                    if self.eat("...") {
                        items.push(Element::Spread(self.expr(0, depth + 1)?));
                    } else {
                        items.push(Element::Item(self.expr(0, depth + 1)?));
                    }
                    if !self.eat(",") {
                        self.expect("]")?;
                        break;
                    }
                }
                Ok(Expr::Array(items))
            }
            Tok::Punct("{") => Ok(Expr::Object(self.object_body(depth + 1, &Tok::Punct("}"))?)),
            t => Err(err(
                at,
                format!("expected a value but found {}", describe(&t)),
            )),
        }
    }

    /// Object-literal entries up to (and including) `close`.
    fn object_body(&mut self, depth: usize, close: &Tok) -> Result<Vec<Property>, ExprError> {
        let mut props = Vec::new();
        loop {
            if self.peek() == close {
                self.bump();
                return Ok(props);
            }
            if self.eat("...") {
                props.push(Property::Spread(self.expr(0, depth)?));
            } else {
                let at = self.offset();
                let key = match self.bump() {
                    Tok::Ident(s) | Tok::Str(s) => s,
                    Tok::Num(n) => display_number(n),
                    t => {
                        return Err(err(
                            at,
                            format!("expected a property name but found {}", describe(&t)),
                        ))
                    }
                };
                if self.eat(":") {
                    props.push(Property::Field(key, self.expr(0, depth)?));
                } else if matches!(self.toks[self.pos.saturating_sub(1)].0, Tok::Ident(_)) {
                    props.push(Property::Field(key.clone(), Expr::Name(key)));
                } else {
                    return Err(err(self.offset(), format!("expected `:` after `{key}`")));
                }
            }
            if !self.eat(",") {
                if self.peek() == close {
                    continue;
                }
                let what = if close == &Tok::End { "the end" } else { "`}`" };
                return Err(err(
                    self.offset(),
                    format!("expected `,` or {what} but found {}", describe(self.peek())),
                ));
            }
        }
    }
}

enum Op {
    Binary(BinaryOp),
    Logical(LogicalOp),
}

fn binary_op(op: &str) -> Option<(u8, Op)> {
    use BinaryOp::*;
    Some(match op {
        "??" => (2, Op::Logical(LogicalOp::Nullish)),
        "||" => (3, Op::Logical(LogicalOp::Or)),
        "&&" => (4, Op::Logical(LogicalOp::And)),
        "==" => (6, Op::Binary(LooseEq)),
        "!=" => (6, Op::Binary(LooseNe)),
        "===" => (6, Op::Binary(StrictEq)),
        "!==" => (6, Op::Binary(StrictNe)),
        "<" => (7, Op::Binary(Lt)),
        "<=" => (7, Op::Binary(Le)),
        ">" => (7, Op::Binary(Gt)),
        ">=" => (7, Op::Binary(Ge)),
        "+" => (8, Op::Binary(Add)),
        "-" => (8, Op::Binary(Sub)),
        "*" => (9, Op::Binary(Mul)),
        "/" => (9, Op::Binary(Div)),
        "%" => (9, Op::Binary(Rem)),
        _ => return None,
    })
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("number `{}`", display_number(*n)),
        Tok::Str(_) => "a string".into(),
        Tok::Template(_) => "a template literal".into(),
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Punct(p) => format!("`{p}`"),
        Tok::End => "the end of the expression".into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Values and JavaScript's coercions

/// A value during evaluation: `None` is JavaScript's `undefined`; data is borrowed when it can be.
pub type Val<'a> = Option<Cow<'a, Value>>;

/// A JSON number for `n`, integral when it is one; non-finite numbers become the strings
/// JavaScript prints for them (JSON cannot hold them).
pub fn number(n: f64) -> Value {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        if n == 0.0 {
            return Value::from(0); // -0 prints as 0
        }
        return Value::from(n as i64);
    }
    Number::from_f64(n).map_or_else(|| Value::String(display_number(n)), Value::Number)
}

/// JavaScript's `String(n)` for the common cases.
pub fn display_number(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else if n.fract() == 0.0 && n.abs() < 1e21 {
        format!("{}", n as i128)
    } else {
        format!("{n}")
    }
}

/// JavaScript truthiness.
pub fn truthy(v: &Val) -> bool {
    match v.as_deref() {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(_) | Value::Object(_)) => true,
    }
}

/// JavaScript's `ToNumber`.
pub fn to_number(v: &Val) -> f64 {
    match v.as_deref() {
        None => f64::NAN,
        Some(Value::Null) => 0.0,
        Some(Value::Bool(b)) => f64::from(u8::from(*b)),
        Some(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
        Some(Value::String(s)) => string_to_number(s),
        Some(Value::Array(a)) => match a.as_slice() {
            [] => 0.0,
            [one] => to_number(&Some(Cow::Borrowed(one))),
            _ => f64::NAN,
        },
        Some(Value::Object(_)) => f64::NAN,
    }
}

fn string_to_number(s: &str) -> f64 {
    let t = s.trim();
    if t.is_empty() {
        return 0.0;
    }
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return u64::from_str_radix(hex, 16).map_or(f64::NAN, |n| n as f64);
    }
    match t {
        "Infinity" | "+Infinity" => f64::INFINITY,
        "-Infinity" => f64::NEG_INFINITY,
        // Rust accepts "inf", "nan" and friends; JavaScript does not.
        _ if t
            .bytes()
            .any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E') =>
        {
            f64::NAN
        }
        _ => t.parse().unwrap_or(f64::NAN),
    }
}

/// JavaScript's `String(v)`.
pub fn to_js_string(v: &Val) -> String {
    match v.as_deref() {
        None => "undefined".into(),
        Some(v) => json_to_js_string(v),
    }
}

fn json_to_js_string(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), display_number),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                if i.is_null() {
                    String::new()
                } else {
                    json_to_js_string(i)
                }
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".into(),
    }
}

/// The text a `{{ }}` shows in content or a mixed attribute: `undefined` and `null` show nothing.
pub fn to_display(v: &Val) -> String {
    match v.as_deref() {
        None | Some(Value::Null) => String::new(),
        Some(v) => json_to_js_string(v),
    }
}

fn js_typeof(v: &Val) -> &'static str {
    match v.as_deref() {
        None => "undefined",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Number(_)) => "number",
        Some(Value::String(_)) => "string",
        Some(Value::Null | Value::Array(_) | Value::Object(_)) => "object",
    }
}

/// `v[key]` / `v.key`, JavaScript style, `undefined` when absent (never an error).
pub fn get<'a>(v: Val<'a>, key: &Val) -> Val<'a> {
    let v = v?;
    let key_num = match key.as_deref() {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s
            .parse::<u64>()
            .ok()
            .filter(|_| !s.starts_with('+'))
            .map(|n| n as f64),
        _ => None,
    };
    let key_str = || to_js_string(key);
    match v {
        Cow::Borrowed(Value::Object(m)) => m.get(&key_str()).map(Cow::Borrowed),
        Cow::Owned(Value::Object(mut m)) => m.remove(&key_str()).map(Cow::Owned),
        Cow::Borrowed(Value::Array(a)) => match key_num {
            Some(i) => index(a.len(), i).and_then(|i| a.get(i)).map(Cow::Borrowed),
            None if key_str() == "length" => Some(Cow::Owned(Value::from(a.len()))),
            None => None,
        },
        Cow::Owned(Value::Array(mut a)) => match key_num {
            Some(i) => index(a.len(), i).map(|i| Cow::Owned(a.swap_remove(i))),
            None if key_str() == "length" => Some(Cow::Owned(Value::from(a.len()))),
            None => None,
        },
        v => match v.as_ref() {
            Value::String(s) => match key_num {
                Some(i) => {
                    let units: Vec<u16> = s.encode_utf16().collect();
                    let i = index(units.len(), i)?;
                    Some(Cow::Owned(Value::String(String::from_utf16_lossy(
                        &units[i..=i],
                    ))))
                }
                None if key_str() == "length" => {
                    Some(Cow::Owned(Value::from(s.encode_utf16().count())))
                }
                None => None,
            },
            _ => None,
        },
    }
}

fn index(len: usize, i: f64) -> Option<usize> {
    (i >= 0.0 && i.fract() == 0.0 && i < len as f64).then_some(i as usize)
}

fn strict_eq(a: &Val, b: &Val) -> bool {
    match (a.as_deref(), b.as_deref()) {
        (None, None) => true,
        (Some(Value::Number(x)), Some(Value::Number(y))) => x.as_f64() == y.as_f64(),
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

fn loose_eq(a: &Val, b: &Val) -> bool {
    use Value::*;
    match (a.as_deref(), b.as_deref()) {
        (None | Some(Null), None | Some(Null)) => true,
        (None | Some(Null), _) | (_, None | Some(Null)) => false,
        (Some(Number(_) | String(_) | Bool(_)), Some(Number(_) | Bool(_)))
        | (Some(Number(_) | Bool(_)), Some(String(_))) => to_number(a) == to_number(b),
        (Some(Array(_) | Object(_)), Some(String(s)))
        | (Some(String(s)), Some(Array(_) | Object(_))) => {
            let other = if matches!(a.as_deref(), Some(String(_))) {
                b
            } else {
                a
            };
            &to_js_string(other) == s
        }
        _ => strict_eq(a, b),
    }
}

fn binary(op: BinaryOp, a: &Val, b: &Val) -> Value {
    use BinaryOp::*;
    let is_stringy = |v: &Val| {
        matches!(
            v.as_deref(),
            Some(Value::String(_) | Value::Array(_) | Value::Object(_))
        )
    };
    match op {
        Add if is_stringy(a) || is_stringy(b) => Value::String(to_js_string(a) + &to_js_string(b)),
        Add => number(to_number(a) + to_number(b)),
        Sub => number(to_number(a) - to_number(b)),
        Mul => number(to_number(a) * to_number(b)),
        Div => number(to_number(a) / to_number(b)),
        Rem => number(to_number(a) % to_number(b)),
        Lt | Le | Gt | Ge => {
            let ord = match (a.as_deref(), b.as_deref()) {
                (Some(Value::String(x)), Some(Value::String(y))) => {
                    Some(x.encode_utf16().cmp(y.encode_utf16()))
                }
                _ => to_number(a).partial_cmp(&to_number(b)),
            };
            Value::Bool(ord.is_some_and(|o| match op {
                Lt => o.is_lt(),
                Le => o.is_le(),
                Gt => o.is_gt(),
                _ => o.is_ge(),
            }))
        }
        LooseEq => Value::Bool(loose_eq(a, b)),
        LooseNe => Value::Bool(!loose_eq(a, b)),
        StrictEq => Value::Bool(strict_eq(a, b)),
        StrictNe => Value::Bool(!strict_eq(a, b)),
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// Where names come from during evaluation.
pub trait Scope<'a> {
    /// The value of `name`, `None` when it is not defined (`undefined`).
    fn lookup(&self, name: &str) -> Val<'a>;
}

/// Answers calls into `<import-sjs>` modules (`{{util.format(price)}}`); the logic layer runs
/// the module's JavaScript, the compiler only records the call.
pub trait SjsHost {
    /// Calls `function` (a path such as `format` or `money.format`) of the module `module`
    /// (the name given by `<import-sjs name>`) with `args`; `None` is `undefined`.
    fn call(&mut self, module: &str, function: &str, args: &[Value]) -> Option<Value>;
}

/// An [`SjsHost`] for rendering without a logic layer: every SJS call is `undefined`.
pub struct NoSjs;

impl SjsHost for NoSjs {
    fn call(&mut self, _: &str, _: &str, _: &[Value]) -> Option<Value> {
        None
    }
}

/// Evaluates `e` in `scope`; never fails (absent data reads as `undefined`, as on a device).
pub fn eval<'a>(e: &Expr, scope: &dyn Scope<'a>, sjs: &mut dyn SjsHost) -> Val<'a> {
    match e {
        Expr::Literal(v) => Some(Cow::Owned(v.clone())),
        Expr::Undefined | Expr::SjsModule(_) => None,
        Expr::Name(n) => scope.lookup(n),
        Expr::Member(obj, name) => get(
            eval(obj, scope, sjs),
            &Some(Cow::Owned(Value::String(name.clone()))),
        ),
        Expr::Index(obj, key) => {
            let key = eval(key, scope, sjs);
            get(eval(obj, scope, sjs), &key)
        }
        Expr::Call(callee, args) => {
            let (module, function) = sjs_target(callee)?;
            let args: Vec<Value> = args
                .iter()
                .map(|a| eval(a, scope, sjs).map_or(Value::Null, Cow::into_owned))
                .collect();
            sjs.call(&module, &function, &args).map(Cow::Owned)
        }
        Expr::Unary(op, x) => {
            let x = eval(x, scope, sjs);
            Some(Cow::Owned(match op {
                UnaryOp::Not => Value::Bool(!truthy(&x)),
                UnaryOp::Negate => number(-to_number(&x)),
                UnaryOp::Plus => number(to_number(&x)),
                UnaryOp::TypeOf => Value::String(js_typeof(&x).into()),
            }))
        }
        Expr::Binary(op, a, b) => {
            let a = eval(a, scope, sjs);
            let b = eval(b, scope, sjs);
            Some(Cow::Owned(binary(*op, &a, &b)))
        }
        Expr::Logical(op, a, b) => {
            let a = eval(a, scope, sjs);
            let take_left = match op {
                LogicalOp::And => !truthy(&a),
                LogicalOp::Or => truthy(&a),
                LogicalOp::Nullish => !matches!(a.as_deref(), None | Some(Value::Null)),
            };
            if take_left {
                a
            } else {
                eval(b, scope, sjs)
            }
        }
        Expr::Conditional(test, then, otherwise) => {
            if truthy(&eval(test, scope, sjs)) {
                eval(then, scope, sjs)
            } else {
                eval(otherwise, scope, sjs)
            }
        }
        Expr::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                match item {
                    Element::Item(e) => {
                        out.push(eval(e, scope, sjs).map_or(Value::Null, Cow::into_owned))
                    }
                    Element::Spread(e) => match eval(e, scope, sjs).map(Cow::into_owned) {
                        Some(Value::Array(a)) => out.extend(a),
                        Some(Value::String(s)) => {
                            out.extend(s.chars().map(|c| Value::String(c.into())))
                        }
                        _ => {}
                    },
                }
            }
            Some(Cow::Owned(Value::Array(out)))
        }
        Expr::Object(props) => {
            let mut out = Map::new();
            for prop in props {
                match prop {
                    Property::Field(k, e) => {
                        // `undefined` fields are dropped, as JSON.stringify would.
                        if let Some(v) = eval(e, scope, sjs) {
                            out.insert(k.clone(), v.into_owned());
                        }
                    }
                    Property::Spread(e) => match eval(e, scope, sjs).map(Cow::into_owned) {
                        Some(Value::Object(m)) => out.extend(m),
                        Some(Value::Array(a)) => {
                            out.extend(a.into_iter().enumerate().map(|(i, v)| (i.to_string(), v)));
                        }
                        _ => {}
                    },
                }
            }
            Some(Cow::Owned(Value::Object(out)))
        }
    }
}

/// `(module, "a.b")` when `callee` is `module.a.b` rooted at an SJS module.
fn sjs_target(callee: &Expr) -> Option<(String, String)> {
    let mut path = Vec::new();
    let mut e = callee;
    loop {
        match e {
            Expr::Member(obj, name) => {
                path.push(name.as_str());
                e = obj;
            }
            Expr::Index(obj, key) => match &**key {
                Expr::Literal(Value::String(s)) => {
                    path.push(s.as_str());
                    e = obj;
                }
                _ => return None,
            },
            Expr::SjsModule(m) if !path.is_empty() => {
                path.reverse();
                return Some((m.clone(), path.join(".")));
            }
            _ => return None,
        }
    }
}

/// Rewrites names that refer to `<import-sjs>` modules into [`Expr::SjsModule`].
pub fn bind_sjs(e: &mut Expr, is_module: &dyn Fn(&str) -> bool) {
    match e {
        Expr::Name(n) if is_module(n) => *e = Expr::SjsModule(std::mem::take(n)),
        Expr::Literal(_) | Expr::Undefined | Expr::Name(_) | Expr::SjsModule(_) => {}
        Expr::Member(x, _) | Expr::Unary(_, x) => bind_sjs(x, is_module),
        Expr::Index(a, b) | Expr::Binary(_, a, b) | Expr::Logical(_, a, b) => {
            bind_sjs(a, is_module);
            bind_sjs(b, is_module);
        }
        Expr::Call(c, args) => {
            bind_sjs(c, is_module);
            args.iter_mut().for_each(|a| bind_sjs(a, is_module));
        }
        Expr::Conditional(a, b, c) => {
            bind_sjs(a, is_module);
            bind_sjs(b, is_module);
            bind_sjs(c, is_module);
        }
        Expr::Array(items) => items.iter_mut().for_each(|i| match i {
            Element::Item(x) | Element::Spread(x) => bind_sjs(x, is_module),
        }),
        Expr::Object(props) => props.iter_mut().for_each(|p| match p {
            Property::Field(_, x) | Property::Spread(x) => bind_sjs(x, is_module),
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// Data paths

/// One step of a [`DataPath`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(untagged)]
pub enum PathSegment {
    /// A field name or a fixed array index (`a`, `3`).
    Key(String),
    /// Any element: a loop's item or a computed index (`[*]`).
    Any,
}

/// A path into the page's data, as `setData` names them: `list[*].name`, `user.id`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DataPath(pub Vec<PathSegment>);

impl DataPath {
    /// Parses a `setData` key such as `list[3].name` or `a.b['c']`; `None` if malformed.
    pub fn parse(key: &str) -> Option<DataPath> {
        let mut segs = Vec::new();
        let mut rest = key.trim();
        let mut first = true;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('[') {
                let end = r.find(']')?;
                let inner = r[..end].trim().trim_matches(|c| c == '\'' || c == '"');
                segs.push(if inner == "*" {
                    PathSegment::Any
                } else {
                    PathSegment::Key(inner.to_string())
                });
                rest = &r[end + 1..];
            } else {
                let r = if first { rest } else { rest.strip_prefix('.')? };
                let end = r.find(['.', '[']).unwrap_or(r.len());
                if end == 0 {
                    return None;
                }
                segs.push(PathSegment::Key(r[..end].to_string()));
                rest = &r[end..];
            }
            first = false;
        }
        (!segs.is_empty()).then_some(DataPath(segs))
    }

    /// Whether a change at `changed` can change what a binding reading `self` sees: one path is
    /// a prefix of the other, `[*]` matching any key.
    pub fn overlaps(&self, changed: &DataPath) -> bool {
        self.0.iter().zip(&changed.0).all(|(a, b)| match (a, b) {
            (PathSegment::Any, _) | (_, PathSegment::Any) => true,
            (PathSegment::Key(x), PathSegment::Key(y)) => x == y,
        })
    }
}

impl fmt::Display for DataPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                PathSegment::Any => f.write_str("[*]")?,
                PathSegment::Key(k) if k.parse::<u64>().is_ok() => write!(f, "[{k}]")?,
                PathSegment::Key(k) if i == 0 => f.write_str(k)?,
                PathSegment::Key(k) => write!(f, ".{k}")?,
            }
        }
        Ok(())
    }
}

impl serde::Serialize for DataPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// What a name means while collecting paths: data at a path, or a value derived from other
/// paths (a loop index, an item of a computed list), or nothing from the data.
#[derive(Clone, Debug)]
pub enum NameBinding {
    /// The name stands for the data at this path (`item` of `a:for="{{list}}"` is `list[*]`).
    Path(DataPath),
    /// The name's value depends on these paths only as a whole.
    Derived(Vec<DataPath>),
}

/// Adds to `out` the data paths `e` reads; `resolve` says what a name means (`None`: a field of
/// the root data).
pub fn collect_paths(
    e: &Expr,
    resolve: &dyn Fn(&str) -> Option<NameBinding>,
    out: &mut Vec<DataPath>,
) {
    if let Some(base) = access_path(e, resolve, out) {
        push_unique(out, base);
        return;
    }
    match e {
        Expr::Literal(_) | Expr::Undefined | Expr::SjsModule(_) | Expr::Name(_) => {}
        Expr::Member(x, _) | Expr::Unary(_, x) => collect_paths(x, resolve, out),
        Expr::Index(a, b) | Expr::Binary(_, a, b) | Expr::Logical(_, a, b) => {
            collect_paths(a, resolve, out);
            collect_paths(b, resolve, out);
        }
        Expr::Call(c, args) => {
            collect_paths(c, resolve, out);
            args.iter().for_each(|a| collect_paths(a, resolve, out));
        }
        Expr::Conditional(a, b, c) => {
            collect_paths(a, resolve, out);
            collect_paths(b, resolve, out);
            collect_paths(c, resolve, out);
        }
        Expr::Array(items) => items.iter().for_each(|i| match i {
            Element::Item(x) | Element::Spread(x) => collect_paths(x, resolve, out),
        }),
        Expr::Object(props) => props.iter().for_each(|p| match p {
            Property::Field(_, x) | Property::Spread(x) => collect_paths(x, resolve, out),
        }),
    }
}

fn push_unique(out: &mut Vec<DataPath>, p: DataPath) {
    if !out.contains(&p) {
        out.push(p);
    }
}

/// The path of a member chain rooted at a name (`list[i].name` → `list[*].name`, reading `i`'s
/// paths into `out` too); `None` when `e` is not such a chain or its root has no single path.
fn access_path(
    e: &Expr,
    resolve: &dyn Fn(&str) -> Option<NameBinding>,
    out: &mut Vec<DataPath>,
) -> Option<DataPath> {
    match e {
        Expr::Name(n) => match resolve(n) {
            None => Some(DataPath(vec![PathSegment::Key(n.clone())])),
            Some(NameBinding::Path(p)) => Some(p),
            Some(NameBinding::Derived(paths)) => {
                paths.into_iter().for_each(|p| push_unique(out, p));
                None
            }
        },
        // `.length` changes whenever the array does: depend on the array itself.
        Expr::Member(obj, name) if name == "length" => access_path(obj, resolve, out),
        Expr::Member(obj, name) => {
            let mut p = access_path(obj, resolve, out)?;
            p.0.push(PathSegment::Key(name.clone()));
            Some(p)
        }
        Expr::Index(obj, key) => {
            let mut p = access_path(obj, resolve, out)?;
            match &**key {
                Expr::Literal(Value::String(s)) => p.0.push(PathSegment::Key(s.clone())),
                Expr::Literal(Value::Number(n)) => p.0.push(PathSegment::Key(n.to_string())),
                key => {
                    collect_paths(key, resolve, out);
                    p.0.push(PathSegment::Any);
                }
            }
            Some(p)
        }
        _ => None,
    }
}

/// A `{{ }}`-interpolated string: literal text and expressions.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// Text as written (entities already decoded).
    Text(String),
    /// An expression, with the byte offset of its text in the file.
    Expr(Expr, usize),
}

/// Whether a mustache's text starts like the body of an object literal (`key: `, `'key': `,
/// `...x`), the only readings in which it is one.
fn looks_like_object_body(src: &str) -> bool {
    let Ok(toks) = lex(src) else {
        return false;
    };
    matches!(
        (toks.first().map(|t| &t.0), toks.get(1).map(|t| &t.0)),
        (Some(Tok::Punct("...")), _)
            | (
                Some(Tok::Ident(_) | Tok::Str(_) | Tok::Num(_)),
                Some(Tok::Punct(":"))
            )
    )
}

/// Splits `text` into literal parts and `{{ }}` expressions. `base` is the byte offset of `text`
/// in its file; errors carry file offsets. A `}}` inside a quoted string does not close.
pub fn parse_interpolated(text: &str, base: usize) -> Result<Vec<Part>, ExprError> {
    let mut parts = Vec::new();
    let mut rest = 0;
    while let Some(open) = text[rest..].find("{{").map(|i| rest + i) {
        if open > rest {
            parts.push(Part::Text(text[rest..open].to_string()));
        }
        let inner_start = open + 2;
        let close = find_close(text, inner_start)
            .ok_or_else(|| err(base + open, "`{{` is never closed with `}}`"))?;
        let inner = &text[inner_start..close];
        // `{{ key: value }}` is an object literal without its own braces in any attribute, as
        // in a template's `data` (Alipay's API demo writes `style="{{ transform: x }}"`).
        let e = if looks_like_object_body(inner) {
            parse_template_data(inner)
        } else {
            parse(inner)
        }
        .map_err(|e| err(base + inner_start + e.offset, e.message))?;
        parts.push(Part::Expr(e, base + inner_start));
        rest = close + 2;
    }
    if rest < text.len() {
        parts.push(Part::Text(text[rest..].to_string()));
    }
    Ok(parts)
}

/// The offset of the `}}` closing a mustache whose text starts at `from`: the first `}}` outside
/// strings and outside the expression's own braces (`{{ {a: {b: 1}} }}` closes at the end).
pub fn find_close(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    let mut quote: Option<u8> = None;
    let mut depth = 0usize;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(_) if c == b'\\' => i += 1,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == b'\'' || c == b'"' || c == b'`' => quote = Some(c),
            None if c == b'{' => depth += 1,
            None if c == b'}' && depth == 0 && bytes.get(i + 1) == Some(&b'}') => return Some(i),
            None if c == b'}' => depth = depth.saturating_sub(1),
            None => {}
        }
        i += 1;
    }
    None
}

/// Data for evaluation: the root object plus named frames (loop variables), innermost last.
pub struct Frames<'a> {
    /// The root data (a page's `data`, or a template's `data`).
    pub root: &'a Value,
    /// Loop variables, searched from the end.
    pub vars: Vec<(&'a str, Val<'a>)>,
}

impl<'a> Scope<'a> for Frames<'a> {
    fn lookup(&self, name: &str) -> Val<'a> {
        if let Some((_, v)) = self.vars.iter().rev().find(|(n, _)| *n == name) {
            return v.clone();
        }
        match self.root {
            Value::Object(m) => m.get(name).map(Cow::Borrowed),
            _ => None,
        }
    }
}

/// A map from names to values, for tests and simple hosts.
impl<'a> Scope<'a> for BTreeMap<String, Value> {
    fn lookup(&self, name: &str) -> Val<'a> {
        self.get(name).cloned().map(Cow::Owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(src: &str, data: Value) -> Option<Value> {
        let e = parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        let scope = Frames {
            root: &data,
            vars: vec![],
        };
        eval(&e, &scope, &mut NoSjs).map(Cow::into_owned)
    }

    #[test]
    fn evaluates_with_javascript_semantics() {
        let cases: [(&str, Option<Value>); 14] = [
            ("1 + 2 * 3", Some(json!(7))),
            ("(1 + 2) * 3", Some(json!(9))),
            ("'a' + 1 + 2", Some(json!("a12"))),
            ("1 + 2 + 'a'", Some(json!("3a"))),
            ("a ? b ? 1 : 2 : 3", Some(json!(2))),
            ("0 || null || 'x'", Some(json!("x"))),
            ("0 ?? 'x'", Some(json!(0))),
            ("missing.deep.path", None),
            ("[...list, 4][3]", Some(json!(4))),
            ("{...o, b: 2}", Some(json!({ "a": 1, "b": 2 }))),
            ("'' == 0", Some(json!(true))),
            ("'1' !== 1", Some(json!(true))),
            ("-'3' + +'4'", Some(json!(1))),
            ("typeof list", Some(json!("object"))),
        ];
        for (src, want) in cases {
            let data = json!({ "a": true, "b": false, "list": [1, 2, 3], "o": { "a": 1, "b": 1 } });
            assert_eq!(run(src, data), want, "{src}");
        }
    }

    #[test]
    fn reports_where_an_expression_goes_wrong() {
        let cases = [
            (
                "a +",
                3,
                "expected a value but found the end of the expression",
            ),
            ("a b", 2, "unexpected `b` after the expression"),
            (
                "{a: 1",
                5,
                "expected `,` or `}` but found the end of the expression",
            ),
            ("'abc", 0, "string literal is never closed"),
            ("a # b", 2, "unexpected character `#` in expression"),
            ("", 0, "empty expression"),
        ];
        for (src, offset, message) in cases {
            assert_eq!(
                parse(src),
                Err(ExprError {
                    offset,
                    message: message.into()
                }),
                "{src}"
            );
        }
    }

    #[test]
    fn set_data_keys_parse_into_paths_that_overlap_by_prefix() {
        let p = |s: &str| DataPath::parse(s).unwrap_or_else(|| panic!("{s}"));
        assert_eq!(p("list[3].name").to_string(), "list[3].name");
        assert_eq!(p("a['b c'].d").0.len(), 3);
        assert!(DataPath::parse("a..b").is_none());
        assert!(DataPath::parse("a[").is_none());
        assert!(p("list[*].name").overlaps(&p("list[3]")));
        assert!(p("list").overlaps(&p("list[3].name")));
        assert!(!p("list[*].name").overlaps(&p("list[3].price")));
        assert!(!p("user").overlaps(&p("users")));
    }
}
