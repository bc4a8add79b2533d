//! The index's own answers: person keys read from hex hashes, rows added twice held once, and
//! windows at a checkpoint and persons' passages against a plain scan of the rows.

use super::*;

fn row(n: u8, checkpoint: u32, at: i64, plate: Option<&str>, who: &[u128]) -> IndexRow {
    IndexRow {
        id: Uuid::from_u128(u128::from(n)),
        checkpoint,
        lane: 1,
        inbound: true,
        observed_ms: at,
        recorded_ms: at,
        plate: plate.map(str::to_owned),
        occupants: who.iter().map(|&k| (k, Role::Passenger)).collect(),
    }
}

#[test]
fn keys_are_the_first_128_bits_of_the_hex_hash() {
    let hex = "00112233445566778899aabbccddeeff0123456789abcdef0123456789abcdef";
    assert_eq!(person_key(hex), Some(0x00112233445566778899aabbccddeeff));
    assert_eq!(person_key("zz"), None);
    assert_eq!(person_key(&"g".repeat(64)), None);
}

#[test]
fn rows_added_twice_are_held_once() {
    let mut index = TraceIndex::build(vec![row(1, 1, 1_000, Some("冀A12345"), &[7, 8])]);
    assert_eq!(
        index.add(vec![row(1, 1, 1_000, Some("冀A12345"), &[7, 8])]),
        0
    );
    assert_eq!(index.add(vec![row(2, 2, 2_000, None, &[7])]), 1);
    assert_eq!(
        (index.passages(), index.person_passages(), index.persons()),
        (2, 3, 2)
    );
    let seven = index.person_number(7).unwrap();
    let trail: Vec<u128> = index
        .by_person
        .between(seven, &index.at, 0, 10_000)
        .into_iter()
        .map(|p| index.id(p).as_u128())
        .collect();
    assert_eq!(trail, vec![1, 2]);
    assert!(index.bytes() > 0);
    let newer = index.without_before(1_500);
    assert_eq!((newer.passages(), newer.persons()), (1, 1));
    assert_eq!(newer.watermark(), index.watermark());
    assert_eq!(newer.oldest_ms(), Some(2_000));
    assert!(newer.person_number(8).is_none());
}

proptest::proptest! {
    /// Windows at a checkpoint and person lookups, through the time sample and the key
    /// directory, find exactly what a plain scan finds.
    #[test]
    fn windows_and_persons_match_a_scan(
        times in proptest::collection::vec((1u32..4, 0i64..5_000), 1..400),
        windows in proptest::collection::vec((0i64..5_200, 0i64..800), 1..20),
    ) {
        let rows: Vec<IndexRow> = times
            .iter()
            .enumerate()
            .map(|(i, &(c, at))| IndexRow {
                id: Uuid::from_u128(i as u128 + 1),
                checkpoint: c,
                lane: 1,
                inbound: true,
                observed_ms: at,
                recorded_ms: at,
                plate: None,
                // Keys spread over the directory like hashes, and some sharing a prefix.
                occupants: vec![((i as u128 % 97).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835), Role::Pedestrian)],
            })
            .collect();
        let index = TraceIndex::build(rows.clone());
        for &(from, len) in &windows {
            for c in 1..4u32 {
                let mut found: Vec<u128> = index
                    .at_checkpoint(c, from, from + len)
                    .map(|p| index.id(p).as_u128())
                    .collect();
                found.sort_unstable();
                let expected: Vec<u128> = rows
                    .iter()
                    .filter(|r| r.checkpoint == c && (from..from + len).contains(&r.observed_ms))
                    .map(|r| r.id.as_u128())
                    .collect();
                proptest::prop_assert_eq!(found, expected);
            }
        }
        // Around each passage, stepping outwards from it: what the search finds.
        for p in 0..index.passages() as u32 {
            let (c, t) = (index.checkpoint_of(p), index.observed_ms(p));
            for &(_, len) in &windows {
                let around: Vec<u32> = index.around(p, c, t - len, t + len + 1).collect();
                let searched: Vec<u32> = index.at_checkpoint(c, t - len, t + len + 1).collect();
                proptest::prop_assert_eq!(around, searched);
            }
        }
        for r in &rows {
            let n = index.person_number(r.occupants[0].0);
            proptest::prop_assert!(n.is_some());
            proptest::prop_assert_eq!(
                index.person_keys[n.unwrap() as usize],
                r.occupants[0].0.to_le_bytes()
            );
        }
        proptest::prop_assert_eq!(index.person_number(12_345), None);
    }
}
