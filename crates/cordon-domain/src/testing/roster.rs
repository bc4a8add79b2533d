//! A campaign's roster: the residents expected at its sites, each with their document and the
//! compound and building they live in, so that at any moment the page can say who has not been
//! sampled, building by building ("464 tested, not one missed"). Rows come from a file; every
//! problem of a row is reported with its column.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::contact::MobileNumber;
use crate::identity::{DocumentType, IdentityDocument};
use crate::person::PersonName;
use crate::registration::DocumentRequest;
use crate::{FieldError, Gathered};

/// Most persons one campaign's roster holds (a city of a million).
pub const MAX_ROSTER: usize = 1_000_000;
/// Most rows one file brings.
pub const MAX_FILE_ROWS: usize = 200_000;
/// Longest compound or building name.
pub const MAX_PLACE: usize = 64;

/// A roster row as a file gives it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct RosterRowRequest {
    pub name: String,
    pub document: DocumentRequest,
    pub phone: Option<String>,
    /// The residential compound (小区) or village.
    pub compound: String,
    /// The building (楼栋) or group; may be empty.
    pub building: Option<String>,
}

/// A checked roster row.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterRow {
    pub name: PersonName,
    pub document: IdentityDocument,
    pub phone: Option<MobileNumber>,
    pub compound: String,
    pub building: String,
}

fn place(s: &str, field: &str, required: bool) -> Result<String, FieldError> {
    let t = s.trim();
    if (required && t.is_empty())
        || t.chars().count() > MAX_PLACE
        || t.chars().any(char::is_control)
    {
        return Err(FieldError::new(
            if t.is_empty() {
                "required"
            } else {
                "invalid_text"
            },
            field,
            format!("1 to {MAX_PLACE} characters, without control characters"),
        ));
    }
    Ok(t.to_owned())
}

impl RosterRowRequest {
    /// Checks the row, judging the document against `today`; every problem at once.
    pub fn parse(&self, today: NaiveDate) -> Result<RosterRow, Vec<FieldError>> {
        let mut g = Gathered::default();
        let name = g.take(PersonName::parse(&self.name).map_err(|e| e.under("name")));
        let document = g.take(
            DocumentType::parse(&self.document.kind)
                .map_err(|e| e.under("document.type"))
                .and_then(|k| {
                    IdentityDocument::parse_at(k, &self.document.number, today)
                        .map_err(|e| e.under("document"))
                }),
        );
        let phone = match self.phone.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(p) => g.take(
                MobileNumber::parse(p)
                    .map_err(|e| e.under("phone"))
                    .map(Some),
            ),
        };
        let compound = g.take(place(&self.compound, "compound", true));
        let building = g.take(place(
            self.building.as_deref().unwrap_or(""),
            "building",
            false,
        ));
        g.finish(|| {
            Some(RosterRow {
                name: name?,
                document: document?,
                phone: phone?,
                compound: compound?,
                building: building?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> RosterRowRequest {
        RosterRowRequest {
            name: "张三".into(),
            document: DocumentRequest {
                kind: "resident_id".into(),
                number: "11010519491231002X".into(),
            },
            phone: Some("13812345678".into()),
            compound: " 裕华小区 ".into(),
            building: Some("3号楼".into()),
        }
    }

    #[test]
    fn a_row_names_its_person_and_where_they_live() {
        let today = NaiveDate::from_ymd_opt(2022, 5, 3).unwrap();
        let r = row().parse(today).unwrap();
        assert_eq!(
            (r.compound.as_str(), r.building.as_str()),
            ("裕华小区", "3号楼")
        );
        let mut bad = row();
        bad.document.number = "11010519491231002Y".into();
        bad.compound = String::new();
        let fields: Vec<String> = bad
            .parse(today)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["document.number", "compound"]);
    }
}
