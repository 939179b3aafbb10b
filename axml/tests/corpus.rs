//! Runs every case under `tests/corpus/`: AXML + data → expected HTML-like output, ACSS → CSS,
//! and error cases → the expected diagnostic, exactly as `Display` prints it.
//!
//! A case file is a sequence of sections, each opened by a line `--- <kind> [arg]`:
//! `--- file <path>` (the first one is the entry), `--- data` (JSON, default `{}`),
//! `--- options` (ACSS: `{"px": 375, "scope": "c1"}`), and one expectation: `--- html`,
//! `--- css` or `--- error`. Lines before the first section describe the case.
//! `AXML_BLESS=1 cargo test -p axml --test corpus` rewrites the expectations from the output
//! (review the diff before committing).

use std::path::Path;

use axml::acss::{compile_acss, AcssOptions, Rpx};
use axml::{compile, render, to_html, MemoryFiles};

struct Case {
    head: String,
    sections: Vec<(String, String, String)>, // kind, arg, body
}

fn parse_case(text: &str) -> Case {
    let mut head = String::new();
    let mut sections: Vec<(String, String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(header) = line.strip_prefix("--- ") {
            let header = header.trim();
            let (kind, arg) = header.split_once(' ').unwrap_or((header, ""));
            sections.push((kind.to_string(), arg.trim().to_string(), String::new()));
        } else if let Some(last) = sections.last_mut() {
            last.2.push_str(line);
        } else {
            head.push_str(line);
        }
    }
    for s in &mut sections {
        // The line break before the next section header is not part of the body.
        if s.2.ends_with('\n') {
            s.2.pop();
        }
    }
    Case { head, sections }
}

/// Runs one case; returns the expectation kind and the actual output.
fn run(case: &Case) -> Result<(String, String), String> {
    let mut files = MemoryFiles::new();
    let mut entry = None;
    for (kind, arg, body) in &case.sections {
        if kind == "file" {
            files.insert(arg, body.as_str());
            entry.get_or_insert(arg.clone());
        }
    }
    let entry = entry.ok_or("no `--- file` section")?;
    let section = |k: &str| {
        case.sections
            .iter()
            .find(|s| s.0 == k)
            .map(|s| s.2.as_str())
    };
    let expect = ["html", "css", "error"]
        .into_iter()
        .find(|k| section(k).is_some())
        .ok_or("no expectation section")?;
    let actual = if entry.ends_with(".acss") {
        let opts: serde_json::Value =
            serde_json::from_str(section("options").unwrap_or("{}")).map_err(|e| e.to_string())?;
        let options = AcssOptions {
            rpx: opts["px"].as_f64().map_or(Rpx::Var, Rpx::Px),
            scope: opts["scope"].as_str().map(str::to_string),
            outside: opts["outside"].as_str().map(str::to_string),
        };
        match compile_acss(&entry, &files, &options) {
            Ok(css) if expect == "css" => css.trim_end().to_string(),
            Ok(css) => return Err(format!("expected an error, got CSS:\n{css}")),
            Err(d) => d.to_string(),
        }
    } else {
        let data: serde_json::Value = serde_json::from_str(section("data").unwrap_or("{}"))
            .map_err(|e| format!("bad data: {e}"))?;
        match compile(&entry, &files) {
            Ok(t) if expect == "html" => to_html(&render(&t, &data)),
            Ok(t) => {
                return Err(format!(
                    "expected an error, got:\n{}",
                    to_html(&render(&t, &data))
                ))
            }
            Err(d) => d.to_string(),
        }
    };
    Ok((expect.to_string(), actual))
}

#[test]
fn corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let bless = std::env::var_os("AXML_BLESS").is_some();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.retain(|p| p.extension().is_some_and(|e| e == "case"));
    paths.sort();
    assert!(paths.len() >= 40, "the corpus has {} cases", paths.len());
    let mut failures = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).expect("read case");
        let case = parse_case(&text);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match run(&case) {
            Err(e) => failures.push(format!("{name}: {e}")),
            Ok((kind, actual)) => {
                let expected = case
                    .sections
                    .iter()
                    .find(|s| s.0 == kind)
                    .map(|s| s.2.trim_end())
                    .unwrap_or("");
                if expected != actual {
                    if bless {
                        let mut out = case.head.clone();
                        for (k, arg, body) in &case.sections {
                            let body = if *k == kind {
                                actual.as_str()
                            } else {
                                body.as_str()
                            };
                            out.push_str(&format!(
                                "--- {k}{}{}\n{body}\n",
                                if arg.is_empty() { "" } else { " " },
                                arg
                            ));
                        }
                        std::fs::write(path, out).expect("bless");
                    }
                    failures.push(format!(
                        "{name}:\n--- expected\n{expected}\n--- actual\n{actual}\n"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}
