//! Trajectories: the passages of one person or one vehicle over a period, in time order, as the
//! index holds them. The store keeps no on-disk person or plate index (its writes would cost
//! most of every registration); it fetches the passages this names, by id.

use cordon_domain::passage::Role;
use uuid::Uuid;

use crate::index::TraceIndex;
use crate::query::Subject;

/// The subject's passages observed in `[from_ms, to_ms)` at checkpoints `visible` admits, in
/// time order (then id), each with the person's role in it (`None` for a vehicle); withdrawn
/// passages ([`TraceIndex::withdraw`]) are left out. An unknown subject has none.
pub fn trajectory(
    index: &TraceIndex,
    subject: &Subject,
    from_ms: i64,
    to_ms: i64,
    visible: &dyn Fn(u32) -> bool,
) -> Vec<(Uuid, Option<Role>)> {
    let (person, passages) = match subject {
        Subject::Person(key) => match index.person_number(*key) {
            None => return Vec::new(),
            Some(n) => (
                Some(n),
                index.by_person.between(n, &index.at, from_ms, to_ms),
            ),
        },
        Subject::Plate(plate) => match index.vehicle_of(plate) {
            None => return Vec::new(),
            Some(v) => (None, index.by_vehicle.between(v, &index.at, from_ms, to_ms)),
        },
    };
    let mut out: Vec<(i64, Uuid, Option<Role>)> = passages
        .into_iter()
        .filter(|&p| visible(index.checkpoint_of(p)) && !index.is_withdrawn(p))
        .map(|p| {
            let role = person.and_then(|n| {
                index
                    .occupants(p)
                    .find(|&(o, _)| o == n)
                    .map(|(_, role)| role)
            });
            (index.observed_ms(p), index.id(p), role)
        })
        .collect();
    out.sort_unstable_by_key(|&(at, id, _)| (at, id));
    out.into_iter().map(|(_, id, role)| (id, role)).collect()
}

/// Where and when a vehicle was seen in `[from_ms, to_ms)`: each passage's checkpoint number
/// and time, in time order, withdrawn passages left out (the route watch's look-up: no ids, no
/// occupants, no store read).
pub fn sightings(index: &TraceIndex, plate: &str, from_ms: i64, to_ms: i64) -> Vec<(u32, i64)> {
    let Some(v) = index.vehicle_of(plate) else {
        return Vec::new();
    };
    let mut out: Vec<(u32, i64)> = index
        .by_vehicle
        .between(v, &index.at, from_ms, to_ms)
        .into_iter()
        .filter(|&p| !index.is_withdrawn(p))
        .map(|p| (index.checkpoint_of(p), index.at[p as usize]))
        .collect();
    out.sort_unstable_by_key(|&(c, at)| (at, c));
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::index::IndexRow;

    const MIN: i64 = 60_000;

    /// A passage observed `minute` minutes after time 0, with these occupants and roles.
    pub(crate) fn row(
        n: u128,
        checkpoint: u32,
        minute: i64,
        plate: Option<&str>,
        who: &[(u128, Role)],
    ) -> IndexRow {
        IndexRow {
            id: Uuid::from_u128(n),
            checkpoint,
            lane: 1,
            inbound: true,
            observed_ms: minute * MIN,
            recorded_ms: minute * MIN,
            plate: plate.map(str::to_owned),
            occupants: who.to_vec(),
        }
    }

    fn rows() -> Vec<IndexRow> {
        vec![
            row(
                1,
                0,
                30,
                Some("冀A12345"),
                &[(7, Role::Driver), (8, Role::Passenger)],
            ),
            row(2, 1, 10, Some("冀A12345"), &[(8, Role::Driver)]),
            row(3, 2, 20, None, &[(7, Role::Pedestrian)]),
            row(
                4,
                1,
                50,
                Some("冀B00001"),
                &[(9, Role::Driver), (7, Role::Passenger)],
            ),
        ]
    }

    #[test]
    fn a_persons_passages_in_time_order_with_their_role() {
        let index = TraceIndex::build(rows());
        let all = |_: u32| true;
        assert_eq!(
            trajectory(&index, &Subject::Person(7), 0, 100 * MIN, &all),
            vec![
                (Uuid::from_u128(3), Some(Role::Pedestrian)),
                (Uuid::from_u128(1), Some(Role::Driver)),
                (Uuid::from_u128(4), Some(Role::Passenger)),
            ]
        );
        // The period is half-open; hidden checkpoints are left out.
        assert_eq!(
            trajectory(&index, &Subject::Person(7), 20 * MIN, 50 * MIN, &all),
            vec![
                (Uuid::from_u128(3), Some(Role::Pedestrian)),
                (Uuid::from_u128(1), Some(Role::Driver)),
            ]
        );
        let not_two = |c: u32| c != 2;
        assert_eq!(
            trajectory(&index, &Subject::Person(7), 0, 100 * MIN, &not_two).len(),
            2
        );
        assert!(trajectory(&index, &Subject::Person(99), 0, 100 * MIN, &all).is_empty());
    }

    #[test]
    fn a_vehicles_passages_including_those_added_after_the_build() {
        let mut index = TraceIndex::build(rows());
        index.add(vec![row(5, 3, 5, Some("冀A12345"), &[(10, Role::Driver)])]);
        let all = |_: u32| true;
        assert_eq!(
            trajectory(
                &index,
                &Subject::Plate("冀A12345".into()),
                0,
                100 * MIN,
                &all
            ),
            vec![
                (Uuid::from_u128(5), None),
                (Uuid::from_u128(2), None),
                (Uuid::from_u128(1), None),
            ]
        );
        // The route watch's look-up: where and when, in time order.
        let seen = sightings(&index, "冀A12345", 0, 100 * MIN);
        assert_eq!(seen.len(), 3);
        assert!(seen.contains(&(3, 5 * MIN)));
        assert!(seen.windows(2).all(|w| w[0].1 <= w[1].1));
        assert!(sightings(&index, "冀A12345", 0, 5 * MIN).len() < 3);
        assert!(sightings(&index, "冀Z99999", 0, 100 * MIN).is_empty());
        assert!(trajectory(
            &index,
            &Subject::Plate("冀Z99999".into()),
            0,
            100 * MIN,
            &all
        )
        .is_empty());
    }
}
