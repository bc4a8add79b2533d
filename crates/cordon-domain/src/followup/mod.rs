//! Follow-up of key persons: lists of persons to call (pushed by another region, uploaded as a
//! file, made from a case trace), each row checked into a [`ListRow`], and the identity each row
//! is matched by ([`ListRow::identity`]): its document when it has one, else its phone and
//! name, "unverified". One person on several lists is one follow-up subject that names every
//! list; a row's facts are all kept, never merged away.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::checkpoint::string_enum;
use crate::contact::MobileNumber;
use crate::identity::{DocumentType, IdentityDocument};
use crate::person::PersonName;
use crate::registration::DocumentRequest;
use crate::{FieldError, Gathered};

pub mod crossing;
pub mod questionnaire;
pub mod work;

/// Most rows one list may carry.
pub const MAX_ROWS: usize = 200_000;
/// How long a list's callers have, unless it says otherwise.
pub const DEFAULT_DEADLINE_HOURS: u32 = 24;
/// The longest deadline a list may set.
pub const MAX_DEADLINE_HOURS: u32 = 14 * 24;
/// Longest free text (where from, address, note, a list's label).
pub const MAX_TEXT: usize = 200;

string_enum! {
    /// Where a list came from.
    ListSource {
        Upload = "upload",
        Push = "push",
        Trace = "trace",
        Query = "query",
    }
}

/// A list as another system pushes it (the upload and the trace make the same rows). A list is
/// named by its `id`: the same id and row numbers pushed again write nothing new.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRequest {
    /// Chosen by the sender (a UUID); a retry sends the same.
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    /// Who sent it and why, as the callers will see it: "北京市推送 2022-05-03".
    #[schema(max_length = 200)]
    pub label: String,
    /// Hours the callers have from its arrival (1 to 336, default 24).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 336)]
    pub deadline_hours: Option<u32>,
    pub rows: Vec<ListRowRequest>,
}

/// One person of a list. A row needs a document or a phone; the name is always given.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRowRequest {
    /// The row's number in the sender's list (from 1): what a retry is matched by.
    #[schema(minimum = 1)]
    pub row: u32,
    #[schema(example = "张三")]
    pub name: String,
    #[serde(default)]
    pub document: Option<DocumentRequest>,
    #[serde(default)]
    #[schema(example = "13812345678")]
    pub phone: Option<String>,
    /// Where the person came from (a place, as written).
    #[serde(default)]
    pub from: Option<String>,
    /// The day of arrival, `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(example = "2022-05-02")]
    pub arrived_on: Option<String>,
    /// Where the person lives now, as written.
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A checked row.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRow {
    pub row: u32,
    pub name: PersonName,
    pub document: Option<IdentityDocument>,
    pub phone: Option<MobileNumber>,
    pub from: Option<String>,
    pub arrived_on: Option<NaiveDate>,
    pub address: Option<String>,
    pub note: Option<String>,
}

/// What a row's person is matched by across lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity<'a> {
    /// By document (the same keyed hash as passages and statuses).
    Document(&'a IdentityDocument),
    /// By phone and name: "identity unverified". The identifier the keyed hash is taken of.
    PhoneAndName(String),
}

fn text(s: Option<&str>, field: &str) -> Result<Option<String>, FieldError> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) if t.chars().count() > MAX_TEXT || t.chars().any(char::is_control) => {
            Err(FieldError::new(
                "invalid_text",
                field,
                format!("at most {MAX_TEXT} characters, without control characters"),
            ))
        }
        Some(t) => Ok(Some(t.to_owned())),
    }
}

/// A day as lists write it: `2022-05-02`, `2022/5/2` or `2022年5月2日`.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let s = s.split([' ', 'T']).next().unwrap_or(s);
    let cleaned: String = s
        .replace(['年', '月', '/', '.'], "-")
        .trim_end_matches('日')
        .to_owned();
    NaiveDate::parse_from_str(&cleaned, "%Y-%m-%d").ok()
}

