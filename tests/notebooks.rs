//! The notebooks of `docs/notebooks/`. Each is a plain evcxr script (`NAME.evcxr`), the
//! source of truth; this file turns the scripts into what checks them:
//!
//! - `tests/notebook_cells.rs`: the same cells as a plain Rust program, which CI compiles
//!   and runs, so a notebook cannot break silently. The test here fails when that file is
//!   not what the scripts give; `UPDATE_NOTEBOOKS=1 cargo test --test notebooks` rewrites
//!   it.
//! - for `scripts/check-notebooks`, which runs the scripts in a real evcxr (ignored tests,
//!   run by name): `repl_input` writes each script as evcxr's piped input
//!   (`target/notebooks/NAME.in`); after evcxr has run it, `write_notebooks` reads its
//!   output (`NAME.out`, `NAME.err`), fails on an error or on a rich cell without rich
//!   output, and writes `docs/notebooks/NAME.ipynb` with the outputs captured.
//!
//! Script format: cells open with `// %% markdown`, `// %% code` or `// %% code rich` (a
//! cell whose last expression shows a table or a plot). Markdown lines start with `//`.
//! In code cells, full-line `//` comments are kept in the notebook and dropped when run;
//! code lines carry no trailing comment (evcxr takes each cell as one line); lines that
//! start with `:` are evcxr commands.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Markdown,
    Code,
    Rich,
}

#[derive(Debug)]
struct Cell {
    kind: Kind,
    /// The lines as written (markdown without its `//`).
    source: Vec<String>,
}

impl Cell {
    /// Code lines without comments.
    fn code(&self) -> impl Iterator<Item = &str> {
        self.source
            .iter()
            .map(|l| l.as_str())
            .filter(|l| !l.trim_start().starts_with("//") && !l.trim().is_empty())
    }

    /// evcxr commands (`:dep`) and the rest of the code.
    fn split_commands(&self) -> (Vec<&str>, Vec<&str>) {
        self.code().partition(|l| l.starts_with(':'))
    }

    /// The rich cell's statements and its last expression: the text after the last `;`
    /// outside brackets and strings.
    fn statements_and_expression(&self) -> (String, String) {
        let (_, code) = self.split_commands();
        let text = code.join("\n");
        let (mut depth, mut in_string, mut last) = (0i32, false, None);
        let mut prev = ' ';
        for (i, c) in text.char_indices() {
            match c {
                '"' if prev != '\\' => in_string = !in_string,
                '(' | '[' | '{' if !in_string => depth += 1,
                ')' | ']' | '}' if !in_string => depth -= 1,
                ';' if !in_string && depth == 0 => last = Some(i),
                _ => {}
            }
            prev = c;
        }
        match last {
            Some(i) => (text[..=i].to_string(), text[i + 1..].trim().to_string()),
            None => (String::new(), text.trim().to_string()),
        }
    }
}

struct Notebook {
    name: String,
    cells: Vec<Cell>,
}

fn notebooks_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/notebooks")
}

fn parse(name: &str, text: &str) -> Result<Notebook, String> {
    let mut cells: Vec<Cell> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let at = |why: &str| format!("{name}.evcxr, line {}: {why}", n + 1);
        if let Some(marker) = line.strip_prefix("// %%") {
            let kind = match marker.trim() {
                "markdown" => Kind::Markdown,
                "code" => Kind::Code,
                "code rich" => Kind::Rich,
                other => return Err(at(&format!("unknown cell kind `{other}`"))),
            };
            cells.push(Cell {
                kind,
                source: Vec::new(),
            });
            continue;
        }
        let cell = cells
            .last_mut()
            .ok_or_else(|| at("the script must open with a `// %%` marker"))?;
        if cell.kind == Kind::Markdown {
            let body = line
                .strip_prefix("//")
                .ok_or_else(|| at("a markdown line starts with `//`"))?;
            cell.source
                .push(body.strip_prefix(' ').unwrap_or(body).to_string());
        } else {
            if !line.trim_start().starts_with("//") && line.contains("//") {
                return Err(at(
                    "no trailing comments in code (evcxr takes a cell as one line)",
                ));
            }
            cell.source.push(line.to_string());
        }
    }
    for (i, c) in cells.iter().enumerate() {
        if c.kind != Kind::Markdown && c.code().next().is_none() {
            return Err(format!("{name}.evcxr: cell {i} has no code"));
        }
        if c.kind == Kind::Rich && c.statements_and_expression().1.is_empty() {
            return Err(format!(
                "{name}.evcxr: rich cell {i} ends with `;`, not a value"
            ));
        }
    }
    Ok(Notebook {
        name: name.into(),
        cells,
    })
}

