//! The saved file: read back as written; another hub's, a file cut short or altered, and a
//! missing one each told apart; a save that fails leaves the previous file as it was.

use cordon_domain::passage::Role;
use cordon_trace::IndexRow;
use uuid::Uuid;

use super::*;

fn index(n: u128) -> TraceIndex {
    TraceIndex::build((1..=n).map(|i| IndexRow {
        id: Uuid::from_u128(i),
        checkpoint: (i % 3) as u32,
        lane: 1,
        inbound: true,
        observed_ms: i as i64 * 1_000,
        recorded_ms: i as i64 * 1_000,
        plate: Some("冀A12345".into()),
        occupants: vec![(i % 5, Role::Driver)],
    }))
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("cordon-saved-{}", Uuid::now_v7().simple()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn a_file_reads_back_only_for_its_own_hub_and_whole() {
    let d = dir();
    let path = d.join("trace-index.bin");
    let ours = SavedIndex::new(path.clone(), "mark of our key");
    assert!(matches!(ours.load(), Err(Unusable::Missing)));
    let bytes = ours.save(&index(40)).unwrap();
    assert_eq!(bytes, std::fs::metadata(&path).unwrap().len());
    assert_eq!(ours.load().unwrap().passages(), 40);
    // Another hub's key: a whole file, not ours.
    let theirs = SavedIndex::new(path.clone(), "mark of another key");
    assert!(matches!(theirs.load(), Err(Unusable::Foreign)));
    // Cut short, or one byte altered anywhere after the header.
    let whole = std::fs::read(&path).unwrap();
    for cut in [10, 41, whole.len() / 2, whole.len() - 1] {
        std::fs::write(&path, &whole[..cut]).unwrap();
        assert!(
            matches!(ours.load(), Err(Unusable::Damaged(_))),
            "cut at {cut}"
        );
    }
    for at in [40, whole.len() / 2, whole.len() - 1] {
        let mut bad = whole.clone();
        bad[at] ^= 1;
        std::fs::write(&path, &bad).unwrap();
        assert!(
            matches!(ours.load(), Err(Unusable::Damaged(_))),
            "altered at {at}"
        );
    }
    let mut longer = whole.clone();
    longer.push(0);
    std::fs::write(&path, &longer).unwrap();
    assert!(
        matches!(ours.load(), Err(Unusable::Damaged(_))),
        "trailing bytes"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_save_that_fails_leaves_the_previous_file() {
    let d = dir();
    let path = d.join("trace-index.bin");
    let saved = SavedIndex::new(path.clone(), "mark");
    saved.save(&index(10)).unwrap();
    // A save into a directory that went away fails and leaves nothing half written.
    let gone = SavedIndex::new(d.join("gone").join("trace-index.bin"), "mark");
    assert!(gone.save(&index(20)).is_err());
    assert_eq!(saved.load().unwrap().passages(), 10);
    // The temporary file of a save cut short by a crash is passed over: the file is whole.
    std::fs::write(d.join(".tmpABC123"), b"CDNTRACE half").unwrap();
    assert_eq!(saved.load().unwrap().passages(), 10);
    saved.save(&index(30)).unwrap();
    assert_eq!(saved.load().unwrap().passages(), 30);
    let _ = std::fs::remove_dir_all(&d);
}
