//! Accounts, sessions, grants that filter reads, and the audit trail's chain, on both backends;
//! and a trail altered behind Cordon's back is caught by the verification.

use std::sync::Arc;

use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_domain::audit::AuditEntry;
use cordon_store::access::{Lockout, NewAccount, NewSession};
use cordon_store::audit::{verify_audit, AuditQuery};
use cordon_store::{Period, Store, StoreOptions};
use uuid::Uuid;

use super::support::*;

fn principal(role: Role, scope: &str) -> Principal {
    Principal {
        account: 1,
        username: Username::parse("someone").unwrap(),
        role,
        scope: Scope::parse(scope).unwrap(),
    }
}

fn entry(n: usize, actor: &str) -> AuditEntry {
    AuditEntry {
        at_ms: 1_651_536_000_000 + n as i64,
        actor: actor.into(),
        role: "tracer".into(),
        scope: "130100".into(),
        address: "10.1.2.3".into(),
        action: "POST /api/v1/trajectories/person".into(),
        outcome: "ok".into(),
        purpose: format!("case {n}"),
        target: String::new(),
        subjects: vec![format!("{n:064x}")],
        persons: 1,
    }
}

pub async fn accounts_sessions_and_the_audit_chain(store: Arc<dyn Store>) {
    let account = store
        .create_account(NewAccount {
            username: Username::parse("tracer1").unwrap(),
            role: Role::Tracer,
            scope: Scope::parse("130100").unwrap(),
            password_hash: "$argon2id$stand-in".into(),
            created_by: "test".into(),
        })
        .await
        .unwrap();
    let again = store
        .create_account(NewAccount {
            username: Username::parse("tracer1").unwrap(),
            role: Role::Admin,
            scope: Scope::parse("130000").unwrap(),
            password_hash: "x".into(),
            created_by: "test".into(),
        })
        .await;
    assert!(
        matches!(again, Err(cordon_store::StoreError::Invalid(ref f)) if f.code == "username_taken")
    );
    assert_eq!(store.count_accounts().await.unwrap(), 1);

    let lockout = Lockout {
        after_failures: 3,
        lock_ms: 60_000,
    };
    let now = cordon_domain::time::now_ms();
    for n in 1..=3 {
        let locked = store.signin_failed(account.id, now, lockout).await.unwrap();
        assert_eq!(locked, n == 3, "locked at the third failure in a row");
    }
    let c = store.credentials("tracer1").await.unwrap().unwrap();
    assert_eq!(
        (c.account.locked_until_ms, c.failed_signins),
        (now + 60_000, 0)
    );
    // Failures during the lock neither count nor extend it: it ends at its time.
    for later in [now + 1, now + 59_000] {
        assert!(!store
            .signin_failed(account.id, later, lockout)
            .await
            .unwrap());
    }
    let c = store.credentials("tracer1").await.unwrap().unwrap();
    assert_eq!(
        (c.account.locked_until_ms, c.failed_signins),
        (now + 60_000, 0)
    );
    // After it, failures count again from the start.
    assert!(!store
        .signin_failed(account.id, now + 60_000, lockout)
        .await
        .unwrap());
    assert_eq!(
        store
            .credentials("tracer1")
            .await
            .unwrap()
            .unwrap()
            .failed_signins,
        1
    );
    assert!(store.credentials("nobody").await.unwrap().is_none());
    store.signin_succeeded(account.id).await.unwrap();
    let c = store.credentials("tracer1").await.unwrap().unwrap();
    assert_eq!((c.failed_signins, c.account.locked_until_ms), (0, 0));
    // An admin ends a lock.
    for _ in 0..3 {
        store.signin_failed(account.id, now, lockout).await.unwrap();
    }
    assert_eq!(store.unlock_account("tracer1").await.unwrap(), account.id);
    let c = store.credentials("tracer1").await.unwrap().unwrap();
    assert_eq!((c.failed_signins, c.account.locked_until_ms), (0, 0));
    assert!(matches!(
        store.unlock_account("nobody").await,
        Err(cordon_store::StoreError::NotFound { .. })
    ));

    let hash = [7u8; 32];
    store
        .create_session(NewSession {
            token_hash: hash,
            account: account.id,
            csrf: "c".into(),
            address: "a".into(),
            created_at_ms: now,
            expires_at_ms: now + 1_000,
        })
        .await
        .unwrap();
    assert!(store.session(hash, now).await.unwrap().is_some());
    // The addresses an account signed in from.
    assert!(store.known_address(account.id, "a", now - 1).await.unwrap());
    assert!(
        !store.known_address(account.id, "a", now + 1).await.unwrap(),
        "too long ago"
    );
    assert!(!store.known_address(account.id, "b", now - 1).await.unwrap());
    assert!(!store.known_address(-1, "a", now - 1).await.unwrap());
    assert!(
        store.session(hash, now + 1_000).await.unwrap().is_none(),
        "expired"
    );
    store.set_disabled("tracer1", true, now).await.unwrap();
    assert!(
        store.session(hash, now).await.unwrap().is_none(),
        "disabling ends sessions"
    );
    store.set_disabled("tracer1", false, now).await.unwrap();
    assert!(store.session(hash, now).await.unwrap().is_none());

    // The chain: appended in order across calls, verified, queried.
    store
        .append_audit(&(1..=3).map(|n| entry(n, "tracer1")).collect::<Vec<_>>())
        .await
        .unwrap();
    store
        .append_audit(&(4..=1_203).map(|n| entry(n, "tracer2")).collect::<Vec<_>>())
        .await
        .unwrap();
    let first = store
        .query_audit(&AuditQuery {
            limit: 4,
            ..Default::default()
        })
        .await
        .unwrap();
    let seqs: Vec<(i64, &str)> = first
        .iter()
        .map(|r| (r.seq, r.entry.actor.as_str()))
        .collect();
    assert_eq!(
        seqs,
        [
            (1, "tracer1"),
            (2, "tracer1"),
            (3, "tracer1"),
            (4, "tracer2")
        ],
        "in order, across calls"
    );
    let v = verify_audit(store.as_ref()).await.unwrap();
    assert!(v.intact && v.entries == 1_203, "{v:?}");
    let q = |f: AuditQuery| {
        let store = store.clone();
        async move { store.query_audit(&f).await.unwrap() }
    };
    let by_actor = q(AuditQuery {
        actor: Some("tracer1".into()),
        limit: 100,
        ..Default::default()
    })
    .await;
    assert_eq!(by_actor.len(), 3);
    let by_subject = q(AuditQuery {
        subject: Some(format!("{:064x}", 2)),
        limit: 100,
        ..Default::default()
    })
    .await;
    assert_eq!(by_subject.len(), 1);
    assert_eq!(by_subject[0].entry, entry(2, "tracer1"));
    let page = q(AuditQuery {
        after_seq: Some(1_000),
        limit: 50,
        ..Default::default()
    })
    .await;
    assert_eq!((page[0].seq, page.len()), (1_001, 50));
}

