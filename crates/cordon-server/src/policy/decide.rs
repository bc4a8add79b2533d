//! The decision at the lane. [`Lanes`] holds what every lane on this hub applies: the compiled
//! policy versions of the publication log, the risk-area register, the checkpoints' defence
//! lines and the persons' statuses (by keyed hash, from approved status changes). It is swapped whole when something is published (at once on this process, and within
//! [`REFRESH`] on every other process sharing the database), so a publication reaches every lane
//! with no restart; a publication with a future effective time takes over by itself when its
//! time comes, since the version is chosen per decision from the log.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use cordon_domain::checkpoint::DefenceLine;
use cordon_domain::passage::{Decision, PassageDraft};
use cordon_domain::policy::facts::{Known, OccupantFacts, PassageFacts, TestFacts};
use cordon_domain::policy::record::{in_force, Publication};
use cordon_domain::policy::{compile, Policy};
use cordon_domain::risk::RiskRegister;
use cordon_domain::status::{PersonStatus, StatusInForce};
use cordon_store::{Store, StoreError};

/// How often the state is reloaded from the store, for changes made by other processes.
pub const REFRESH: Duration = Duration::from_secs(5);

/// One consistent view of what the lanes apply.
#[derive(Default)]
pub struct Engine {
    pub log: Vec<Publication>,
    pub policies: HashMap<i64, Arc<Policy>>,
    pub risk: Arc<RiskRegister>,
    pub checkpoints: HashMap<String, DefenceLine>,
    /// Persons' statuses by keyed hash ([`cordon_store::keyring::Keyring::person`]).
    pub statuses: Arc<HashMap<String, StatusInForce>>,
    /// The store's status version these statuses were read at.
    pub status_version: i64,
}

impl Engine {
    /// The version in force at `at_ms` and its policy.
    pub fn in_force(&self, at_ms: i64) -> Option<(i64, &Policy)> {
        let p = in_force(&self.log, at_ms)?;
        Some((p.version, self.policies.get(&p.version)?))
    }

    /// The status of each person (by keyed hash) at `at_ms`.
    pub fn statuses(&self, persons: &[String], at_ms: i64) -> Vec<PersonStatus> {
        persons
            .iter()
            .map(|k| {
                self.statuses
                    .get(k)
                    .map_or(PersonStatus::Unmarked, |s| s.at(at_ms))
            })
            .collect()
    }

    /// Decides a registration by the policy and the statuses in force at `at_ms`, and the
    /// results Cordon's labs released for the occupants (`lab_tests`, in order; the newer of
    /// each one's and the declared test is looked at); `persons` are the occupants' keyed
    /// hashes, in order. Answers what it knew of them too, so that it is stored with the
    /// passage's facts.
    pub fn decide(
        &self,
        draft: &PassageDraft,
        persons: &[String],
        lab_tests: Vec<Option<TestFacts>>,
        at_ms: i64,
    ) -> (Decision, Known) {
        let known = Known {
            statuses: self.statuses(persons, at_ms),
            lab_tests,
        };
        let Some((version, policy)) = self.in_force(at_ms) else {
            return (Decision::no_policy(), known);
        };
        let line = self
            .checkpoints
            .get(draft.checkpoint.as_str())
            .copied()
            .unwrap_or(DefenceLine::Inland);
        let p = PassageFacts::of_draft(draft, line);
        let occupants: Vec<OccupantFacts> = draft
            .occupants
            .iter()
            .enumerate()
            .map(|(i, o)| known.occupant(o, i))
            .collect();
        let decision = policy.decide(&version.to_string(), &p, &occupants, &self.risk);
        (decision, known)
    }
}

/// The shared, swappable engine.
#[derive(Default)]
pub struct Lanes {
    current: RwLock<Arc<Engine>>,
    /// When a registration last made this process reload (ms), to reload at most once a second
    /// for checkpoints it does not know (a typo must not make every request reload).
    last_miss_reload: AtomicI64,
}

impl Lanes {
    /// Loads the state from the store.
    pub async fn load(store: &dyn Store) -> Result<Arc<Lanes>, StoreError> {
        let lanes = Arc::new(Lanes::default());
        lanes.reload(store).await?;
        Ok(lanes)
    }

    pub fn current(&self) -> Arc<Engine> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Reads the publication log, the versions it names, the risk areas, the checkpoints and
    /// (when they changed) the persons' statuses again, and swaps them in as one.
    pub async fn reload(&self, store: &dyn Store) -> Result<(), StoreError> {
        let log = store.list_publications().await?;
        let old = self.current();
        let status_version = store.status_version().await?;
        let statuses = if status_version == old.status_version && old.status_version != 0 {
            old.statuses.clone()
        } else {
            Arc::new(store.statuses_in_force().await?.into_iter().collect())
        };
        let mut policies = HashMap::new();
        for p in &log {
            if policies.contains_key(&p.version) {
                continue;
            }
            let policy = match old.policies.get(&p.version) {
                Some(known) => known.clone(),
                None => {
                    let v = store.get_policy_version(p.version).await?;
                    let policy = compile(&v.source).map_err(|problems| {
                        StoreError::Corrupt(format!(
                            "stored policy version {} no longer compiles: {problems:?}",
                            v.version
                        ))
                    })?;
                    Arc::new(policy)
                }
            };
            policies.insert(p.version, policy);
        }
        let risk = Arc::new(RiskRegister::new(store.list_risk_areas().await?));
        let checkpoints = store
            .checkpoint_keys()
            .await?
            .into_iter()
            .map(|k| (k.code.as_str().to_owned(), k.defence_line))
            .collect();
        let engine = Arc::new(Engine {
            log,
            policies,
            risk,
            checkpoints,
            statuses,
            status_version,
        });
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = engine;
        Ok(())
    }

    /// Reloads after a change made here; a failure is logged and left to the periodic refresh.
    pub async fn reload_or_log(&self, store: &dyn Store) {
        if let Err(e) = self.reload(store).await {
            tracing::error!(error = %e, "the lanes could not reload after a change; the refresh will retry");
        }
    }

    /// The engine for deciding these registrations, reloaded first if one of their checkpoints
    /// is new to this process (created by another process since the last refresh).
    pub async fn engine_for<'a>(
        &self,
        store: &dyn Store,
        mut checkpoints: impl Iterator<Item = &'a str>,
    ) -> Arc<Engine> {
        let engine = self.current();
        if checkpoints.all(|c| engine.checkpoints.contains_key(c)) {
            return engine;
        }
        let now = cordon_domain::time::now_ms();
        let last = self.last_miss_reload.load(Ordering::Relaxed);
        if now - last < 1_000
            || self
                .last_miss_reload
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return engine;
        }
        if let Err(e) = self.reload(store).await {
            tracing::warn!(error = %e, "could not reload the lanes' policy state");
        }
        self.current()
    }

    /// Reloads every [`REFRESH`] for as long as the process runs.
    pub fn spawn_refresh(self: &Arc<Self>, store: Arc<dyn Store>) {
        let lanes = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(REFRESH).await;
                let Some(lanes) = lanes.upgrade() else { return };
                if let Err(e) = lanes.reload(store.as_ref()).await {
                    tracing::warn!(error = %e, "could not reload the lanes' policy state");
                }
            }
        });
    }
}
