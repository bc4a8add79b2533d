//! Case traces. From a subject (a person or a plate) and a period, every person who:
//!
//! 1. rode in one of the subject's passages (`same_vehicle`);
//! 2. passed the same checkpoint within plus or minus the window of one of them, in another
//!    passage (`same_checkpoint`; optionally only in the same direction, or the same lane);
//! 3. rode, at another time in the period, in a vehicle the subject used (`shared_vehicle`).
//!
//! Only passages at checkpoints the caller may see count, on either side of a link. A trace of
//! `hops > 1` repeats this from each contact of the previous hop; a person is a contact once, at
//! the first hop that reaches them, with the evidence of every link at that hop.

use crate::hash::IdMap;
use crate::index::{PersonKey, TraceIndex};

/// Whom a trace starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Person(PersonKey),
    Plate(String),
}

pub struct TraceQuery<'a> {
    pub subject: Subject,
    /// The period, `[from, to)` in milliseconds: the subject's passages (and each contact's, at
    /// later hops) are taken from it.
    pub from_ms: i64,
    pub to_ms: i64,
    /// Plus or minus this, at the same checkpoint.
    pub window_ms: i64,
    pub hops: u8,
    pub same_direction: bool,
    pub same_lane: bool,
    /// Most contacts over all hops; the trace stops when it is reached and says so.
    pub max_contacts: usize,
    /// Most links kept per contact (all are counted).
    pub max_evidence: usize,
    /// Whether the caller may see passages at the checkpoint with this internal number.
    pub visible: &'a (dyn Fn(u32) -> bool + Sync),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EvidenceKind {
    SameVehicle,
    SameCheckpoint,
    SharedVehicle,
}

impl EvidenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::SameVehicle => "same_vehicle",
            EvidenceKind::SameCheckpoint => "same_checkpoint",
            EvidenceKind::SharedVehicle => "shared_vehicle",
        }
    }
}

/// Who a link starts from: the subject, or an earlier contact (its position in
/// [`TraceAnswer::contacts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Link {
    Subject,
    Contact(usize),
}

/// One link between a source and a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub from: Link,
    /// The passage the contact was in (an index position; see [`TraceIndex::id`]).
    pub passage: u32,
    /// The source's passage it is linked to.
    pub linked: u32,
    /// Milliseconds between the two passages (0 for the same passage).
    pub gap_ms: i64,
}

#[derive(Debug, Clone)]
pub struct Contact {
    /// The person's number in the index.
    pub person: u32,
    pub hop: u8,
    /// Where the contact's links sit in [`TraceAnswer::evidence`]: the first found, strongest
    /// first (same vehicle, shared vehicle, same checkpoint; then the smallest gap), at most
    /// `max_evidence`. Read them with [`TraceAnswer::evidence_of`].
    pub evidence: std::ops::Range<u32>,
    /// How many links were found in all.
    pub links: usize,
}

/// Where a trace was cut short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    pub hop: u8,
    pub reason: &'static str,
}

#[derive(Debug, Clone, Default)]
pub struct TraceAnswer {
    /// The subject's passages in the period, in time order.
    pub subject_passages: Vec<u32>,
    pub contacts: Vec<Contact>,
    /// Every contact's kept links, one contact after another (one buffer for the whole answer
    /// rather than one per contact: a trace reaches hundreds of contacts).
    pub evidence: Vec<Evidence>,
    pub truncated: Option<Cut>,
}

impl TraceAnswer {
    /// A contact's kept links, strongest first.
    pub fn evidence_of(&self, c: &Contact) -> &[Evidence] {
        &self.evidence[c.evidence.start as usize..c.evidence.end as usize]
    }
}

fn strength(e: &Evidence) -> (u8, i64, u32) {
    let k = match e.kind {
        EvidenceKind::SameVehicle => 0,
        EvidenceKind::SharedVehicle => 1,
        EvidenceKind::SameCheckpoint => 2,
    };
    (k, e.gap_ms, e.passage)
}

/// A source's passages: the subject's, or a contact's.
struct Source {
    link: Link,
    person: Option<u32>,
    passages: Vec<u32>,
}

