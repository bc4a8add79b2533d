//! Licence plates: parsing never panics; an accepted plate's normal form parses to itself.
#![no_main]
use cordon_domain::plate::Plate;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(p) = Plate::parse(s) {
        assert_eq!(Plate::parse(p.as_str()).expect("normal form parses"), p);
        let _ = p.kind();
    }
});
