//! Masking of personal data for display: what every response shows unless a reveal is granted.

/// `110105********002X` for an 18-character number; shorter numbers keep their first and last
/// two characters.
pub fn document_number(n: &str) -> String {
    let len = n.chars().count();
    let (head, tail) = if len >= 15 { (6, 4) } else { (2, 2) };
    if len <= head + tail {
        return "*".repeat(len);
    }
    // Byte offsets of the kept ends (equal to character counts for the ASCII numbers Cordon
    // accepts): sliced, not rebuilt character by character.
    let at = |chars: usize| n.char_indices().nth(chars).map_or(n.len(), |(i, _)| i);
    let mut out = String::with_capacity(n.len());
    out.push_str(&n[..at(head)]);
    out.extend(std::iter::repeat_n('*', len - head - tail));
    out.push_str(&n[at(len - tail)..]);
    out
}

/// `张*`, `欧阳**`-style: the first character kept, the rest starred.
pub fn name(n: &str) -> String {
    let mut chars = n.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// `138****5678`.
pub fn phone(n: &str) -> String {
    if n.len() == 11 && n.is_ascii() {
        format!("{}****{}", &n[..3], &n[7..])
    } else {
        document_number(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_as_shown_to_officers() {
        assert_eq!(document_number("11010519491231002X"), "110105********002X");
        assert_eq!(document_number("E12345678"), "E1*****78");
        assert_eq!(document_number("1234"), "****");
        assert_eq!(name("张三"), "张*");
        assert_eq!(name("欧阳娜娜"), "欧***");
        assert_eq!(name(""), "");
        assert_eq!(phone("13812345678"), "138****5678");
        // Characters beyond ASCII are counted as characters, not bytes.
        assert_eq!(document_number("粤12345678"), "粤1*****78");
        assert_eq!(document_number("粤123"), "****");
    }
}
