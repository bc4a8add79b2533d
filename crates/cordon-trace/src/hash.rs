//! A fast hasher for the index's own keys (interned numbers, plate hashes, key prefixes): none
//! of them is chosen by a client in a way that could be aimed at the table, since persons are
//! keyed by the hub's keyed hash and numbers are the index's own. The standard SipHash costs
//! more than the rest of a one-hop trace.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The multiply-rotate hash of the Rust compiler's own tables ("Fx").
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl IdHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("eight bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::hash::{BuildHasher, Hash};

    fn hash(x: impl Hash) -> u64 {
        BuildHasherDefault::<IdHasher>::default().hash_one(x)
    }

    #[test]
    fn every_byte_and_number_moves_the_hash() {
        let numbers: HashSet<u64> = (0..100_000u32).map(hash).collect();
        assert_eq!(numbers.len(), 100_000);
        // Keys that differ only in a byte past the last full word (plates of odd lengths).
        let a = hash("冀A12345".as_bytes());
        let b = hash("冀A12346".as_bytes());
        assert_ne!(a, b);
        let keys: HashSet<u64> = (0..=255u8)
            .map(|last| {
                let mut k = [7u8; 16];
                k[15] = last;
                hash(k)
            })
            .collect();
        assert_eq!(keys.len(), 256);
    }
}
