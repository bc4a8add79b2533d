//! Duty rosters: the shifts of a checkpoint, each with a start and an end, a lead and officers
//! (accounts of that checkpoint) and volunteers without accounts (by name and phone, sealed at
//! rest and masked when shown), and the hand-over note one shift leaves for the next. One shift
//! at a time holds a checkpoint, so the shift a registration was made in is the one whose hours
//! hold its time; that is why a started shift keeps its start and an ended one is not changed.
//! The store refuses an officer in two overlapping shifts anywhere.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::directive::text;
use crate::access::Username;
use crate::checkpoint::CheckpointCode;
use crate::contact::MobileNumber;
use crate::person::PersonName;
use crate::FieldError;

/// Longest shift.
pub const MAX_SHIFT_MS: i64 = 24 * 3_600_000;
/// Shortest shift.
pub const MIN_SHIFT_MS: i64 = 30 * 60_000;
/// Most officers plus volunteers on one shift.
pub const MAX_CREW: usize = 60;
/// Longest hand-over note, in characters.
pub const MAX_HANDOVER: usize = 2_000;
/// How far ahead a shift may be planned.
pub const MAX_AHEAD_MS: i64 = 31 * 24 * 3_600_000;

/// A volunteer as the form gives one.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VolunteerRequest {
    pub name: String,
    /// A mainland mobile number.
    pub phone: String,
}

/// A shift as a station lead or a commander plans it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftRequest {
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    /// The officer who leads the shift (an officer account of the checkpoint).
    pub lead: String,
    /// The other officers on it.
    #[serde(default)]
    pub officers: Vec<String>,
    #[serde(default)]
    pub volunteers: Vec<VolunteerRequest>,
}

/// A volunteer, checked: their personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volunteer {
    pub name: PersonName,
    pub phone: MobileNumber,
}

/// A volunteer as shown: masked unless revealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VolunteerShown {
    pub name: String,
    pub phone: String,
}

impl Volunteer {
    pub fn masked(&self) -> VolunteerShown {
        VolunteerShown {
            name: self.name.masked(),
            phone: self.phone.masked(),
        }
    }
    pub fn clear(&self) -> VolunteerShown {
        VolunteerShown {
            name: self.name.expose().to_owned(),
            phone: self.phone.expose().to_owned(),
        }
    }
}

/// A checked shift (times in whole minutes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShiftDraft {
    pub starts_ms: i64,
    pub ends_ms: i64,
    pub lead: Username,
    /// Sorted, without duplicates, never the lead.
    pub officers: Vec<Username>,
    pub volunteers: Vec<Volunteer>,
}

impl ShiftDraft {
    /// The lead and the officers: everyone on it with an account.
    pub fn crew(&self) -> impl Iterator<Item = &Username> {
        std::iter::once(&self.lead).chain(self.officers.iter())
    }
}

fn minute(t: &DateTime<FixedOffset>) -> i64 {
    t.timestamp_millis().div_euclid(60_000) * 60_000
}

