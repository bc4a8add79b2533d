//! Route conformance ("tracked", 即追): the freight passes in force, by vehicle, and what the
//! vehicles' passages say of them. A pass whose route names checkpoints expects its vehicle at
//! those only: a passage elsewhere while the pass is in force is off its route. A pass with a
//! planned arrival expects its vehicle seen within [`OVERDUE_HOURS`] of it: none by then, it
//! is overdue. The watch is built from the store's passes and read by the hub's route watcher,
//! which looks the vehicles up in the trace index; checking one passage is one map look-up.

use std::collections::HashMap;

use super::pass::PassNumber;
use crate::checkpoint::CheckpointCode;
use crate::division::DivisionCode;

/// How far from its planned arrival a vehicle must have been seen.
pub const OVERDUE_HOURS: i64 = 6;
const HOUR_MS: i64 = 3_600_000;

/// A pass in force as the watch holds it (no personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchedPass {
    pub number: PassNumber,
    pub plate: String,
    pub tractor_plate: Option<String>,
    /// The checkpoints on the way (none: any checkpoint is on the route).
    pub via: Vec<CheckpointCode>,
    pub valid_from_ms: i64,
    pub valid_until_ms: i64,
    pub expected_arrival_ms: Option<i64>,
}

impl WatchedPass {
    /// The division whose command issued the pass (its number's first six digits).
    pub fn issuer(&self) -> DivisionCode {
        self.number.issuer()
    }

    pub fn in_force(&self, at_ms: i64) -> bool {
        (self.valid_from_ms..self.valid_until_ms).contains(&at_ms)
    }

    /// Whether a passage at `checkpoint` at `at_ms` leaves this pass's route: in force then,
    /// a route that names checkpoints, and this one not among them.
    pub fn strays(&self, checkpoint: &str, at_ms: i64) -> bool {
        self.in_force(at_ms)
            && !self.via.is_empty()
            && !self.via.iter().any(|c| c.as_str() == checkpoint)
    }

    /// The window around the planned arrival in which the vehicle must be seen, and when it
    /// closes; `None` without a planned arrival.
    pub fn arrival_window(&self) -> Option<(i64, i64)> {
        self.expected_arrival_ms
            .map(|t| (t - OVERDUE_HOURS * HOUR_MS, t + OVERDUE_HOURS * HOUR_MS))
    }

    /// The route's checkpoints still ahead of a vehicle last seen at `last` (all of them when
    /// it was last seen off the route, or not at all).
    pub fn ahead(&self, last: Option<&str>) -> &[CheckpointCode] {
        ahead(&self.via, last)
    }
}

/// A route's checkpoints after `last` (all of them when `last` is not on it, or unknown).
pub fn ahead<'a>(via: &'a [CheckpointCode], last: Option<&str>) -> &'a [CheckpointCode] {
    match last.and_then(|l| via.iter().position(|c| c.as_str() == l)) {
        Some(i) => &via[i + 1..],
        None => via,
    }
}

/// The passes in force, found by plate (a pass is filed under its plate and its tractor's).
#[derive(Debug, Default)]
pub struct RouteWatch {
    passes: Vec<WatchedPass>,
    by_plate: HashMap<String, Vec<u32>>,
}

impl RouteWatch {
    pub fn new(passes: Vec<WatchedPass>) -> Self {
        let mut by_plate: HashMap<String, Vec<u32>> = HashMap::with_capacity(passes.len());
        for (i, p) in passes.iter().enumerate() {
            by_plate.entry(p.plate.clone()).or_default().push(i as u32);
            if let Some(t) = &p.tractor_plate {
                if t != &p.plate {
                    by_plate.entry(t.clone()).or_default().push(i as u32);
                }
            }
        }
        Self { passes, by_plate }
    }

    pub fn len(&self) -> usize {
        self.passes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.passes.is_empty()
    }

    pub fn passes(&self) -> &[WatchedPass] {
        &self.passes
    }