impl ListRowRequest {
    /// Checks the row, judging dates against `today`; every problem, each with its field.
    pub fn parse(&self, today: NaiveDate) -> Result<ListRow, Vec<FieldError>> {
        let mut g = Gathered::default();
        if self.row == 0 {
            g.push(FieldError::new(
                "out_of_range",
                "row",
                "rows are numbered from 1",
            ));
        }
        let name = g.take(PersonName::parse(&self.name).map_err(|e| e.under("name")));
        let document = match &self.document {
            None => Some(None),
            Some(d) if d.number.trim().is_empty() => Some(None),
            Some(d) => g
                .take(
                    DocumentType::parse(&d.kind)
                        .map_err(|e| e.under("document.type"))
                        .and_then(|k| {
                            IdentityDocument::parse_at(k, &d.number, today)
                                .map_err(|e| e.under("document"))
                        }),
                )
                .map(Some),
        };
        let phone = match self.phone.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(p) => g
                .take(MobileNumber::parse(p).map_err(|e| e.under("phone")))
                .map(Some),
        };
        let from = g.take(text(self.from.as_deref(), "from"));
        let arrived_on = match self.arrived_on.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(s) => match parse_day(s) {
                Some(d) if d <= today => Some(Some(d)),
                Some(_) => {
                    g.push(FieldError::new(
                        "in_the_future",
                        "arrived_on",
                        "the day of arrival is after today",
                    ));
                    None
                }
                None => {
                    g.push(FieldError::new(
                        "invalid_date",
                        "arrived_on",
                        "a day such as 2022-05-02",
                    ));
                    None
                }
            },
        };
        let address = g.take(text(self.address.as_deref(), "address"));
        let note = g.take(text(self.note.as_deref(), "note"));
        if matches!((&document, &phone), (Some(None), Some(None))) {
            g.push(FieldError::new(
                "no_identity",
                "phone",
                "a row needs a document number or a phone to find the person by",
            ));
        }
        g.finish(|| {
            Some(ListRow {
                row: self.row,
                name: name?,
                document: document?,
                phone: phone?,
                from: from?,
                arrived_on: arrived_on?,
                address: address?,
                note: note?,
            })
        })
    }
}

impl ListRow {
    /// What the row's person is matched by.
    pub fn identity(&self) -> Identity<'_> {
        match (&self.document, &self.phone) {
            (Some(d), _) => Identity::Document(d),
            (None, Some(p)) => Identity::PhoneAndName(format!(
                "phone_name:{}:{}",
                p.expose(),
                normalise_name(self.name.expose())
            )),
            // A checked row has one or the other; a name alone is matched by itself.
            (None, None) => {
                Identity::PhoneAndName(format!("name:{}", normalise_name(self.name.expose())))
            }
        }
    }
}

/// The place an address names when it lies outside `scope`'s province (its code); `None` for a
/// place within it, or an address that names no place.
pub fn place_outside(
    address: &str,
    scope: crate::division::DivisionCode,
) -> Option<crate::division::DivisionCode> {
    let province = scope.province();
    crate::places::named_anywhere(address)
        .and_then(|p| crate::division::DivisionCode::parse(p.code).ok())
        .filter(|d| !province.contains(*d))
}

/// A name as it is compared: without spaces or middle dots, Latin letters in upper case.
pub fn normalise_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '·' | '•' | '.'))
        .flat_map(char::to_uppercase)
        .collect()
}

