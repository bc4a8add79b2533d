//! A passage as its read shows it, on PostgreSQL in one statement: the passage, the corrections
//! that link it to others and the shift that held its checkpoint at its time. Every audited
//! read of a passage asks all three; as three statements they were three round trips through
//! sqlx and three plans over the view (`cordon bench audit`, twelfth part of the province's
//! month in docs/BENCHMARKS.md). SQLite reads them straight from the file ([`super::direct`]).

use cordon_domain::access::passage::PassageRead;
use cordon_domain::command::roster::ShiftRef;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, QueryBuilder, Row};
use uuid::Uuid;

use super::rows::{passage_columns, PassageRow};
use crate::command::shift_on_duty;
use crate::db::push_scope;
use crate::StoreError;

/// The passage's columns, then the passage it corrects, the latest that corrects it, and the
/// shift on duty (id, start, end, lead); the grant's conditions follow.
const PASSAGE_ON_DUTY: &str = concat!(
    "SELECT ",
    passage_columns!(),
    ", (SELECT k.supersedes FROM corrections k WHERE k.passage = p.id), \
     (SELECT k.passage FROM corrections k WHERE k.supersedes = p.id \
     ORDER BY k.passage DESC LIMIT 1), \
     s.id, s.starts_at, s.ends_at, s.lead \
     FROM passages p JOIN checkpoints c ON c.id = p.checkpoint_id \
     LEFT JOIN LATERAL (",
    shift_on_duty!("p.checkpoint_id", "p.observed_at"),
    ") s ON TRUE"
);

/// A passage's row with its links and its shift.
pub(crate) struct OnDuty {
    pub row: PassageRow,
    pub supersedes: Option<Uuid>,
    pub superseded_by: Option<Uuid>,
    pub shift: Option<ShiftRef>,
}

impl<'r> sqlx::FromRow<'r, PgRow> for OnDuty {
    fn from_row(r: &'r PgRow) -> Result<Self, sqlx::Error> {
        let row = PassageRow::from_row(r)?;
        let shift: Option<i64> = r.try_get(19)?;
        let shift = match shift {
            Some(id) => Some(crate::command::shift_ref((
                id,
                r.try_get(20)?,
                r.try_get(21)?,
                r.try_get(22)?,
            ))),
            None => None,
        };
        Ok(OnDuty {
            row,
            supersedes: r.try_get(17)?,
            superseded_by: r.try_get(18)?,
            shift,
        })
    }
}

/// The passage `id` if the grant covers it, with its links and its shift.
pub(crate) async fn passage_on_duty(
    pool: &PgPool,
    grant: &PassageRead,
    id: Uuid,
) -> Result<Option<OnDuty>, StoreError> {
    let mut q = QueryBuilder::new(PASSAGE_ON_DUTY);
    q.push(" WHERE p.id = ").push_bind(id);
    q.push(" AND p.observed_at >= ").push_bind(grant.since_ms());
    push_scope(&mut q, grant.scope());
    Ok(q.build_query_as().fetch_optional(pool).await?)
}
