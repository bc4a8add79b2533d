//! The hours that passages at a checkpoint are read by. The index `passages_hour_checkpoint`
//! (migration 11) is keyed by hour first (`observed_at / 3600000`), then checkpoint, then time,
//! so that a registration lands at the end of the index instead of on a random page; queries
//! name the hours they want (`observed_at / 3600000 IN (...)`), one seek each.

/// An hour in milliseconds: the index's unit (`observed_at / 3600000`).
pub(crate) const HOUR_MS: i64 = 3_600_000;

/// Hours named in one query.
pub(crate) const HOURS_PER_QUERY: i64 = 24;

/// Past this many hours a range is first narrowed to the hours that hold passages at all (the
/// API's periods stay well under it: 62 days).
pub(crate) const HOURS_UNCLAMPED: i64 = 24 * 64;

/// The hours holding `from_ms..to_ms`, as the index computes them (integer division, truncating
/// like SQL's); `None` when the range is empty.
pub(crate) fn hours_of(from_ms: i64, to_ms: i64) -> Option<(i64, i64)> {
    (from_ms < to_ms).then(|| (from_ms / HOUR_MS, (to_ms - 1) / HOUR_MS))
}

/// `first..=last` in windows of at most [`HOURS_PER_QUERY`] hours, oldest first.
pub(crate) fn hour_windows(
    (first, last): (i64, i64),
) -> impl Iterator<Item = std::ops::RangeInclusive<i64>> {
    let mut next = Some(first).filter(|f| *f <= last);
    std::iter::from_fn(move || {
        let start = next?;
        let end = start.saturating_add(HOURS_PER_QUERY - 1).min(last);
        next = end.checked_add(1).filter(|n| *n <= last);
        Some(start..=end)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_cover_the_range_in_windows() {
        let day = 24 * HOUR_MS;
        assert_eq!(hours_of(5, 5), None);
        assert_eq!(hours_of(0, 1), Some((0, 0)));
        assert_eq!(hours_of(HOUR_MS - 1, HOUR_MS + 1), Some((0, 1)));
        let windows: Vec<_> = hour_windows(hours_of(0, 2 * day + HOUR_MS).unwrap()).collect();
        assert_eq!(windows, vec![0..=23, 24..=47, 48..=48]);
        let one: Vec<_> = hour_windows((7, 7)).collect();
        assert_eq!(one, vec![7..=7]);
        assert_eq!(hour_windows((8, 7)).count(), 0);
        // A range of every representable hour is walked lazily, and ends.
        let all = hours_of(i64::MIN, i64::MAX).unwrap();
        let mut w = hour_windows(all);
        assert_eq!(w.next(), Some(all.0..=all.0 + 23));
        assert_eq!(hour_windows((i64::MAX - 30, i64::MAX)).count(), 2);
    }
}
