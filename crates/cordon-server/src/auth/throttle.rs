//! Failed sign-ins by address (kept here, in memory, per process): after [`SLOW_AFTER`] within
//! [`WINDOW_MS`] each refusal is slowed ([`slowdown`]), whichever names were tried, so the pause
//! tells nothing of whether an account exists; after [`LOCK_AFTER`] the address is locked for
//! [`LOCK_MS`]. A success does not clear an address's count: one valid account must not buy
//! unlimited guesses at others. (An account's own lock is kept in the store, see
//! `access::sessions`.)

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

pub const SLOW_AFTER: u32 = 3;
pub const LOCK_AFTER: u32 = 20;
pub const WINDOW_MS: i64 = 15 * 60_000;
pub const LOCK_MS: i64 = 15 * 60_000;

/// The pause before answering the `failures`-th failure in a row: none for the first few, then
/// doubling from 100 ms up to 800 ms.
pub fn slowdown(failures: u32) -> Duration {
    if failures < SLOW_AFTER {
        return Duration::ZERO;
    }
    let steps = (failures - SLOW_AFTER).min(3);
    Duration::from_millis(100 << steps)
}

#[derive(Debug, Default)]
pub struct Throttle {
    by_address: Mutex<HashMap<IpAddr, Entry>>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    since_ms: i64,
    locked_until_ms: i64,
}

impl Throttle {
    /// Seconds until the address may try again, if it is locked.
    pub fn locked(&self, address: Option<IpAddr>, now_ms: i64) -> Option<u64> {
        let address = address?;
        let map = self.by_address.lock().expect("throttle lock");
        let e = map.get(&address)?;
        (e.locked_until_ms > now_ms).then(|| ((e.locked_until_ms - now_ms) as u64).div_ceil(1000))
    }

    /// Counts a failure; answers the failures in the current window.
    pub fn failed(&self, address: Option<IpAddr>, now_ms: i64) -> u32 {
        let Some(address) = address else { return 0 };
        let mut map = self.by_address.lock().expect("throttle lock");
        if map.len() > 100_000 {
            map.retain(|_, e| now_ms - e.since_ms < WINDOW_MS || e.locked_until_ms > now_ms);
        }
        let e = map.entry(address).or_insert(Entry {
            failures: 0,
            since_ms: now_ms,
            locked_until_ms: 0,
        });
        if now_ms - e.since_ms >= WINDOW_MS {
            *e = Entry {
                failures: 0,
                since_ms: now_ms,
                locked_until_ms: e.locked_until_ms,
            };
        }
        e.failures += 1;
        if e.failures >= LOCK_AFTER {
            e.locked_until_ms = now_ms + LOCK_MS;
        }
        e.failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_slowed_then_locked_then_forgiven() {
        let t = Throttle::default();
        let a = Some("10.0.0.7".parse().unwrap());
        let now = 1_000_000;
        for i in 1..LOCK_AFTER {
            assert_eq!(t.failed(a, now), i);
            assert_eq!(t.locked(a, now), None);
        }
        t.failed(a, now);
        assert_eq!(t.locked(a, now), Some(900));
        assert_eq!(t.locked(a, now + LOCK_MS), None);
        assert_eq!(t.locked(Some("10.0.0.8".parse().unwrap()), now), None);
        assert_eq!(slowdown(1), Duration::ZERO);
        assert_eq!(slowdown(SLOW_AFTER), Duration::from_millis(100));
        assert_eq!(slowdown(50), Duration::from_millis(800));
    }
}
