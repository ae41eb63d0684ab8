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

/// The targets of the inline links `[text](target)` outside code, and of reference definitions `[name]: target`.
fn link_targets(markdown: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
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
