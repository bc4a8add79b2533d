//! Division codes: parsing never panics; an accepted code prints as itself and lies in its
//! province.
#![no_main]
use cordon_domain::division::DivisionCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(c) = DivisionCode::parse(s) {
        assert_eq!(DivisionCode::parse(&c.to_string()).expect("prints as a code"), c);
        assert!(c.province().contains(c));
    }
});
