//! The lab on both backends: tubes received at a lab (sealed ones only, once), placed on a
//! run's plate (received here, one plate ever, never on a control), the run's steps in order,
//! the instrument's values read by the assay (the plate's wells and no others), and the release
//! by a second person once the controls read as they must: a positive pool recalls its persons,
//! a negative pool clears them, a tube of one gives its person's result, and the lane can read
//! each person's latest result.

use std::collections::BTreeMap;
use std::sync::Arc;

use cordon_domain::access::testing::{LabWork, Sample};
use cordon_domain::access::Role;
use cordon_domain::testing::antigen::CordonTest;
use cordon_domain::testing::instrument::Cts;
use cordon_domain::testing::lab::{AssayRequest, MemberResult, Reading, RunStep, Target, Well};
use cordon_domain::testing::{Barcode, NewCampaign, PoolSize};
use cordon_store::{Store, StoreError};

use super::support::*;
use super::testing::{member, principal};

fn code(s: &str) -> Barcode {
    Barcode::parse(s).unwrap()
}

fn well(s: &str) -> Well {
    Well::parse(s).unwrap()
}

fn invalid<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Invalid(f)) => f.code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Fills and seals a tube of `seeds`, pooled as many as there are.
async fn sealed_tube(s: &dyn Store, sampler: &Sample, site: i64, barcode: &str, seeds: &[u32]) {
    let b = code(barcode);
    let pool = PoolSize::parse(if seeds.len() == 1 { 1 } else { 5 }).unwrap();
    let now = cordon_domain::time::now_ms();
    s.open_tube(sampler, site, &b, Some(pool), now)
        .await
        .unwrap();
    for &seed in seeds {
        s.add_member(sampler, &b, member(s, &b, seed), now)
            .await
            .unwrap();
    }
    let short = (seeds.len() != 1 && seeds.len() != 5).then_some("队尾");
    s.seal_tube(sampler, &b, short, now).await.unwrap();
}

fn values(rows: &[(&str, Option<f64>, Option<f64>)]) -> Cts {
    rows.iter()
        .map(|(w, a, b)| (well(w), vec![*a, *b]))
        .collect::<BTreeMap<_, _>>()
}

/// A campaign, a site and a sealed tube holding person `seed` (named `测试{seed}`).
pub async fn tested(s: &dyn Store, seed: u32) {
    let now = cordon_domain::time::now_ms();
    let manage = principal(Role::Commander, "130100", "city1")
        .may_manage_campaigns()
        .unwrap();
    let c = s
        .create_campaign(
            &manage,
            NewCampaign {
                name: "封存检查".into(),
                area: div("130102"),
                deadline_ms: now + 86_400_000,
                pool_size: PoolSize::DEFAULT,
            },
        )
        .await
        .unwrap();
    let site = s.create_site(&manage, c.id, "1 号点", 1).await.unwrap();
    let sampler = principal(Role::Sampler, "130102", "sampler1")
        .may_sample()
        .unwrap();
    let b = code("SEALED000001");
    s.open_tube(&sampler, site.id, &b, None, now).await.unwrap();
    let doc = cordon_domain::identity::IdentityDocument::parse(
        cordon_domain::identity::DocumentType::ResidentId,
        &resident_id(seed),
    )
    .unwrap();
    let name = cordon_domain::person::PersonName::parse(&format!("测试{seed}")).unwrap();
    let m = cordon_store::testing::NewMember::sealed(s.keyring(), &doc, &name, |k| {
        cordon_store::testing::member_context(&b, k)
    });
    s.add_member(&sampler, &b, m, now).await.unwrap();
}

