//! The SQL of persons handed out of the province ([`super::FollowupStore::followup_transfers`]):
//! each transfer with its person (masked), the list row that named them (sealed) and the new
//! address told on the phone (sealed), for the jurisdiction that handed them on.

use cordon_domain::access::followup::ListRead;
use uuid::Uuid;

use super::items::masked_document;
use super::scope::within;
use super::Transfer;
use crate::db::on_pool;
use crate::store::SqlStore;
use crate::StoreError;

type TransferCols = (
    i64,
    i64,
    String,
    Option<i64>,
    i64,
    Option<Vec<u8>>,
    String,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<Vec<u8>>,
);

pub(super) async fn transfers(
    store: &SqlStore,
    grant: &ListRead,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<Transfer>, StoreError> {
    // The row that named the person: the transfer's own (an address outside the province on
    // a list), else the person's first row of the first list naming them.
    let rows: Vec<TransferCols> = on_pool!(&store.db.read, |p| {
        sqlx::query_as(
        "SELECT t.id, t.subject_id, t.reason, t.to_code, t.held_by, t.address, t.by_account, t.at, \
         s.masked_name, s.document_type, s.masked_number, r.list_id, r.row_no, r.sealed \
         FROM followup_transfers t JOIN followup_subjects s ON s.id = t.subject_id \
         LEFT JOIN followup_rows r ON r.list_id = COALESCE(t.list_id, s.first_list) \
           AND r.row_no = COALESCE(t.row_no, (SELECT MIN(r2.row_no) FROM followup_rows r2 \
               WHERE r2.list_id = s.first_list AND r2.subject_id = s.id)) \
         WHERE t.at >= $1 AND t.at < $2 ORDER BY t.id"
    )
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(p)
    .await?
    });
    rows.into_iter()
        .filter(|c| within(grant.scope(), Some(c.4)))
        .map(|c| {
            Ok(Transfer {
                id: c.0,
                subject: c.1,
                reason: c.2,
                to: c.3.and_then(super::scope::division),
                held_by: c.4,
                name: c.8,
                document: masked_document(c.9, c.10)?,
                by: c.6,
                at_ms: c.7,
                row: match (c.11, c.12, c.13) {
                    (Some(list), Some(row), sealed) => Some((
                        Uuid::parse_str(&list)
                            .map_err(|_| StoreError::Corrupt("follow-up list id".into()))?,
                        row,
                        sealed,
                    )),
                    _ => None,
                },
                address: c.5,
            })
        })
        .collect()
}
