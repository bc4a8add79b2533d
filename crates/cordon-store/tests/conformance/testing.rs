//! Mass testing on both backends: a campaign in the commander's jurisdiction, its sites, and
//! tubes filled by a sampler: up to the pool and no further, one open tube per person, a
//! barcode used once, a scan repeated writing nothing, a tube sealed full or short with a
//! reason, and its persons free for another tube once sealed.

use std::sync::Arc;

use cordon_domain::access::testing::Sample;
use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_domain::identity::{DocumentType, IdentityDocument, MaskedDocument};
use cordon_domain::testing::tube::TubeState;
use cordon_domain::testing::{Barcode, NewCampaign, PoolSize};
use cordon_store::testing::{member_context, NewMember, NewRosterRow};
use cordon_store::{Store, StoreError};

use super::support::*;

pub fn principal(role: Role, scope: &str, name: &str) -> Principal {
    Principal {
        account: 1,
        username: Username::parse(name).unwrap(),
        role,
        scope: Scope::parse(scope).unwrap(),
    }
}

pub fn member(store: &dyn Store, tube: &Barcode, seed: u32) -> NewMember {
    let doc = IdentityDocument::parse(DocumentType::ResidentId, &resident_id(seed)).unwrap();
    let key = store.keyring().person(&doc);
    NewMember {
        sealed: store
            .keyring()
            .seal(&member_context(tube, &key), doc.expose_number().as_bytes()),
        person_key: key,
        masked_name: "张*".into(),
        document: MaskedDocument {
            kind: doc.kind(),
            number: doc.masked_number(),
        },
    }
}

fn code(s: &str) -> Barcode {
    Barcode::parse(s).unwrap()
}

pub async fn tubes_are_filled_one_person_at_a_time(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let city = principal(Role::Commander, "130100", "city1");
    let manage = city.may_manage_campaigns().unwrap();
    let now = cordon_domain::time::now_ms();
    let campaign = |area: &str| NewCampaign {
        name: "长安区全员核酸".into(),
        area: div(area),
        deadline_ms: now + 86_400_000,
        pool_size: PoolSize::parse(5).unwrap(),
    };
    let outside = s.create_campaign(&manage, campaign("130200")).await;
    assert!(matches!(outside, Err(StoreError::Invalid(ref f)) if f.field == "area"));
    let c = s
        .create_campaign(&manage, campaign("130102"))
        .await
        .unwrap();
    let site = s
        .create_site(&manage, c.id, "裕华路 1 号点", 2)
        .await
        .unwrap();
    let again = s.create_site(&manage, c.id, "裕华路 1 号点", 2).await;
    assert!(matches!(again, Err(StoreError::Invalid(ref f)) if f.code == "duplicate"));
    // A sampler of the county fills tubes; one of another city finds no such site.
    let sampler = principal(Role::Sampler, "130102", "sampler1")
        .may_sample()
        .unwrap();
    let stranger = principal(Role::Sampler, "130200", "sampler2")
        .may_sample()
        .unwrap();
    let a = code("HB2022050300001");
    assert!(matches!(
        s.open_tube(&stranger, site.id, &a, None, now).await,
        Err(StoreError::NotFound { .. })
    ));
    let t = s.open_tube(&sampler, site.id, &a, None, now).await.unwrap();
    assert_eq!(
        (t.pool_size, t.state),
        (5, TubeState::Open),
        "the campaign's pool"
    );
    let reused = s.open_tube(&sampler, site.id, &a, None, now).await;
    assert!(matches!(reused, Err(StoreError::Invalid(ref f)) if f.code == "barcode_used"));
    for seed in 1..=5 {
        let added = s
            .add_member(&sampler, &a, member(s, &a, seed), now)
            .await
            .unwrap();
        assert!(!added.already);
        assert_eq!(added.tube.members.len(), seed as usize);
    }
    let repeated = s
        .add_member(&sampler, &a, member(s, &a, 5), now)
        .await
        .unwrap();
    assert!(repeated.already, "the same scan again writes nothing");
    let over = s.add_member(&sampler, &a, member(s, &a, 6), now).await;
    assert!(matches!(over, Err(StoreError::Invalid(ref f)) if f.code == "tube_full"));
    // Person 6 goes into a second tube, and cannot stand in a third while it is open.
    let b = code("HB2022050300002");
    s.open_tube(
        &sampler,
        site.id,
        &b,
        Some(PoolSize::parse(10).unwrap()),
        now,
    )
    .await
    .unwrap();
    s.add_member(&sampler, &b, member(s, &b, 6), now)
        .await
        .unwrap();
    let c3 = code("HB2022050300003");
    s.open_tube(&sampler, site.id, &c3, None, now)
        .await
        .unwrap();
    let twice = s.add_member(&sampler, &c3, member(s, &c3, 6), now).await;
    assert!(matches!(twice, Err(StoreError::Invalid(ref f)) if f.code == "in_open_tube"));
    let in_a = s.add_member(&sampler, &c3, member(s, &c3, 1), now).await;
    assert!(
        matches!(in_a, Err(StoreError::Invalid(ref f)) if f.code == "in_open_tube"),
        "tube A is not sealed yet"
    );
    // Sealed: A full; B short only with a reason; then its person is free again.
    let sealed = s.seal_tube(&sampler, &a, None, now).await.unwrap();
    assert_eq!(
        (sealed.state, sealed.short_reason),
        (TubeState::Sealed, None)
    );
    let short = s.seal_tube(&sampler, &b, None, now).await;
    assert!(matches!(short, Err(StoreError::Invalid(ref f)) if f.field == "short_reason"));
    let b_sealed = s.seal_tube(&sampler, &b, Some("队尾"), now).await.unwrap();
    assert_eq!(b_sealed.short_reason.as_deref(), Some("队尾"));
    let after = s.add_member(&sampler, &a, member(s, &a, 7), now).await;
    assert!(matches!(after, Err(StoreError::Invalid(ref f)) if f.code == "tube_sealed"));
    s.add_member(&sampler, &c3, member(s, &c3, 6), now)
        .await
        .unwrap();
    // The campaign's site counts them; the tube reads masked.
    let read = city.may_read_testing().unwrap();
    let campaigns = s.list_campaigns(&read).await.unwrap();
    let counted = &campaigns[0].sites[0];
    assert_eq!(
        (counted.open_tubes, counted.sealed_tubes, counted.persons),
        (1, 2, 7)
    );
    let view = s.tube(&read, &a).await.unwrap();
    assert_eq!(view.members.len(), 5);
    assert!(view.members[0].document.number.contains('*'));
    let other = principal(Role::Commander, "130200", "other")
        .may_read_testing()
        .unwrap();
    assert!(s.list_campaigns(&other).await.unwrap().is_empty());
    assert!(matches!(
        s.tube(&other, &a).await,
        Err(StoreError::NotFound { .. })
    ));
}

