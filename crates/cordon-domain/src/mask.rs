//! Masking of personal data for display: what every response shows unless a reveal is granted.

/// `110105********002X` for an 18-character number; shorter numbers keep their first and last
/// two characters.
pub fn document_number(n: &str) -> String {
    if n.is_ascii() {
        // Every number Cordon accepts: sliced by bytes, no list of characters built.
        let (head, tail) = if n.len() >= 15 { (6, 4) } else { (2, 2) };
        if n.len() <= head + tail {
            return "*".repeat(n.len());
        }
        let mut out = String::with_capacity(n.len());
        out.push_str(&n[..head]);
        out.extend(std::iter::repeat_n('*', n.len() - head - tail));
        out.push_str(&n[n.len() - tail..]);
        return out;
    }
    let chars: Vec<char> = n.chars().collect();
    let (head, tail) = if chars.len() >= 15 { (6, 4) } else { (2, 2) };
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.extend(std::iter::repeat_n('*', chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
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
