//! When one rule's conditions make another's superfluous: the check behind `unreachable_rule`.

use super::Conditions;

impl Conditions {
    /// Whether every occupant these conditions match is also matched by `other`: `other` is no
    /// stricter in any condition. Conservative: `false` when it cannot tell.
    pub fn implies(&self, other: &Conditions) -> bool {
        fn set(mine: Option<u8>, theirs: Option<u8>) -> bool {
            match (mine, theirs) {
                (_, None) => true,
                (Some(m), Some(t)) => m & !t == 0,
                (None, Some(_)) => false,
            }
        }
        fn eq<T: PartialEq>(mine: &Option<T>, theirs: &Option<T>) -> bool {
            theirs.is_none() || mine == theirs
        }
        let at_least = match (self.temperature_at_least, other.temperature_at_least) {
            (_, None) => true,
            (Some(m), Some(t)) => m >= t,
            _ => false,
        };
        let below = match (self.temperature_below, other.temperature_below) {
            (_, None) => true,
            (Some(m), Some(t)) => m <= t,
            _ => false,
        };
        let provinces = match (&self.plate_province, &other.plate_province) {
            (_, None) => true,
            (Some(m), Some(t)) => m.iter().all(|c| t.contains(c)),
            _ => false,
        };
        let checkpoints = match (&self.checkpoint, &other.checkpoint) {
            (_, None) => true,
            (Some(m), Some(t)) => m.iter().all(|c| t.contains(c)),
            _ => false,
        };
        set(self.health_code, other.health_code)
            && set(self.status, other.status)
            && at_least
            && below
            && set(self.document_type, other.document_type)
            && set(self.role, other.role)
            && set(self.test_result, other.test_result)
            && set(self.test_kind, other.test_kind)
            && eq(&self.with_negative_test, &other.with_negative_test)
            && eq(&self.without_negative_test, &other.without_negative_test)
            && eq(&self.visited_risk, &other.visited_risk)
            && eq(&self.on_foot, &other.on_foot)
            && set(self.vehicle_class, other.vehicle_class)
            && provinces
            && eq(&self.plate_province_not, &other.plate_province_not)
            && eq(&self.freight_pass, &other.freight_pass)
            && set(self.goods_category, other.goods_category)
            && set(self.direction, other.direction)
            && checkpoints
            && set(self.defence_line, other.defence_line)
            && eq(&self.time_of_day, &other.time_of_day)
    }
}
