//! Posting lists: for each key (an interned person or vehicle, or a checkpoint for passages added
//! since the build), the passages that name it, sorted by time. A compact base (one offsets
//! array and one flat list) holds what the index was built with; passages added since go to
//! small per-key lists beside it, until the index is rebuilt
//! ([`crate::TraceIndex::wants_rebuild`]).

use crate::hash::IdMap;

#[derive(Debug, Default)]
pub(crate) struct Postings {
    /// `list[off[k]..off[k + 1]]` are key `k`'s passages; keys beyond `off.len() - 1` have none.
    off: Vec<u32>,
    list: Vec<u32>,
    /// Added since the last compaction, each sorted by time.
    extra: IdMap<u32, Vec<u32>>,
    extra_len: usize,
}

/// Orders passages by time, then by position (so equal times keep a stable order).
fn order(at: &[i64], p: u32) -> (i64, u32) {
    (at[p as usize], p)
}

impl Postings {
    /// Builds the base from `(key, passage)` pairs in any order.
    pub(crate) fn build(mut pairs: Vec<(u32, u32)>, keys: usize, at: &[i64]) -> Self {
        pairs.sort_unstable_by_key(|&(k, p)| (k, at[p as usize], p));
        let mut off = Vec::with_capacity(keys + 1);
        let mut list = Vec::with_capacity(pairs.len());
        off.push(0);
        let mut next = 0usize;
        for (k, p) in pairs {
            while off.len() <= k as usize {
                off.push(next as u32);
            }
            list.push(p);
            next += 1;
        }
        while off.len() <= keys {
            off.push(next as u32);
        }
        let mut p = Self {
            off,
            list,
            extra: IdMap::default(),
            extra_len: 0,
        };
        p.shrink();
        p
    }

    /// The base's offsets and list (what [`crate::index`]'s saved form writes).
    pub(crate) fn base_parts(&self) -> (&[u32], &[u32]) {
        (&self.off, &self.list)
    }

    /// A base read back from its parts (checked by the reader: offsets in order, within the
    /// list).
    pub(crate) fn from_base(off: Vec<u32>, list: Vec<u32>) -> Self {
        Self {
            off,
            list,
            extra: IdMap::default(),
            extra_len: 0,
        }
    }

    fn shrink(&mut self) {
        self.off.shrink_to_fit();
        self.list.shrink_to_fit();
    }

    /// Adds one passage under `key`, keeping the key's recent list in time order.
    pub(crate) fn add(&mut self, key: u32, p: u32, at: &[i64]) {
        let v = self.extra.entry(key).or_default();
        let o = order(at, p);
        let i = v.partition_point(|&q| order(at, q) < o);
        v.insert(i, p);
        self.extra_len += 1;
    }

    /// Key `k`'s passages observed in `[from, to)`, in time order.
    pub(crate) fn between(&self, k: u32, at: &[i64], from: i64, to: i64) -> Vec<u32> {
        let base: &[u32] = match (self.off.get(k as usize), self.off.get(k as usize + 1)) {
            (Some(&a), Some(&b)) => &self.list[a as usize..b as usize],
            _ => &[],
        };
        let extra: &[u32] = if self.extra.is_empty() {
            &[]
        } else {
            self.extra.get(&k).map(Vec::as_slice).unwrap_or(&[])
        };
        // Each probe of a search reads a random passage's time (a cache miss each): the common
        // case, a period that holds the whole list, is told from its two ends.
        let cut = |s: &[u32]| -> (usize, usize) {
            match (s.first(), s.last()) {
                (Some(&f), Some(&l)) if at[f as usize] >= from && at[l as usize] < to => {
                    (0, s.len())
                }
                _ => (
                    s.partition_point(|&p| at[p as usize] < from),
                    s.partition_point(|&p| at[p as usize] < to),
                ),
            }
        };
        let (a0, a1) = cut(base);
        let (b0, b1) = cut(extra);
        let (a, b) = (&base[a0..a1], &extra[b0..b1]);
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if order(at, a[i]) <= order(at, b[j]) {
                out.push(a[i]);
                i += 1;
            } else {
                out.push(b[j]);
                j += 1;
            }
        }
        out.extend_from_slice(&a[i..]);
        out.extend_from_slice(&b[j..]);
        out
    }

    /// Bytes held, for the benchmark's bytes-per-passage figure.
    pub(crate) fn bytes(&self) -> usize {
        self.off.capacity() * 4
            + self.list.capacity() * 4
            + self
                .extra
                .values()
                .map(|v| v.capacity() * 4 + 40)
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_and_recent_lists_merge_in_time_order() {
        let at = vec![50, 10, 30, 20, 40, 15];
        let mut p = Postings::build(vec![(1, 0), (1, 2), (0, 1), (1, 1)], 2, &at);
        p.add(1, 3, &at);
        p.add(1, 5, &at);
        p.add(3, 4, &at);
        assert_eq!(p.between(1, &at, 0, 100), vec![1, 5, 3, 2, 0]);
        assert_eq!(p.between(1, &at, 15, 50), vec![5, 3, 2]);
        assert_eq!(p.between(3, &at, 0, 100), vec![4]);
        assert_eq!(p.between(7, &at, 0, 100), Vec::<u32>::new());
    }
}
