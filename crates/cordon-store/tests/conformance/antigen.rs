//! Antigen tests at a site on both backends: a person swabbed once (a repeated scan answers
//! the same test, another site refuses while it waits), the cassette read no sooner than 15
//! minutes later and once, the site's lists, the read result the person's latest at the lane
//! (beside the lab's), an invalid cassette no result, and the sealed person purged.

use std::sync::Arc;

use cordon_domain::access::Role;
use cordon_domain::identity::{DocumentType, IdentityDocument, MaskedDocument};
use cordon_domain::testing::antigen::{AntigenResult, CordonTest, READ_AFTER_MS};
use cordon_domain::testing::{NewCampaign, PoolSize};
use cordon_store::testing::antigen::antigen_context;
use cordon_store::testing::NewMember;
use cordon_store::{Store, StoreError};

use super::support::*;
use super::testing::principal;

fn person(store: &dyn Store, site: i64, seed: u32) -> NewMember {
    let doc = IdentityDocument::parse(DocumentType::ResidentId, &resident_id(seed)).unwrap();
    let key = store.keyring().person(&doc);
    NewMember {
        sealed: store
            .keyring()
            .seal(&antigen_context(site, &key), doc.expose_number().as_bytes()),
        person_key: key,
        masked_name: "张*".into(),
        document: MaskedDocument {
            kind: doc.kind(),
            number: doc.masked_number(),
        },
    }
}

