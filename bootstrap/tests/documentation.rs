//! The README stays short enough for a newcomer, every page under docs/ is reachable from it, and no relative
//! link in the README or in docs/ points at a file that is not there (pages move; links are not told).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code: a failed step should fail the test")]

use std::path::{Path, PathBuf};

/// The README is the newcomer's page; what does not fit belongs in docs/ (issue #23).
const README_MAX_LINES: usize = 250;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The README and every Markdown page under docs/.
fn pages() -> Vec<PathBuf> {
    let root = repository();
    let mut pages = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// The lines of a page outside fenced code blocks, the fences themselves left out.
fn lines_outside_fences(markdown: &str) -> impl Iterator<Item = &str> {
    let mut in_fence = false;
    markdown.lines().filter(move |line| {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            return false;
        }
        !in_fence
    })
}

/// The targets of the inline links `[text](target)` outside code, and of reference definitions `[name]: target`.
fn link_targets(markdown: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in lines_outside_fences(markdown) {
        // Code spans may hold `](` that is no link, but a link's text may be a code span: drop the spans' insides.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join("``");
        if let Some(definition) = prose.trim_start().strip_prefix('[')
            && let Some((_, target)) = definition.split_once("]:")
        {
            targets.push(target.to_owned());
        }
        let mut rest = prose.as_str();
        while let Some(start) = rest.find("](") {
            rest = &rest[start + 2..];
            let end = rest.find(')').unwrap_or(rest.len());
            targets.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    targets
        .iter()
        .filter_map(|target| target.split_whitespace().next())
        .map(|target| target.trim_start_matches('<').trim_end_matches('>').to_owned())
        .collect()
}

/// The file a relative link names, without its `#anchor`; `None` for absolute URLs and anchors in the same page.
fn linked_file(target: &str) -> Option<&str> {
    let file = target.split('#').next().unwrap_or_default();
    let absolute = file.contains("://") || file.starts_with("mailto:");
    (!absolute && !file.is_empty()).then_some(file)
}

#[test]
fn the_readme_fits_in_250_lines() {
    let readme = std::fs::read_to_string(repository().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(
        lines <= README_MAX_LINES,
        "README.md has {lines} lines; move detail to docs/ (at most {README_MAX_LINES})"
    );
}

#[test]
fn every_relative_link_in_the_readme_and_docs_names_a_file_that_exists() {
    let root = repository();
    let mut broken = Vec::new();
    for page in pages() {
        let markdown = std::fs::read_to_string(&page).unwrap();
        for target in link_targets(&markdown) {
            if let Some(file) = linked_file(&target)
                && !page.parent().unwrap().join(file).exists()
            {
                broken.push(format!("{}: {target}", page.strip_prefix(&root).unwrap().display()));
            }
        }
    }
    assert!(broken.is_empty(), "links to files that do not exist:\n{}", broken.join("\n"));
}

#[test]
fn the_readme_links_every_page_under_docs() {
    let root = repository();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let linked: Vec<PathBuf> =
        link_targets(&readme).iter().filter_map(|target| linked_file(target)).map(|file| root.join(file)).collect();
    let unlinked: Vec<String> = pages()
        .into_iter()
        .skip(1)
        .filter(|page| !linked.contains(page))
        .map(|page| page.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert!(unlinked.is_empty(), "pages under docs/ the README does not link: {unlinked:?}");
}

/// The top-level folders of the repository: a code span starting with one of them names a path in it.
const TOP_LEVEL: [&str; 11] = [
    "domain/",
    "application/",
    "adapters/",
    "bootstrap/",
    "openapi/",
    "tests/",
    "test-support/",
    "docs/",
    ".ci/",
    "bench/",
    "clients/",
];

/// Whether a code span names a path of the repository: it starts with a top-level folder, is no placeholder
/// (`<provider>`), and is no media type (`application/json`).
fn names_a_path(span: &str) -> bool {
    let media_type = span.starts_with("application/")
        && !["application/src", "application/tests", "application/Cargo.toml"].iter().any(|p| span.starts_with(p));
    TOP_LEVEL.iter().any(|folder| span.starts_with(folder)) && !span.contains('<') && !media_type
}

/// The code spans of a page outside fenced blocks.
fn code_spans(markdown: &str) -> Vec<String> {
    lines_outside_fences(markdown)
        .flat_map(|line| line.split('`').skip(1).step_by(2).map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

/// `a/{b,c}/d` as `a/b/d` and `a/c/d`; a glob (`src/**`) as the folder before it; a line number dropped.
fn named_paths(span: &str) -> Vec<String> {
    let path = span.split_whitespace().next().unwrap_or_default();
    let path = path.split('*').next().unwrap_or_default();
    let path = path.split(':').next().unwrap_or_default();
    match (path.find('{'), path.find('}')) {
        (Some(open), Some(close)) if open < close => path[open + 1..close]
            .split(',')
            .map(|choice| format!("{}{choice}{}", &path[..open], &path[close + 1..]))
            .collect(),
        _ => vec![path.to_owned()],
    }
}

/// Every file name under the repository, for the bare names (`sql_error.rs`) a page mentions.
fn file_names(folder: &Path, names: &mut Vec<String>) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if !matches!(name.as_str(), "target" | ".git" | "node_modules") {
                file_names(&path, names);
            }
        } else {
            names.push(name);
        }
    }
}

#[test]
fn every_repository_path_the_readme_and_docs_name_exists() {
    let root = repository();
    let mut missing = Vec::new();
    for page in pages() {
        let markdown = std::fs::read_to_string(&page).unwrap();
        for span in code_spans(&markdown) {
            if names_a_path(&span) {
                for path in named_paths(&span) {
                    if !root.join(&path).exists() {
                        missing.push(format!("{}: {path}", page.strip_prefix(&root).unwrap().display()));
                    }
                }
            }
        }
    }
    assert!(missing.is_empty(), "paths named in the README or docs/ that do not exist:\n{}", missing.join("\n"));
}

#[test]
fn every_source_file_the_architecture_page_names_exists() {
    let root = repository();
    let mut names = Vec::new();
    file_names(&root, &mut names);
    let page = std::fs::read_to_string(root.join("docs/architecture.md")).unwrap();
    let missing: Vec<String> = code_spans(&page)
        .into_iter()
        .filter(|span| !span.contains('/') && Path::new(span).extension().is_some_and(|extension| extension == "rs"))
        .filter(|name| !names.contains(name))
        .collect();
    assert!(missing.is_empty(), "files docs/architecture.md names that are nowhere in the repository: {missing:?}");
}