impl ShiftRequest {
    /// Checks the request against now: an end after the start, 30 minutes to 24 hours long,
    /// ending after now and starting within a month; every name and number well formed, no one
    /// twice. Every mistake is answered at once.
    pub fn parse(&self, now_ms: i64) -> Result<ShiftDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let starts_ms = minute(&self.starts_at);
        let ends_ms = minute(&self.ends_at);
        let long = ends_ms - starts_ms;
        if long <= 0 {
            errors.push(FieldError::new(
                "not_after_start",
                "ends_at",
                "a shift ends after it starts",
            ));
        } else if !(MIN_SHIFT_MS..=MAX_SHIFT_MS).contains(&long) {
            errors.push(FieldError::new(
                "out_of_range",
                "ends_at",
                "a shift is 30 minutes to 24 hours long",
            ));
        } else if ends_ms <= now_ms {
            errors.push(FieldError::new(
                "in_past",
                "ends_at",
                "a shift that has ended cannot be planned",
            ));
        }
        if starts_ms > now_ms + MAX_AHEAD_MS {
            errors.push(FieldError::new(
                "out_of_range",
                "starts_at",
                "a shift is planned at most 31 days ahead",
            ));
        }
        let lead = Username::parse(self.lead.trim()).map_err(|e| e.under("lead"));
        let lead = match lead {
            Ok(l) => Some(l),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let mut officers: Vec<Username> = Vec::new();
        for (i, o) in self.officers.iter().enumerate() {
            match Username::parse(o.trim()) {
                Ok(u) if Some(&u) == lead.as_ref() => {}
                Ok(u) if officers.contains(&u) => {}
                Ok(u) => officers.push(u),
                Err(e) => errors.push(e.under(&format!("officers[{i}]"))),
            }
        }
        officers.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        let mut volunteers: Vec<Volunteer> = Vec::new();
        for (i, v) in self.volunteers.iter().enumerate() {
            let at = format!("volunteers[{i}]");
            let name = PersonName::parse(&v.name).map_err(|e| e.under(&format!("{at}.name")));
            let phone = MobileNumber::parse(&v.phone).map_err(|e| e.under(&format!("{at}.phone")));
            match (name, phone) {
                (Ok(name), Ok(phone)) => {
                    if volunteers.iter().any(|o| o.phone == phone) {
                        errors.push(FieldError::new(
                            "duplicate",
                            format!("{at}.phone"),
                            "this volunteer is on the shift already",
                        ));
                    } else {
                        volunteers.push(Volunteer { name, phone });
                    }
                }
                (n, p) => errors.extend(n.err().into_iter().chain(p.err())),
            }
        }
        if 1 + officers.len() + volunteers.len() > MAX_CREW {
            errors.push(FieldError::new(
                "too_many",
                "officers",
                format!("a shift has at most {MAX_CREW} people"),
            ));
        }
        match lead {
            Some(lead) if errors.is_empty() => Ok(ShiftDraft {
                starts_ms,
                ends_ms,
                lead,
                officers,
                volunteers,
            }),
            _ => Err(errors),
        }
    }
}

/// Where a shift stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShiftState {
    Upcoming,
    OnDuty,
    Ended,
}

impl ShiftState {
    pub fn at(starts_ms: i64, ends_ms: i64, now_ms: i64) -> ShiftState {
        if now_ms < starts_ms {
            ShiftState::Upcoming
        } else if now_ms < ends_ms {
            ShiftState::OnDuty
        } else {
            ShiftState::Ended
        }
    }
}

/// The note a shift leaves for the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Handover {
    pub note: String,
    pub by: String,
    pub at: DateTime<FixedOffset>,
}

/// A hand-over note as written.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoverRequest {
    /// 1 to 2,000 characters.
    pub text: String,
}

impl HandoverRequest {
    pub fn parse(&self) -> Result<String, FieldError> {
        text(&self.text, "text", MAX_HANDOVER, true)
    }
}

/// A shift as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Shift {
    pub id: i64,
    pub checkpoint: CheckpointCode,
    pub checkpoint_name: String,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub state: ShiftState,
    pub lead: String,
    pub officers: Vec<String>,
    /// Masked (`张*`, `138****5678`) unless revealed.
    pub volunteers: Vec<VolunteerShown>,
    /// The note this shift left for the next.
    pub handover: Option<Handover>,
    pub planned_by: String,
    /// Registrations made at the checkpoint in this shift's hours (ended and on-duty shifts).
    pub registrations: i64,
}

/// A checkpoint now: the shift on duty, the next one, and whether nobody is on duty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DutyNow {
    pub checkpoint: CheckpointCode,
    pub checkpoint_name: String,
    /// The checkpoint's jurisdiction (a county).
    pub division: String,
    pub on_duty: Option<DutyShift>,
    /// When the next shift starts, if one is planned.
    pub next_starts_at: Option<DateTime<FixedOffset>>,
    /// Open and nobody on duty.
    pub uncovered: bool,
}

/// The shift on duty, as the board shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DutyShift {
    pub shift: i64,
    pub lead: String,
    pub officers: i64,
    pub volunteers: i64,
    pub ends_at: DateTime<FixedOffset>,
}

