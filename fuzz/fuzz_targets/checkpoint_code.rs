//! Checkpoint codes: parsing never panics; an accepted code parses again to itself.
#![no_main]
use cordon_domain::checkpoint::CheckpointCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(c) = CheckpointCode::parse(s) {
        assert_eq!(CheckpointCode::parse(c.as_str()).expect("normal form parses"), c);
    }
});
