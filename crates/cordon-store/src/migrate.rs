//! Schema migrations: one list, one line per migration, each a pair of files named after the
//! capability that brought it (`migrations/sqlite/NNNN_name.sql` and
//! `migrations/postgres/NNNN_name.sql`). A shipped migration is never edited in what it leaves:
//! a change is a new pair with the next number. Each is applied once, in its own transaction,
//! and recorded in `cordon_migrations`; on PostgreSQL an advisory lock keeps processes that start
//! together from applying one twice. A migration that moves many rows names a step written in
//! Rust at the point of its file where the rows move (a line `-- cordon:step NAME`): the step
//! runs there, in the same transaction, and logs its progress (migration 43's file was cut at
//! its step after it shipped; what it leaves is the same). One-time data migrations (numbers
//! above 1000) are in [`crate::upgrade`].

use crate::db::{on_pool, BeginWrite, Db};
use crate::StoreError;

/// One migration: its number, its name and its SQL on each backend.
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

/// `migration!(13, "0013_followup")`: the two files of a migration, compiled in.
macro_rules! migration {
    ($version:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $file,
            sqlite: include_str!(concat!("../migrations/sqlite/", $file, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $file, ".sql")),
        }
    };
}

/// Every migration, in order.
pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_registry"),
    migration!(2, "0002_policy"),
    migration!(3, "0003_access"),
    migration!(4, "0004_sealed"),
    migration!(5, "0005_status"),
    migration!(6, "0006_trace"),
    migration!(7, "0007_lean"),
    migration!(8, "0008_declarations"),
    migration!(9, "0009_sync"),
    migration!(10, "0010_corrections"),
    migration!(11, "0011_hour_first"),
    migration!(12, "0012_retention_marks"),
    migration!(13, "0013_followup"),
    migration!(14, "0014_followup_transfers"),
    migration!(15, "0015_followup_unit_counts"),
    migration!(16, "0016_testing"),
    migration!(17, "0017_testing_roster"),
    migration!(18, "0018_testing_queue"),
    migration!(19, "0019_testing_lab"),
    migration!(20, "0020_testing_boxes"),
    migration!(21, "0021_testing_roster_sampled"),
    migration!(22, "0022_testing_antigen"),
    migration!(23, "0023_testing_open_tube"),
    migration!(24, "0024_testing_campaign_persons"),
    migration!(25, "0025_station_sampling"),
    migration!(26, "0026_directives"),
    migration!(27, "0027_reports"),
    migration!(28, "0028_rosters"),
    migration!(29, "0029_daily_reports"),
    migration!(30, "0030_patrols"),
    migration!(31, "0031_lots"),
    migration!(32, "0032_freight_passes"),
    migration!(33, "0033_freight_tracking"),
    migration!(34, "0034_escorts"),
    migration!(35, "0035_escort_lots"),
    migration!(36, "0036_pass_applications"),
    migration!(37, "0037_passage_counts"),
    migration!(38, "0038_compact_passages"),
    migration!(39, "0039_purge_in_place"),
    migration!(40, "0040_counts_in_place"),
    migration!(41, "0041_counts_by_hour"),
    migration!(42, "0042_counts_revision"),
    migration!(43, "0043_personal_by_day"),
    migration!(44, "0044_personal_days"),
];

/// Which of a migration's files to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

