//! The module graph flows one way: no stage of `src/` names a later one (outside its tests).
//! The pipeline's order, and the input edges allowed to name what they configure, are below;
//! an import against them fails here with the file and the module it names.

use std::path::Path;

/// Each top-level module of `src/` and its place in the pipeline: a module may name modules of
/// the same or an earlier place only.
const PLACES: &[(&str, u8)] = &[
    ("text", 0),
    ("files", 0),
    ("cli", 0),
    ("config", 0),
    ("facts", 1),
    ("finding", 1),
    ("aws", 1),
    ("sandbox", 1),
    ("discover", 2),
    ("collect", 3),
    ("evaluate", 4),
    ("snapshot", 5),
    ("diff", 6),
    ("render", 7),
    ("publish", 8),
    ("output", 9),
    ("commands", 10),
    ("lib", 10),
    ("main", 10),
];

/// The input edges that name the types and defaults of the stages they configure.
const ALLOWED: &[(&str, &str)] = &[
    // The scope is resolved against the discovered organization.
    ("config", "discover"),
    // Thresholds, waivers and the catalogue's ids ("did you mean").
    ("config", "evaluate"),
    // `posture publish`'s defaults are publish's own.
    ("cli", "publish"),
];

fn place(module: &str) -> Option<u8> {
    PLACES.iter().find(|(m, _)| *m == module).map(|(_, p)| *p)
}

/// The top-level modules `code` names through `crate::`: `crate::collect::X`, and each of
/// `crate::{collect::X, evaluate}`.
fn named_modules(code: &str) -> Vec<String> {
    let word = |text: &str| -> String {
        text.chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect()
    };
    let mut named = Vec::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let Some(group) = rest.strip_prefix('{') else {
            named.push(word(rest));
            continue;
        };
        // The names at the group's own depth: the first word after `{` and after each `,`.
        let mut depth = 0;
        let mut start = true;
        for (j, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => start = true,
                c if start && !c.is_whitespace() => {
                    named.push(word(&group[j..]));
                    start = false;
                }
                _ => {}
            }
        }
    }
    named
}

/// The modules of a later stage that `module`'s `code` names, but for the allowed edges.
fn later_stages(module: &str, code: &str) -> Vec<String> {
    let from = place(module).unwrap_or_else(|| panic!("{module} has no place in PLACES"));
    named_modules(code)
        .into_iter()
        .filter(|named| {
            place(named).is_some_and(|to| to > from) && !ALLOWED.contains(&(module, named.as_str()))
        })
        .collect()
}

fn visit(dir: &Path, src: &Path, against: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            visit(&path, src, against);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(src).expect("under src");
        let module = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .expect("a name")
            .trim_end_matches(".rs")
            .to_owned();
        let text = std::fs::read_to_string(&path).expect("read");
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for named in later_stages(&module, code) {
            let edge = format!("{} -> {named}", relative.display());
            if !against.contains(&edge) {
                against.push(edge);
            }
        }
    }
}

#[test]
fn grouped_imports_name_each_of_their_modules() {
    let code = "use crate::{collect::{A, B}, evaluate, text::plural};\nuse crate::diff::X;";
    assert_eq!(named_modules(code), ["collect", "evaluate", "text", "diff"]);
}

#[test]
fn an_import_of_a_later_stage_is_caught_and_an_allowed_one_is_not() {
    let code = "use crate::{facts::Trail, output::plural};\nuse crate::snapshot::Store;";
    assert_eq!(later_stages("render", code), ["output"]);
    assert!(later_stages("config", "use crate::evaluate::Thresholds;").is_empty());
    assert_eq!(later_stages("discover", "crate::collect::X"), ["collect"]);
}

#[test]
fn no_module_names_a_later_stage_of_the_pipeline() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut against = Vec::new();
    visit(&src, &src, &mut against);
    against.sort();
    assert!(
        against.is_empty(),
        "imports against the pipeline: {against:#?}"
    );
}
