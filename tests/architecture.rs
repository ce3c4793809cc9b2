//! The house (docs/architecture.md): top-level modules stand on floors and import only
//! from lower floors, and no folder has an import circle between its files.
//!
//! The graph is read from the `use` lines and paths of `src/` (comments and test modules
//! left out): `crate::m` names top-level module `m`; within a folder, `super::f` and
//! `crate::folder::f` name its file or subfolder `f`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The floors, from the foundation up (docs/architecture.md). A module imports only from
/// floors below its own.
const FLOORS: &[&[&str]] = &[
    &["numbers", "tolerance"],
    &["error"],
    &["report"],
    &["network"],
    &["data", "metrics"],
    &["scenario"],
    &["engine"],
    &["montecarlo"],
    &["runs"],
    &["plot"],
];

/// One source file: its path under `src/` without `.rs` or `/mod`, and its code.
struct Source {
    module: Vec<String>,
    code: String,
}

fn sources(root: &Path) -> Vec<Source> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel: PathBuf = path.strip_prefix(root).unwrap().with_extension("");
                let mut module: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if module.last().is_some_and(|m| m == "mod") {
                    module.pop();
                }
                let text = std::fs::read_to_string(&path).unwrap();
                out.push(Source {
                    module,
                    code: code_of(&text),
                });
            }
        }
    }
    out.sort_by(|a, b| a.module.cmp(&b.module));
    out
}

/// The text without comments and without the unit-test module.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Identifiers following `prefix` in `code` (`crate::` gives `network`, `engine`, ...).
fn after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    code.match_indices(prefix)
        .map(|(i, _)| {
            let rest = &code[i + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// Also the names in `crate::{a, b::c}` and `super::{a, b}` groups.
fn names(code: &str, prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = after(code, prefix).into_iter().map(String::from).collect();
    let open = format!("{prefix}{{");
    for (i, _) in code.match_indices(&open) {
        let rest = &code[i + open.len()..];
        let mut depth = 1;
        let mut start = 0;
        for (j, c) in rest.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 1 => {
                    out.push(first_name(&rest[start..j]));
                    start = j + 1;
                }
                _ => {}
            }
            if depth == 0 {
                out.push(first_name(&rest[start..j]));
                break;
            }
        }
    }
    out.retain(|n| !n.is_empty());
    out
}

fn first_name(item: &str) -> String {
    item.trim()
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("")
        .to_string()
}

/// This crate's `src/`, or the tree `SHORTFALL_SRC` names (to measure another commit).
fn src_root() -> PathBuf {
    std::env::var("SHORTFALL_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

fn floor_of(module: &str) -> Option<usize> {
    FLOORS.iter().position(|f| f.contains(&module))
}

/// Edges between top-level modules: (from, to) -> files.
fn top_level(sources: &[Source]) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut edges: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for s in sources {
        let Some(from) = s.module.first() else {
            continue;
        };
        if from == "lib" {
            continue;
        }
        for to in names(&s.code, "crate::") {
            if &to != from && (floor_of(&to).is_some() || to.chars().all(char::is_lowercase)) {
                // `crate::Error` and `crate::Result` are the error floor's re-exports.
                edges
                    .entry((from.clone(), to))
                    .or_default()
                    .insert(s.module.join("/"));
            }
        }
        for to in names(&s.code, "crate::") {
            if to == "Error" || to == "Result" {
                edges
                    .entry((from.clone(), "error".into()))
                    .or_default()
                    .insert(s.module.join("/"));
            }
        }
    }
    edges
}

#[test]
fn every_module_stands_on_a_floor_and_imports_only_from_below() {
    let sources = sources(&src_root());
    let mut wrong = Vec::new();
    for s in &sources {
        if let Some(top) = s.module.first().filter(|m| *m != "lib") {
            if floor_of(top).is_none() {
                wrong.push(format!("module `{top}` stands on no floor of FLOORS"));
            }
        }
    }
    for ((from, to), files) in top_level(&sources) {
        let (Some(a), Some(b)) = (floor_of(&from), floor_of(&to)) else {
            wrong.push(format!("{from} -> {to}: a module on no floor ({files:?})"));
            continue;
        };
        if b >= a {
            wrong.push(format!(
                "{from} (floor {a}) imports {to} (floor {b}) in {files:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Within each folder, imports between its files and subfolders form no circle.
#[test]
fn no_folder_has_an_import_circle() {
    let sources = sources(&src_root());
    // folder -> (child -> children it imports)
    let mut graphs: BTreeMap<Vec<String>, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for s in &sources {
        let m = &s.module;
        // Every ancestor folder sees this file as (the subtree of) one child.
        for depth in 1..m.len() {
            let folder = m[..depth].to_vec();
            let child = m[depth].clone();
            let mut targets = BTreeSet::new();
            let qualified = format!("crate::{}::", folder.join("::"));
            for t in names(&s.code, &qualified) {
                targets.insert(t);
            }
            if depth == m.len() - 1 {
                for t in names(&s.code, "super::") {
                    targets.insert(t);
                }
            }
            let siblings: BTreeSet<String> = sources
                .iter()
                .filter(|o| o.module.len() > depth && o.module[..depth] == folder[..])
                .map(|o| o.module[depth].clone())
                .collect();
            targets.retain(|t| t != &child && siblings.contains(t));
            graphs
                .entry(folder)
                .or_default()
                .entry(child)
                .or_default()
                .extend(targets);
        }
    }
    let mut circles = Vec::new();
    for (folder, graph) in &graphs {
        if let Some(circle) = find_circle(graph) {
            circles.push(format!("{}: {}", folder.join("/"), circle.join(" -> ")));
        }
    }
    assert!(circles.is_empty(), "{}", circles.join("\n"));
}

/// A circle of `graph`, if there is one.
fn find_circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut c = path[i..].to_vec();
            c.push(n.into());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.into());
        for m in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.into());
        None
    }
    let mut done = BTreeSet::new();
    for n in graph.keys() {
        if let Some(c) = visit(n, graph, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

/// Prints the imports between top-level modules of any tree, and how many point upward:
/// `SHORTFALL_SRC=path/to/src cargo test --test architecture -- --ignored --nocapture`
/// (docs/architecture.md). Modules on no floor are placed by `SHORTFALL_FLOORS`
/// (`validation=8,...`).
#[test]
#[ignore = "a measurement, not a check"]
fn count_upward_imports() {
    let root = src_root();
    let extra: BTreeMap<String, usize> = std::env::var("SHORTFALL_FLOORS")
        .unwrap_or_default()
        .split(',')
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            Some((k.to_string(), v.parse().ok()?))
        })
        .collect();
    let floor = |m: &str| floor_of(m).or_else(|| extra.get(m).copied());
    let edges = top_level(&sources(&root));
    let mut up = 0;
    for ((from, to), files) in &edges {
        let upward = match (floor(from), floor(to)) {
            (Some(a), Some(b)) => b >= a,
            _ => true,
        };
        up += usize::from(upward);
        println!(
            "{}{from} -> {to} ({} files)",
            if upward { "UP " } else { "   " },
            files.len()
        );
    }
    println!(
        "{up} of {} imports between modules point upward",
        edges.len()
    );
}