impl Migration {
    /// The migration's name as recorded: the file's name without its number.
    pub fn short_name(&self) -> &'static str {
        self.name
            .split_once('_')
            .map(|(_, n)| n)
            .unwrap_or(self.name)
    }

    fn sql(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS cordon_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

/// Serialises migrations when several PostgreSQL processes start at once.
const POSTGRES_LOCK: &str = "SELECT pg_advisory_xact_lock(7283101)";

/// Applies the migrations not yet applied, in one transaction.
pub(crate) async fn run(db: &Db, backend: Backend) -> Result<(), StoreError> {
    let done = "SELECT version FROM cordon_migrations WHERE version = $1";
    let record = "INSERT INTO cordon_migrations (version, name, applied_at) VALUES ($1, $2, $3)";
    on_pool!(&db.write, |p| {
        let mut tx = p.begin_write().await?;
        if backend == Backend::Postgres {
            sqlx::query(POSTGRES_LOCK).execute(&mut *tx).await?;
        }
        sqlx::raw_sql(CREATE_TABLE).execute(&mut *tx).await?;
        for m in MIGRATIONS {
            let applied: Option<i64> = sqlx::query_scalar(done)
                .bind(m.version)
                .fetch_optional(&mut *tx)
                .await?;
            if applied.is_none() {
                tracing::info!(version = m.version, name = m.name, "applying migration");
                for (sql, step) in parts(m.sql(backend)) {
                    if !sql.trim().is_empty() {
                        sqlx::raw_sql(sql).execute(&mut *tx).await?;
                    }
                    if let Some(step) = step {
                        (*tx).step(step).await?;
                    }
                }
                sqlx::query(record)
                    .bind(m.version)
                    .bind(m.short_name())
                    .bind(cordon_domain::time::now_ms())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
    });
    Ok(())
}

/// The line of a migration's file that runs a step written in Rust.
const STEP_MARK: &str = "-- cordon:step ";

/// A migration's SQL cut at its steps: each part, and the step that follows it.
fn parts(sql: &str) -> Vec<(&str, Option<&str>)> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut at = 0;
    for line in sql.split_inclusive('\n') {
        if let Some(step) = line.trim_end().strip_prefix(STEP_MARK) {
            parts.push((&sql[start..at], Some(step.trim())));
            start = at + line.len();
        }
        at += line.len();
    }
    parts.push((&sql[start..], None));
    parts
}

/// Runs a migration's step on the migration's connection, in its transaction.
trait Step {
    async fn step(&mut self, name: &str) -> Result<(), StoreError>;
}

fn no_such_step(name: &str) -> StoreError {
    StoreError::Config(format!(
        "a migration names a step this backend has not: {name}"
    ))
}

impl Step for sqlx::SqliteConnection {
    async fn step(&mut self, name: &str) -> Result<(), StoreError> {
        Err(no_such_step(name))
    }
}

impl Step for sqlx::PgConnection {
    async fn step(&mut self, name: &str) -> Result<(), StoreError> {
        match name {
            crate::upgrade::personal_by_day::STEP => {
                crate::upgrade::personal_by_day::run(self).await
            }
            _ => Err(no_such_step(name)),
        }
    }
}

/// Whether a one-time data migration (a version above 1000 in `cordon_migrations`) has run.
pub(crate) async fn data_migration_done(db: &Db, version: i64) -> Result<bool, StoreError> {
    let sql = "SELECT version FROM cordon_migrations WHERE version = $1";
    let found: Option<i64> = on_pool!(&db.write, |p| sqlx::query_scalar(sql)
        .bind(version)
        .fetch_optional(p)
        .await?);
    Ok(found.is_some())
}

/// Records that a one-time data migration has run.
pub(crate) async fn mark_data_migration(
    db: &Db,
    version: i64,
    name: &str,
) -> Result<(), StoreError> {
    let sql = "INSERT INTO cordon_migrations (version, name, applied_at) VALUES ($1, $2, $3)";
    on_pool!(&db.write, |p| {
        sqlx::query(sql)
            .bind(version)
            .bind(name)
            .bind(cordon_domain::time::now_ms())
            .execute(p)
            .await?;
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The steps each backend's [`Step`] knows.
    const SQLITE_STEPS: &[&str] = &[];
    const POSTGRES_STEPS: &[&str] = &[crate::upgrade::personal_by_day::STEP];

    #[test]
    fn a_file_is_cut_at_its_steps_and_names_only_steps_its_backend_has() {
        let sql = "CREATE TABLE a (x INT);\n-- cordon:step move\nDROP TABLE b;\n";
        assert_eq!(
            parts(sql),
            [
                ("CREATE TABLE a (x INT);\n", Some("move")),
                ("DROP TABLE b;\n", None)
            ]
        );
        assert_eq!(parts("SELECT 1;"), [("SELECT 1;", None)]);
        for m in MIGRATIONS {
            for (backend, known) in [
                (Backend::Sqlite, SQLITE_STEPS),
                (Backend::Postgres, POSTGRES_STEPS),
            ] {
                for step in parts(m.sql(backend)).iter().filter_map(|p| p.1) {
                    assert!(
                        known.contains(&step),
                        "{}: no step {step} on {backend:?}",
                        m.name
                    );
                }
            }
        }
        let moved = parts(MIGRATIONS[42].postgres);
        assert_eq!(moved.len(), 2, "migration 43 moves the rows by its step");
        assert!(moved[1].0.contains("DROP COLUMN plate"), "after the move");
    }

    #[test]
    fn versions_are_consecutive_and_files_are_numbered_alike() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "{}", m.name);
            assert_eq!(m.name[..4].parse::<i64>().unwrap(), m.version, "{}", m.name);
            assert!(!m.short_name().is_empty() && !m.short_name().contains(".sql"));
        }
        assert_eq!(MIGRATIONS[10].short_name(), "hour_first");
    }

    /// Migration 7 rebuilds `passages` as a rowid table: every column of every row survives, in
    /// recording order, and the person index goes.
    #[test]
    fn the_lean_migration_keeps_every_passage() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        for m in &MIGRATIONS[..6] {
            conn.execute_batch(m.sqlite).unwrap();
        }
        conn.execute_batch(
            "INSERT INTO jurisdictions VALUES (130100, 'Shijiazhuang', 'city', NULL);
             INSERT INTO checkpoints VALUES (1, 'CP-130100-0001', 'Toll', 130100, 'toll_station',
                 'inland', 38.0, 114.5, 4, 2, 'open', 0);
             INSERT INTO passages (id, checkpoint_id, lane, direction, observed_at, observed_offset,
                 recorded_at, plate, plate_color, vehicle_class, origin, destination, persons,
                 outcome, decision, fingerprint, occupants, freight_pass, facts, sealed, occupant_keys)
             VALUES (x'02', 1, 2, 'in', 5000, 28800, 20, '冀A12345', 'blue', 'car', 130100, 110105,
                 2, 'pass', '{}', x'AA', '', 1, x'BB', x'CC', 'dk1,pk2'),
                    (x'01', 1, 1, 'out', 4000, 28800, 30, NULL, NULL, NULL, NULL, NULL,
                 1, 'hold', '{}', x'DD', '', 0, NULL, NULL, NULL);
             INSERT INTO person_passages VALUES ('k1', 5000, x'02', 'driver');",
        )
        .unwrap();
        let before: Vec<String> = dump(&conn);
        conn.execute_batch(MIGRATIONS[6].sqlite).unwrap();
        assert_eq!(dump(&conn), before);
        let order: Vec<Vec<u8>> = conn
            .prepare("SELECT id FROM passages ORDER BY rowid")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(order, vec![vec![2u8], vec![1u8]], "in recording order");
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'person_passages'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0);
        // The id stays unique.
        assert!(conn
            .execute_batch(
                "INSERT INTO passages (id, checkpoint_id, lane, direction, observed_at,
                     observed_offset, recorded_at, persons, outcome, decision, fingerprint, occupants)
                 VALUES (x'01', 1, 1, 'in', 1, 0, 1, 0, 'pass', '{}', x'', '')"
            )
            .is_err());
    }

    /// Migration 37 counts the passages a database of the previous release holds, per
    /// checkpoint and hour of observation: a superseded one left out, the outcomes apart, the
    /// lane's handling only within its ten minutes, the green channel.
    #[test]
    fn the_counts_migration_counts_the_stored_passages() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        let counts = MIGRATIONS.iter().position(|m| m.version == 37).unwrap();
        for m in &MIGRATIONS[..counts] {
            conn.execute_batch(m.sqlite).unwrap();
        }
        // Hour 10: two passed (one a green-channel truck registered 30 s after it was seen,
        // one entered an hour late), one held and then superseded by its correction (held,
        // 2 persons); hour 11: one referred.
        conn.execute_batch(
            "INSERT INTO jurisdictions VALUES (130100, 'Shijiazhuang', 'city', NULL);
             INSERT INTO checkpoints VALUES (1, 'CP-130100-0001', 'Toll', 130100, 'toll_station',
                 'inland', 38.0, 114.5, 4, 2, 'open', 0);
             INSERT INTO passages (id, checkpoint_id, lane, direction, observed_at, observed_offset,
                 recorded_at, persons, outcome, decision, fingerprint, occupants, freight_pass)
             VALUES (x'01', 1, 1, 'in', 36000000, 28800, 36030000, 1, 'pass', '{}', x'', '', 1),
                    (x'02', 1, 1, 'in', 36100000, 28800, 39700000, 3, 'pass', '{}', x'', '', 0),
                    (x'03', 1, 1, 'in', 36200000, 28800, 36210000, 1, 'hold', '{}', x'', '', 0),
                    (x'04', 1, 1, 'in', 36200000, 28800, 36260000, 2, 'hold', '{}', x'', '', 0),
                    (x'05', 1, 1, 'in', 39600000, 28800, 39600000, 4, 'refer', '{}', x'', '', 0);
             INSERT INTO corrections VALUES (x'04', x'03');",
        )
        .unwrap();
        conn.execute_batch(MIGRATIONS[counts].sqlite).unwrap();
        let rows: Vec<Vec<i64>> = conn
            .prepare("SELECT * FROM passage_counts ORDER BY checkpoint_id, hour")
            .unwrap()
            .query_map([], |r| (0..14).map(|i| r.get(i)).collect())
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            vec![
                // hour, checkpoint, vehicles, persons, handled (30 s + 60 s), green (1, 30 s),
                // then pass, test on site, persuaded to return, held, referred.
                vec![10, 1, 3, 6, 2, 90_000, 1, 1, 30_000, 2, 0, 0, 1, 0],
                vec![11, 1, 1, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            ]
        );
    }

    /// Every passage, every column, as text, by id.
    fn dump(conn: &rusqlite::Connection) -> Vec<String> {
        let mut stmt = conn.prepare("SELECT * FROM passages ORDER BY id").unwrap();
        let columns = stmt.column_count();
        stmt.query_map([], |r| {
            (0..columns)
                .map(|i| r.get_ref(i).map(|v| format!("{v:?}")))
                .collect::<Result<Vec<_>, _>>()
                .map(|v| v.join("|"))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }
}
