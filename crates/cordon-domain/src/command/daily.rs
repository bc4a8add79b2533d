//! The daily report: for a station, a county, a city or the province, one calendar day (China
//! time): vehicles and persons, the lanes' outcomes (held and turned back among them), the
//! positives the testing found, the directives acknowledged and those that fell overdue, the
//! reports raised and closed, and how much of the day the roster covered. Each day is kept as a
//! snapshot at a set time the next morning, so the report sent up is the report that stays.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::FieldError;

/// One day's figures of a checkpoint, or the sum of several.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DayFigures {
    /// Open checkpoints counted.
    pub checkpoints: i64,
    pub vehicles: i64,
    pub persons: i64,
    /// Vehicles by the lane's outcome.
    pub passed: i64,
    pub tested_on_site: i64,
    pub held: i64,
    pub referred: i64,
    pub turned_back: i64,
    /// Acknowledgements made that day.
    pub directives_acknowledged: i64,
    /// Stations whose deadline fell that day without their acknowledgement by it.
    pub directives_overdue: i64,
    pub reports_raised: i64,
    pub reports_closed: i64,
    /// Shifts that held a checkpoint during the day.
    pub shifts: i64,
    /// Minutes of the day the open checkpoints were held by a shift, summed.
    pub covered_minutes: i64,
}

impl DayFigures {
    pub fn add(&mut self, o: &DayFigures) {
        self.checkpoints += o.checkpoints;
        self.vehicles += o.vehicles;
        self.persons += o.persons;
        self.passed += o.passed;
        self.tested_on_site += o.tested_on_site;
        self.held += o.held;
        self.referred += o.referred;
        self.turned_back += o.turned_back;
        self.directives_acknowledged += o.directives_acknowledged;
        self.directives_overdue += o.directives_overdue;
        self.reports_raised += o.reports_raised;
        self.reports_closed += o.reports_closed;
        self.shifts += o.shifts;
        self.covered_minutes += o.covered_minutes;
    }

    /// The share of the open checkpoints' day held by a shift, in per cent (0 when none).
    pub fn coverage_percent(&self) -> i64 {
        if self.checkpoints == 0 {
            0
        } else {
            self.covered_minutes * 100 / (self.checkpoints * 1_440)
        }
    }

    /// Counts a vehicle's outcome (an unknown one among the passed).
    pub fn count_outcome(&mut self, outcome: &str, vehicles: i64) {
        match outcome {
            "test_on_site" => self.tested_on_site += vehicles,
            "hold" => self.held += vehicles,
            "refer" => self.referred += vehicles,
            "persuade_return" => self.turned_back += vehicles,
            _ => self.passed += vehicles,
        }
    }
}

/// What the testing found that day in the area (a jurisdiction's campaigns).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Positives {
    /// PCR tubes released positive or unclear.
    pub pcr_tubes: i64,
    /// The persons in those tubes (pooled samples recall every one).
    pub pcr_persons: i64,
    /// Antigen tests read positive.
    pub antigen: i64,
}

/// One line of a report: a city, a county or a checkpoint of the scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DailyLine {
    pub code: String,
    pub name: String,
    pub figures: DayFigures,
}

/// A daily report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DailyReport {
    #[schema(value_type = String, format = Date)]
    pub day: NaiveDate,
    /// A jurisdiction's code or a checkpoint's.
    pub scope: String,
    pub name: String,
    /// `province`, `city`, `county` or `checkpoint`.
    pub level: String,
    pub total: DayFigures,
    /// For a jurisdiction (campaigns are by area, not by checkpoint).
    pub positives: Option<Positives>,
    /// The cities of a province, the counties of a city, the checkpoints of a county.
    pub lines: Vec<DailyLine>,
    /// When the day was kept; absent: counted now (the day is not over, or not kept yet).
    pub kept_at: Option<DateTime<FixedOffset>>,
}

/// The set time the day's report is kept, `HH:MM` of the next morning.
pub fn parse_keep_time(s: &str) -> Result<u32, FieldError> {
    let bad = || {
        FieldError::new(
            "invalid_time",
            "",
            "a time of day as HH:MM, such as 00:30 (at most 06:00)",
        )
    };
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let minutes = h * 60 + m;
    if m >= 60 || minutes > 6 * 60 {
        return Err(bad());
    }
    Ok(minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_add_up_and_cover_the_day() {
        let mut a = DayFigures {
            checkpoints: 2,
            covered_minutes: 1_440 + 720,
            ..DayFigures::default()
        };
        a.count_outcome("hold", 3);
        a.count_outcome("pass", 5);
        a.count_outcome("somewhere", 1);
        let mut total = DayFigures::default();
        total.add(&a);
        total.add(&a);
        assert_eq!((total.held, total.passed, total.checkpoints), (6, 12, 4));
        assert_eq!(total.coverage_percent(), 75);
        assert_eq!(DayFigures::default().coverage_percent(), 0);
    }

    #[test]
    fn the_keep_time_is_early_morning() {
        assert_eq!(parse_keep_time("00:30"), Ok(30));
        assert_eq!(parse_keep_time("6:00"), Ok(360));
        for bad in ["07:00", "0030", "00:60", "ab:cd"] {
            assert!(parse_keep_time(bad).is_err(), "{bad}");
        }
    }
}
