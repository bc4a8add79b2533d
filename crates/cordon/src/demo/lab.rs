//! The demo's lab: 长安区疾控中心实验室 with its assay, and a day of its work on the campaign's
//! tubes (10 in 1, filled at 裕华路社区采样点 by `sampler1`, a box per run handed to a driver
//! and received at the lab with one scan): run 1 released by `lab2` (every
//! tube negative), run 2 resulted by `lab1` with one positive pool and waiting for a second
//! person (`lab2` releases it, and its ten persons become a recall list), run 3 being plated.
//! Made with the campaign, once.

use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_domain::division::DivisionCode;
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_domain::person::PersonName;
use cordon_domain::testing::instrument::Cts;
use cordon_domain::testing::lab::{AssayRequest, RunStep, Target, Well};
use cordon_domain::testing::{Barcode, PoolSize};
use cordon_store::testing::{member_context, NewMember};
use cordon_store::Store;
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::hebei::{GIVEN, SURNAMES};
use super::traffic::resident_id;

fn principal(name: &str, role: Role) -> anyhow::Result<Principal> {
    Ok(Principal {
        account: 0,
        username: Username::parse(name).map_err(|e| anyhow::anyhow!(e.message))?,
        role,
        scope: Scope::parse("130102").map_err(|e| anyhow::anyhow!(e.message))?,
    })
}

const MINUTE: i64 = 60_000;

/// Tubes per run, and which tube of run 2 reads positive.
const TUBES: [usize; 3] = [24, 20, 6];
const POSITIVE: usize = 7;

/// The lab, its assay, the tubes and the three runs.
pub async fn load(store: &dyn Store, site: i64) -> anyhow::Result<()> {
    let commander = Principal {
        account: 0,
        username: Username::parse("commander.sjz").map_err(|e| anyhow::anyhow!(e.message))?,
        role: Role::Commander,
        scope: Scope::parse("130100").map_err(|e| anyhow::anyhow!(e.message))?,
    };
    let area = DivisionCode::parse("130102").map_err(|e| anyhow::anyhow!(e.message))?;
    let lab = store
        .create_lab(
            &commander.may_manage_campaigns()?,
            "长安区疾控中心实验室",
            area,
        )
        .await?;
    let sampler = principal("sampler1", Role::Sampler)?.may_sample()?;
    let lab1 = principal("lab1", Role::Lab)?.may_work_in_lab()?;
    let lab2 = principal("lab2", Role::Lab)?.may_work_in_lab()?;
    let now = cordon_domain::time::now_ms();
    let day = now - 10 * 60 * MINUTE;
    let assay = store
        .create_assay(
            &lab1,
            &AssayRequest {
                name: "新型冠状病毒核酸检测试剂盒（荧光 PCR 法）".into(),
                targets: ["ORF1ab", "N"]
                    .map(|n| Target {
                        name: n.into(),
                        cutoff: 40.0,
                    })
                    .into(),
                positive_when: "all".into(),
            }
            .parse()
            .map_err(|e| anyhow::anyhow!("{e:?}"))?,
            day,
        )
        .await?;
    let mut rng = SmallRng::seed_from_u64(24);
    let mut serial = 0;
    for (r, &tubes) in TUBES.iter().enumerate() {
        let start = day + r as i64 * 150 * MINUTE;
        let mut codes = Vec::new();
        let packed = Barcode::parse(&format!("CABOX2022120300{}", r + 1))?;
        store.open_box(&sampler, site, &packed, start).await?;
        for _ in 0..tubes {
            serial += 1;
            let code = Barcode::parse(&format!("CA20221203{serial:05}"))?;
            fill(store, &sampler, site, &code, &mut rng, start).await?;
            store.pack_tube(&sampler, &packed, &code).await?;
            codes.push(code);
        }
        store
            .hand_over_box(
                &sampler,
                &packed,
                "转运 李师傅 冀A7K301",
                start + 32 * MINUTE,
            )
            .await?;
        store
            .receive_tube(&lab1, lab.id, &packed, start + 40 * MINUTE)
            .await?;
        let controls = (Well::parse("H11")?, Well::parse("H12")?);
        let run = store
            .create_run(&lab1, lab.id, assay.id, controls, start + 45 * MINUTE)
            .await?;
        for code in &codes {
            store
                .place_tube(&lab1, run.id, code, None, start + 50 * MINUTE)
                .await?;
        }
        if r == 2 {
            break;
        }
        let steps = [
            (RunStep::Inactivated, 80),
            (RunStep::Sorted, 110),
            (RunStep::Amplified, 260),
        ];
        for (step, at) in steps {
            store
                .record_step(&lab1, run.id, step, start + at * MINUTE)
                .await?;
        }
        let mut cts = Cts::new();
        for (i, w) in Well::all().take(codes.len()).enumerate() {
            let positive = r == 1 && i == POSITIVE;
            let v = if positive {
                vec![Some(31.4), Some(29.8)]
            } else {
                vec![None, None]
            };
            cts.insert(w, v);
        }
        cts.insert(controls.0, vec![None, None]);
        cts.insert(controls.1, vec![Some(27.9), Some(28.6)]);
        store
            .import_results(&lab1, run.id, &cts, start + 270 * MINUTE)
            .await?;
        if r == 0 {
            store
                .release_run(&lab2, run.id, start + 285 * MINUTE)
                .await?;
        }
    }
    Ok(())
}

/// Opens, fills (ten persons of 长安区) and seals one tube.
async fn fill(
    store: &dyn Store,
    sampler: &cordon_domain::access::testing::Sample,
    site: i64,
    code: &Barcode,
    rng: &mut SmallRng,
    at: i64,
) -> anyhow::Result<()> {
    store
        .open_tube(sampler, site, code, Some(PoolSize::DEFAULT), at)
        .await?;
    for _ in 0..PoolSize::DEFAULT.get() {
        let document =
            IdentityDocument::parse(DocumentType::ResidentId, &resident_id(rng, 130102))?;
        let name = PersonName::parse(&format!(
            "{}{}",
            SURNAMES.choose(rng).expect("names"),
            GIVEN.choose(rng).expect("names")
        ))?;
        let member = NewMember::sealed(store.keyring(), &document, &name, |key| {
            member_context(code, key)
        });
        let at = at + rng.gen_range(0..30) * MINUTE;
        store.add_member(sampler, code, member, at).await?;
    }
    store
        .seal_tube(sampler, code, None, at + 30 * MINUTE)
        .await?;
    Ok(())
}