/// Roster rows for persons `seeds` of one building.
fn roster(store: &dyn Store, seeds: &[u32], building: &str) -> Vec<NewRosterRow> {
    seeds
        .iter()
        .map(|seed| {
            let m = member(store, &code("ROSTER0000"), *seed);
            NewRosterRow {
                person_key: m.person_key,
                masked_name: m.masked_name,
                document: m.document,
                compound: "裕华小区".into(),
                building: building.into(),
                sealed: m.sealed,
            }
        })
        .collect()
}

pub async fn the_roster_says_who_is_missing(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let city = principal(Role::Commander, "130100", "city1");
    let manage = city.may_manage_campaigns().unwrap();
    let now = cordon_domain::time::now_ms();
    let c = s
        .create_campaign(
            &manage,
            NewCampaign {
                name: "长安区全员核酸".into(),
                area: div("130102"),
                deadline_ms: now + 86_400_000,
                pool_size: PoolSize::parse(5).unwrap(),
            },
        )
        .await
        .unwrap();
    let site = s.create_site(&manage, c.id, "一号点", 1).await.unwrap();
    // Building 1: persons 1 to 4; building 2: persons 5 and 6. Sent twice: once.
    let added = s
        .add_roster(&manage, c.id, roster(s, &[1, 2, 3, 4], "1号楼"))
        .await
        .unwrap();
    assert_eq!((added.added, added.already), (4, 0));
    let again = s
        .add_roster(&manage, c.id, roster(s, &[1, 2, 3, 4, 5, 6], "1号楼"))
        .await;
    assert_eq!(again.unwrap().added, 2, "only 5 and 6 are new");
    let other = principal(Role::Commander, "130200", "other");
    assert!(matches!(
        s.add_roster(
            &other.may_manage_campaigns().unwrap(),
            c.id,
            roster(s, &[9], "x")
        )
        .await,
        Err(StoreError::NotFound { .. })
    ));
    // Persons 1, 2 and a walk-in (7) sampled.
    let sampler = principal(Role::Sampler, "130102", "sampler1")
        .may_sample()
        .unwrap();
    let tube = code("HB2022050300101");
    s.open_tube(&sampler, site.id, &tube, None, now)
        .await
        .unwrap();
    for seed in [1, 2, 7] {
        s.add_member(&sampler, &tube, member(s, &tube, seed), now)
            .await
            .unwrap();
    }
    let read = city.may_read_testing().unwrap();
    let done = s.completeness(&read, c.id).await.unwrap();
    assert_eq!(
        (done.expected, done.sampled, done.walk_ins),
        (6, 2, 1),
        "{done:?}"
    );
    assert_eq!(done.buildings.len(), 1);
    let missing = s
        .missing(&read, c.id, "裕华小区", "1号楼", 100)
        .await
        .unwrap();
    assert_eq!(missing.len(), 4);
    assert!(missing.iter().all(|p| p.document.number.contains('*')));
    // The walk-in listed afterwards counts as sampled at once.
    s.add_roster(&manage, c.id, roster(s, &[7], "2号楼"))
        .await
        .unwrap();
    let later = s.completeness(&read, c.id).await.unwrap();
    assert_eq!(
        (later.expected, later.sampled, later.walk_ins),
        (7, 3, 0),
        "{later:?}"
    );
    let elsewhere = other.may_read_testing().unwrap();
    assert!(matches!(
        s.completeness(&elsewhere, c.id).await,
        Err(StoreError::NotFound { .. })
    ));
}

