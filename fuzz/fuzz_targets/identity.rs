//! Identity documents of every type: parsing never panics, and an accepted number parses again
//! to the same document (its normal form is a fixed point).
#![no_main]
use cordon_domain::identity::{DocumentType, IdentityDocument};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, &str)| {
    let kind = DocumentType::ALL[usize::from(input.0) % DocumentType::ALL.len()];
    if let Ok(doc) = IdentityDocument::parse(kind, input.1) {
        let again = IdentityDocument::parse(kind, doc.expose_number()).expect("normal form parses");
        assert_eq!(again, doc);
        assert_ne!(doc.masked_number(), doc.expose_number());
    }
});