pub async fn a_run_is_read_and_released_by_a_second_person(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let now = cordon_domain::time::now_ms();
    let commander = principal(Role::Commander, "130100", "city1");
    let manage = commander.may_manage_campaigns().unwrap();
    let c = s
        .create_campaign(
            &manage,
            NewCampaign {
                name: "长安区全员核酸".into(),
                area: div("130102"),
                deadline_ms: now + 86_400_000,
                pool_size: PoolSize::DEFAULT,
            },
        )
        .await
        .unwrap();
    let site = s.create_site(&manage, c.id, "1 号点", 1).await.unwrap();
    let lab = s
        .create_lab(&manage, "长安区疾控实验室", div("130102"))
        .await
        .unwrap();
    assert_eq!(
        invalid(
            s.create_lab(&manage, "长安区疾控实验室", div("130102"))
                .await
        ),
        "duplicate"
    );
    let sampler = principal(Role::Sampler, "130102", "sampler1")
        .may_sample()
        .unwrap();
    sealed_tube(s, &sampler, site.id, "HB0001", &[1, 2, 3, 4, 5]).await;
    sealed_tube(s, &sampler, site.id, "HB0002", &[6, 7, 8, 9, 10]).await;
    sealed_tube(s, &sampler, site.id, "HB0003", &[11]).await;
    let open = code("HB0004");
    s.open_tube(&sampler, site.id, &open, None, now)
        .await
        .unwrap();

    let lab_work = |name: &str, scope: &str| -> LabWork {
        principal(Role::Lab, scope, name).may_work_in_lab().unwrap()
    };
    let (lab1, lab2, stranger) = (
        lab_work("lab1", "130102"),
        lab_work("lab2", "130102"),
        lab_work("lab9", "130200"),
    );
    let assay = s
        .create_assay(
            &lab1,
            &AssayRequest {
                name: "双靶标荧光 PCR".into(),
                targets: vec![
                    Target {
                        name: "ORF1ab".into(),
                        cutoff: 40.0,
                    },
                    Target {
                        name: "N".into(),
                        cutoff: 40.0,
                    },
                ],
                positive_when: "all".into(),
            }
            .parse()
            .unwrap(),
            now,
        )
        .await
        .unwrap();
    assert_eq!(s.list_assays().await.unwrap()[0], assay);

    // Received at the door: sealed tubes only, once; another city's lab account finds no lab.
    assert!(matches!(
        s.receive_tube(&stranger, lab.id, &code("HB0001"), now)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        invalid(s.receive_tube(&lab1, lab.id, &open, now).await),
        "not_sealed"
    );
    for b in ["HB0001", "HB0002"] {
        let r = s.receive_tube(&lab1, lab.id, &code(b), now).await.unwrap();
        assert_eq!((r.persons, r.already), (5, false));
    }
    let again = s
        .receive_tube(&lab2, lab.id, &code("HB0001"), now)
        .await
        .unwrap();
    assert!(again.already);

    let run = s
        .create_run(&lab1, lab.id, assay.id, (well("H11"), well("H12")), now)
        .await
        .unwrap();
    assert_eq!(run.step, RunStep::Created);
    assert_eq!(run.wells.len(), 2, "the two controls");
    assert_eq!(
        invalid(
            s.place_tube(&lab1, run.id, &code("HB0003"), None, now)
                .await
        ),
        "not_received"
    );
    s.place_tube(&lab1, run.id, &code("HB0001"), None, now)
        .await
        .unwrap();
    let placed = s
        .place_tube(&lab1, run.id, &code("HB0001"), None, now)
        .await
        .unwrap();
    assert_eq!(placed.wells.len(), 3, "a scan repeated places nothing");
    assert_eq!(
        invalid(
            s.place_tube(&lab1, run.id, &code("HB0002"), Some(well("H12")), now)
                .await
        ),
        "well_taken"
    );
    s.receive_tube(&lab1, lab.id, &code("HB0003"), now)
        .await
        .unwrap();
    s.place_tube(&lab1, run.id, &code("HB0002"), None, now)
        .await
        .unwrap();
    let run_view = s
        .place_tube(&lab1, run.id, &code("HB0003"), Some(well("D4")), now)
        .await
        .unwrap();
    let at: Vec<(String, Option<String>)> = run_view
        .wells
        .iter()
        .map(|w| (w.well.to_string(), w.tube.clone()))
        .collect();
    assert_eq!(at[0], ("A1".into(), Some("HB0001".into())));
    assert_eq!(at[1], ("B1".into(), Some("HB0002".into())));
    assert_eq!(at[2], ("D4".into(), Some("HB0003".into())));
    let other = s
        .create_run(&lab2, lab.id, assay.id, (well("A1"), well("A2")), now)
        .await
        .unwrap();
    assert_eq!(
        invalid(
            s.place_tube(&lab2, other.id, &code("HB0001"), None, now)
                .await
        ),
        "on_another_plate"
    );

    // Steps in order; results only once amplified.
    assert_eq!(
        invalid(s.record_step(&lab1, run.id, RunStep::Sorted, now).await),
        "step_out_of_order"
    );
    let good = values(&[
        ("A1", Some(30.1), Some(31.0)),
        ("B1", None, None),
        ("D4", Some(25.0), Some(26.0)),
        ("H11", None, None),
        ("H12", Some(28.0), Some(29.0)),
    ]);
    assert_eq!(
        invalid(s.import_results(&lab1, run.id, &good, now).await),
        "not_amplified"
    );
    for step in [RunStep::Inactivated, RunStep::Sorted, RunStep::Amplified] {
        s.record_step(&lab1, run.id, step, now).await.unwrap();
    }
    assert_eq!(
        invalid(
            s.place_tube(&lab1, run.id, &code("HB0002"), None, now)
                .await
        ),
        "plate_closed"
    );
    let mut stray = good.clone();
    stray.insert(well("E5"), vec![None, None]);
    assert_eq!(
        invalid(s.import_results(&lab1, run.id, &stray, now).await),
        "unknown_well"
    );
    let mut short = good.clone();
    short.remove(&well("B1"));
    assert_eq!(
        invalid(s.import_results(&lab1, run.id, &short, now).await),
        "missing_well"
    );
    assert_eq!(
        invalid(s.release_run(&lab2, run.id, now).await),
        "not_resulted"
    );
    let read = s.import_results(&lab1, run.id, &good, now).await.unwrap();
    assert_eq!(read.step, RunStep::Resulted);
    assert_eq!(read.controls_ok, Some(true));
    assert_eq!(read.wells[0].reading, Some(Reading::Positive));
    assert_eq!(read.wells[1].reading, Some(Reading::Negative));

    // Released by a second person only; the lane then reads the results.
    assert_eq!(invalid(s.release_run(&lab1, run.id, now).await), "own_run");
    let released = s.release_run(&lab2, run.id, now + 1).await.unwrap();
    assert_eq!(
        (
            released.tubes,
            released.persons,
            released.recalled,
            released.already
        ),
        (3, 11, 6, false)
    );
    assert_eq!(released.run.released_by.as_deref(), Some("lab2"));
    let twice = s.release_run(&lab2, run.id, now + 2).await.unwrap();
    assert!(twice.already);
    let recalled = s.recall_persons(&lab2.read(), run.id).await.unwrap();
    assert_eq!(recalled.len(), 6);
    assert_eq!(
        recalled
            .iter()
            .filter(|p| p.result == MemberResult::Recall)
            .count(),
        5
    );
    assert_eq!(recalled[5].result, MemberResult::Positive);
    assert_eq!(recalled[5].barcode.as_str(), "HB0003");
    let keys: Vec<String> = [1, 6, 11, 12]
        .iter()
        .map(|&seed| {
            let b = code("HB0001");
            member(s, &b, seed).person_key
        })
        .collect();
    let results = s.latest_results(&keys).await.unwrap();
    let got: Vec<Option<CordonTest>> = results.iter().map(|r| r.map(|r| r.test)).collect();
    assert_eq!(
        got,
        [
            Some(CordonTest::Lab(MemberResult::Recall)),
            Some(CordonTest::Lab(MemberResult::Negative)),
            Some(CordonTest::Lab(MemberResult::Positive)),
            None
        ]
    );
    assert_eq!(results[0].unwrap().released_at_ms, now + 1);

    // A run whose positive control did not amplify is not released.
    sealed_tube(s, &sampler, site.id, "HB0005", &[20, 21]).await;
    s.receive_tube(&lab2, lab.id, &code("HB0005"), now)
        .await
        .unwrap();
    s.place_tube(&lab2, other.id, &code("HB0005"), None, now)
        .await
        .unwrap();
    for step in [RunStep::Inactivated, RunStep::Sorted, RunStep::Amplified] {
        s.record_step(&lab2, other.id, step, now).await.unwrap();
    }
    let failed = s
        .import_results(
            &lab2,
            other.id,
            &values(&[("A1", None, None), ("A2", None, None), ("B1", None, None)]),
            now,
        )
        .await
        .unwrap();
    assert_eq!(failed.controls_ok, Some(false));
    assert_eq!(
        invalid(s.release_run(&lab1, other.id, now).await),
        "controls_failed"
    );
    let lines = s
        .list_runs(&commander.may_read_testing().unwrap(), lab.id, 10)
        .await
        .unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!((lines[1].tubes, lines[1].positives), (3, 2));

    // The campaign's board: run 1's three tubes resulted, HB0005 in the lab, HB0004 open;
    // nothing is late (every sealed tube was received).
    let read = commander.may_read_testing().unwrap();
    let b = s.campaign_board(&read, c.id, 1, now + 10).await.unwrap();
    assert_eq!(
        (
            b.tubes.open,
            b.tubes.in_transit,
            b.tubes.in_lab,
            b.tubes.resulted
        ),
        (1, 0, 1, 3)
    );
    assert_eq!((b.persons, b.positive_tubes, b.recalled), (13, 2, 6));
    assert_eq!(
        b.recalls
            .iter()
            .map(|r| (r.run, r.tubes, r.persons))
            .collect::<Vec<_>>(),
        [(run.id, 2, 6)]
    );
    assert_eq!(b.late, 0);
    assert_eq!(b.per_hour.iter().map(|h| h.tubes).sum::<i64>(), 3);
    assert_eq!(b.turnaround_p50_minutes, Some(0));
    // HB0004 sealed and never received: late two hours on.
    s.add_member(&sampler, &open, member(s, &open, 30), now)
        .await
        .unwrap();
    s.seal_tube(&sampler, &open, Some("队尾"), now)
        .await
        .unwrap();
    let later = s
        .campaign_board(&read, c.id, 1, now + 2 * 3_600_000)
        .await
        .unwrap();
    assert_eq!((later.tubes.in_transit, later.late), (1, 1));
    assert_eq!(later.late_tubes[0].barcode, "HB0004");
    let stranger = principal(Role::Commander, "130200", "other")
        .may_read_testing()
        .unwrap();
    assert!(matches!(
        s.campaign_board(&stranger, c.id, 1, now).await,
        Err(StoreError::NotFound { .. })
    ));

    // Retention purges the sealed persons; masked fields and results stay.
    assert!(s.purge_testing(now + 3_600_000).await.unwrap() >= 14);
    assert_eq!(s.purge_testing(now + 3_600_000).await.unwrap(), 0, "once");
    let recalled = s.recall_persons(&lab2.read(), run.id).await.unwrap();
    assert!(recalled.iter().all(|p| p.sealed.is_none()));
    assert_eq!(recalled[0].document.number.len(), 18);
    assert_eq!(
        s.latest_results(&keys[..1]).await.unwrap()[0].map(|r| r.test),
        Some(CordonTest::Lab(MemberResult::Recall))
    );
}

pub async fn boxes_carry_sealed_tubes_to_the_lab(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let now = cordon_domain::time::now_ms();
    let manage = principal(Role::Commander, "130100", "city1")
        .may_manage_campaigns()
        .unwrap();
    let c = s
        .create_campaign(
            &manage,
            NewCampaign {
                name: "长安区全员核酸".into(),
                area: div("130102"),
                deadline_ms: now + 86_400_000,
                pool_size: PoolSize::DEFAULT,
            },
        )
        .await
        .unwrap();
    let site = s.create_site(&manage, c.id, "1 号点", 1).await.unwrap();
    let other_site = s.create_site(&manage, c.id, "2 号点", 1).await.unwrap();
    let lab = s
        .create_lab(&manage, "长安区疾控实验室", div("130102"))
        .await
        .unwrap();
    let sampler = principal(Role::Sampler, "130102", "sampler1")
        .may_sample()
        .unwrap();
    sealed_tube(s, &sampler, site.id, "HB0101", &[1, 2, 3, 4, 5]).await;
    sealed_tube(s, &sampler, site.id, "HB0102", &[6, 7, 8, 9, 10]).await;
    sealed_tube(s, &sampler, other_site.id, "HB0201", &[11]).await;
    let open = code("HB0103");
    s.open_tube(&sampler, site.id, &open, None, now)
        .await
        .unwrap();
    let bx = code("BOX0001");
    assert_eq!(
        invalid(s.open_box(&sampler, site.id, &code("HB0101"), now).await),
        "barcode_used"
    );
    s.open_box(&sampler, site.id, &bx, now).await.unwrap();
    assert_eq!(
        invalid(s.hand_over_box(&sampler, &bx, "李师傅", now).await),
        "box_empty"
    );
    for t in ["HB0101", "HB0102", "HB0101"] {
        s.pack_tube(&sampler, &bx, &code(t)).await.unwrap();
    }
    assert_eq!(
        invalid(s.pack_tube(&sampler, &bx, &open).await),
        "not_sealed"
    );
    assert_eq!(
        invalid(s.pack_tube(&sampler, &bx, &code("HB0201")).await),
        "other_site"
    );
    let handed = s
        .hand_over_box(&sampler, &bx, "李师傅", now + 1)
        .await
        .unwrap();
    assert_eq!(
        (
            handed.tubes.len(),
            handed.persons,
            handed.handed_to.as_deref()
        ),
        (2, 10, Some("李师傅"))
    );
    let again = s
        .hand_over_box(&sampler, &bx, "王师傅", now + 2)
        .await
        .unwrap();
    assert_eq!(again.handed_at_ms, Some(now + 1), "handed once");
    let other_box = code("BOX0002");
    s.open_box(&sampler, site.id, &other_box, now)
        .await
        .unwrap();
    assert_eq!(
        invalid(s.pack_tube(&sampler, &other_box, &code("HB0101")).await),
        "in_another_box"
    );
    // One scan of the box at the lab's door receives both tubes; the second, nothing.
    let lab1 = principal(Role::Lab, "130102", "lab1")
        .may_work_in_lab()
        .unwrap();
    let r = s.receive_tube(&lab1, lab.id, &bx, now).await.unwrap();
    assert_eq!((r.tubes, r.persons, r.already), (2, 10, false));
    let r = s.receive_tube(&lab1, lab.id, &bx, now).await.unwrap();
    assert!(r.already);
    let t = s.tube(&lab1.read(), &code("HB0102")).await.unwrap();
    assert_eq!(t.barcode, "HB0102");
    let board = s.campaign_board(&lab1.read(), c.id, 4, now).await.unwrap();
    assert_eq!((board.tubes.in_lab, board.tubes.in_transit), (2, 1));
}

conformance!(
    a_run_is_read_and_released_by_a_second_person,
    boxes_carry_sealed_tubes_to_the_lab
);