pub async fn queue_numbers_count_up_per_site_and_day(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let manage = principal(Role::Commander, "130100", "city1")
        .may_manage_campaigns()
        .unwrap();
    let now = cordon_domain::time::now_ms();
    let c = s
        .create_campaign(
            &manage,
            NewCampaign {
                name: "x".into(),
                area: div("130102"),
                deadline_ms: now + 86_400_000,
                pool_size: PoolSize::DEFAULT,
            },
        )
        .await
        .unwrap();
    let a = s.create_site(&manage, c.id, "A", 1).await.unwrap();
    let b = s.create_site(&manage, c.id, "B", 1).await.unwrap();
    let sampler = principal(Role::Sampler, "130102", "sampler1")
        .may_sample()
        .unwrap();
    let q = code("QUEUE00000");
    let sampler = &sampler;
    let take = |site: i64, day: i64, seed: u32| {
        let m = member(s, &q, seed);
        async move { s.take_number(sampler, site, day, m, now).await.unwrap() }
    };
    assert_eq!(take(a.id, 20220503, 1).await.number, 1);
    assert_eq!(take(a.id, 20220503, 2).await.number, 2);
    let again = take(a.id, 20220503, 1).await;
    assert_eq!((again.number, again.already), (1, true));
    assert_eq!(
        take(b.id, 20220503, 3).await.number,
        1,
        "each site its own numbers"
    );
    assert_eq!(take(a.id, 20220504, 1).await.number, 1, "each day afresh");
    let found = s.queue_entry(sampler, a.id, 20220503, 2).await.unwrap();
    assert_eq!(found.person_key, member(s, &q, 2).person_key);
    assert!(matches!(
        s.queue_entry(sampler, a.id, 20220503, 9).await,
        Err(StoreError::Invalid(ref f)) if f.code == "unknown_number"
    ));
}

/// A campaign of the county 长安区 with one site, opened by a city commander, and a sampler of
/// the county: the site's id and the sampler's grant.
async fn county_site(store: &dyn Store, pool_size: PoolSize, site: &str) -> (i64, Sample) {
    let manage = principal(Role::Commander, "130100", "city1")
        .may_manage_campaigns()
        .unwrap();
    let now = cordon_domain::time::now_ms();
    let c = store
        .create_campaign(
            &manage,
            NewCampaign {
                name: format!("{site}的采样"),
                area: div("130102"),
                deadline_ms: now + 86_400_000,
                pool_size,
            },
        )
        .await
        .unwrap();
    let site = store.create_site(&manage, c.id, site, 4).await.unwrap();
    let sampler = principal(Role::Sampler, "130102", "sampler1")
        .may_sample()
        .unwrap();
    (site.id, sampler)
}

