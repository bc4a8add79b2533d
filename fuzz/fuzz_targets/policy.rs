//! Policy documents and stored facts: checking a document never panics, every problem it reports
//! has a line within the document, and an accepted policy evaluates any decoded facts without
//! panicking.
#![no_main]
use cordon_domain::checkpoint::DefenceLine;
use cordon_domain::policy::compile;
use cordon_domain::policy::facts::FactsBuf;
use cordon_domain::risk::RiskRegister;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (doc, facts) = data.split_at(data.len() / 2);
    let Ok(source) = std::str::from_utf8(doc) else { return };
    match compile(source) {
        Err(problems) => {
            assert!(!problems.is_empty());
            let lines = source.lines().count().max(1) as u32 + 1;
            for p in problems {
                assert!(p.line.is_none_or(|l| l >= 1 && l <= lines), "{p:?}");
            }
        }
        Ok(policy) => {
            let mut buf = FactsBuf::default();
            if buf.decode(facts) {
                let p = buf.passage("CP-130100-0001", DefenceLine::Inland, 0, 28_800);
                for i in 0..buf.occupant_count() {
                    policy.evaluate(&p, &buf.occupant(i), &RiskRegister::default());
                }
            }
        }
    }
});
