//! An index written and read back answers as the one written: every passage, every person's
//! and vehicle's list, the checkpoints' windows, withdrawals and the ids taken as held; bytes
//! cut short or altered are refused, never a panic.

use super::*;

fn row(n: u32, checkpoint: u32, at: i64, plate: Option<&str>, who: &[u128]) -> IndexRow {
    IndexRow {
        id: Uuid::from_u128(u128::from(n)),
        checkpoint,
        lane: (n % 3) as u16 + 1,
        inbound: n.is_multiple_of(2),
        observed_ms: at,
        recorded_ms: at + 500,
        plate: plate.map(str::to_owned),
        occupants: who
            .iter()
            .enumerate()
            .map(|(i, &k)| {
                (
                    k,
                    if i == 0 {
                        Role::Driver
                    } else {
                        Role::Passenger
                    },
                )
            })
            .collect(),
    }
}

/// Everything a query can see of an index, in an order that does not depend on its numbering.
fn seen(index: &TraceIndex) -> Vec<String> {
    let mut out = Vec::new();
    let keys = index.person_key_list();
    for p in 0..index.passages() as u32 {
        let mut who: Vec<String> = index
            .occupants(p)
            .map(|(o, role)| format!("{:x}/{role:?}", keys[o as usize]))
            .collect();
        who.sort();
        out.push(format!(
            "passage {} cp {} at {} lane {} in {} plate {:?} withdrawn {} who {:?}",
            index.id(p),
            index.checkpoint_of(p),
            index.at[p as usize],
            index.lane(p),
            index.inbound(p),
            index.has_vehicle(p).map(|v| index.plate(v)),
            index.is_withdrawn(p),
            who,
        ));
    }
    for &k in keys.iter() {
        let person = index.person_number(k).unwrap();
        let list: Vec<Uuid> = index
            .by_person
            .between(person, &index.at, i64::MIN, i64::MAX)
            .into_iter()
            .map(|p| index.id(p))
            .collect();
        out.push(format!("person {k:x}: {list:?}"));
    }
    for c in 0..index.checkpoint_bound() + 1 {
        let list: Vec<Uuid> = index
            .at_checkpoint(c, 1_000, 60_000)
            .map(|p| index.id(p))
            .collect();
        out.push(format!("checkpoint {c}: {list:?}"));
    }
    for plate in ["冀A12345", "冀B00001", "京C99999"] {
        let list: Vec<Uuid> = index
            .vehicle_of(plate)
            .map(|v| {
                index
                    .by_vehicle
                    .between(v, &index.at, i64::MIN, i64::MAX)
                    .into_iter()
                    .map(|p| index.id(p))
                    .collect()
            })
            .unwrap_or_default();
        out.push(format!("vehicle {plate}: {list:?}"));
    }
    out.push(format!("watermark {}", index.watermark()));
    out.sort();
    out
}

/// A built index and passages added since (with new persons and a new plate), one of the
/// base's withdrawn.
fn sample() -> TraceIndex {
    let mut index = TraceIndex::build(vec![
        row(1, 0, 10_000, Some("冀A12345"), &[7, 8]),
        row(2, 1, 9_000, None, &[8]),
        row(3, 0, 5_000, Some("冀B00001"), &[9]),
        row(4, 2, 20_000, Some("冀A12345"), &[7]),
    ]);
    index.add(vec![
        row(5, 1, 30_000, Some("京C99999"), &[10, 7]),
        row(6, 3, 31_000, None, &[11]),
        row(7, 0, 32_000, Some("冀A12345"), &[8]),
    ]);
    assert!(index.withdraw(Uuid::from_u128(2), 1, 9_000));
    index
}

fn bytes(index: &TraceIndex) -> Vec<u8> {
    let mut out = Vec::new();
    index.write_to(&mut out).unwrap();
    out
}

#[test]
fn an_index_read_back_answers_as_the_one_written() {
    let index = sample();
    let read = TraceIndex::read_from(&mut bytes(&index).as_slice()).unwrap();
    assert_eq!(seen(&read), seen(&index));
    assert_eq!(read.passages(), 7);
    // The ids recorded lately are still taken as held: a reload does not add them twice.
    for n in [5, 7] {
        assert!(read.holds_recent(&Uuid::from_u128(n)));
    }
    let mut again = read;
    assert_eq!(again.add(vec![row(7, 0, 32_000, None, &[8])]), 0);
    // A passage added since the build and withdrawn is left out of the file.
    let mut withdrawn = sample();
    assert!(withdrawn.withdraw(Uuid::from_u128(6), 3, 31_000));
    let read = TraceIndex::read_from(&mut bytes(&withdrawn).as_slice()).unwrap();
    assert_eq!(read.passages(), 6);
    assert!(!seen(&read)
        .iter()
        .any(|l| l.starts_with(&format!("passage {}", Uuid::from_u128(6)))));
    // A rebuilt index reads back the same, and an empty one too.
    let rebuilt = index.without_before(i64::MIN);
    let read = TraceIndex::read_from(&mut bytes(&rebuilt).as_slice()).unwrap();
    assert_eq!(seen(&read), seen(&rebuilt));
    let empty = TraceIndex::read_from(&mut bytes(&TraceIndex::default()).as_slice()).unwrap();
    assert_eq!(empty.passages(), 0);
}

#[test]
fn bytes_cut_short_or_altered_are_refused() {
    let good = bytes(&sample());
    for cut in [0, 3, 4, 40, good.len() / 2, good.len() - 1] {
        let err = TraceIndex::read_from(&mut &good[..cut]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof, "cut at {cut}");
    }
    let mut other = good.clone();
    other[0] = 99;
    let err = TraceIndex::read_from(&mut other.as_slice()).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    // Every single byte altered in turn: refused or read, never a panic.
    for i in 0..good.len() {
        let mut bad = good.clone();
        bad[i] ^= 0xA5;
        let _ = TraceIndex::read_from(&mut bad.as_slice());
    }
}

proptest::proptest! {
    /// Any index, built and then added to, reads back as written (nothing withdrawn).
    #[test]
    fn any_index_reads_back(
        base in proptest::collection::vec((0u32..5, 0i64..50_000, 0u8..4, 0u128..30), 0..120),
        added in proptest::collection::vec((0u32..6, 0i64..50_000, 0u8..4, 0u128..40), 0..60),
    ) {
        let plates = [None, Some("冀A12345"), Some("冀B00001"), Some("京C99999")];
        let rows = |list: &[(u32, i64, u8, u128)], from: u32| -> Vec<IndexRow> {
            list.iter()
                .enumerate()
                .map(|(i, &(c, at, v, who))| {
                    row(from + i as u32, c, at, plates[v as usize], &[who, who + 1])
                })
                .collect()
        };
        let mut index = TraceIndex::build(rows(&base, 0));
        index.add(rows(&added, 10_000));
        let read = TraceIndex::read_from(&mut bytes(&index).as_slice()).unwrap();
        proptest::prop_assert_eq!(seen(&read), seen(&index));
    }
}
