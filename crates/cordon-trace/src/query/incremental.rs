//! An index built at once and one built from half the rows with the rest added after must
//! answer every trace alike, and so must its rebuild.

use super::*;
use crate::index::IndexRow;
use cordon_domain::passage::Role;
use proptest::prelude::*;
use uuid::Uuid;

fn rows() -> impl Strategy<Value = Vec<IndexRow>> {
    prop::collection::vec(
        (
            1u32..4,
            0i64..600,
            prop::option::of(0u8..5),
            prop::collection::btree_set(0u128..25, 1..4),
            any::<bool>(),
        ),
        1..80,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (cp, minute, plate, who, inbound))| IndexRow {
                id: Uuid::from_u128(i as u128 + 1),
                checkpoint: cp,
                lane: 1,
                inbound,
                observed_ms: minute * 60_000,
                recorded_ms: i as i64,
                plate: plate.map(|p| format!("P{p}")),
                occupants: who.into_iter().map(|k| (k, Role::Passenger)).collect(),
            })
            .collect()
    })
}

/// A contact as answered: id, hop, links (kind, passage id, gap).
type Answered = (u128, u8, Vec<(EvidenceKind, u128, i64)>);

fn answer(index: &TraceIndex, subject: Subject, hops: u8) -> Vec<Answered> {
    let visible = |c: u32| c != 3;
    let a = trace(
        index,
        &TraceQuery {
            subject,
            from_ms: 0,
            to_ms: 400 * 60_000,
            window_ms: 20 * 60_000,
            hops,
            same_direction: false,
            same_lane: false,
            max_contacts: 1_000,
            max_evidence: 1_000,
            visible: &visible,
        },
    );
    let mut out: Vec<_> = a
        .contacts
        .iter()
        .map(|c| {
            let key = (0..25u128)
                .find(|&k| index.person_number(k) == Some(c.person))
                .unwrap();
            let mut e: Vec<_> = a
                .evidence_of(c)
                .iter()
                .map(|e| (e.kind, index.id(e.passage).as_u128(), e.gap_ms))
                .collect();
            e.sort();
            (key, c.hop, e)
        })
        .collect();
    out.sort();
    out
}

proptest! {
    #[test]
    fn added_rows_answer_like_built_ones(rows in rows(), split in 0usize..80, person in 0u128..25, plate in 0u8..5) {
        let split = split.min(rows.len());
        let whole = TraceIndex::build(rows.clone());
        let mut grown = TraceIndex::build(rows[..split].to_vec());
        grown.add(rows[split..].to_vec());
        let rebuilt = grown.without_before(i64::MIN);
        for hops in 1..=2 {
            for subject in [Subject::Person(person), Subject::Plate(format!("P{plate}"))] {
                let expected = answer(&whole, subject.clone(), hops);
                prop_assert_eq!(&answer(&grown, subject.clone(), hops), &expected);
                prop_assert_eq!(&answer(&rebuilt, subject, hops), &expected);
            }
        }
        prop_assert_eq!(rebuilt.passages(), rows.len());
    }
}
