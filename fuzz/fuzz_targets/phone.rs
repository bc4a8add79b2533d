//! Mobile numbers: parsing never panics; an accepted number is eleven digits and parses again.
#![no_main]
use cordon_domain::contact::MobileNumber;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(m) = MobileNumber::parse(s) {
        assert_eq!(m.expose().len(), 11);
        assert_eq!(MobileNumber::parse(m.expose()).expect("normal form parses"), m);
    }
});
