//! The decision's compact stored form and its dictionary. Every passage's decision repeats a
//! handful of texts (a rule's code and bilingual title, a fact such as `health_code: green`,
//! the policy version): each is stored once in `decision_words` and the decision names it by
//! number, so a decision of three occupants takes a dozen bytes instead of 700, and reads back
//! exactly as it was decided (the titles as the lane showed them, whatever later versions of the
//! policy say).
//!
//! Form: format `1`; the outcome (its place in [`Outcome::ALL`]); the policy version's word
//! (0: none); the number of actions and each one's place in [`Action::ALL`]; the number of
//! reasons, then per reason its head's word (code, rule, outcome and message), the occupant it
//! concerns (0: none, else its index + 1), the number of facts and each fact's word. Numbers
//! are varints. A decision written before migration 38 is JSON (`{...}`) and reads as before.
//!
//! The words are kept in memory ([`Words`]); the writer adds the ones it meets for the first
//! time in its own transaction and to the memory only once that commits; a reader that meets a
//! number it does not know (written by another process) reads the table again.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use cordon_domain::passage::{Action, Decision, Fact, Outcome, Reason};
use serde::{Deserialize, Serialize};

use super::varint::{put_v, Reader};
use crate::StoreError;

const DECISION_V1: u8 = 1;

/// A reason without its occupant and facts: what every reason of one rule has in common.
#[derive(Serialize, Deserialize)]
struct Head {
    code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    outcome: Option<Outcome>,
    message: String,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("decision: {what}"))
}

/// The dictionary in memory: number to text and back.
#[derive(Default)]
pub(crate) struct Words {
    inner: RwLock<Inner>,
}

#[derive(Default)]
struct Inner {
    by_id: HashMap<i64, Arc<str>>,
    by_text: HashMap<Arc<str>, i64>,
}

impl Words {
    pub fn id(&self, text: &str) -> Option<i64> {
        self.inner.read().expect("words").by_text.get(text).copied()
    }

    pub fn text(&self, id: i64) -> Option<Arc<str>> {
        self.inner.read().expect("words").by_id.get(&id).cloned()
    }

    /// Adds words read from the table or committed by the writer.
    pub fn add(&self, words: impl IntoIterator<Item = (i64, String)>) {
        let mut inner = self.inner.write().expect("words");
        for (id, text) in words {
            let text: Arc<str> = text.into();
            inner.by_text.insert(text.clone(), id);
            inner.by_id.insert(id, text);
        }
    }

    /// Whether every word a stored decision names is known here (a JSON decision names none).
    pub fn knows_all(&self, stored: &[u8]) -> bool {
        match word_ids(stored) {
            Ok(ids) => {
                let inner = self.inner.read().expect("words");
                ids.iter().all(|id| inner.by_id.contains_key(id))
            }
            // A damaged value is reported by the read itself.
            Err(_) => true,
        }
    }

    /// A stored decision (either form) as the domain's.
    pub fn decision(&self, stored: &[u8]) -> Result<Decision, StoreError> {
        if stored.first() == Some(&b'{') {
            return serde_json::from_slice(stored).map_err(|e| corrupt(&e.to_string()));
        }
        decode(stored, |id| self.text(id))
    }
}

/// The texts a decision is made of, each as its word is written.
pub(crate) fn texts(d: &Decision) -> Vec<String> {
    let mut out = Vec::with_capacity(1 + d.reasons.len() * 3);
    if let Some(v) = &d.policy_version {
        out.push(serde_json::to_string(v).expect("strings serialise"));
    }
    for r in &d.reasons {
        out.push(head_text(r));
        out.extend(r.facts.iter().map(fact_text));
    }
    out
}

fn head_text(r: &Reason) -> String {
    serde_json::to_string(&Head {
        code: r.code.clone(),
        rule: r.rule.clone(),
        outcome: r.outcome,
        message: r.message.clone(),
    })
    .expect("heads serialise")
}

fn fact_text(f: &Fact) -> String {
    serde_json::to_string(f).expect("facts serialise")
}

fn place<T: PartialEq>(all: &[T], x: &T) -> u64 {
    all.iter()
        .position(|a| a == x)
        .expect("a variant of its own list") as u64
}