/// Who leads a checkpoint's station and keeps its roster.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadsRequest {
    /// Officer accounts of the checkpoint (none: the county's commanders keep it alone).
    pub leads: Vec<String>,
}

impl LeadsRequest {
    pub fn parse(&self) -> Result<Vec<Username>, FieldError> {
        let mut out: Vec<Username> = Vec::new();
        for (i, l) in self.leads.iter().enumerate() {
            let u = Username::parse(l.trim()).map_err(|e| e.under(&format!("leads[{i}]")))?;
            if !out.contains(&u) {
                out.push(u);
            }
        }
        if out.len() > 10 {
            return Err(FieldError::new(
                "too_many",
                "leads",
                "a station has at most 10 leads",
            ));
        }
        out.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        Ok(out)
    }
}

/// An officer account of a checkpoint, as the roster form offers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StationOfficer {
    pub username: String,
    /// Leads the station and keeps its roster.
    pub lead: bool,
}

/// The shift a registration was made in: the one that held its checkpoint at its time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ShiftRef {
    pub id: i64,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub lead: String,
}

/// A checkpoint's roster over a span of days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Roster {
    pub checkpoint: CheckpointCode,
    pub checkpoint_name: String,
    /// By start.
    pub shifts: Vec<Shift>,
    /// The checkpoint's officer accounts, its leads flagged.
    pub officers: Vec<StationOfficer>,
    /// Whether the account asking may plan this roster.
    pub may_plan: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::from_ms;

    const NOW: i64 = 1_780_000_000_000;

    fn req(start_h: i64, end_h: i64) -> ShiftRequest {
        ShiftRequest {
            starts_at: from_ms(NOW + start_h * 3_600_000),
            ends_at: from_ms(NOW + end_h * 3_600_000),
            lead: "duty.lead".into(),
            officers: vec!["b.officer".into(), "duty.lead".into(), "a.officer".into()],
            volunteers: vec![VolunteerRequest {
                name: " 王五 ".into(),
                phone: "139-1234-5678".into(),
            }],
        }
    }

    #[test]
    fn a_shift_is_checked_whole() {
        let d = req(1, 9).parse(NOW).unwrap();
        let names: Vec<&str> = d.officers.iter().map(|o| o.as_str()).collect();
        assert_eq!(names, ["a.officer", "b.officer"]);
        assert_eq!(d.crew().count(), 3);
        assert_eq!(d.volunteers[0].masked().name, "王*");
        assert_eq!(d.volunteers[0].masked().phone, "139****5678");
        let field = |r: ShiftRequest| -> Vec<String> {
            r.parse(NOW)
                .unwrap_err()
                .into_iter()
                .map(|e| format!("{} {}", e.field, e.code))
                .collect()
        };
        assert_eq!(field(req(9, 1)), ["ends_at not_after_start"]);
        assert_eq!(field(req(1, 30)), ["ends_at out_of_range"]);
        assert_eq!(field(req(-10, -2)), ["ends_at in_past"]);
        let mut r = req(1, 9);
        r.lead = "X".into();
        r.officers.push("no way".into());
        r.volunteers.push(VolunteerRequest {
            name: "".into(),
            phone: "12345".into(),
        });
        r.volunteers.push(VolunteerRequest {
            name: "赵六".into(),
            phone: "13912345678".into(),
        });
        assert_eq!(
            field(r),
            [
                "lead invalid_username",
                "officers[3] invalid_username",
                "volunteers[1].name required",
                "volunteers[1].phone invalid_phone",
                "volunteers[2].phone duplicate",
            ]
        );
        // A shift already under way may be planned on (its end is ahead).
        assert!(req(-3, 5).parse(NOW).is_ok());
    }

    #[test]
    fn states_follow_the_clock() {
        assert_eq!(ShiftState::at(10, 20, 5), ShiftState::Upcoming);
        assert_eq!(ShiftState::at(10, 20, 10), ShiftState::OnDuty);
        assert_eq!(ShiftState::at(10, 20, 20), ShiftState::Ended);
    }
}
