//! Antigen tests at a sampling site: a person swabbed (scanned in, one unread test per person),
//! the cassette read once, 15 minutes or more later, by the rules of
//! [`cordon_domain::testing::antigen`]; the site's tests waiting to be read and those read today.
//! A read result is the person's latest Cordon result at the lane (see `results_sql`). The SQL,
//! for both backends, is in `sql.rs`.

use async_trait::async_trait;
use cordon_domain::access::testing::Sample;
use cordon_domain::identity::MaskedDocument;
use cordon_domain::testing::antigen::AntigenResult;
use serde::Serialize;

use super::NewMember;
use crate::StoreError;

mod sql;

/// What an antigen test's document and name are sealed against: its site and person.
pub fn antigen_context(site: i64, person_key: &str) -> Vec<u8> {
    format!("testing-antigen:{site}:{person_key}").into_bytes()
}

/// An antigen test, its person masked.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AntigenTest {
    pub id: i64,
    pub site: i64,
    pub name: String,
    pub document: MaskedDocument,
    pub swabbed_by: String,
    pub swabbed_at_ms: i64,
    /// When the cassette may be read (15 minutes after the swab).
    pub read_after_ms: i64,
    pub result: Option<AntigenResult>,
    pub read_by: Option<String>,
    pub read_at_ms: Option<i64>,
}

/// What a swab or a read did.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AntigenDone {
    pub test: AntigenTest,
    /// Done before (the same scan or read repeated): nothing written.
    pub already: bool,
}

/// A site's antigen tests: those waiting to be read (oldest first) and those read since a time
/// (newest first).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SiteAntigen {
    pub waiting: Vec<AntigenTest>,
    pub read: Vec<AntigenTest>,
}

#[async_trait]
pub trait AntigenStore: Send + Sync + 'static {
    /// Records a person swabbed at a site of a campaign the sampler serves (else `NotFound`).
    /// The same person's unread test at the same site is answered again (`already`); at
    /// another site, `Invalid` `antigen_waiting`.
    async fn swab(
        &self,
        grant: &Sample,
        site: i64,
        m: NewMember,
        now_ms: i64,
    ) -> Result<AntigenDone, StoreError>;

    /// Reads a test's cassette ([`cordon_domain::testing::antigen::may_read`]): `Invalid`
    /// `too_early` or `already_read`; the same result again is `already`.
    async fn read_antigen(
        &self,
        grant: &Sample,
        id: i64,
        result: AntigenResult,
        now_ms: i64,
    ) -> Result<AntigenDone, StoreError>;

    /// The test of a person swabbed at a site at a time, if there is one (how the hub finds a
    /// sampling station's test again).
    async fn antigen_swabbed_at(
        &self,
        grant: &Sample,
        site: i64,
        person_key: &str,
        swabbed_at_ms: i64,
    ) -> Result<Option<i64>, StoreError>;

    /// The site's tests waiting to be read, and those read since `since_ms`.
    async fn site_antigen(
        &self,
        grant: &Sample,
        site: i64,
        since_ms: i64,
    ) -> Result<SiteAntigen, StoreError>;
}
