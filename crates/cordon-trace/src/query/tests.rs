//! Traces on small hand-made networks: each kind of link, hops, hidden checkpoints, plates,
//! the cap, and the checkpoint link's options.

use super::*;
use crate::index::IndexRow;
use cordon_domain::passage::Role;

const MIN: i64 = 60_000;

/// A passage whose occupants all ride as passengers.
fn row(n: u128, checkpoint: u32, minute: i64, plate: Option<&str>, who: &[u128]) -> IndexRow {
    let who: Vec<(u128, Role)> = who.iter().map(|&k| (k, Role::Passenger)).collect();
    crate::trajectory::tests::row(n, checkpoint, minute, plate, &who)
}

fn query(subject: Subject, hops: u8, visible: &(dyn Fn(u32) -> bool + Sync)) -> TraceQuery<'_> {
    TraceQuery {
        subject,
        from_ms: 0,
        to_ms: 1_000 * MIN,
        window_ms: 30 * MIN,
        hops,
        same_direction: false,
        same_lane: false,
        max_contacts: 100,
        max_evidence: 10,
        visible,
    }
}

fn kinds(index: &TraceIndex, a: &TraceAnswer) -> Vec<(u128, u8, Vec<EvidenceKind>)> {
    let mut out: Vec<_> = a
        .contacts
        .iter()
        .map(|c| {
            let key = (1..=10u128)
                .find(|&k| index.person_number(k) == Some(c.person))
                .unwrap();
            (
                key,
                c.hop,
                a.evidence_of(c).iter().map(|e| e.kind).collect(),
            )
        })
        .collect();
    out.sort();
    out
}

fn network() -> TraceIndex {
    TraceIndex::build(vec![
        // The case (1) rides with 2 in car A at checkpoint 1, minute 100.
        row(1, 1, 100, Some("A"), &[1, 2]),
        // 3 passes checkpoint 1 ten minutes later; 4 an hour later (outside the window).
        row(2, 1, 110, Some("B"), &[3]),
        row(3, 1, 160, Some("C"), &[4]),
        // 5 drives car A the next day.
        row(4, 2, 900, Some("A"), &[5]),
        // 6 rides with 5 in car D: two hops from the case.
        row(5, 3, 950, Some("D"), &[5, 6]),
        // 7 passes checkpoint 1 within the window, but checkpoint 1 is hidden from some.
        row(6, 1, 95, None, &[7]),
    ])
}

#[test]
fn one_hop_finds_each_kind_of_link() {
    let index = network();
    let all = |_: u32| true;
    let a = trace(&index, &query(Subject::Person(1), 1, &all));
    let ids = |ps: &[u32]| {
        ps.iter()
            .map(|&p| index.id(p).as_u128())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&a.subject_passages), vec![1]);
    assert_eq!(
        kinds(&index, &a),
        vec![
            (2, 1, vec![EvidenceKind::SameVehicle]),
            (3, 1, vec![EvidenceKind::SameCheckpoint]),
            (5, 1, vec![EvidenceKind::SharedVehicle]),
            (7, 1, vec![EvidenceKind::SameCheckpoint]),
        ]
    );
    let three = a
        .contacts
        .iter()
        .find(|c| index.id(a.evidence_of(c)[0].passage).as_u128() == 2)
        .unwrap();
    assert_eq!(a.evidence_of(three)[0].gap_ms, 10 * MIN);
    assert_eq!(index.id(a.evidence_of(three)[0].linked).as_u128(), 1);
    assert_eq!(a.truncated, None);
}

#[test]
fn two_hops_reach_the_contacts_of_contacts_once() {
    let index = network();
    let all = |_: u32| true;
    let a = trace(&index, &query(Subject::Person(1), 2, &all));
    let found = kinds(&index, &a);
    assert!(
        found.contains(&(6, 2, vec![EvidenceKind::SameVehicle])),
        "{found:?}"
    );
    assert_eq!(found.iter().filter(|c| c.0 == 2).count(), 1);
    assert!(
        found.iter().all(|c| c.0 != 1),
        "the subject is never a contact"
    );
    let six = a.contacts.iter().find(|c| c.hop == 2).unwrap();
    assert!(matches!(a.evidence_of(six)[0].from, Link::Contact(_)));
}

#[test]
fn hidden_checkpoints_link_nobody() {
    let index = network();
    let not_one = |c: u32| c != 1;
    let a = trace(&index, &query(Subject::Person(1), 1, &not_one));
    assert!(a.subject_passages.is_empty());
    assert!(a.contacts.is_empty());
}

#[test]
fn plates_trace_their_riders_and_neighbours() {
    let index = network();
    let all = |_: u32| true;
    let a = trace(&index, &query(Subject::Plate("A".into()), 1, &all));
    let found: Vec<u128> = kinds(&index, &a).into_iter().map(|c| c.0).collect();
    assert_eq!(found, vec![1, 2, 3, 5, 7]);
    let none = trace(&index, &query(Subject::Plate("Z".into()), 1, &all));
    assert!(none.contacts.is_empty() && none.subject_passages.is_empty());
}

#[test]
fn the_cap_cuts_and_says_where() {
    let index = network();
    let all = |_: u32| true;
    let mut q = query(Subject::Person(1), 2, &all);
    q.max_contacts = 2;
    let a = trace(&index, &q);
    assert_eq!(a.contacts.len(), 2);
    assert_eq!(
        a.truncated,
        Some(Cut {
            hop: 1,
            reason: "max_contacts"
        })
    );
}

#[test]
fn options_narrow_the_checkpoint_link() {
    let mut rows = vec![row(1, 1, 100, None, &[1]), row(2, 1, 105, None, &[2])];
    rows[1].inbound = false;
    let index = TraceIndex::build(rows);
    let all = |_: u32| true;
    let mut q = query(Subject::Person(1), 1, &all);
    assert_eq!(trace(&index, &q).contacts.len(), 1);
    q.same_direction = true;
    assert_eq!(trace(&index, &q).contacts.len(), 0);
}
