//! Identity numbers, names and phones are sealed at rest: the bytes of the database files hold
//! none of them, on both backends, including rows written in clear by an earlier version (sealed
//! at the next start, and the files compacted), and the persons named by status changes,
//! follow-up lists, testing's tubes and antigen tests.

use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_store::StoreOptions;
use uuid::Uuid;

use super::support::*;

const LEGACY_NAME: &str = "王秘密";
const LEGACY_PHONE: &str = "13900001111";

/// Every byte string that must not appear in the files.
fn secrets(people: &[u32], legacy: &str) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = people
        .iter()
        .flat_map(|p| {
            [
                resident_id(*p).into_bytes(),
                format!("测试{p}").into_bytes(),
                format!("138{p:08}").into_bytes(),
            ]
        })
        .collect();
    out.push(legacy.as_bytes().to_vec());
    out.push(LEGACY_NAME.as_bytes().to_vec());
    out.push(LEGACY_PHONE.as_bytes().to_vec());
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Writes passages, turns one back into the clear form an earlier version wrote, reopens, and
/// answers the ids.
async fn story(url: &str, legacy_number: &str) -> Vec<Uuid> {
    let store = open_store(url).await;
    network(store.as_ref()).await;
    let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
    for (i, id) in ids.iter().enumerate() {
        let people = [40 + 2 * i as u32, 41 + 2 * i as u32];
        store
            .record_passages(vec![new(draft(
                *id,
                "CP-130100-0001",
                i as i64,
                "冀A12345",
                &people,
            ))])
            .await
            .unwrap();
    }
    // A status change names a person too: sealed, keyed hash and masked number only.
    super::status::mark(store.as_ref(), &resident_id(40)).await;
    // So does a follow-up list: one person by document, one by phone and name.
    super::followup::listed(store.as_ref(), &[(1, Some(46), 46), (2, None, 47)]).await;
    // And a tube of mass testing, by document and name.
    super::lab::tested(store.as_ref(), 48).await;
    // And an antigen test at a site.
    super::antigen::swabbed(store.as_ref(), 49).await;
    drop(store);
    let legacy = format!(
        r#"[{{"t":"resident_id","n":"{legacy_number}","nm":"{LEGACY_NAME}","ph":"{LEGACY_PHONE}","r":"driver","hc":"green","v":[130100]}}]"#
    );
    let statements = [
        "UPDATE passages SET sealed = NULL, occupants = $1, occupant_keys = NULL WHERE id = $2",
        "DELETE FROM cordon_migrations WHERE version IN (1002, 1006)",
    ];
    use cordon_store::scratch::{execute, Bind};
    execute(
        url,
        statements[0],
        &[Bind::Text(legacy.clone()), Bind::Id(ids[0])],
    )
    .await
    .unwrap();
    execute(url, statements[1], &[]).await.unwrap();
    let store = open_store(url).await;
    let p = store.get_passage(&reads(), ids[0]).await.unwrap();
    assert_eq!(p.occupants[0].person.name.expose(), LEGACY_NAME);
    let doc = IdentityDocument::parse(DocumentType::ResidentId, legacy_number).unwrap();
    let rows = all_trace_rows(&*store).await;
    let row = rows.iter().find(|r| r.id == ids[0]).unwrap();
    assert_eq!(
        row.occupants,
        vec![(
            store.keyring().person(&doc)[..32].to_owned(),
            cordon_domain::passage::Role::Driver
        )],
        "the legacy row is given its occupants' keys for the trace index"
    );
    let other = store.get_passage(&reads(), ids[2]).await.unwrap();
    assert_eq!(other.occupants[1].person.name.expose(), "测试45");
    drop(store);
    // Opened with another key, the sealed data does not open.
    let stranger = cordon_store::open(
        url,
        &StoreOptions::default(),
        cordon_store::keyring::Keyring::random(),
    )
    .await
    .unwrap();
    assert!(stranger.get_passage(&reads(), ids[1]).await.is_err());
    drop(stranger);
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_data_is_sealed_in_the_sqlite_file() {
    let dir = crate::support::scratch_dir();
    let legacy = resident_id(77);
    story(
        &format!("sqlite://{}", dir.join("cordon.db").display()),
        &legacy,
    )
    .await;
    let mut bytes = Vec::new();
    // The pools close in the background after the drop: a -wal or -shm file may vanish while
    // the directory is read (its content is then in the main file, read too).
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    for entry in std::fs::read_dir(&dir).unwrap() {
        if let Ok(b) = std::fs::read(entry.unwrap().path()) {
            bytes.extend(b);
        }
    }
    assert!(bytes.len() > 10_000);
    assert!(
        find(&bytes, "冀A12345".as_bytes()),
        "the search itself works"
    );
    for s in secrets(&[40, 41, 42, 43, 44, 45, 46, 47, 48, 49], &legacy) {
        assert!(
            !find(&bytes, &s),
            "{} is in the database files",
            String::from_utf8_lossy(&s)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_data_is_sealed_in_the_postgres_files() {
    let Some(admin) = postgres_url() else { return };
    let url = fresh_postgres_url(&admin).await;
    let legacy = resident_id(78);
    story(&url, &legacy).await;
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    // Flush every page to the files, then read the database's own directory.
    sqlx::query("CHECKPOINT").execute(&pool).await.unwrap();
    let (data_dir,): (String,) =
        sqlx::query_as("SELECT setting FROM pg_settings WHERE name = 'data_directory'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let (oid,): (sqlx::postgres::types::Oid,) =
        sqlx::query_as("SELECT oid FROM pg_database WHERE datname = current_database()")
            .fetch_one(&pool)
            .await
            .unwrap();
    let dir = std::path::Path::new(&data_dir)
        .join("base")
        .join(oid.0.to_string());
    let mut bytes = Vec::new();
    match std::fs::read_dir(&dir) {
        Ok(entries) => {
            for entry in entries {
                if let Ok(b) = std::fs::read(entry.unwrap().path()) {
                    bytes.extend(b);
                }
            }
        }
        Err(e) => {
            // Not the server's machine or user: the rows as the server returns them instead.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "NOTICE: cannot read {} ({e}); searching the rows' text instead of the files",
                dir.display()
            );
            for table in ["passages", "audit_log"] {
                let rows: Vec<(String,)> =
                    sqlx::query_as(&format!("SELECT t::text FROM {table} t"))
                        .fetch_all(&pool)
                        .await
                        .unwrap();
                for (r,) in rows {
                    bytes.extend(r.into_bytes());
                }
            }
        }
    }
    assert!(
        find(&bytes, "冀A12345".as_bytes()),
        "the search itself works"
    );
    for s in secrets(&[40, 41, 42, 43, 44, 45, 46, 47, 48, 49], &legacy) {
        assert!(
            !find(&bytes, &s),
            "{} is in the database files",
            String::from_utf8_lossy(&s)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purged_data_leaves_the_sqlite_file() {
    let dir = crate::support::scratch_dir();
    let store = open_store(&format!("sqlite://{}", dir.join("cordon.db").display())).await;
    super::purge::retention_purges_personal_data(store.clone()).await;
    // A purge that took something leaves the write-ahead log empty, the hub still open: no
    // earlier image of a purged page stays in it.
    let late = new(draft(
        Uuid::now_v7(),
        "CP-130100-0001",
        -240,
        "冀R97531",
        &[66],
    ));
    store.record_passages(vec![late]).await.unwrap();
    let before = (t0() - chrono::Duration::minutes(120)).timestamp_millis();
    assert_eq!(store.purge_personal_data(before).await.unwrap().passages, 1);
    let wal = std::fs::metadata(dir.join("cordon.db-wal")).map_or(0, |m| m.len());
    assert_eq!(wal, 0, "the log is emptied after the purge");
    drop(store);
    let mut bytes = Vec::new();
    // The pools close in the background after the drop: a -wal or -shm file may vanish while
    // the directory is read (its content is then in the main file, read too).
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    for entry in std::fs::read_dir(&dir).unwrap() {
        if let Ok(b) = std::fs::read(entry.unwrap().path()) {
            bytes.extend(b);
        }
    }
    assert!(
        find(&bytes, "冀A12345".as_bytes()),
        "the kept plate is found"
    );
    assert!(
        !find(&bytes, "冀R97531".as_bytes()),
        "the purged plate is gone from the file"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
