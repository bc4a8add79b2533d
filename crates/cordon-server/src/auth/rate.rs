//! Rate limits for the routes anyone may call without an account (a driver's pre-declaration):
//! a token bucket per client address, in memory, per process. A bucket holds up to a minute's
//! allowance and refills at the configured rate, so a driver who corrects a form a few times is
//! never refused while one address cannot fill the database. IPv6 clients are counted per /64
//! (what one subscriber is given); an address the listener could not see is not limited.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// The default allowance per address and minute (`--declarations-per-minute`).
pub const DEFAULT_PER_MINUTE: u32 = 30;

/// Buckets kept before the full ones (unused for a minute or more) are forgotten.
const PRUNE_OVER: usize = 100_000;

#[derive(Debug)]
pub struct RateLimit {
    /// Requests per minute; 0 turns the limit off.
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at_ms: i64,
}

impl RateLimit {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn per_ms(&self) -> f64 {
        f64::from(self.per_minute) / 60_000.0
    }

    fn refilled(&self, b: Bucket, now_ms: i64) -> f64 {
        let elapsed = (now_ms - b.at_ms).max(0) as f64;
        (b.tokens + elapsed * self.per_ms()).min(f64::from(self.per_minute))
    }

    /// Takes one request's token for `address`: `Err(seconds)` until the next one is due.
    pub fn take(&self, address: Option<IpAddr>, now_ms: i64) -> Result<(), u64> {
        let (Some(address), true) = (address, self.per_minute > 0) else {
            return Ok(());
        };
        let key = subscriber(address);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > PRUNE_OVER {
            let full = f64::from(self.per_minute);
            buckets.retain(|_, b| self.refilled(*b, now_ms) < full);
        }
        let full = Bucket {
            tokens: f64::from(self.per_minute),
            at_ms: now_ms,
        };
        let b = buckets.entry(key).or_insert(full);
        let tokens = self.refilled(*b, now_ms);
        if tokens >= 1.0 {
            *b = Bucket {
                tokens: tokens - 1.0,
                at_ms: now_ms,
            };
            Ok(())
        } else {
            let wait_ms = (1.0 - tokens) / self.per_ms();
            Err(((wait_ms / 1000.0).ceil() as u64).max(1))
        }
    }
}

/// The key an address is counted under: IPv4 as it is, IPv6 by its first 64 bits (an IPv4
/// address mapped into IPv6 counts as the IPv4 address).
fn subscriber(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(prefix.into())
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn a_minute_s_allowance_then_one_at_the_rate() {
        let limit = RateLimit::new(30);
        let now = 1_000_000;
        for _ in 0..30 {
            assert_eq!(limit.take(ip("10.0.0.7"), now), Ok(()));
        }
        assert_eq!(limit.take(ip("10.0.0.7"), now), Err(2), "one every 2 s");
        // Another address has its own allowance.
        assert_eq!(limit.take(ip("10.0.0.8"), now), Ok(()));
        // Two seconds later one more; the refusal above took nothing.
        assert_eq!(limit.take(ip("10.0.0.7"), now + 1_999), Err(1));
        assert_eq!(limit.take(ip("10.0.0.7"), now + 2_000), Ok(()));
        assert_eq!(limit.take(ip("10.0.0.7"), now + 2_000), Err(2));
        // A quiet minute refills it whole, and no more.
        for _ in 0..30 {
            assert_eq!(limit.take(ip("10.0.0.7"), now + 3_600_000), Ok(()));
        }
        assert!(limit.take(ip("10.0.0.7"), now + 3_600_000).is_err());
    }

    #[test]
    fn ipv6_counts_per_64_and_off_means_off() {
        let limit = RateLimit::new(2);
        let now = 5_000;
        assert_eq!(limit.take(ip("2001:db8:1:2::1"), now), Ok(()));
        assert_eq!(limit.take(ip("2001:db8:1:2:ffff::9"), now), Ok(()));
        assert_eq!(limit.take(ip("2001:db8:1:2::3"), now), Err(30));
        assert_eq!(limit.take(ip("2001:db8:1:3::1"), now), Ok(()));
        assert_eq!(limit.take(ip("::ffff:10.0.0.9"), now), Ok(()));
        assert_eq!(limit.take(ip("10.0.0.9"), now), Ok(()));
        assert_eq!(limit.take(ip("10.0.0.9"), now), Err(30));
        // An address the listener did not see is not limited; a zero rate limits nothing.
        for _ in 0..10 {
            assert_eq!(limit.take(None, now), Ok(()));
            assert_eq!(RateLimit::new(0).take(ip("10.0.0.1"), now), Ok(()));
        }
    }
}
