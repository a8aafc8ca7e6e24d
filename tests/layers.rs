//! The modules of `src/` import one another one way only (issue 15): this reads every
//! `crate::…` path in the library's code (tests excluded), builds the graph of top-level
//! modules, and fails on any cycle, naming it. It also holds the layering rules the module
//! docs state, so a new arrow the wrong way fails here and not in review.
//!
//! `cargo test --test layers -- --nocapture` prints the dependency list.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// Top-level module → the top-level modules its code names through `crate::`.
fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules: BTreeSet<String> = fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p.file_stem()?.to_str()?.to_string();
            (p.is_dir() || p.extension()? == "rs").then_some(name)
        })
        .filter(|m| m != "lib" && m != "main")
        .collect();
    let mut graph = Graph::new();
    for module in &modules {
        let mut uses = BTreeSet::new();
        for file in rust_files(&src, module) {
            let text = fs::read_to_string(&file).unwrap();
            for target in crate_paths(&library_code(&text)) {
                if modules.contains(&target) && &target != module {
                    uses.insert(target);
                }
            }
        }
        graph.insert(module.clone(), uses);
    }
    graph
}

/// `src/MODULE.rs` and every file under `src/MODULE/`.
fn rust_files(src: &Path, module: &str) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let file = src.join(format!("{module}.rs"));
    if file.is_file() {
        files.push(file);
    }
    let mut dirs = vec![src.join(module)];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// The text without comments and without what follows `#[cfg(test)]` (unit tests may reach
/// anywhere; test files named `tests.rs` are left out whole).
fn library_code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first segment after every `crate::`, including those inside `use crate::{a, b::c}`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            // Nested braces: each top-level item's first segment.
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.push(first_segment(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 {
                    item.push(c);
                }
            }
            out.push(first_segment(&item));
            rest = &group[end..];
        } else {
            out.push(first_segment(rest));
        }
    }
    out
}

fn first_segment(s: &str) -> String {
    s.trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The modules in a cycle, each cycle once (Tarjan's strongly connected components).
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct Walk<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        found: Vec<Vec<String>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, v: &'g str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            for w in &self.graph[v] {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if self.stack.contains(&w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let at = self.stack.iter().rposition(|&x| x == v).unwrap();
                let mut comp: Vec<String> = self.stack.drain(at..).map(String::from).collect();
                if comp.len() > 1 {
                    comp.sort();
                    self.found.push(comp);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.found
}

#[test]
fn no_import_cycle_between_modules() {
    let graph = graph();
    for (module, uses) in &graph {
        let list: Vec<&str> = uses.iter().map(String::as_str).collect();
        println!("{module} -> {}", list.join(", "));
    }
    let found = cycles(&graph);
    assert!(found.is_empty(), "modules in an import cycle: {found:?}");
}

/// The rules the module docs state: what a layer must not import.
#[test]
fn layers_import_downward_only() {
    let graph = graph();
    let forbidden: &[(&str, &[&str])] = &[
        (
            "model",
            &[
                "source", "risk", "report", "settings", "scan", "verify", "config", "cli",
            ],
        ),
        (
            "detect",
            &[
                "model", "source", "risk", "report", "settings", "scan", "verify", "config",
            ],
        ),
        (
            "source",
            &[
                "detect", "risk", "report", "settings", "scan", "verify", "config",
            ],
        ),
        (
            "risk",
            &[
                "source", "report", "settings", "scan", "verify", "config", "cli",
            ],
        ),
        (
            "report",
            &[
                "source", "risk", "verify", "config", "cli", "settings", "scan",
            ],
        ),
        (
            "cli",
            &[
                "model", "verify", "settings", "scan", "report", "risk", "source", "config",
            ],
        ),
    ];
    let mut wrong = Vec::new();
    for (module, never) in forbidden {
        for target in graph.get(*module).into_iter().flatten() {
            if never.contains(&target.as_str()) {
                wrong.push(format!("{module} -> {target}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the layering: {wrong:?}");
}

#[test]
fn reads_grouped_and_plain_paths() {
    let code = "use crate::{model::{Finding, Risk}, detect};\nlet x = crate::source::Blob::new();";
    assert_eq!(crate_paths(code), ["model", "detect", "source"]);
    let graph: Graph = [
        ("a", &["b"][..]),
        ("b", &["c"][..]),
        ("c", &["a"][..]),
        ("d", &[][..]),
    ]
    .into_iter()
    .map(|(m, u)| (m.to_string(), u.iter().map(|s| s.to_string()).collect()))
    .collect();
    assert_eq!(cycles(&graph), [vec!["a", "b", "c"]]);
}