    /// Every plate watched, with its passes' positions in [`RouteWatch::passes`].
    pub fn plates(&self) -> impl Iterator<Item = (&str, &[u32])> {
        self.by_plate
            .iter()
            .map(|(plate, list)| (plate.as_str(), list.as_slice()))
    }

    /// A watched plate as the map holds it, with its passes' positions.
    pub fn plate(&self, plate: &str) -> Option<(&str, &[u32])> {
        self.by_plate
            .get_key_value(plate)
            .map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The passes of `plate` (its own or as a tractor).
    pub fn of_plate<'a>(&'a self, plate: &str) -> impl Iterator<Item = &'a WatchedPass> + 'a {
        self.by_plate
            .get(plate)
            .into_iter()
            .flatten()
            .map(|&i| &self.passes[i as usize])
    }

    /// The passes a passage of `plate` at `checkpoint` at `at_ms` leaves the route of.
    pub fn strays<'a>(
        &'a self,
        plate: &str,
        checkpoint: &'a str,
        at_ms: i64,
    ) -> impl Iterator<Item = &'a WatchedPass> + 'a {
        self.of_plate(plate)
            .filter(move |p| p.strays(checkpoint, at_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(number: &str, plate: &str, via: &[&str], arrival: Option<i64>) -> WatchedPass {
        WatchedPass {
            number: PassNumber::parse(number).unwrap(),
            plate: plate.into(),
            tractor_plate: Some("鄂A0001挂".into()).filter(|_| plate == "鄂A12345"),
            via: via
                .iter()
                .map(|c| CheckpointCode::parse(c).unwrap())
                .collect(),
            valid_from_ms: 0,
            valid_until_ms: 48 * HOUR_MS,
            expected_arrival_ms: arrival,
        }
    }

    #[test]
    fn a_passage_off_a_named_route_strays_and_one_on_it_does_not() {
        let watch = RouteWatch::new(vec![
            pass(
                "130100000001",
                "鄂A12345",
                &["CP-130100-0001", "CP-130100-0002", "CP-130100-0003"],
                Some(20 * HOUR_MS),
            ),
            pass("130100000002", "冀B22222", &[], None),
        ]);
        let hits = |plate: &str, cp: &str, at: i64| {
            watch
                .strays(plate, cp, at)
                .map(|p| p.number.to_string())
                .collect::<Vec<_>>()
        };
        assert!(hits("鄂A12345", "CP-130100-0002", HOUR_MS).is_empty());
        assert_eq!(
            hits("鄂A12345", "CP-130200-0009", HOUR_MS),
            ["130100000001"]
        );
        // Filed under the tractor's plate too; out of force it says nothing.
        assert_eq!(
            hits("鄂A0001挂", "CP-130200-0009", HOUR_MS),
            ["130100000001"]
        );
        assert!(hits("鄂A12345", "CP-130200-0009", 49 * HOUR_MS).is_empty());
        // A route that names no checkpoint is never left; an unknown plate has no pass.
        assert!(hits("冀B22222", "CP-130200-0009", HOUR_MS).is_empty());
        assert!(hits("冀C33333", "CP-130200-0009", HOUR_MS).is_empty());
        assert_eq!(watch.plates().count(), 3);
        assert_eq!(watch.plates().map(|(_, l)| l.len()).sum::<usize>(), 3);

        let p = &watch.passes()[0];
        assert_eq!(p.issuer().to_string(), "130100");
        assert_eq!(p.arrival_window(), Some((14 * HOUR_MS, 26 * HOUR_MS)));
        let names = |s: &[CheckpointCode]| s.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(
            names(p.ahead(Some("CP-130100-0001"))),
            ["CP-130100-0002", "CP-130100-0003"]
        );
        assert_eq!(names(p.ahead(Some("CP-130100-0003"))), Vec::<String>::new());
        assert_eq!(names(p.ahead(Some("CP-130200-0009"))).len(), 3);
        assert_eq!(names(p.ahead(None)).len(), 3);
    }
}
