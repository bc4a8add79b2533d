use super::*;
use cordon_domain::registration::PassageRequest;

/// A resident id of `head` (17 digits) with its GB 11643 check character.
fn resident_id(head: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = head
        .bytes()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    format!("{head}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// Occupants of every shape the form packs differently.
fn occupants() -> Vec<Occupant> {
    registration().occupants
}

fn registration() -> cordon_domain::passage::PassageDraft {
    // A check character of X, then of a digit.
    let with_x = (0..1000)
        .map(|i| resident_id(&format!("11010519800101{i:03}")))
        .find(|n| n.ends_with('X'))
        .unwrap();
    let body = serde_json::json!({"id": "0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01",
        "checkpoint": "CP-130100-0001", "lane": 1, "direction": "in",
        "observed_at": "2022-05-03T08:15:00+08:00",
        "vehicle": {"plate": "冀A12345", "plate_color": "blue", "class": "car"},
        "occupants": [
            {"document": {"type": "resident_id", "number": with_x}, "name": "张三",
             "phone": "13812345678", "role": "driver", "health_code": "green",
             "temperature_c": 36.6,
             "latest_test": {"kind": "pcr", "taken_at": "2022-05-02T07:00:00+09:00",
                 "result": "negative"},
             "visited": ["130100", "810000"]},
            {"document": {"type": "resident_id", "number": resident_id("13010219900307123")},
             "name": "李四", "role": "passenger", "health_code": "yellow"},
            {"document": {"type": "passport", "number": "E12345678"},
             "name": "O\"Brien \\ 奥布莱恩", "role": "passenger", "health_code": "red",
             "temperature_c": 38.1,
             "latest_test": {"kind": "antigen", "taken_at": "1969-12-31T23:00:00-05:30",
                 "result": "pending"}}]});
    let req: PassageRequest = serde_json::from_value(body).unwrap();
    req.parse(time(1_651_536_900_000, 8 * 3600).unwrap())
        .unwrap()
}

/// The facts the engine stored, the second occupant's declared test overtaken by a lab's.
fn facts_of(d: &cordon_domain::passage::PassageDraft) -> (Vec<u8>, Vec<Option<TestFacts>>) {
    use cordon_domain::policy::facts::{encode, Known};
    let known = Known {
        statuses: vec![],
        lab_tests: vec![
            None,
            Some(TestFacts::lab(
                cordon_domain::testing::lab::MemberResult::Negative,
                d.observed_at.timestamp_millis() - 1_000,
            )),
        ],
    };
    let tests = d
        .occupants
        .iter()
        .enumerate()
        .map(|(i, o)| known.occupant(o, i).test)
        .collect();
    (encode(d, &known), tests)
}

#[test]
fn occupants_read_back_as_written() {
    let o = occupants();
    let bytes = occupants_bytes(&o);
    assert_eq!(occupants_from_bytes(&bytes, None).unwrap(), o);
    // The JSON form of the same occupants is several times larger.
    let json = super::super::rows::occupants_json(&o);
    assert!(
        bytes.len() * 3 < json.len(),
        "{} vs {}",
        bytes.len(),
        json.len()
    );
    assert_eq!(
        occupants_from_bytes(&occupants_bytes(&[]), None).unwrap(),
        vec![]
    );
}

/// Form 2 with the passage's facts: the first occupant's test is the one the engine saw (taken
/// in +09:00), the second declared none (a lab's result is in the facts), the third's taken in
/// an offset of -05:30.
#[test]
fn identities_with_their_facts_read_back_as_written() {
    let d = registration();
    let (facts, tests) = facts_of(&d);
    let bytes = identities_bytes(&d.occupants, &tests);
    assert_eq!(
        occupants_from_bytes(&bytes, Some(&facts)).unwrap(),
        d.occupants
    );
    assert!(bytes.len() < occupants_bytes(&d.occupants).len());
    // Without its facts, or with another passage's, form 2 is refused.
    assert!(occupants_from_bytes(&bytes, None).is_err());
    let mut fewer = registration();
    fewer.occupants.pop();
    let (other, _) = facts_of(&fewer);
    assert!(occupants_from_bytes(&bytes, Some(&other)).is_err());
}

/// A declared test the engine did not look at (a lab's newer result overtook it) is written
/// out, and reads back as declared.
#[test]
fn a_declared_test_overtaken_by_the_lab_is_kept() {
    let mut d = registration();
    d.occupants[1].latest_test = d.occupants[0].latest_test.clone();
    let (facts, tests) = facts_of(&d);
    assert_eq!(tests[1].map(|t| t.source), Some(TestSource::Lab));
    let bytes = identities_bytes(&d.occupants, &tests);
    assert_eq!(
        occupants_from_bytes(&bytes, Some(&facts)).unwrap(),
        d.occupants
    );
}

#[test]
fn a_cut_or_altered_form_is_an_error_never_a_panic() {
    let d = registration();
    let (facts, tests) = facts_of(&d);
    for bytes in [
        occupants_bytes(&d.occupants),
        identities_bytes(&d.occupants, &tests),
    ] {
        for n in 0..bytes.len() {
            assert!(
                occupants_from_bytes(&bytes[..n], Some(&facts)).is_err(),
                "cut at {n}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(occupants_from_bytes(&longer, Some(&facts)).is_err());
        for i in 0..bytes.len() {
            for x in [0x01u8, 0x80, 0xff] {
                let mut altered = bytes.clone();
                altered[i] ^= x;
                let _ = occupants_from_bytes(&altered, Some(&facts));
            }
        }
    }
}

#[test]
fn keys_read_back_as_their_first_sixteen_bytes() {
    let o = occupants();
    let keyring = crate::keyring::Keyring::random();
    let keys: Vec<String> = o
        .iter()
        .map(|o| keyring.person(&o.person.document))
        .collect();
    let stored = occupant_keys_bytes(&o, &keys);
    assert_eq!(stored.len(), 3 * 17);
    let read = parse_occupant_keys(&stored).unwrap();
    for ((key, role), (full, o)) in read.iter().zip(keys.iter().zip(&o)) {
        assert_eq!(key, &full[..32]);
        assert_eq!(*role, o.role);
    }
    // The text form written before reads as it did.
    let text = super::super::rows::occupant_keys(&o, &keys);
    let legacy = parse_occupant_keys(text.as_bytes()).unwrap();
    assert_eq!(legacy, read);
    assert_eq!(
        keys_bytes(read.iter().map(|(k, r)| (k.as_str(), *r))),
        stored
    );
    assert!(parse_occupant_keys(&stored[..20]).is_err());
    assert!(parse_occupant_keys(b"").unwrap().is_empty());
}

#[test]
fn varints_read_back() {
    let mut values = vec![0i64, 1, -1, 63, 64, -64, -65, 127, 128, i64::MAX, i64::MIN];
    values.extend((0..64).map(|s| 1i64 << s));
    values.extend((0..64).map(|s| (1i64 << s).wrapping_neg()));
    let mut b = Vec::new();
    for v in &values {
        put_z(&mut b, *v);
        put_v(&mut b, *v as u64);
    }
    let mut r = Reader::new(&b);
    for v in &values {
        assert_eq!(r.z().unwrap(), *v);
        assert_eq!(r.v().unwrap(), *v as u64);
    }
    assert!(r.at_end());
}

/// The longest name a registration takes (64 characters, here each 4 bytes in UTF-8) reads
/// back whole in both forms.
#[test]
fn the_longest_name_reads_back() {
    let mut d = registration();
    let name = "𠀀".repeat(64);
    d.occupants[0].person.name = cordon_domain::person::PersonName::parse(&name).unwrap();
    assert_eq!(d.occupants[0].person.name.expose().len(), 256);
    let (facts, tests) = facts_of(&d);
    let bytes = identities_bytes(&d.occupants, &tests);
    assert_eq!(
        occupants_from_bytes(&bytes, Some(&facts)).unwrap(),
        d.occupants
    );
    let bytes = occupants_bytes(&d.occupants);
    assert_eq!(occupants_from_bytes(&bytes, None).unwrap(), d.occupants);
}
