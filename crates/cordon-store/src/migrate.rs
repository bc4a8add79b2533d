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
}