/// The compact form of `d`, `id` answering the number of each of [`texts`].
pub(crate) fn encode(d: &Decision, id: impl Fn(&str) -> i64) -> Vec<u8> {
    let mut b = Vec::with_capacity(8 + d.reasons.len() * 6);
    b.push(DECISION_V1);
    put_v(&mut b, place(Outcome::ALL, &d.outcome));
    let policy = d.policy_version.as_ref().map_or(0, |v| {
        id(&serde_json::to_string(v).expect("strings serialise"))
    });
    put_v(&mut b, policy as u64);
    put_v(&mut b, d.actions.len() as u64);
    for a in &d.actions {
        put_v(&mut b, place(Action::ALL, a));
    }
    put_v(&mut b, d.reasons.len() as u64);
    for r in &d.reasons {
        put_v(&mut b, id(&head_text(r)) as u64);
        put_v(&mut b, r.occupant.map_or(0, |i| i as u64 + 1));
        put_v(&mut b, r.facts.len() as u64);
        for f in &r.facts {
            put_v(&mut b, id(&fact_text(f)) as u64);
        }
    }
    b
}

fn variant<T: Copy>(all: &[T], i: u64) -> Result<T, StoreError> {
    usize::try_from(i)
        .ok()
        .and_then(|i| all.get(i).copied())
        .ok_or_else(|| corrupt("unknown variant"))
}

fn count(r: &mut Reader<'_>) -> Result<usize, StoreError> {
    let n = r.v()?;
    // Every counted item takes at least a byte.
    if n > r.left() as u64 {
        return Err(corrupt("count past the end"));
    }
    Ok(n as usize)
}

/// Walks a compact decision, handing each word's number and what it stands for to `word`.
fn walk(
    stored: &[u8],
    mut word: impl FnMut(i64, Part) -> Result<(), StoreError>,
) -> Result<(Outcome, Vec<Action>), StoreError> {
    let mut r = Reader::new(stored);
    if r.u8()? != DECISION_V1 {
        return Err(corrupt("unknown format"));
    }
    let outcome = variant(Outcome::ALL, r.v()?)?;
    let policy = r.v()?;
    if policy != 0 {
        word(policy as i64, Part::Policy)?;
    }
    let actions = (0..count(&mut r)?)
        .map(|_| variant(Action::ALL, r.v()?))
        .collect::<Result<_, _>>()?;
    for _ in 0..count(&mut r)? {
        let head = r.v()? as i64;
        let occupant = r.v()?;
        word(head, Part::Head(occupant))?;
        for _ in 0..count(&mut r)? {
            word(r.v()? as i64, Part::Fact)?;
        }
    }
    if !r.at_end() {
        return Err(corrupt("trailing bytes"));
    }
    Ok((outcome, actions))
}

enum Part {
    Policy,
    /// A reason's head, with its occupant as stored.
    Head(u64),
    Fact,
}

/// The numbers of the words a compact decision names; none for the JSON form.
fn word_ids(stored: &[u8]) -> Result<Vec<i64>, StoreError> {
    if stored.first() == Some(&b'{') {
        return Ok(Vec::new());
    }
    let mut ids = Vec::new();
    walk(stored, |id, _| {
        ids.push(id);
        Ok(())
    })?;
    Ok(ids)
}

/// The actions of a stored decision, without its words (the lots' list of trucks sent to
/// them reads only these).
pub(crate) fn actions(stored: &[u8]) -> Result<Vec<Action>, StoreError> {
    if stored.first() == Some(&b'{') {
        #[derive(Deserialize)]
        struct Actions {
            #[serde(default)]
            actions: Vec<Action>,
        }
        let a: Actions = serde_json::from_slice(stored).map_err(|e| corrupt(&e.to_string()))?;
        return Ok(a.actions);
    }
    Ok(walk(stored, |_, _| Ok(()))?.1)
}

/// The inverse of [`encode`], `text` answering each word's text.
fn decode(stored: &[u8], text: impl Fn(i64) -> Option<Arc<str>>) -> Result<Decision, StoreError> {
    let mut policy_version = None;
    let mut reasons: Vec<Reason> = Vec::new();
    let (outcome, actions) = walk(stored, |id, part| {
        let t = text(id).ok_or_else(|| corrupt("a word the dictionary lacks"))?;
        let bad = |e: serde_json::Error| corrupt(&e.to_string());
        match part {
            Part::Policy => policy_version = Some(serde_json::from_str(&t).map_err(bad)?),
            Part::Head(occupant) => {
                let h: Head = serde_json::from_str(&t).map_err(bad)?;
                reasons.push(Reason {
                    code: h.code,
                    rule: h.rule,
                    occupant: occupant.checked_sub(1).map(|i| i as usize),
                    outcome: h.outcome,
                    message: h.message,
                    facts: Vec::new(),
                });
            }
            Part::Fact => {
                let f: Fact = serde_json::from_str(&t).map_err(bad)?;
                reasons
                    .last_mut()
                    .ok_or_else(|| corrupt("a fact before its reason"))?
                    .facts
                    .push(f);
            }
        }
        Ok(())
    })?;
    Ok(Decision {
        outcome,
        policy_version,
        reasons,
        actions,
    })
}

#[cfg(test)]
#[path = "words/tests.rs"]
mod tests;