/// Runs a trace. An unknown subject answers an empty trace.
pub fn trace(index: &TraceIndex, q: &TraceQuery<'_>) -> TraceAnswer {
    let visible = |p: &u32| (q.visible)(index.checkpoint_of(*p)) && !index.is_withdrawn(*p);
    let (person, passages) = match &q.subject {
        Subject::Person(key) => match index.person_number(*key) {
            None => return TraceAnswer::default(),
            Some(s) => (
                Some(s),
                index.by_person.between(s, &index.at, q.from_ms, q.to_ms),
            ),
        },
        Subject::Plate(plate) => match index.vehicle_of(plate) {
            None => return TraceAnswer::default(),
            Some(v) => (
                None,
                index.by_vehicle.between(v, &index.at, q.from_ms, q.to_ms),
            ),
        },
    };
    let passages: Vec<u32> = passages.into_iter().filter(visible).collect();
    let mut answer = TraceAnswer {
        subject_passages: passages.clone(),
        ..TraceAnswer::default()
    };
    // Persons already reached, with their position among the contacts: needed only when a
    // later hop, or a second source, may reach someone again (one source's links are grouped
    // by person already).
    let mut reached: IdMap<u32, usize> = IdMap::default();
    let mut frontier = vec![Source {
        link: Link::Subject,
        person,
        passages,
    }];
    // Room for a typical trace's links up front: growing the buffers one doubling at a time
    // showed in the profile.
    let mut found = Found::with_capacity(512);
    // Links to contacts reached again by a later source of the same hop, merged at its end.
    let mut more: Vec<(u32, Evidence)> = Vec::new();
    for hop in 1..=q.hops {
        let first_of_hop = answer.contacts.len();
        let track = q.hops > 1 || frontier.len() > 1;
        for source in &frontier {
            links(index, q, source, &mut found);
            let groups = grouped(&found.sorted);
            if track {
                reached.reserve(groups.len());
            }
            answer.contacts.reserve(groups.len());
            for (p, evidence) in groups {
                if Some(p) == person {
                    continue;
                }
                let (at, again) = match track.then(|| reached.get(&p)).flatten() {
                    Some(&i) if answer.contacts[i].hop < hop => continue,
                    Some(&i) => (i, true),
                    None => {
                        if answer.contacts.len() == q.max_contacts {
                            answer.truncated = Some(Cut {
                                hop,
                                reason: "max_contacts",
                            });
                            merge(&mut answer, &mut more, first_of_hop, q.max_evidence);
                            return answer;
                        }
                        answer.contacts.push(Contact {
                            person: p,
                            hop,
                            evidence: 0..0,
                            links: 0,
                        });
                        if track {
                            reached.insert(p, answer.contacts.len() - 1);
                        }
                        (answer.contacts.len() - 1, false)
                    }
                };
                let from = source.link;
                // Already strongest first.
                let kept = evidence[..evidence.len().min(q.max_evidence)]
                    .iter()
                    .map(|&l| unpack(index, from, l));
                let c = &mut answer.contacts[at];
                c.links += evidence.len();
                if again {
                    more.extend(kept.map(|e| (at as u32, e)));
                } else {
                    // A new contact's links follow the previous contact's.
                    let start = answer.evidence.len() as u32;
                    answer.evidence.extend(kept);
                    c.evidence = start..answer.evidence.len() as u32;
                }
            }
        }
        merge(&mut answer, &mut more, first_of_hop, q.max_evidence);
        if hop == q.hops {
            break;
        }
        frontier = (first_of_hop..answer.contacts.len())
            .map(|i| {
                let p = answer.contacts[i].person;
                Source {
                    link: Link::Contact(i),
                    person: Some(p),
                    passages: index
                        .by_person
                        .between(p, &index.at, q.from_ms, q.to_ms)
                        .into_iter()
                        .filter(visible)
                        .collect(),
                }
            })
            .collect();
    }
    answer
}

/// Merges the links of contacts reached again within a hop (`more`, by contact position) with
/// those of the first source that reached them: each keeps its strongest `max_evidence`. The
/// hop's contacts' links are rewritten in contact order.
fn merge(
    answer: &mut TraceAnswer,
    more: &mut Vec<(u32, Evidence)>,
    first_of_hop: usize,
    max_evidence: usize,
) {
    if more.is_empty() {
        return;
    }
    more.sort_by_key(|(c, e)| (*c, strength(e)));
    let hop_start = answer.contacts[first_of_hop..]
        .first()
        .map_or(answer.evidence.len(), |c| c.evidence.start as usize);
    let hop_links = answer.evidence.split_off(hop_start);
    let mut rest = &more[..];
    let mut merged: Vec<Evidence> = Vec::new();
    for (i, c) in answer.contacts[first_of_hop..].iter_mut().enumerate() {
        let i = (first_of_hop + i) as u32;
        let first =
            &hop_links[c.evidence.start as usize - hop_start..c.evidence.end as usize - hop_start];
        let m = rest.iter().take_while(|(c, _)| *c == i).count();
        let start = answer.evidence.len() as u32;
        if m == 0 {
            answer.evidence.extend_from_slice(first);
        } else {
            merged.clear();
            merged.extend_from_slice(first);
            merged.extend(rest[..m].iter().map(|(_, e)| *e));
            merged.sort_by_key(strength);
            answer
                .evidence
                .extend_from_slice(&merged[..merged.len().min(max_evidence)]);
        }
        c.evidence = start..answer.evidence.len() as u32;
        rest = &rest[m..];
    }
    more.clear();
}

