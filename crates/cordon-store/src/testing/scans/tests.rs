//! A group's scans decided in order, against the facts and against each other.

use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_domain::identity::{DocumentType, MaskedDocument};
use cordon_domain::testing::Barcode;

use super::*;

fn scan(barcode: &str, person: &str, scope: &str) -> Scan {
    let sampler = Principal {
        account: 1,
        username: Username::parse("sampler").expect("a name"),
        role: Role::Sampler,
        scope: Scope::parse(scope).expect("a scope"),
    };
    Scan {
        barcode: Barcode::parse(barcode).expect("a barcode"),
        grant: sampler.may_sample().expect("a sampler samples"),
        member: NewMember {
            person_key: person.into(),
            masked_name: "张*".into(),
            document: MaskedDocument {
                kind: DocumentType::ResidentId,
                number: "1301**********1234".into(),
            },
            sealed: vec![1, 2, 3],
        },
        at_ms: 1,
        audit: None,
    }
}

fn tube(id: i64, pool_size: i64, members: i64, state: &str) -> TubeRow {
    TubeRow {
        id,
        state: state.into(),
        pool_size,
        members,
        area: 130102,
        campaign: 7,
    }
}

fn facts(tubes: &[(&str, TubeRow)]) -> Facts {
    Facts {
        tubes: tubes
            .iter()
            .map(|(c, t)| ((*c).to_owned(), t.clone()))
            .collect(),
        ..Facts::default()
    }
}

fn codes(results: &[Decided]) -> Vec<String> {
    results
        .iter()
        .map(|r| match r {
            Ok(already) => format!("ok {already}"),
            Err(StoreError::Invalid(e)) => e.code.clone(),
            Err(StoreError::NotFound { .. }) => "not_found".into(),
            Err(e) => format!("{e}"),
        })
        .collect()
}

#[test]
fn a_group_fills_a_tube_to_its_pool_and_refuses_the_next() {
    let scans: Vec<Scan> = (0..6)
        .map(|i| scan("TA00001", &format!("p{i}"), "130102"))
        .collect();
    let refs: Vec<&Scan> = scans.iter().collect();
    let plan = plan(&refs, facts(&[("TA00001", tube(1, 5, 0, "open"))]));
    assert_eq!(
        codes(&plan.results),
        [
            "ok false",
            "ok false",
            "ok false",
            "ok false",
            "ok false",
            "tube_full"
        ]
    );
    assert_eq!(plan.accepted.len(), 5);
    assert_eq!(plan.counts, [(1, 5)]);
    assert_eq!(plan.new_persons, [(7, 5)], "five persons new to campaign 7");
}

#[test]
fn the_same_person_twice_in_a_group_is_answered_again_and_into_another_tube_refused() {
    let scans = [
        scan("TA00001", "p", "130102"),
        scan("TA00001", "p", "130102"),
        scan("TB00002", "p", "130102"),
    ];
    let refs: Vec<&Scan> = scans.iter().collect();
    let plan = plan(
        &refs,
        facts(&[
            ("TA00001", tube(1, 10, 0, "open")),
            ("TB00002", tube(2, 10, 0, "open")),
        ]),
    );
    assert_eq!(
        codes(&plan.results),
        ["ok false", "ok true", "in_open_tube"]
    );
    assert_eq!(plan.accepted.len(), 1);
    assert_eq!(plan.counts, [(1, 1)]);
}

#[test]
fn stored_facts_decide_as_a_scan_alone_would() {
    let scans = [
        scan("TA00001", "open-elsewhere", "130102"),
        scan("TA00001", "open-here", "130102"),
        scan("TS00003", "sealed-in", "130102"),
        scan("TS00003", "new", "130102"),
        scan("TX99999", "new", "130102"),
        scan("TA00001", "other-county", "130104"),
        scan("TA00001", "recalled", "130102"),
        scan("TO00004", "recalled", "130102"),
    ];
    let refs: Vec<&Scan> = scans.iter().collect();
    let mut f = facts(&[
        ("TA00001", tube(1, 10, 1, "open")),
        ("TS00003", tube(3, 10, 4, "sealed")),
        ("TO00004", tube(4, 1, 0, "open")),
    ]);
    f.open.insert("open-elsewhere".into(), 99);
    f.open.insert("open-here".into(), 1);
    f.held.insert((3, "sealed-in".into()));
    f.recalled.insert("recalled".into());
    let plan = plan(&refs, f);
    assert_eq!(
        codes(&plan.results),
        [
            "in_open_tube",
            "ok true",
            "ok true",
            "tube_sealed",
            "not_found",
            "not_found",
            "recalled_alone",
            "ok false"
        ]
    );
    assert_eq!(plan.counts, [(4, 1)]);
    assert_eq!(plan.new_persons, [(7, 1)]);
}

#[test]
fn a_person_sampled_before_in_the_campaign_is_not_counted_again() {
    let scans = [
        scan("TA00001", "before", "130102"),
        scan("TA00001", "new", "130102"),
    ];
    let refs: Vec<&Scan> = scans.iter().collect();
    let mut f = facts(&[("TA00001", tube(1, 10, 0, "open"))]);
    f.in_campaign.insert((7, "before".into()));
    f.in_campaign.insert((8, "new".into()));
    let plan = plan(&refs, f);
    assert_eq!(codes(&plan.results), ["ok false", "ok false"]);
    assert_eq!(
        plan.new_persons,
        [(7, 1)],
        "only `new` is new to campaign 7"
    );
}

#[test]
fn group_keys_are_distinct() {
    let scans = [
        scan("TA00001", "p", "130102"),
        scan("TA00001", "q", "130102"),
        scan("TB00002", "p", "130102"),
    ];
    let refs: Vec<&Scan> = scans.iter().collect();
    let (codes, persons) = group_keys(&refs);
    assert_eq!(codes, ["TA00001", "TB00002"]);
    assert_eq!(persons, ["p", "q"]);
}
