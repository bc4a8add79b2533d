//! What every handler can reach ([`AppState`]), what a hub is started with ([`Settings`]), and
//! how the state is made at start ([`state`]): the lanes' policy state and its refresh, sessions
//! and the audit appender, the trace index's load, and the route watch.

use std::sync::Arc;

use axum::extract::FromRef;
use cordon_store::Store;

use crate::auth::sessions::Auth;
use crate::policy::decide::Lanes;

/// What every handler can reach, shared: the router clones the state for every request and for
/// layers on its way, so a clone is one count raised, not one for each part ([`Parts`]).
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct Parts {
    pub store: Arc<dyn Store>,
    /// What the lanes apply: policies in force, risk areas, checkpoints' defence lines.
    pub lanes: Arc<Lanes>,
    /// Sessions, the keyring and the audit appender.
    pub auth: Arc<Auth>,
    /// The live trace index.
    pub trace: Arc<crate::trace::live::LiveTrace>,
    /// Dashboards computed in the last seconds.
    pub dashboard: Arc<crate::dashboard::figures::DashboardCache>,
    /// The hub this process pushes to, when it is an edge station.
    pub upstream: Option<String>,
    /// At a station, the hub's key for pre-declaration codes (learnt from the hub).
    pub hub_key: Option<cordon_domain::declaration::VerifyingKey>,
    /// At a sampling site's station, its site.
    pub site: Option<i64>,
    /// The public pre-declaration route's limit per client address.
    pub declarations: Arc<crate::auth::rate::RateLimit>,
    /// The directives' clock, as the lanes' polls compare against it.
    pub directives: Arc<crate::command::feed::DirectiveFeed>,
    /// Wakes the lot boards' long polls.
    pub lots: Arc<crate::freight::feed::LotFeed>,
    /// The freight passes in force, followed along their routes (a hub's; idle at a station).
    pub routes: Arc<crate::freight::route_watch::RouteWatcher>,
}

impl Parts {
    /// Refuses a change a station must take from the hub (its policies, its risk areas): a
    /// change of its own would fork them.
    pub(crate) fn hub_only(&self, what: &str) -> crate::error::ApiResult<()> {
        match self.upstream {
            Some(_) => Err(crate::error::ApiError::Conflict(
                cordon_domain::FieldError::new(
                    "hub_rules",
                    "",
                    format!("a station applies the hub's {what}: change them on the hub"),
                ),
            )),
            None => Ok(()),
        }
    }

    /// Refuses sampling at a checkpoint's station: tubes are filled on the hub or at a
    /// sampling site's own station, whose outbox takes them to the hub.
    pub(crate) fn samples_here(&self) -> crate::error::ApiResult<()> {
        match (&self.upstream, self.site) {
            (Some(_), None) => self.hub_only("sampling"),
            _ => Ok(()),
        }
    }

    /// The key pre-declaration codes are checked with: the hub's (at a station, as learnt from
    /// the hub), else this hub's own.
    pub fn verifying_key(&self) -> cordon_domain::declaration::VerifyingKey {
        self.hub_key
            .unwrap_or_else(|| self.store.keyring().declaration_key().verifying_key())
    }
}

impl FromRef<AppState> for Arc<Auth> {
    fn from_ref(app: &AppState) -> Arc<Auth> {
        app.auth.clone()
    }
}

/// What a hub is started with beyond its store.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Days the personal data of a passage is kept: a trace spans at most this.
    pub retention_days: u32,
    /// Set when this process is an edge station: the hub it pushes to.
    pub upstream: Option<String>,
    /// At a station: the hub's key for pre-declaration codes.
    pub hub_key: Option<cordon_domain::declaration::VerifyingKey>,
    /// At a sampling site's station: its site (tubes are filled here and pushed to the hub).
    pub site: Option<i64>,
    /// Pre-declarations accepted per client address and minute (0: no limit).
    pub declarations_per_minute: u32,
    /// Serve HTTPS with these (plain HTTP without).
    pub tls: Option<crate::tls::TlsFiles>,
    /// Where the trace index is saved at a stop and every half hour, and loaded from at the
    /// next start (`trace-index.bin` under the data directory); `None`: always read from the
    /// store.
    pub trace_file: Option<std::path::PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            retention_days: crate::retention::DEFAULT_DAYS,
            upstream: None,
            hub_key: None,
            site: None,
            declarations_per_minute: crate::auth::rate::DEFAULT_PER_MINUTE,
            tls: None,
            trace_file: None,
        }
    }
}

/// Loads what the lanes apply and starts its periodic refresh, the audit appender, and the
/// trace index's load and updates.
pub async fn state(
    store: Arc<dyn Store>,
    settings: &Settings,
) -> Result<AppState, cordon_store::StoreError> {
    let lanes = Lanes::load(store.as_ref()).await?;
    lanes.spawn_refresh(store.clone());
    let auth = Arc::new(Auth::new(store.clone()));
    let saved = settings.trace_file.clone().map(|path| {
        crate::trace::saved::SavedIndex::new(path, &store.keyring().subject("trace index"))
    });
    let trace = crate::trace::live::LiveTrace::saved_at(settings.retention_days, saved);
    trace.spawn(store.clone());
    let routes = Arc::new(crate::freight::route_watch::RouteWatcher::default());
    if settings.upstream.is_none() {
        crate::command::feed::spawn_escalation(store.clone());
        routes.spawn(store.clone(), trace.clone());
        crate::freight::lab_pcr::spawn_once(store.clone());
    }
    Ok(AppState(Arc::new(Parts {
        store,
        lanes,
        auth,
        trace,
        dashboard: Default::default(),
        upstream: settings.upstream.clone(),
        hub_key: settings.hub_key,
        site: settings.site,
        declarations: Arc::new(crate::auth::rate::RateLimit::new(
            settings.declarations_per_minute,
        )),
        directives: Default::default(),
        lots: Default::default(),
        routes,
    })))
}
