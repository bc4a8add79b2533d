//! Every identity number and plate written in the README and the documents under `docs/` is
//! one Cordon accepts: a user who copies an example must not be refused. A number meant to be
//! refused is written with the word `refused` (or `拒绝`) on its line.

use crate::identity::{DocumentType, IdentityDocument};
use crate::plate::Plate;

fn documents() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = vec![root.join("README.md")];
    let docs = std::fs::read_dir(root.join("docs")).expect("the docs folder");
    for entry in docs {
        let path = entry.expect("a docs entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).expect("a document");
            (f.display().to_string(), text)
        })
        .collect()
}

/// The examples of `pattern` in every document, with where they are, leaving out lines that
/// say they are refused.
fn examples(pattern: &str) -> Vec<(String, String)> {
    let re = regex::Regex::new(pattern).unwrap();
    let mut out = Vec::new();
    for (file, text) in documents() {
        for (n, line) in text.lines().enumerate() {
            if line.contains("refused") || line.contains("拒绝") {
                continue;
            }
            for m in re.find_iter(line) {
                out.push((format!("{file}:{}", n + 1), m.as_str().to_owned()));
            }
        }
    }
    out
}

#[test]
fn identity_numbers_in_the_docs_pass_their_check_character() {
    let found = examples(r"\b[0-9]{17}[0-9Xx]\b");
    assert!(!found.is_empty(), "the README has an example number");
    for (at, number) in found {
        let parsed = IdentityDocument::parse(DocumentType::ResidentId, &number);
        assert!(parsed.is_ok(), "{at}: {number} is refused: {parsed:?}");
    }
}

#[test]
fn plates_in_the_docs_are_plates() {
    let found = examples(
        r"[京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新][A-Za-z][A-Za-z0-9]{4,6}[挂学警港澳]?",
    );
    assert!(!found.is_empty(), "the README has an example plate");
    for (at, plate) in found {
        let parsed = Plate::parse(&plate);
        assert!(parsed.is_ok(), "{at}: {plate} is refused: {parsed:?}");
    }
}
