//! A directive's target resolved to its recipients, within the commander's scope.

use cordon_domain::access::command::DirectiveIssue;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::directive::{DirectiveDraft, Target};
use cordon_domain::division::DivisionCode;
use sqlx::QueryBuilder;

use crate::db::{division_range, on_pool, push_list, CHUNK};
use crate::store::SqlStore;
use crate::StoreError;

/// The recipients' checkpoints of a target within the grant's scope, and the jurisdiction the
/// directive is issued for.
pub(super) async fn resolve(
    store: &SqlStore,
    grant: &DirectiveIssue,
    draft: &DirectiveDraft,
) -> Result<(DivisionCode, Vec<i64>), StoreError> {
    let own = grant.own_division().ok_or(StoreError::Forbidden)?;
    match &draft.target {
        Target::Listed(codes) => {
            let mut found: Vec<(i64, String, i64)> = Vec::with_capacity(codes.len());
            for chunk in codes.chunks(CHUNK) {
                let part: Vec<(i64, String, i64)> = on_pool!(&store.db.read, |p| {
                    let mut q = QueryBuilder::new(
                        "SELECT id, code, jurisdiction FROM checkpoints WHERE code IN ",
                    );
                    push_list(&mut q, chunk.iter().map(|c| c.as_str().to_owned()));
                    q.build_query_as().fetch_all(p).await?
                });
                found.extend(part);
            }
            // Positions in the request as written, for the refusal's field.
            let at = |code: &CheckpointCode| {
                let i = draft
                    .target_request
                    .checkpoints
                    .iter()
                    .position(|c| c.trim() == code.as_str())
                    .unwrap_or(0);
                format!("target.checkpoints[{i}]")
            };
            let mut ids = Vec::with_capacity(codes.len());
            for code in codes {
                let Some((id, _, jurisdiction)) = found.iter().find(|f| f.1 == code.as_str())
                else {
                    return Err(StoreError::invalid(
                        "unknown_checkpoint",
                        &at(code),
                        format!("there is no checkpoint {code}"),
                    ));
                };
                let j = DivisionCode::parse(&jurisdiction.to_string())
                    .map_err(|_| StoreError::Corrupt("a checkpoint's jurisdiction".into()))?;
                if !grant.scope().covers(code, j) {
                    return Err(StoreError::invalid(
                        "scope_mismatch",
                        &at(code),
                        format!("{code} lies outside this account's jurisdiction"),
                    ));
                }
                ids.push(*id);
            }
            Ok((own, ids))
        }
        Target::Within {
            division,
            line,
            kind,
        } => {
            let division = division.unwrap_or(own);
            if !grant.scope().covers_division(division) {
                return Err(StoreError::invalid(
                    "scope_mismatch",
                    "target.division",
                    "the jurisdiction lies outside this account's",
                ));
            }
            let (lo, hi) = division_range(division);
            let ids: Vec<i64> = on_pool!(&store.db.read, |p| {
                let mut q = QueryBuilder::new(
                    "SELECT id FROM checkpoints WHERE status = 'open' AND jurisdiction BETWEEN ",
                );
                q.push_bind(lo).push(" AND ").push_bind(hi);
                if let Some(l) = line {
                    q.push(" AND defence_line = ")
                        .push_bind(l.as_str().to_owned());
                }
                if let Some(k) = kind {
                    q.push(" AND kind = ").push_bind(k.as_str().to_owned());
                }
                q.push(" ORDER BY id");
                q.build_query_scalar().fetch_all(p).await?
            });
            Ok((division, ids))
        }
    }
}