impl ListRequest {
    /// Checks the list: its label, deadline and every row (each problem under `rows[i]`).
    pub fn parse(&self, today: NaiveDate) -> Result<(String, u32, Vec<ListRow>), Vec<FieldError>> {
        let mut g = Gathered::default();
        let label = match text(Some(&self.label), "label") {
            Ok(Some(l)) => Some(l),
            Ok(None) => {
                g.push(FieldError::new(
                    "required",
                    "label",
                    "say who sent the list and why",
                ));
                None
            }
            Err(e) => {
                g.push(e);
                None
            }
        };
        let hours = self.deadline_hours.unwrap_or(DEFAULT_DEADLINE_HOURS);
        if !(1..=MAX_DEADLINE_HOURS).contains(&hours) {
            g.push(FieldError::new(
                "out_of_range",
                "deadline_hours",
                format!("a deadline is 1 to {MAX_DEADLINE_HOURS} hours"),
            ));
        }
        if self.rows.is_empty() || self.rows.len() > MAX_ROWS {
            g.push(FieldError::new(
                "out_of_range",
                "rows",
                format!("a list has 1 to {MAX_ROWS} rows"),
            ));
            return g.finish(|| None);
        }
        let mut rows = Vec::with_capacity(self.rows.len());
        let mut seen = std::collections::HashSet::with_capacity(self.rows.len());
        for (i, r) in self.rows.iter().enumerate() {
            let path = format!("rows[{i}]");
            if !seen.insert(r.row) {
                g.push(FieldError::new(
                    "duplicate_row",
                    format!("{path}.row"),
                    "this row number appears earlier in the list",
                ));
            }
            if let Some(row) = g.take_all(r.parse(today), &path) {
                rows.push(row);
            }
        }
        g.finish(|| Some((label?, hours, rows)))
    }
}

/// A list as its readers see it, with what it brought.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ListSummary {
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    pub source: ListSource,
    pub label: String,
    /// The jurisdiction of the account that brought it: readers whose scope holds it see it.
    pub scope: String,
    pub brought_by: String,
    pub brought_at_ms: i64,
    pub deadline_ms: i64,
    /// Rows taken.
    pub rows: i64,
    /// Rows of the upload left out as bad, at the uploader's asking.
    pub skipped: i64,
    /// Distinct persons on it.
    pub subjects: i64,
    /// Of those, persons no earlier list named.
    pub new_subjects: i64,
    /// Of those, persons known by phone and name only.
    pub unverified: i64,
}

/// One row of a list with the subject it was matched to, masked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubjectLine {
    /// The subject (one person across lists).
    pub subject: i64,
    /// The row's number in the list.
    pub row: i64,
    /// Masked.
    pub name: String,
    pub document: Option<crate::identity::MaskedDocument>,
    /// Whether the person is known by a document (else by phone and name).
    pub verified: bool,
    /// The division of the document's area code, when it has one.
    pub home_area: Option<String>,
    /// Its name, with the divisions above it ("河北省石家庄市 长安区").
    pub home_area_name: Option<String>,
    pub state: String,
    /// How many lists name this person.
    pub lists: i64,
}

impl ListRow {
    /// The county (or city) the person is followed up in: the one the address names within
    /// `scope` (the jurisdiction the list was brought in), else within its province; else the
    /// document's area when it lies in the province; `None` when neither says (the county's
    /// commander hands the person out by hand).
    pub fn county(
        &self,
        scope: crate::division::DivisionCode,
    ) -> Option<crate::division::DivisionCode> {
        let code = scope.to_string();
        let significant = code.trim_end_matches("00");
        let province = scope.province();
        let by_address = self.address.as_deref().and_then(|a| {
            crate::places::named_in(a, significant)
                .or_else(|| crate::places::named_in(a, &code[..2]))
        });
        by_address
            .and_then(|p| crate::division::DivisionCode::parse(p.code).ok())
            .or_else(|| self.home_area().filter(|h| province.contains(*h)))
    }

    /// Where the person lives when the address names a place outside `scope`'s province: the
    /// person is transferred out to it, not called here.
    pub fn outside(
        &self,
        scope: crate::division::DivisionCode,
    ) -> Option<crate::division::DivisionCode> {
        place_outside(self.address.as_deref()?, scope)
    }

    /// The division a resident identity number (or residence permit) was issued in: its first
    /// six digits, when they are a division code.
    pub fn home_area(&self) -> Option<crate::division::DivisionCode> {
        let d = self.document.as_ref()?;
        match d.kind() {
            DocumentType::ResidentId | DocumentType::ResidencePermit => {
                crate::division::DivisionCode::parse(&d.expose_number()[..6]).ok()
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
