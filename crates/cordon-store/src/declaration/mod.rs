//! Drivers' pre-declarations, kept only as far as revoking them needs: their id, validity, the
//! vehicle's keyed hash and how many persons; never what was declared. [`DeclarationStore`] is a
//! supertrait of [`crate::Store`]; its SQL ([`sql`]) is written once for both backends.

use async_trait::async_trait;
use cordon_domain::access::declaration::DeclarationRevoke;
use uuid::Uuid;

use crate::StoreError;

mod sql;

/// A pre-declaration as the hub keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationRecord {
    pub id: Uuid,
    pub issued_at_ms: i64,
    pub expires_at_ms: i64,
    /// The vehicle's keyed hash, to find a declaration by plate.
    pub plate_key: Option<String>,
    pub persons: i32,
    pub revoked: Option<Revocation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub at_ms: i64,
    pub by: String,
    pub reason: String,
}

#[async_trait]
pub trait DeclarationStore: Send + Sync + 'static {
    /// Keeps a declaration that was just signed (or, at a station, one the hub revoked, with its
    /// revocation).
    async fn record_declaration(&self, d: &DeclarationRecord) -> Result<(), StoreError>;

    async fn declaration(&self, id: Uuid) -> Result<Option<DeclarationRecord>, StoreError>;

    /// Revokes a declaration: `NotFound` if unknown; revoking twice keeps the first revocation.
    async fn revoke_declaration(
        &self,
        grant: &DeclarationRevoke,
        id: Uuid,
        revocation: Revocation,
    ) -> Result<DeclarationRecord, StoreError>;

    /// Declarations revoked and not yet expired at `now_ms`: what a station must refuse.
    async fn revoked_declarations(&self, now_ms: i64)
        -> Result<Vec<DeclarationRecord>, StoreError>;
}
