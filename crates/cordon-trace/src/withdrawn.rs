//! Passages withdrawn by a correction: a registration that supersedes an earlier one at the same
//! checkpoint (a wrong plate, a person missed) makes the earlier one no evidence of anything.
//! The index keeps a bit per passage number; traces and trajectories leave withdrawn passages
//! out, and the next rebuild drops them. The store leaves superseded passages out of what it
//! reads for the index, so a withdrawn passage does not come back.

use uuid::Uuid;

use crate::index::TraceIndex;

impl TraceIndex {
    /// Withdraws the passage `id`, observed at `observed_ms` at checkpoint `checkpoint` (where
    /// it is looked for): answers whether it was held and not withdrawn before.
    pub fn withdraw(&mut self, id: Uuid, checkpoint: u32, observed_ms: i64) -> bool {
        let found = self
            .at_checkpoint(checkpoint, observed_ms, observed_ms.saturating_add(1))
            .find(|&p| self.id(p) == id);
        let Some(p) = found else { return false };
        let (word, bit) = (p as usize / 64, p % 64);
        if self.withdrawn.len() <= word {
            self.withdrawn.resize(word + 1, 0);
        }
        let was = self.withdrawn[word] & (1 << bit) != 0;
        self.withdrawn[word] |= 1 << bit;
        !was
    }

    /// Whether passage `p` was withdrawn.
    pub fn is_withdrawn(&self, p: u32) -> bool {
        self.withdrawn
            .get(p as usize / 64)
            .is_some_and(|w| w & (1 << (p % 64)) != 0)
    }

    /// Passages withdrawn and not yet dropped by a rebuild.
    pub fn withdrawn(&self) -> usize {
        self.withdrawn.iter().map(|w| w.count_ones() as usize).sum()
    }
}

#[cfg(test)]
mod tests {
    use cordon_domain::passage::Role;

    use super::*;
    use crate::index::IndexRow;
    use crate::query::{trace, Subject, TraceQuery};
    use crate::trajectory::{tests::row, trajectory};

    const MIN: i64 = 60_000;

    fn rider(n: u128, checkpoint: u32, minute: i64, plate: &str, who: &[u128]) -> IndexRow {
        let who: Vec<(u128, Role)> = who.iter().map(|&k| (k, Role::Passenger)).collect();
        row(n, checkpoint, minute, Some(plate), &who)
    }

    fn contacts(index: &TraceIndex, case: u128) -> Vec<u128> {
        let everywhere = |_: u32| true;
        let q = TraceQuery {
            subject: Subject::Person(case),
            from_ms: 0,
            to_ms: 1_000 * MIN,
            window_ms: 30 * MIN,
            hops: 2,
            same_direction: false,
            same_lane: false,
            max_contacts: 100,
            max_evidence: 10,
            visible: &everywhere,
        };
        let answer = trace(index, &q);
        let mut keys: Vec<u128> = answer
            .contacts
            .iter()
            .map(|c| {
                (1..=20u128)
                    .find(|&k| index.person_number(k) == Some(c.person))
                    .unwrap()
            })
            .collect();
        keys.sort_unstable();
        keys
    }

    fn ids(index: &TraceIndex, person: u128) -> Vec<u128> {
        trajectory(index, &Subject::Person(person), 0, 1_000 * MIN, &|_| true)
            .into_iter()
            .map(|(id, _)| id.as_u128())
            .collect()
    }

    #[test]
    fn a_superseded_passage_links_nobody_and_leaves_at_the_rebuild() {
        // Passage 1 registered the case (1) with 2 in car A by mistake; passage 2 corrects it:
        // the case rode with 3. 4 passed the same checkpoint 10 minutes later, and rode with 5
        // the next day; 6 rode in car A (the wrong plate) another day.
        let mut index = TraceIndex::build(vec![
            rider(1, 1, 100, "冀A11111", &[1, 2]),
            rider(2, 1, 101, "冀B22222", &[1, 3]),
            rider(3, 1, 110, "冀C33333", &[4]),
            rider(4, 2, 900, "冀C33333", &[4, 5]),
            rider(5, 3, 700, "冀A11111", &[6]),
        ]);
        assert_eq!(contacts(&index, 1), vec![2, 3, 4, 5, 6]);
        // Looked for where it was observed: a wrong checkpoint or time finds nothing.
        assert!(!index.withdraw(Uuid::from_u128(1), 2, 100 * MIN));
        assert!(!index.withdraw(Uuid::from_u128(1), 1, 99 * MIN));
        assert!(index.withdraw(Uuid::from_u128(1), 1, 100 * MIN));
        assert!(!index.withdraw(Uuid::from_u128(1), 1, 100 * MIN), "once");
        assert_eq!(index.withdrawn(), 1);
        // 2 and 6 were linked only through the withdrawn passage.
        assert_eq!(contacts(&index, 1), vec![3, 4, 5]);
        assert_eq!(ids(&index, 1), vec![2]);
        assert!(ids(&index, 2).is_empty());
        assert!(trajectory(
            &index,
            &Subject::Plate("冀A11111".into()),
            0,
            i64::MAX,
            &|_| true
        )
        .iter()
        .all(|(id, _)| id.as_u128() == 5));

        // Added since the build, withdrawn the same way; a rebuild drops both.
        index.add(vec![rider(6, 1, 105, "冀D44444", &[1, 7])]);
        assert_eq!(contacts(&index, 1), vec![3, 4, 5, 7]);
        assert!(index.withdraw(Uuid::from_u128(6), 1, 105 * MIN));
        assert_eq!(contacts(&index, 1), vec![3, 4, 5]);
        let rebuilt = index.without_before(i64::MIN);
        assert_eq!(rebuilt.passages(), 4);
        assert_eq!(rebuilt.withdrawn(), 0);
        assert_eq!(contacts(&rebuilt, 1), vec![3, 4, 5]);
    }
}
