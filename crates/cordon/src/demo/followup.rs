//! The demo's follow-up: two teams of callers in 长安区 (the demo accounts `caller1` to
//! `caller4`, led by `lead1` and `lead2`), the shipped questionnaire published, a list pushed
//! from another province (Beijing's arrivals living in 长安区), and a list made from a case's
//! first hop (those who rode with a person registered at a Shijiazhuang checkpoint, and those
//! who crossed it within half an hour). Made once: a store that has teams is left as it is.

use cordon_domain::access::{Role, Username};
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::division::DivisionCode;
use cordon_domain::followup::{ListRow, ListSource};
use cordon_domain::person::PersonName;
use cordon_store::followup::{NewList, NewListRow, NewTeam};
use cordon_store::{PassageQuery, Period, Store};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use super::principal;

const CHANGAN: &str = "130102";

fn user(name: &str) -> anyhow::Result<Username> {
    Username::parse(name).map_err(|e| anyhow::anyhow!(e.message))
}

/// The demo's follow-up, made once.
pub async fn load(store: &dyn Store, officer_checkpoints: &str) -> anyhow::Result<()> {
    let commander = principal("commander.sjz", Role::Commander, "130100")?;
    let read = commander.may_read_lists()?;
    if !store.list_teams(&read).await?.is_empty() {
        return Ok(());
    }
    let manage = commander.may_manage_teams()?;
    let changan = DivisionCode::parse(CHANGAN).map_err(|e| anyhow::anyhow!(e.message))?;
    for (name, lead, members) in [
        ("长安区一组", "lead1", ["caller1", "caller2"]),
        ("长安区二组", "lead2", ["caller3", "caller4"]),
    ] {
        store
            .create_team(
                &manage,
                NewTeam {
                    name: name.into(),
                    county: changan,
                    lead: user(lead)?,
                    members: members.iter().map(|m| user(m)).collect::<Result<_, _>>()?,
                },
            )
            .await?;
    }
    let change = commander.may_change_questionnaires()?;
    let standard = cordon_domain::followup::questionnaire::STANDARD;
    let q = cordon_domain::followup::questionnaire::compile(standard)
        .map_err(|p| anyhow::anyhow!("the shipped questionnaire does not check: {p:?}"))?;
    let v = store
        .create_questionnaire(&change, &q.name, standard)
        .await?;
    store.publish_questionnaire(&change, v.version).await?;

    let write = commander.may_write_lists()?;
    let keyring = store.keyring();
    let now = cordon_domain::time::now_ms();
    // Pushed from Beijing: forty arrivals who live in 长安区, some known by phone only.
    let mut rng = SmallRng::seed_from_u64(17);
    let today = cordon_domain::time::today_china();
    let pushed = Uuid::now_v7();
    let rows: Vec<ListRow> = (1..=40u32)
        .map(|i| {
            let with_document = !i.is_multiple_of(5);
            let number = crate::demo::traffic::resident_id(&mut rng, 110105);
            ListRow {
                row: i,
                name: PersonName::parse(&format!(
                    "{}{}",
                    ["王", "李", "张", "刘", "陈", "杨"][i as usize % 6],
                    ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇"][i as usize % 8]
                ))
                .expect("a name"),
                document: with_document.then(|| {
                    cordon_domain::identity::IdentityDocument::parse(
                        cordon_domain::identity::DocumentType::ResidentId,
                        &number,
                    )
                    .expect("a generated number")
                }),
                phone: cordon_domain::contact::MobileNumber::parse(&format!(
                    "13{}{:08}",
                    rng.gen_range(0..10),
                    rng.gen_range(0..100_000_000u32)
                ))
                .ok(),
                from: Some("北京市朝阳区".into()),
                arrived_on: Some(today - chrono::Duration::days(rng.gen_range(1..6))),
                address: Some(format!("长安区建设北大街 {} 号", rng.gen_range(1..200))),
                note: None,
            }
        })
        .collect();
    let scope = DivisionCode::parse("130100").map_err(|e| anyhow::anyhow!(e.message))?;
    store
        .add_followup_list(
            &write,
            NewList {
                id: pushed,
                source: ListSource::Push,
                label: "北京市推送 外省返石人员".into(),
                deadline_ms: now + 24 * 3_600_000,
                skipped: 0,
                rows: rows
                    .iter()
                    .map(|r| NewListRow::new(pushed, r, scope, keyring))
                    .collect(),
            },
        )
        .await?;

    // A case's first hop, as a trace finds it: who rode with the case, and who crossed the
    // same checkpoint within half an hour.
    let mut passages = Vec::new();
    let mut code = "";
    for c in officer_checkpoints.split(',') {
        let checkpoint = CheckpointCode::parse(c).map_err(|e| anyhow::anyhow!(e.message))?;
        passages = store
            .passages_at_checkpoint(
                &commander.may_read_passages(now)?,
                &PassageQuery {
                    checkpoint,
                    period: Period {
                        from_ms: now - 72 * 3_600_000,
                        to_ms: now,
                    },
                    after: None,
                    limit: 1_000,
                },
            )
            .await?
            .passages;
        code = c;
        if passages.iter().any(|p| p.occupants.len() >= 2) {
            break;
        }
    }
    let Some(case) = passages.iter().find(|p| p.occupants.len() >= 2) else {
        println!("Demo follow-up: two teams in 长安区, a list pushed from Beijing");
        return Ok(());
    };
    let at = case.observed_at.timestamp_millis();
    let mut contacts: Vec<(cordon_domain::person::PersonalData, String)> = case.occupants[1..]
        .iter()
        .map(|o| (o.person.clone(), format!("hop 1 · same_vehicle · {code}")))
        .collect();
    for p in &passages {
        let gap = (p.observed_at.timestamp_millis() - at).abs();
        if p.id != case.id && gap <= 30 * 60_000 && contacts.len() < 30 {
            for o in &p.occupants {
                contacts.push((
                    o.person.clone(),
                    format!("hop 1 · same_checkpoint · {code}"),
                ));
            }
        }
    }
    let traced = Uuid::now_v7();
    let rows: Vec<ListRow> = contacts
        .into_iter()
        .enumerate()
        .map(|(i, (person, link))| ListRow {
            row: i as u32 + 1,
            name: person.name,
            document: Some(person.document),
            phone: person.phone,
            from: None,
            arrived_on: None,
            address: Some("长安区".into()),
            note: Some(link),
        })
        .collect();
    store
        .add_followup_list(
            &write,
            NewList {
                id: traced,
                source: ListSource::Trace,
                label: format!(
                    "流调 冀石-2022-017 {}",
                    case.occupants[0].person.document.masked_number()
                ),
                deadline_ms: now + 24 * 3_600_000,
                skipped: 0,
                rows: rows
                    .iter()
                    .map(|r| NewListRow::new(traced, r, scope, keyring))
                    .collect(),
            },
        )
        .await?;
    println!(
        "Demo follow-up: two teams in 长安区, a list pushed from Beijing, a list from a trace"
    );
    Ok(())
}