fn notebooks() -> Vec<Notebook> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(notebooks_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "evcxr"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_str().unwrap();
            parse(name, &std::fs::read_to_string(p).unwrap()).unwrap()
        })
        .collect()
}

/// The plain Rust program of every notebook: one test each, run from `docs/notebooks`
/// (where evcxr runs them), every rich value's content blocks checked.
fn program(books: &[Notebook]) -> String {
    let mut out = String::from(
        "//! Generated by `tests/notebooks.rs` from `docs/notebooks/*.evcxr`: do not edit;\n\
         //! `UPDATE_NOTEBOOKS=1 cargo test --test notebooks` rewrites it. The notebooks' cells\n\
         //! as plain Rust, so CI compiles and runs them (they draw plots: feature `plot`).\n\
         #![cfg(feature = \"plot\")]\n\
         \n\
         /// A rich value's evcxr output: well-formed content blocks, one of them not text.\n\
         #[rustfmt::skip]\n\
         fn check_rich(content: &str) {\n    \
             let open = content.matches(\"EVCXR_BEGIN_CONTENT \").count();\n    \
             assert!(open > 0 && open == content.matches(\"EVCXR_END_CONTENT\").count());\n    \
             assert!(content.contains(\"EVCXR_BEGIN_CONTENT text/html\") || content.contains(\"EVCXR_BEGIN_CONTENT image/svg+xml\"));\n\
         }\n",
    );
    for book in books {
        write!(
            out,
            "\n#[test]\n#[rustfmt::skip]\nfn {}() -> Result<(), Box<dyn std::error::Error>> {{\n    \
             std::env::set_current_dir(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/docs/notebooks\"))?;\n",
            book.name
        )
        .unwrap();
        for (i, cell) in book.cells.iter().enumerate() {
            match cell.kind {
                Kind::Markdown => continue,
                Kind::Code => {
                    writeln!(out, "    // cell {i}").unwrap();
                    for line in cell.split_commands().1 {
                        writeln!(out, "    {line}").unwrap();
                    }
                }
                Kind::Rich => {
                    writeln!(out, "    // cell {i}").unwrap();
                    let (statements, expression) = cell.statements_and_expression();
                    for line in statements.lines() {
                        writeln!(out, "    {line}").unwrap();
                    }
                    writeln!(out, "    check_rich(&({expression}).evcxr_content());").unwrap();
                }
            }
        }
        out.push_str("    Ok(())\n}\n");
    }
    out
}

