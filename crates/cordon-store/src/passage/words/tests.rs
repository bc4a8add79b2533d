use super::*;

/// A decision of three occupants as the engine explains it: two rules with their facts, the
/// default, actions.
fn decision() -> Decision {
    let text = r#"{"outcome":"test_on_site","policy_version":"1","reasons":[
        {"code":"no_recent_test","rule":"no_recent_test","occupant":0,"outcome":"test_on_site",
         "message":"无48小时核酸阴性证明，现场抗原检测 / No negative PCR within 48 h: antigen test on site",
         "facts":[{"name":"latest_test","value":"antigen negative, 7 h before, declared"},
                  {"name":"negative_test_within_hours","value":"48: no"}]},
        {"code":"default","occupant":1,"outcome":"pass","message":"核验通过，放行 / Checks passed"},
        {"code":"no_recent_test","rule":"no_recent_test","occupant":2,"outcome":"test_on_site",
         "message":"无48小时核酸阴性证明，现场抗原检测 / No negative PCR within 48 h: antigen test on site",
         "facts":[{"name":"latest_test","value":"pcr negative, 52 h before, declared"},
                  {"name":"negative_test_within_hours","value":"48: no"}]}],
        "actions":["antigen_sample","holding_lot"]}"#;
    serde_json::from_str(text).unwrap()
}

/// Numbers the texts in the order met, as the writer does.
fn numbered(ds: &[&Decision]) -> Words {
    let words = Words::default();
    let mut next = 1;
    for d in ds {
        for t in texts(d) {
            if words.id(&t).is_none() {
                words.add([(next, t)]);
                next += 1;
            }
        }
    }
    words
}

fn id_in(words: &Words) -> impl Fn(&str) -> i64 + '_ {
    |t| words.id(t).unwrap()
}

#[test]
fn a_decision_reads_back_as_decided_in_a_few_bytes() {
    let d = decision();
    let none = Decision::no_policy();
    let words = numbered(&[&d, &none]);
    let stored = encode(&d, id_in(&words));
    assert!(stored.len() < 24, "{} bytes", stored.len());
    assert_eq!(words.decision(&stored).unwrap(), d);
    assert_eq!(actions(&stored).unwrap(), d.actions);
    let stored_none = encode(&none, id_in(&words));
    assert_eq!(words.decision(&stored_none).unwrap(), none);
    assert!(words.knows_all(&stored));
    // The JSON written before reads as it did.
    let json = serde_json::to_vec(&d).unwrap();
    assert_eq!(words.decision(&json).unwrap(), d);
    assert_eq!(actions(&json).unwrap(), d.actions);
    assert!(words.knows_all(&json));
}

#[test]
fn a_word_the_dictionary_lacks_is_an_error() {
    let d = decision();
    let words = numbered(&[&d]);
    let stored = encode(&d, id_in(&words));
    let fresh = Words::default();
    assert!(!fresh.knows_all(&stored));
    assert!(fresh.decision(&stored).is_err());
    // The actions need no words.
    assert_eq!(actions(&stored).unwrap(), d.actions);
}

#[test]
fn a_cut_or_altered_decision_is_an_error_never_a_panic() {
    let d = decision();
    let words = numbered(&[&d]);
    let stored = encode(&d, id_in(&words));
    for n in 0..stored.len() {
        assert!(words.decision(&stored[..n]).is_err(), "cut at {n}");
    }
    for i in 0..stored.len() {
        for x in [0x01u8, 0x7f, 0x80, 0xff] {
            let mut altered = stored.clone();
            altered[i] ^= x;
            let _ = words.decision(&altered);
            let _ = actions(&altered);
            let _ = words.knows_all(&altered);
        }
    }
}
