//! A whole registration body: JSON that deserialises is parsed without panicking, and an
//! accepted passage has a stable fingerprint.
#![no_main]
use cordon_domain::registration::PassageRequest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = serde_json::from_slice::<PassageRequest>(data) {
        if let Ok(draft) = req.parse(cordon_domain::time::from_ms(1_700_000_000_000)) {
            assert_eq!(draft.fingerprint(), draft.clone().fingerprint());
            assert!(!draft.occupants.is_empty());
        }
    }
});

