//! Drivers' pre-declarations on both backends: recorded, found, revoked once, listed while in
//! force.

use std::sync::Arc;

use cordon_store::declaration::{DeclarationRecord, Revocation};
use cordon_store::{Store, StoreError};
use uuid::Uuid;

use cordon_domain::access::{Principal, Role, Scope, Username};

fn commander(scope: &str) -> Principal {
    Principal {
        account: 1,
        username: Username::parse("commander").unwrap(),
        role: Role::Commander,
        scope: Scope::parse(scope).unwrap(),
    }
}

fn declaration(issued_at_ms: i64, hours: i64) -> DeclarationRecord {
    DeclarationRecord {
        id: Uuid::now_v7(),
        issued_at_ms,
        expires_at_ms: issued_at_ms + hours * 3_600_000,
        plate_key: Some("a1b2".into()),
        persons: 2,
        revoked: None,
    }
}

pub async fn declarations_are_kept_and_revoked_once(store: Arc<dyn Store>) {
    let now = cordon_domain::time::now_ms();
    let grant = commander("130100").may_revoke_declarations().unwrap();
    let live = declaration(now, 48);
    let expired = declaration(now - 72 * 3_600_000, 48);
    for d in [&live, &expired] {
        store.record_declaration(d).await.unwrap();
    }
    assert_eq!(
        store.declaration(live.id).await.unwrap().as_ref(),
        Some(&live)
    );
    assert_eq!(store.declaration(Uuid::now_v7()).await.unwrap(), None);
    // The same id twice is refused: a declaration is recorded once.
    assert!(store.record_declaration(&live).await.is_err());

    let first = Revocation {
        at_ms: now,
        by: "commander".into(),
        reason: "信息有误".into(),
    };
    let revoked = store
        .revoke_declaration(&grant, live.id, first.clone())
        .await
        .unwrap();
    assert_eq!(revoked.revoked.as_ref(), Some(&first));
    let again = store
        .revoke_declaration(
            &grant,
            live.id,
            Revocation {
                at_ms: now + 1,
                by: "other".into(),
                reason: "again".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(again.revoked, Some(first), "the first revocation stands");
    store
        .revoke_declaration(&grant, expired.id, again.revoked.clone().unwrap())
        .await
        .unwrap();
    assert!(matches!(
        store
            .revoke_declaration(&grant, Uuid::now_v7(), again.revoked.clone().unwrap())
            .await,
        Err(StoreError::NotFound { .. })
    ));
    // Stations need the revoked ones still in force, not the expired.
    let listed = store.revoked_declarations(now).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, live.id);
}

conformance!(declarations_are_kept_and_revoked_once);
