//! The demo's antigen tests at 建设大街小学采样点: persons swabbed by `sampler1` over the last
//! hour, the earlier ones read (negative, one invalid and swabbed again), the latest still
//! counting their 15 minutes down on the sampling page.

use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_domain::person::PersonName;
use cordon_domain::testing::antigen::{AntigenResult, READ_AFTER_MS};
use cordon_store::testing::antigen::antigen_context;
use cordon_store::testing::NewMember;
use cordon_store::Store;
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::hebei::{GIVEN, SURNAMES};
use super::traffic::resident_id;

const MINUTE: i64 = 60_000;

/// Minutes ago each person was swabbed, and what their cassette read (`None`: waiting).
const TESTS: [(i64, Option<AntigenResult>); 8] = [
    (55, Some(AntigenResult::Negative)),
    (50, Some(AntigenResult::Negative)),
    (44, Some(AntigenResult::Invalid)),
    (38, Some(AntigenResult::Negative)),
    (31, Some(AntigenResult::Negative)),
    (12, None),
    (6, None),
    (1, None),
];

pub async fn load(store: &dyn Store, site: i64) -> anyhow::Result<()> {
    let sampler = Principal {
        account: 0,
        username: Username::parse("sampler1").map_err(|e| anyhow::anyhow!(e.message))?,
        role: Role::Sampler,
        scope: Scope::parse("130102").map_err(|e| anyhow::anyhow!(e.message))?,
    }
    .may_sample()?;
    let mut rng = SmallRng::seed_from_u64(15);
    let now = cordon_domain::time::now_ms();
    let mut invalid = None;
    for (ago, read) in TESTS {
        let document =
            IdentityDocument::parse(DocumentType::ResidentId, &resident_id(&mut rng, 130102))?;
        let name = PersonName::parse(&format!(
            "{}{}",
            SURNAMES.choose(&mut rng).expect("names"),
            GIVEN.choose(&mut rng).expect("names")
        ))?;
        let at = now - ago * MINUTE;
        let person = |d: &IdentityDocument| {
            NewMember::sealed(store.keyring(), d, &name, |key| antigen_context(site, key))
        };
        let test = store.swab(&sampler, site, person(&document), at).await?;
        if let Some(result) = read {
            let read_at = at + READ_AFTER_MS + 2 * MINUTE;
            store
                .read_antigen(&sampler, test.test.id, result, read_at)
                .await?;
            if result == AntigenResult::Invalid {
                invalid = Some((document, read_at));
            }
        }
    }
    // The invalid one swabbed again, waiting.
    if let Some((document, at)) = invalid {
        let name = PersonName::parse("王建国")?;
        let again = NewMember::sealed(store.keyring(), &document, &name, |key| {
            antigen_context(site, key)
        });
        store.swab(&sampler, site, again, at + MINUTE).await?;
    }
    Ok(())
}