fn code(e: Result<impl std::fmt::Debug, StoreError>) -> String {
    match e {
        Err(StoreError::Invalid(f)) => f.code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A campaign over 长安区 opened by the city's commander with sites named `names`: their ids.
async fn sites<const N: usize>(s: &dyn Store, campaign: &str, names: [&str; N]) -> [i64; N] {
    let manage = principal(Role::Commander, "130100", "city1")
        .may_manage_campaigns()
        .unwrap();
    let c = s
        .create_campaign(
            &manage,
            NewCampaign {
                name: campaign.into(),
                area: div("130102"),
                deadline_ms: cordon_domain::time::now_ms() + 86_400_000,
                pool_size: PoolSize::DEFAULT,
            },
        )
        .await
        .unwrap();
    let mut ids = [0; N];
    for (id, name) in ids.iter_mut().zip(names) {
        *id = s.create_site(&manage, c.id, name, 2).await.unwrap().id;
    }
    ids
}

/// The county's sampler.
fn sampler() -> cordon_domain::access::testing::Sample {
    principal(Role::Sampler, "130102", "sampler1")
        .may_sample()
        .unwrap()
}

async fn antigen_tests_are_read_after_fifteen_minutes(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let now = cordon_domain::time::now_ms();
    let [site, other] = sites(s, "长安区抗原", ["一号点", "二号点"]).await;
    let sampler = sampler();
    let stranger = principal(Role::Sampler, "130200", "sampler2")
        .may_sample()
        .unwrap();
    assert!(matches!(
        s.swab(&stranger, site, person(s, site, 1), now).await,
        Err(StoreError::NotFound { .. })
    ));
    let t = s
        .swab(&sampler, site, person(s, site, 1), now)
        .await
        .unwrap();
    assert!(!t.already);
    assert_eq!(t.test.read_after_ms, now + READ_AFTER_MS);
    assert_eq!(t.test.result, None);
    assert_eq!(t.test.document.number.len(), 18);
    assert!(t.test.document.number.contains('*'), "masked");
    // The same scan again answers the same test; at another site it is refused.
    let again = s
        .swab(&sampler, site, person(s, site, 1), now + 5)
        .await
        .unwrap();
    assert_eq!((again.test.id, again.already), (t.test.id, true));
    assert_eq!(
        code(s.swab(&sampler, other, person(s, other, 1), now).await),
        "antigen_waiting"
    );
    // Read too early, then at 15 minutes; once.
    let id = t.test.id;
    assert_eq!(
        code(
            s.read_antigen(&sampler, id, AntigenResult::Positive, now + 60_000)
                .await
        ),
        "too_early"
    );
    assert!(matches!(
        s.read_antigen(&stranger, id, AntigenResult::Positive, now + READ_AFTER_MS)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let at = now + READ_AFTER_MS;
    let read = s
        .read_antigen(&sampler, id, AntigenResult::Positive, at)
        .await
        .unwrap();
    assert_eq!(
        (read.test.result, read.test.read_by.as_deref(), read.already),
        (Some(AntigenResult::Positive), Some("sampler1"), false)
    );
    let same = s
        .read_antigen(&sampler, id, AntigenResult::Positive, at + 1)
        .await
        .unwrap();
    assert!(same.already);
    assert_eq!(
        code(
            s.read_antigen(&sampler, id, AntigenResult::Negative, at)
                .await
        ),
        "already_read"
    );
    // Person 2's cassette is invalid: no result; they are swabbed again.
    let t2 = s
        .swab(&sampler, site, person(s, site, 2), now)
        .await
        .unwrap();
    s.read_antigen(&sampler, t2.test.id, AntigenResult::Invalid, at)
        .await
        .unwrap();
    let t3 = s
        .swab(&sampler, site, person(s, site, 2), at)
        .await
        .unwrap();
    assert_ne!(t3.test.id, t2.test.id);
    let list = s.site_antigen(&sampler, site, now - 1).await.unwrap();
    assert_eq!(
        list.waiting.iter().map(|t| t.id).collect::<Vec<_>>(),
        [t3.test.id]
    );
    assert_eq!(list.read.len(), 2);
    // Read since a time after their swabs (a site's "today" that began between the two): listed.
    let since_swab = s.site_antigen(&sampler, site, now + 1).await.unwrap();
    assert_eq!(since_swab.read.len(), 2);
    let after_reads = s.site_antigen(&sampler, site, at + 1).await.unwrap();
    assert!(after_reads.read.is_empty(), "{:?}", after_reads.read);
    assert!(s.site_antigen(&stranger, site, now).await.is_err());
    // At the lane: person 1 positive by antigen, person 2 nothing yet, person 3 never tested.
    let keys: Vec<String> = [1, 2, 3]
        .iter()
        .map(|&seed| person(s, site, seed).person_key)
        .collect();
    let latest = s.latest_results(&keys).await.unwrap();
    assert_eq!(
        latest.iter().map(|r| r.map(|r| r.test)).collect::<Vec<_>>(),
        [
            Some(CordonTest::Antigen(AntigenResult::Positive)),
            None,
            None
        ]
    );
    assert_eq!(latest[0].unwrap().sampled_at_ms, now);
    // Two scans of one person at once (a second tap) make one test.
    let (a, b) = tokio::join!(
        s.swab(&sampler, site, person(s, site, 5), at),
        s.swab(&sampler, site, person(s, site, 5), at)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.test.id, b.test.id);
    assert!(a.already != b.already, "one made it, the other found it");
    // Retention purges the sealed person; the result stays.
    assert!(s.purge_testing(at + 1).await.unwrap() >= 3);
    assert!(s.latest_results(&keys[..1]).await.unwrap()[0].is_some());
}

/// Person `seed` (named `测试{seed}`) swabbed at a new site, for the sealed-at-rest checks.
pub async fn swabbed(s: &dyn Store, seed: u32) {
    let now = cordon_domain::time::now_ms();
    let [site] = sites(s, "抗原封存检查", ["抗原点"]).await;
    let sampler = sampler();
    let doc = IdentityDocument::parse(DocumentType::ResidentId, &resident_id(seed)).unwrap();
    let name = cordon_domain::person::PersonName::parse(&format!("测试{seed}")).unwrap();
    let m = NewMember::sealed(s.keyring(), &doc, &name, |k| antigen_context(site, k));
    s.swab(&sampler, site, m, now).await.unwrap();
}

conformance!(antigen_tests_are_read_after_fifteen_minutes);