/// The trail refuses changes through SQL, and a change made anyway (by someone who disabled the
/// guard on a copy of the database) is found.
async fn tampering_is_detected(url: &str) {
    let store = cordon_store::open(url, &StoreOptions::default(), key())
        .await
        .unwrap();
    store
        .append_audit(&(1..=10).map(|n| entry(n, "tracer1")).collect::<Vec<_>>())
        .await
        .unwrap();
    drop(store);
    let sqlite = url.starts_with("sqlite");
    let refused_update = "UPDATE audit_log SET persons = 0 WHERE seq = 4";
    let refused_delete = "DELETE FROM audit_log WHERE seq = 10";
    let (disable, enable): (&[&str], &[&str]) = if sqlite {
        (
            &[
                "DROP TRIGGER audit_log_no_update",
                "DROP TRIGGER audit_log_no_delete",
            ],
            &[],
        )
    } else {
        (
            &["ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update"],
            &["ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update"],
        )
    };
    use cordon_store::scratch::execute;
    for sql in [refused_update, refused_delete] {
        assert!(
            execute(url, sql, &[]).await.is_err(),
            "{sql} must be refused"
        );
    }
    for sql in disable {
        execute(url, sql, &[]).await.unwrap();
    }
    execute(url, refused_update, &[]).await.unwrap();
    for sql in enable {
        execute(url, sql, &[]).await.unwrap();
    }
    let store = cordon_store::open(url, &StoreOptions::default(), key())
        .await
        .unwrap();
    let v = verify_audit(store.as_ref()).await.unwrap();
    assert!(!v.intact);
    assert_eq!(v.broken_at, Some(4), "{v:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_is_detected_on_sqlite() {
    let dir = crate::support::scratch_dir();
    tampering_is_detected(&format!("sqlite://{}", dir.join("cordon.db").display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_is_detected_on_postgres() {
    let Some(admin) = postgres_url() else { return };
    tampering_is_detected(&fresh_postgres_url(&admin).await).await;
}

/// Grants filter what the store returns: by jurisdiction, by checkpoint, by time.
pub async fn grants_filter_reads(store: Arc<dyn Store>) {
    network(store.as_ref()).await;
    let t = cordon_domain::time::now_ms() - 3 * 3_600_000;
    let old = t - 30 * 3_600_000;
    let mut ids = Vec::new();
    for (cp, at) in [
        ("CP-130100-0001", t),
        ("CP-130100-0002", t),
        ("CP-130100-0001", old),
    ] {
        let id = Uuid::now_v7();
        ids.push(id);
        let mut d = draft(id, cp, 0, "冀A12345", &[1]);
        d.observed_at = cordon_domain::time::from_ms(at);
        store.record_passages(vec![new(d)]).await.unwrap();
    }
    let all = Period {
        from_ms: 0,
        to_ms: i64::MAX,
    };
    let now = cordon_domain::time::now_ms();
    let asked: Vec<(Uuid, Option<cordon_domain::passage::Role>)> =
        ids.iter().map(|id| (*id, None)).collect();
    let trail = |p: Principal| {
        let store = store.clone();
        let asked = asked.clone();
        async move {
            store
                .trajectory(&p.may_read_trajectories().unwrap(), &asked)
                .await
                .unwrap()
                .len()
        }
    };
    assert_eq!(trail(principal(Role::Tracer, "130000")).await, 3);
    assert_eq!(trail(principal(Role::Tracer, "130100")).await, 3);
    assert_eq!(trail(principal(Role::Tracer, "130200")).await, 0);
    assert_eq!(trail(principal(Role::Tracer, "CP-130100-0002")).await, 1);

    let officer = principal(Role::Officer, "CP-130100-0001")
        .may_read_passages(now)
        .unwrap();
    assert!(store.get_passage(&officer, ids[0]).await.is_ok());
    assert!(
        store.get_passage(&officer, ids[1]).await.is_err(),
        "not its checkpoint"
    );
    assert!(
        store.get_passage(&officer, ids[2]).await.is_err(),
        "older than 24 hours"
    );
    let elsewhere = principal(Role::Commander, "130200")
        .may_read_passages(now)
        .unwrap();
    assert!(matches!(
        store
            .hourly_counts(&elsewhere, &code("CP-130100-0001"), all)
            .await,
        Err(cordon_store::StoreError::Forbidden)
    ));
    assert!(
        matches!(
            store
                .hourly_counts(&elsewhere, &code("CP-130100-0777"), all)
                .await,
            Err(cordon_store::StoreError::Forbidden)
        ),
        "a code that does not exist outside the scope is refused alike"
    );
    let counts = store
        .hourly_counts(&officer, &code("CP-130100-0001"), all)
        .await
        .unwrap();
    assert_eq!(counts.iter().map(|c| c.passages).sum::<i64>(), 1);
}

conformance!(accounts_sessions_and_the_audit_chain, grants_filter_reads,);