/// One link as sorted: `(person << 2 | kind rank, gap << 32 | passage, linked passage)`, so that
/// sorting the plain numbers orders links by person, then strongest first (kind, then gap, then
/// passage), without moving whole [`Evidence`] values around.
type Packed = (u64, u64, u32);

/// Gaps are packed in 32 bits (49 days); longer ones sort as equal and are read again.
const MAX_GAP_MS: i64 = u32::MAX as i64;

fn rank(kind: EvidenceKind) -> u64 {
    match kind {
        EvidenceKind::SameVehicle => 0,
        EvidenceKind::SharedVehicle => 1,
        EvidenceKind::SameCheckpoint => 2,
    }
}

const KINDS: [EvidenceKind; 3] = [
    EvidenceKind::SameVehicle,
    EvidenceKind::SharedVehicle,
    EvidenceKind::SameCheckpoint,
];

fn pack(person: u32, e: &Evidence) -> Packed {
    let gap = e.gap_ms.clamp(0, MAX_GAP_MS) as u64;
    (
        u64::from(person) << 2 | rank(e.kind),
        gap << 32 | u64::from(e.passage),
        e.linked,
    )
}

/// The evidence a packed link stands for; a gap too long for its 32 bits is read again.
fn unpack(index: &TraceIndex, from: Link, l: Packed) -> Evidence {
    let (passage, linked) = (l.1 as u32, l.2);
    let gap_ms = match (l.1 >> 32) as i64 {
        MAX_GAP_MS => (index.at[passage as usize] - index.at[linked as usize]).abs(),
        gap => gap,
    };
    Evidence {
        kind: KINDS[(l.0 & 3) as usize],
        from,
        passage,
        linked,
        gap_ms,
    }
}

/// The links of one source as they are found, then sorted. Sorting plain `u64`s (`person << 34
/// | kind rank << 32 | position`) and then the rare runs of one person and kind costs a fraction
/// of sorting the links themselves. Person numbers fit in 30 bits (a billion persons; the
/// retention period of a province holds tens of millions).
#[derive(Default)]
struct Found {
    keys: Vec<u64>,
    /// `(gap << 32 | passage, linked passage)`, by position.
    links: Vec<(u64, u32)>,
    /// All of them packed, by person and then strongest first.
    sorted: Vec<Packed>,
}

impl Found {
    fn with_capacity(n: usize) -> Self {
        Found {
            keys: Vec::with_capacity(n),
            links: Vec::with_capacity(n),
            sorted: Vec::with_capacity(n),
        }
    }

    fn clear(&mut self) {
        self.keys.clear();
        self.links.clear();
        self.sorted.clear();
    }

    fn push(&mut self, person: u32, e: &Evidence) {
        let (who, strength, linked) = pack(person, e);
        self.keys.push(who << 32 | self.links.len() as u64);
        self.links.push((strength, linked));
    }

    fn sort(&mut self) {
        self.keys.sort_unstable();
        self.sorted.extend(self.keys.iter().map(|&k| {
            let (strength, linked) = self.links[(k & 0xFFFF_FFFF) as usize];
            (k >> 32, strength, linked)
        }));
        for run in self.sorted.chunk_by_mut(|a, b| a.0 == b.0) {
            if run.len() > 1 {
                run.sort_unstable();
            }
        }
    }
}

