//! The varints Cordon's compact stored forms are written in (the facts beside a passage, and
//! the store's compact decision and occupants): unsigned LEB128 (`v`) and zigzag (`z`), and a
//! reader that checks what is left before every read, so a cut or altered value reads as
//! `None`, never a panic.

/// Appends `v` as an unsigned LEB128 varint.
pub fn put_v(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends `v` zigzagged (small magnitudes short, either sign) as an unsigned varint.
pub fn put_z(out: &mut Vec<u8>, v: i64) {
    put_v(out, ((v << 1) ^ (v >> 63)) as u64);
}

/// Reads a stored form from its start; what is left is `.0`.
pub struct Reader<'b>(pub &'b [u8]);

impl<'b> Reader<'b> {
    pub fn u8(&mut self) -> Option<u8> {
        let (&x, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(x)
    }

    pub fn bytes(&mut self, n: usize) -> Option<&'b [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    pub fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.bytes(N)?.try_into().ok()
    }

    pub fn v(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    pub fn z(&mut self) -> Option<i64> {
        let v = self.v()?;
        Some(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    /// A text written as its length (`v`) and its bytes.
    pub fn text(&mut self) -> Option<&'b str> {
        let n = usize::try_from(self.v()?).ok()?;
        std::str::from_utf8(self.bytes(n)?).ok()
    }

    pub fn at_end(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_read_back_and_a_cut_one_is_none() {
        let mut b = Vec::new();
        for v in [0u64, 1, 127, 128, 300, u64::MAX] {
            put_v(&mut b, v);
        }
        for z in [0i64, -1, 1, -64, 64, i64::MIN, i64::MAX] {
            put_z(&mut b, z);
        }
        put_v(&mut b, 3);
        b.extend_from_slice("张".as_bytes());
        let mut r = Reader(&b);
        for v in [0u64, 1, 127, 128, 300, u64::MAX] {
            assert_eq!(r.v(), Some(v));
        }
        for z in [0i64, -1, 1, -64, 64, i64::MIN, i64::MAX] {
            assert_eq!(r.z(), Some(z));
        }
        assert_eq!(r.text(), Some("张"));
        assert!(r.at_end());
        assert_eq!(r.u8(), None);
        assert_eq!(Reader(&[0x80, 0x80]).v(), None);
        assert_eq!(Reader(&[0xff; 11]).v(), None);
        assert_eq!(Reader(&[5, b'a']).text(), None);
        assert_eq!(Reader(&[1, 2]).take::<3>(), None);
    }
}
