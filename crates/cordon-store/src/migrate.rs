//! Schema migrations, one append-only list per backend. A shipped migration is never edited:
//! a change is a new file with the next number. Each is applied once, in its own transaction,
//! and recorded in `cordon_migrations`.

/// One migration: its number, its name and its SQL.
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "registry",
        sql: include_str!("../migrations/sqlite/0001_registry.sql"),
    },
    Migration {
        version: 2,
        name: "policy",
        sql: include_str!("../migrations/sqlite/0002_policy.sql"),
    },
    Migration {
        version: 3,
        name: "access",
        sql: include_str!("../migrations/sqlite/0003_access.sql"),
    },
    Migration {
        version: 4,
        name: "sealed",
        sql: include_str!("../migrations/sqlite/0004_sealed.sql"),
    },
    Migration {
        version: 5,
        name: "status",
        sql: include_str!("../migrations/sqlite/0005_status.sql"),
    },
    Migration {
        version: 6,
        name: "trace",
        sql: include_str!("../migrations/sqlite/0006_trace.sql"),
    },
    Migration {
        version: 7,
        name: "lean",
        sql: include_str!("../migrations/sqlite/0007_lean.sql"),
    },
    Migration {
        version: 8,
        name: "declarations",
        sql: include_str!("../migrations/sqlite/0008_declarations.sql"),
    },
    Migration {
        version: 9,
        name: "sync",
        sql: include_str!("../migrations/sqlite/0009_sync.sql"),
    },
    Migration {
        version: 10,
        name: "corrections",
        sql: include_str!("../migrations/sqlite/0010_corrections.sql"),
    },
    Migration {
        version: 11,
        name: "hour_first",
        sql: include_str!("../migrations/sqlite/0011_hour_first.sql"),
    },
    Migration {
        version: 12,
        name: "retention_marks",
        sql: include_str!("../migrations/sqlite/0012_retention_marks.sql"),
    },
];

pub const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "registry",
        sql: include_str!("../migrations/postgres/0001_registry.sql"),
    },
    Migration {
        version: 2,
        name: "policy",
        sql: include_str!("../migrations/postgres/0002_policy.sql"),
    },
    Migration {
        version: 3,
        name: "access",
        sql: include_str!("../migrations/postgres/0003_access.sql"),
    },
    Migration {
        version: 4,
        name: "sealed",
        sql: include_str!("../migrations/postgres/0004_sealed.sql"),
    },
    Migration {
        version: 5,
        name: "status",
        sql: include_str!("../migrations/postgres/0005_status.sql"),
    },
    Migration {
        version: 6,
        name: "trace",
        sql: include_str!("../migrations/postgres/0006_trace.sql"),
    },
    Migration {
        version: 7,
        name: "lean",
        sql: include_str!("../migrations/postgres/0007_lean.sql"),
    },
    Migration {
        version: 8,
        name: "declarations",
        sql: include_str!("../migrations/postgres/0008_declarations.sql"),
    },
    Migration {
        version: 9,
        name: "sync",
        sql: include_str!("../migrations/postgres/0009_sync.sql"),
    },
    Migration {
        version: 10,
        name: "corrections",
        sql: include_str!("../migrations/postgres/0010_corrections.sql"),
    },
    Migration {
        version: 11,
        name: "hour_first",
        sql: include_str!("../migrations/postgres/0011_hour_first.sql"),
    },
    Migration {
        version: 12,
        name: "retention_marks",
        sql: include_str!("../migrations/postgres/0012_retention_marks.sql"),
    },
];

pub const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS cordon_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive_and_both_backends_match() {
        for list in [SQLITE, POSTGRES] {
            for (i, m) in list.iter().enumerate() {
                assert_eq!(m.version, i as i64 + 1, "{}", m.name);
            }
        }
        let names = |l: &[Migration]| l.iter().map(|m| m.name).collect::<Vec<_>>();
        assert_eq!(names(SQLITE), names(POSTGRES));
    }

    /// Migration 7 rebuilds `passages` as a rowid table: every column of every row survives, in
    /// recording order, and the person index goes.
    #[test]
    fn the_lean_migration_keeps_every_passage() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        for m in &SQLITE[..6] {
            conn.execute_batch(m.sql).unwrap();
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
        conn.execute_batch(SQLITE[6].sql).unwrap();
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
