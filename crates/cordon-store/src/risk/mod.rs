//! The risk-area register's storage: every interval ever declared for an area (a division and an
//! area's name) at a level, with who declared and who ended it. [`RiskStore`] is a supertrait of
//! [`crate::Store`]; its SQL ([`sql`]) is written once for both backends.

use async_trait::async_trait;
use cordon_domain::division::DivisionCode;
use cordon_domain::risk::{RiskArea, RiskLevel};

use crate::StoreError;

mod sql;

#[derive(Debug, Clone)]
pub struct NewRiskArea {
    pub division: DivisionCode,
    pub area: String,
    pub level: RiskLevel,
    pub valid_from_ms: i64,
    pub valid_to_ms: Option<i64>,
}

#[async_trait]
pub trait RiskStore: Send + Sync + 'static {
    /// Declares areas in one transaction: all of them, or none. An open interval of the same
    /// division and area that the new one overlaps is ended where the new one begins.
    async fn add_risk_areas(
        &self,
        list: Vec<NewRiskArea>,
        source: &str,
        actor: &str,
    ) -> Result<Vec<RiskArea>, StoreError>;
    /// Ends an interval at `at_ms` (which must fall inside it), recording who and why.
    async fn end_risk_area(
        &self,
        id: i64,
        at_ms: i64,
        actor: &str,
        reason: &str,
    ) -> Result<RiskArea, StoreError>;
    /// Every interval ever recorded, by division and start.
    async fn list_risk_areas(&self) -> Result<Vec<RiskArea>, StoreError>;
}
