//! A carrier's application for a freight pass: the carrier (a company, named), a contact person
//! and the pass asked for, sent from a public page with no account. The command of the origin
//! county's jurisdiction approves it (the pass is issued as the commander's own, in the same
//! write) or refuses it with the reason; the carrier follows it by the reference it was given,
//! and prints the pass's QR code from there once approved.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::pass::{GoodsCategory, PassDraft, PassRequest};
use super::truck::{Driver, DriverRequest, DriverShown};
use crate::checkpoint::string_enum;
use crate::command::directive::text;
use crate::division::DivisionCode;
use crate::FieldError;

string_enum! {
    /// Where an application stands.
    ApplicationState { Pending = "pending", Approved = "approved", Refused = "refused" }
}

/// An application as sent.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PassApplicationRequest {
    /// The carrier: the company's name, 1 to 100 characters.
    pub carrier: String,
    /// Who the command calls about it.
    pub contact: DriverRequest,
    /// The pass asked for.
    pub pass: PassRequest,
}

/// A checked application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassApplication {
    pub carrier: String,
    pub contact: Driver,
    pub draft: PassDraft,
}

impl PassApplicationRequest {
    /// Checks every field against now, each mistake with its path (`pass.plate`, …).
    pub fn parse(&self, now_ms: i64) -> Result<PassApplication, Vec<FieldError>> {
        let carrier = text(&self.carrier, "carrier", 100, false).map_err(|e| vec![e]);
        let contact = self.contact.parse("contact");
        let draft = self
            .pass
            .parse(now_ms)
            .map_err(|es| es.into_iter().map(|e| e.under("pass")).collect::<Vec<_>>());
        match (carrier, contact, draft) {
            (Ok(carrier), Ok(contact), Ok(draft)) => Ok(PassApplication {
                carrier,
                contact,
                draft,
            }),
            (c, p, d) => Err([c.err(), p.err(), d.err()]
                .into_iter()
                .flatten()
                .flatten()
                .collect()),
        }
    }
}

/// An application as the command and the carrier see it: the contact masked, no driver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApplicationShown {
    pub id: i64,
    pub state: ApplicationState,
    pub carrier: String,
    pub contact: DriverShown,
    pub plate: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tractor_plate: Option<String>,
    #[schema(value_type = String)]
    pub origin: DivisionCode,
    #[schema(value_type = String)]
    pub destination: DivisionCode,
    pub goods: GoodsCategory,
    pub drivers: u32,
    pub valid_from: DateTime<FixedOffset>,
    pub valid_until: DateTime<FixedOffset>,
    pub applied_at: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<FixedOffset>>,
    /// Why it was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The pass issued on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_number: Option<String>,
}

/// A refusal as asked: why, 1 to 500 characters.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefuseRequest {
    pub reason: String,
}

impl RefuseRequest {
    pub fn parse(&self) -> Result<String, FieldError> {
        text(&self.reason, "reason", 500, true)
    }
}

/// Whether `s` has the form of an application's reference: 32 hex digits.
pub fn is_reference(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Why an application is not decided again.
pub fn already_decided() -> FieldError {
    FieldError::new(
        "application_decided",
        "",
        "this application has been decided already",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::from_ms;

    const NOW: i64 = 1_651_536_900_000;

    fn request() -> PassApplicationRequest {
        PassApplicationRequest {
            carrier: "武汉顺达物流有限公司".into(),
            contact: DriverRequest {
                name: "刘经理".into(),
                phone: "13800138000".into(),
            },
            pass: PassRequest {
                plate: "鄂A12345".into(),
                tractor_plate: None,
                origin: "420102".into(),
                destination: "130102".into(),
                via: vec![],
                goods: GoodsCategory::Medical,
                drivers: vec![DriverRequest {
                    name: "张师傅".into(),
                    phone: "13900139000".into(),
                }],
                valid_from: from_ms(NOW),
                valid_until: from_ms(NOW + 48 * 3_600_000),
                expected_arrival: None,
            },
        }
    }

    #[test]
    fn an_application_is_checked_field_by_field_under_its_paths() {
        let a = request().parse(NOW).unwrap();
        assert_eq!(a.draft.plate.as_str(), "鄂A12345");
        let mut bad = request();
        bad.carrier = " ".into();
        bad.contact.phone = "123".into();
        bad.pass.plate = "鄂".into();
        bad.pass.drivers.clear();
        let fields: Vec<String> = bad
            .parse(NOW)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["carrier", "contact.phone", "pass.plate", "pass.drivers"]
        );
    }

    #[test]
    fn a_refusal_says_why() {
        let none = RefuseRequest {
            reason: "  ".into(),
        };
        assert_eq!(none.parse().unwrap_err().code, "required");
        let r = RefuseRequest {
            reason: "货物不属于重点物资".into(),
        };
        assert_eq!(r.parse().unwrap(), "货物不属于重点物资");
    }
}