#[test]
fn the_notebook_program_is_generated_from_the_scripts() {
    let books = notebooks();
    assert!(
        books.len() >= 2,
        "docs/notebooks has at least two notebooks"
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/notebook_cells.rs");
    let want = program(&books);
    if std::env::var_os("UPDATE_NOTEBOOKS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "tests/notebook_cells.rs is not what docs/notebooks/*.evcxr give: run \
         `UPDATE_NOTEBOOKS=1 cargo test --test notebooks`"
    );
}

#[test]
fn scripts_that_break_the_format_are_refused_with_the_line() {
    let trailing = parse("t", "// %% code\nlet x = 1; // one\n").err().unwrap();
    assert!(trailing.contains("t.evcxr, line 2"), "{trailing}");
    let first = parse("t", "let x = 1;\n").err().unwrap();
    assert!(
        first.contains("line 1") && first.contains("marker"),
        "{first}"
    );
    let rich = parse("t", "// %% code rich\nlet x = 1;\n").err().unwrap();
    assert!(rich.contains("ends with `;`"), "{rich}");
    let book = parse(
        "t",
        "// %% code rich\nlet a = [1; 3];\nlet s = \"x;y\";\nf(a, s)\n",
    )
    .unwrap();
    let (statements, expression) = book.cells[0].statements_and_expression();
    assert_eq!(expression, "f(a, s)");
    assert!(statements.ends_with("\"x;y\";"));
}

/// What evcxr printed for three cells (colours, prompts, a compile error, a rich value's raw
/// copy and evcxr's own plain echo of it) is read back cell by cell.
#[test]
fn repl_output_is_read_cell_by_cell() {
    let out = "Welcome to evcxr. For help, type :help\n\
        \u{1b}[33m>> \u{1b}[0m@@cell 1\n\
        \u{1b}[33m>> \u{1b}[0mtotal 3\n\
        \u{1b}[33m>> \u{1b}[0m@@cell 2\n\
        \u{1b}[33m>> \u{1b}[0m\u{1b}[31m[E0308] Error:\u{1b}[0m mismatched types\n\
        \u{1b}[33m>> \u{1b}[0m@@cell 3\n\
        \u{1b}[33m>> \u{1b}[0mNOTEBOOK_BEGIN_CONTENT image/svg+xml\n<svg>\n</svg>\nNOTEBOOK_END_CONTENT\n\
        NOTEBOOK_BEGIN_CONTENT text/plain\nPlot: x\nNOTEBOOK_END_CONTENT\n\
        \u{1b}[33m>> \u{1b}[0mPlot: x\n\
        \u{1b}[33m>> \u{1b}[0m@@cell end\n";
    let cells = outputs(out);
    assert_eq!(cells[&1].stream, ["total 3"]);
    assert!(cells[&1].errors.is_empty() && cells[&1].blocks.is_empty());
    assert_eq!(cells[&2].errors, ["[E0308] Error: mismatched types"]);
    let blocks: Vec<(&str, &str)> = cells[&3]
        .blocks
        .iter()
        .map(|(m, b)| (m.as_str(), b.as_str()))
        .collect();
    assert_eq!(
        blocks,
        [
            ("image/svg+xml", "<svg>\n</svg>"),
            ("text/plain", "Plot: x")
        ]
    );
    assert!(cells[&3].stream.is_empty(), "evcxr's echo is left out");
    assert!(plain(out).contains("@@cell end"));
}

fn work_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/notebooks")
}

const CELL: &str = "@@cell ";
/// What the raw copy's markers are renamed to: evcxr takes any line that contains
/// `EVCXR_BEGIN_CONTENT` as the start of a block and waits for an exact
/// `EVCXR_END_CONTENT`, so a prefix would hang it.
const RAW: &str = "NOTEBOOK_";

/// evcxr's piped input for a notebook: a marker before each code cell, commands on their
/// own lines, the rest of a cell on one line; a rich cell's value also printed raw (its
/// content blocks with their markers renamed, which evcxr passes through), then evaluated
/// again on its own line for evcxr to show.
fn input(book: &Notebook) -> String {
    let mut out = String::new();
    for (i, cell) in book.cells.iter().enumerate() {
        if cell.kind == Kind::Markdown {
            continue;
        }
        writeln!(out, "println!(\"{CELL}{i}\");").unwrap();
        let (commands, code) = cell.split_commands();
        for c in commands {
            writeln!(out, "{c}").unwrap();
        }
        match cell.kind {
            Kind::Rich => {
                let (statements, expression) = cell.statements_and_expression();
                let statements = statements.lines().collect::<Vec<_>>().join(" ");
                writeln!(
                    out,
                    "{statements} println!(\"{{}}\", ({expression}).evcxr_content()\
                     .replace(\"EVCXR_\", \"{RAW}\"));"
                )
                .unwrap();
                // Then the value itself, shown by evcxr as in a notebook.
                writeln!(out, "{expression}").unwrap();
            }
            _ if !code.is_empty() => writeln!(out, "{}", code.join(" ")).unwrap(),
            _ => {}
        }
    }
    writeln!(out, "println!(\"{CELL}end\");").unwrap();
    out
}

#[test]
#[ignore = "run by scripts/check-notebooks"]
fn repl_input() {
    std::fs::create_dir_all(work_dir()).unwrap();
    for book in notebooks() {
        std::fs::write(work_dir().join(format!("{}.in", book.name)), input(&book)).unwrap();
    }
}

/// Text without ANSI colour codes and evcxr's prompts.
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out.lines()
        .map(|l| {
            let mut l = l;
            while let Some(rest) = l.strip_prefix(">> ") {
                l = rest;
            }
            l.trim_end_matches(">> ").to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One cell's output: what it printed, and its content blocks `(mime, body)`.
#[derive(Default)]
struct Output {
    stream: Vec<String>,
    blocks: Vec<(String, String)>,
    errors: Vec<String>,
}

fn outputs(text: &str) -> std::collections::BTreeMap<usize, Output> {
    let mut by_cell = std::collections::BTreeMap::new();
    let mut current: Option<usize> = None;
    let mut block: Option<(String, Vec<String>)> = None;
    let mut shown = false;
    for line in plain(text).lines() {
        if let Some(id) = line.strip_prefix(CELL) {
            current = id.trim().parse().ok();
            shown = false;
            continue;
        }
        let Some(i) = current else { continue };
        let out: &mut Output = by_cell.entry(i).or_default();
        if line.contains("Error:") || line.contains("panicked at") {
            out.errors.push(line.to_string());
        }
        if let Some(mime) = line.strip_prefix(&format!("{RAW}BEGIN_CONTENT ")) {
            block = Some((mime.to_string(), Vec::new()));
        } else if line == format!("{RAW}END_CONTENT") {
            if let Some((mime, body)) = block.take() {
                out.blocks.push((mime, body.join("\n")));
                shown = true;
            }
        } else if let Some((_, body)) = block.as_mut() {
            body.push(line.to_string());
        } else if !shown {
            // After the raw blocks evcxr shows the value's plain text again: left out.
            out.stream.push(line.to_string());
        }
    }
    by_cell
}

/// A notebook (nbformat 4, evcxr's Rust kernel) with the captured outputs.
fn ipynb(book: &Notebook, outs: &std::collections::BTreeMap<usize, Output>) -> serde_json::Value {
    use serde_json::json;
    let lines = |text: &[String]| -> Vec<String> {
        let n = text.len();
        text.iter()
            .enumerate()
            .map(|(k, l)| {
                if k + 1 < n {
                    format!("{l}\n")
                } else {
                    l.clone()
                }
            })
            .collect()
    };
    let mut count = 0;
    let cells: Vec<serde_json::Value> = book
        .cells
        .iter()
        .enumerate()
        .map(|(i, cell)| {
            if cell.kind == Kind::Markdown {
                return json!({
                    "cell_type": "markdown", "id": format!("cell-{i}"), "metadata": {},
                    "source": lines(&cell.source)
                });
            }
            count += 1;
            let mut outputs = Vec::new();
            if let Some(o) = outs.get(&i) {
                let stream: Vec<String> = o
                    .stream
                    .iter()
                    .filter(|l| !l.trim().is_empty())
                    .cloned()
                    .collect();
                if !stream.is_empty() {
                    let text: Vec<String> = stream.iter().map(|l| format!("{l}\n")).collect();
                    outputs.push(json!({"name": "stdout", "output_type": "stream", "text": text}));
                }
                if !o.blocks.is_empty() {
                    let data: serde_json::Map<String, serde_json::Value> = o
                        .blocks
                        .iter()
                        .map(|(mime, body)| {
                            let body: Vec<String> = body.lines().map(str::to_string).collect();
                            (mime.clone(), json!(lines(&body)))
                        })
                        .collect();
                    outputs.push(json!({
                        "data": data, "execution_count": count, "metadata": {},
                        "output_type": "execute_result"
                    }));
                }
            }
            json!({
                "cell_type": "code", "execution_count": count, "id": format!("cell-{i}"),
                "metadata": {}, "outputs": outputs, "source": lines(&cell.source)
            })
        })
        .collect();
    json!({
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Rust", "language": "rust", "name": "rust"},
            "language_info": {
                "codemirror_mode": "rust", "file_extension": ".rs", "mimetype": "text/rust",
                "name": "Rust", "pygment_lexer": "rust", "version": ""
            }
        },
        "nbformat": 4,
        "nbformat_minor": 5
    })
}

#[test]
#[ignore = "run by scripts/check-notebooks after evcxr"]
fn write_notebooks() {
    let mut problems = Vec::new();
    let mut written = Vec::new();
    for book in notebooks() {
        let read = |ext: &str| {
            std::fs::read_to_string(work_dir().join(format!("{}.{ext}", book.name))).unwrap_or_else(
                |e| panic!("{}.{ext}: {e} (run scripts/check-notebooks)", book.name),
            )
        };
        let (out, err) = (read("out"), read("err"));
        let outs = outputs(&out);
        if !plain(&out).contains(&format!("{CELL}end")) {
            problems.push(format!("{}: evcxr stopped before the end", book.name));
        }
        for line in plain(&err).lines() {
            let l = line.trim_start();
            if l.to_lowercase().starts_with("error") || l.contains("panicked at") {
                problems.push(format!("{}: {line}", book.name));
            }
        }
        for (i, cell) in book.cells.iter().enumerate() {
            if cell.kind == Kind::Markdown {
                continue;
            }
            let o = outs.get(&i);
            for e in o.map(|o| o.errors.as_slice()).unwrap_or_default() {
                problems.push(format!("{} cell {i}: {e}", book.name));
            }
            let rich = o.is_some_and(|o| {
                o.blocks
                    .iter()
                    .any(|(m, _)| m == "text/html" || m == "image/svg+xml")
            });
            if cell.kind == Kind::Rich && !rich {
                problems.push(format!("{} cell {i}: no rich output", book.name));
            }
        }
        let notebook = serde_json::to_string_pretty(&ipynb(&book, &outs)).unwrap() + "\n";
        written.push((
            notebooks_dir().join(format!("{}.ipynb", book.name)),
            notebook,
        ));
    }
    // No notebook is rewritten unless every one passed.
    assert!(
        problems.is_empty(),
        "notebook check failed:\n{}",
        problems.join("\n")
    );
    for (path, notebook) in written {
        std::fs::write(path, notebook).unwrap();
    }
}
