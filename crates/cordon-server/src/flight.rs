//! Heavy reads computed once and shared ([`Flights`]): for each key, one reader computes while the
//! others of the same key wait for its result; the result is served again for a few seconds; at
//! most a set number of computations run at once, whatever their keys; and a reader who waits
//! longer than the limit is told to come back ([`NotNow::Busy`], which the API answers 429 with
//! `Retry-After`). This is what keeps a wall of command-centre screens from taking the cores
//! the lanes need.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Why a value was not answered.
#[derive(Debug)]
pub enum NotNow<E> {
    /// Waited longer than the limit for other computations: retry later.
    Busy,
    /// The computation failed.
    Failed(E),
}

/// A reader's turn: the value another computed, or the right to compute it.
enum Turn<'a, V> {
    Ready(Arc<V>),
    Mine(
        tokio::sync::OwnedMutexGuard<()>,
        tokio::sync::SemaphorePermit<'a>,
    ),
}

/// Values computed once per key at a time and kept for `fresh_ms`.
pub struct Flights<K, V> {
    fresh_ms: i64,
    wait: Duration,
    entries: Mutex<HashMap<K, (i64, Arc<V>)>>,
    /// One gate per key: its holder computes, the others wait.
    gates: Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>,
    computing: tokio::sync::Semaphore,
}

impl<K: Hash + Eq + Clone, V> Flights<K, V> {
    /// Values kept for `fresh_ms`, readers waiting at most `wait`, `at_once` computations at a
    /// time.
    pub fn new(fresh_ms: i64, wait: Duration, at_once: usize) -> Self {
        Self {
            fresh_ms,
            wait,
            entries: Mutex::default(),
            gates: Mutex::default(),
            computing: tokio::sync::Semaphore::new(at_once),
        }
    }

    /// How long a reader waits before it is told [`NotNow::Busy`].
    pub fn wait(&self) -> Duration {
        self.wait
    }

    fn fresh(&self, key: &K) -> Option<Arc<V>> {
        let now = cordon_domain::time::now_ms();
        let entries = self.entries.lock().expect("flight entries");
        entries
            .get(key)
            .filter(|(at, _)| now - at < self.fresh_ms)
            .map(|(_, v)| v.clone())
    }

    /// The value for `key`: a fresh one, the one another reader is computing, or `make`'s.
    pub async fn get<E, F, Fut>(&self, key: K, make: F) -> Result<Arc<V>, NotNow<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        if let Some(v) = self.fresh(&key) {
            return Ok(v);
        }
        let gate = self
            .gates
            .lock()
            .expect("flight gates")
            .entry(key.clone())
            .or_default()
            .clone();
        // Only the waiting is bounded: a computation once begun runs to its end and is kept, so
        // that a value slower to compute than the wait is still computed once and served.
        let turn = async {
            let mine = gate.clone().lock_owned().await;
            // Computed by the reader this one waited for?
            if let Some(v) = self.fresh(&key) {
                return Ok(Turn::Ready(v));
            }
            let permit = self.computing.acquire().await.map_err(|_| NotNow::Busy)?;
            Ok(Turn::Mine(mine, permit))
        };
        let answer = match tokio::time::timeout(self.wait, turn).await {
            Err(_) => Err(NotNow::Busy),
            Ok(Err(e)) => Err(e),
            Ok(Ok(Turn::Ready(v))) => Ok(v),
            Ok(Ok(Turn::Mine(_mine, _permit))) => {
                let at = cordon_domain::time::now_ms();
                match make().await {
                    Ok(v) => {
                        let v = Arc::new(v);
                        let mut entries = self.entries.lock().expect("flight entries");
                        entries.retain(|_, (t, _)| at - *t < self.fresh_ms);
                        entries.insert(key.clone(), (at, v.clone()));
                        Ok(v)
                    }
                    Err(e) => Err(NotNow::Failed(e)),
                }
            }
        };
        drop(gate);
        // Gates nobody holds or waits at are let go.
        self.gates
            .lock()
            .expect("flight gates")
            .retain(|_, g| Arc::strong_count(g) > 1);
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn readers_of_a_key_share_one_computation() {
        let flights = Arc::new(Flights::<String, usize>::new(
            60_000,
            Duration::from_secs(5),
            1,
        ));
        let made = Arc::new(AtomicUsize::new(0));
        let readers: Vec<_> = (0..16)
            .map(|_| {
                let (flights, made) = (flights.clone(), made.clone());
                tokio::spawn(async move {
                    flights
                        .get("province".to_owned(), || async {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            Ok::<_, ()>(made.fetch_add(1, Ordering::SeqCst) + 1)
                        })
                        .await
                })
            })
            .collect();
        for r in readers {
            assert_eq!(*r.await.unwrap().unwrap(), 1);
        }
        assert_eq!(
            made.load(Ordering::SeqCst),
            1,
            "computed once for 16 readers"
        );
        assert!(flights.gates.lock().unwrap().is_empty(), "gates let go");
    }

    #[tokio::test]
    async fn a_reader_kept_waiting_is_told_busy_and_a_computation_is_not_cut_short() {
        let flights = Arc::new(Flights::<u8, u8>::new(
            60_000,
            Duration::from_millis(100),
            1,
        ));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let slow = {
            let flights = flights.clone();
            tokio::spawn(async move {
                flights
                    .get(1, || async {
                        let _ = rx.await;
                        Ok::<_, ()>(1)
                    })
                    .await
            })
        };
        tokio::task::yield_now().await;
        // Another key waits for the one computation allowed, longer than the limit.
        let other = flights.get(2, || async { Ok::<_, ()>(2) }).await;
        assert!(matches!(other, Err(NotNow::Busy)));
        // The same key waits at its gate, and is told the same.
        let same = flights.get(1, || async { Ok::<_, ()>(9) }).await;
        assert!(matches!(same, Err(NotNow::Busy)));
        // The computation itself is not cut short by the wait: it ends and is kept.
        tx.send(()).unwrap();
        assert_eq!(*slow.await.unwrap().unwrap(), 1);
        let kept = flights.get(1, || async { Ok::<_, ()>(9) }).await;
        assert_eq!(*kept.unwrap(), 1);
        let failed = flights.get(3, || async { Err::<u8, _>("store") }).await;
        assert!(matches!(failed, Err(NotNow::Failed("store"))));
        let again = flights.get(3, || async { Ok::<_, &str>(3) }).await;
        assert_eq!(*again.unwrap(), 3, "a failure is not served again");
    }
}