/// Scans from many samplers at once, as the scan writer groups them: a tube takes its pool and
/// no more, and a person scanned twice at once is in the tube once.
pub async fn scans_at_once_keep_the_rules(store: Arc<dyn Store>) {
    let now = cordon_domain::time::now_ms();
    let (site, sampler) = county_site(store.as_ref(), PoolSize::DEFAULT, "一号点").await;
    let (a, b) = (code("HBCONC000001"), code("HBCONC000002"));
    for t in [&a, &b] {
        store.open_tube(&sampler, site, t, None, now).await.unwrap();
    }
    // Eleven persons into tube A (ten fit), person 1 twice more, person 20 twice into B.
    let mut tasks = Vec::new();
    let mut scan = |t: &Barcode, seed: u32| {
        let (store, sampler, t) = (store.clone(), sampler.clone(), t.clone());
        tasks.push(tokio::spawn(async move {
            let m = member(store.as_ref(), &t, seed);
            store.add_member(&sampler, &t, m, now).await
        }));
    };
    for seed in 1..=11 {
        scan(&a, seed);
    }
    scan(&a, 1);
    scan(&a, 1);
    scan(&b, 20);
    scan(&b, 20);
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(match t.await.unwrap() {
            Ok(added) if added.already => "again".to_owned(),
            Ok(_) => "created".to_owned(),
            Err(StoreError::Invalid(f)) => f.code,
            Err(e) => panic!("{e}"),
        });
    }
    let count = |what: &str| outcomes.iter().filter(|o| *o == what).count();
    let read = principal(Role::Commander, "130100", "city1")
        .may_read_testing()
        .unwrap();
    let in_a = store.tube(&read, &a).await.unwrap().members.len();
    let in_b = store.tube(&read, &b).await.unwrap().members.len();
    assert_eq!((in_a, in_b), (10, 1), "{outcomes:?}");
    assert_eq!(count("created"), 11, "{outcomes:?}");
    // The other four: person 20's second scan and person 1's two more are answered again, or
    // (as it fell) refused as the tube filled; nothing else.
    assert!(count("again") >= 1, "{outcomes:?}");
    assert_eq!(count("again") + count("tube_full"), 4, "{outcomes:?}");
    // The tube's count agrees with its persons: sealing it full needs no reason.
    let sealed = store.seal_tube(&sampler, &a, None, now).await.unwrap();
    assert_eq!(sealed.members.len(), 10);
}

/// A seal and the last scan of a tube at the same moment: the tube ends either full with no
/// reason for being short, or short (with its reason) and the scan refused; never full with a
/// stale reason.
pub async fn a_seal_and_a_scan_at_once_agree(store: Arc<dyn Store>) {
    let now = cordon_domain::time::now_ms();
    let (site, sampler) = county_site(store.as_ref(), PoolSize::parse(5).unwrap(), "二号点").await;
    for round in 0..6u32 {
        let t = code(&format!("HBRACE{round:06}"));
        store
            .open_tube(&sampler, site, &t, None, now)
            .await
            .unwrap();
        for seed in 1..=4 {
            let m = member(store.as_ref(), &t, 100 * round + seed);
            store.add_member(&sampler, &t, m, now).await.unwrap();
        }
        let last = member(store.as_ref(), &t, 100 * round + 5);
        let (scan, seal) = tokio::join!(
            store.add_member(&sampler, &t, last, now),
            store.seal_tube(&sampler, &t, Some("队尾"), now)
        );
        let seal = seal.unwrap();
        let read = principal(Role::Commander, "130100", "city1")
            .may_read_testing()
            .unwrap();
        let tube = store.tube(&read, &t).await.unwrap();
        match scan {
            Ok(_) => assert_eq!(
                (tube.members.len(), tube.short_reason.as_deref()),
                (5, None),
                "round {round}: the scan went first; the seal found the tube full"
            ),
            Err(StoreError::Invalid(f)) => {
                assert_eq!(f.code, "tube_sealed", "round {round}");
                assert_eq!(
                    (tube.members.len(), tube.short_reason.as_deref()),
                    (4, Some("队尾")),
                    "round {round}: the seal went first"
                );
            }
            Err(e) => panic!("round {round}: {e}"),
        }
        assert_eq!(seal.members.len(), tube.members.len(), "round {round}");
    }
}

conformance!(
    tubes_are_filled_one_person_at_a_time,
    scans_at_once_keep_the_rules,
    a_seal_and_a_scan_at_once_agree,
    the_roster_says_who_is_missing,
    queue_numbers_count_up_per_site_and_day
);