/// Every link from one source into `found`, sorted by person and then strongest first; the
/// source's own person is left out.
fn links(index: &TraceIndex, q: &TraceQuery<'_>, s: &Source, found: &mut Found) {
    found.clear();
    // The source's passages are few and in time order; a sorted copy answers "is it theirs".
    let mut own = s.passages.clone();
    own.sort_unstable();
    let is_own = |p: u32| own.binary_search(&p).is_ok();
    let mut add = |person: u32, e: Evidence| {
        if Some(person) != s.person {
            found.push(person, &e);
        }
    };
    let at = |p: u32| index.at[p as usize];
    // The source's passages are scattered over the index: their times and checkpoints are read
    // in one pass first, so that the reads overlap instead of waiting one after another.
    let places: Vec<(u32, i64, u32)> = s
        .passages
        .iter()
        .map(|&p| (p, at(p), index.checkpoint_of(p)))
        .collect();
    for &(p, _, _) in &places {
        for (o, _) in index.occupants(p) {
            add(
                o,
                Evidence {
                    kind: EvidenceKind::SameVehicle,
                    from: s.link,
                    passage: p,
                    linked: p,
                    gap_ms: 0,
                },
            );
        }
    }
    for &(p, at_p, checkpoint) in &places {
        let near = index.around(p, checkpoint, at_p - q.window_ms, at_p + q.window_ms + 1);
        // The source's own passages among them: in a run of base passages, those numbered
        // within the run (found once rather than searched for at each passage).
        let mine = match near.span() {
            Some(r) => {
                &own[own.partition_point(|&x| x < r.start)..own.partition_point(|&x| x < r.end)]
            }
            None => &own[..],
        };
        for n in near {
            if mine.contains(&n)
                || index.is_withdrawn(n)
                || (q.same_direction && index.inbound(n) != index.inbound(p))
                || (q.same_lane && index.lane(n) != index.lane(p))
            {
                continue;
            }
            for (o, _) in index.occupants(n) {
                add(
                    o,
                    Evidence {
                        kind: EvidenceKind::SameCheckpoint,
                        from: s.link,
                        passage: n,
                        linked: p,
                        gap_ms: (at(n) - at_p).abs(),
                    },
                );
            }
        }
    }
    if s.person.is_some() {
        let mut used: Vec<u32> = s
            .passages
            .iter()
            .filter_map(|&p| index.has_vehicle(p))
            .collect();
        used.sort_unstable();
        used.dedup();
        for v in used {
            let mine: Vec<u32> = s
                .passages
                .iter()
                .copied()
                .filter(|&p| index.has_vehicle(p) == Some(v))
                .collect();
            for r in index.by_vehicle.between(v, &index.at, q.from_ms, q.to_ms) {
                if is_own(r) || index.is_withdrawn(r) || !(q.visible)(index.checkpoint_of(r)) {
                    continue;
                }
                let linked = *mine
                    .iter()
                    .min_by_key(|&&p| ((at(r) - at(p)).abs(), p))
                    .expect("a vehicle the source used has a passage of the source");
                for (o, _) in index.occupants(r) {
                    add(
                        o,
                        Evidence {
                            kind: EvidenceKind::SharedVehicle,
                            from: s.link,
                            passage: r,
                            linked,
                            gap_ms: (at(r) - at(linked)).abs(),
                        },
                    );
                }
            }
        }
    }
    found.sort();
}

/// The links of [`links`] by person, persons in order of their strongest link (kind, then gap to
/// the second, then person).
fn grouped(found: &[Packed]) -> Vec<(u32, &[Packed])> {
    let runs: Vec<&[Packed]> = found.chunk_by(|a, b| a.0 >> 2 == b.0 >> 2).collect();
    // One `u64` per person: kind rank, gap in whole seconds (30 bits, 34 years), and the run's
    // position, which stands for the person (runs are in person order). Sorting these costs a
    // fraction of sorting wider keys (each comparison of random keys is a branch missed).
    let mut order: Vec<u64> = runs
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let seconds = ((g[0].1 >> 32) / 1_000).min((1 << 30) - 1);
            (g[0].0 & 3) << 62 | seconds << 32 | i as u64
        })
        .collect();
    order.sort_unstable();
    order
        .into_iter()
        .map(|k| {
            let g = runs[(k & 0xFFFF_FFFF) as usize];
            ((g[0].0 >> 2) as u32, g)
        })
        .collect()
}

impl TraceIndex {
    /// Where `person` sits among passage `p`'s occupants (the order they were registered in).
    pub fn position(&self, p: u32, person: u32) -> Option<usize> {
        self.occupants(p).position(|(o, _)| o == person)
    }

    pub fn observed_ms(&self, p: u32) -> i64 {
        self.at[p as usize]
    }

    pub fn plate_of(&self, p: u32) -> Option<&str> {
        self.has_vehicle(p).map(|v| self.plate(v))
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod incremental;
