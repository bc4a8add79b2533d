//! Freight passes (重点物资运输车辆通行证), "one vehicle, one pass, one route": a 12-digit number
//! (the issuing division's 6-digit code and a 6-digit serial), one vehicle (its plate, and the
//! tractor's plate of an articulated truck), one route (origin and destination counties,
//! optionally the checkpoints on the way), the goods' category, the drivers, and when it is
//! valid. Its QR code carries a token signed with the hub's Ed25519 key (the same key as the
//! pre-declarations), so any lane or station holding the hub's public key checks it with no
//! network; revocations travel down to the stations with the rest of the hub's state.
//!
//! Token: `FP1.` + base64url(payload JSON, one-letter keys, no personal data) + `.` +
//! base64url(signature over everything before the second dot).

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use chrono::{DateTime, FixedOffset};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::truck::{Driver, DriverRequest, DriverShown};
use crate::checkpoint::CheckpointCode;
use crate::division::{DivisionCode, DivisionLevel};
pub use crate::passage::GoodsCategory;
use crate::plate::Plate;
use crate::time::from_ms;
use crate::FieldError;

/// What a pass's token starts with: the format's version.
pub const PASS_PREFIX: &str = "FP1.";
/// The longest a pass is valid.
pub const MAX_VALID_DAYS: i64 = 30;
/// Most checkpoints a route names.
pub const MAX_VIA: usize = 30;
/// Most drivers on one pass.
pub const MAX_DRIVERS: usize = 3;
/// A token longer than this is not one of ours.
const MAX_TOKEN_LEN: usize = 1_200;

/// A pass's number: 12 digits, the issuing division's code and a serial from 000001.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PassNumber(String);

impl PassNumber {
    pub fn parse(s: &str) -> Result<PassNumber, FieldError> {
        let t = s.trim();
        let bad = |m: &str| FieldError::new("invalid_pass_number", "", m);
        if t.len() != 12 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(
                "a pass number is 12 digits: the issuer's division code and a serial",
            ));
        }
        DivisionCode::parse(&t[..6])
            .map_err(|_| bad("the first 6 digits are not a division code"))?;
        if &t[6..] == "000000" {
            return Err(bad("the serial starts at 000001"));
        }
        Ok(PassNumber(t.to_owned()))
    }

    pub fn new(issuer: DivisionCode, serial: u32) -> PassNumber {
        PassNumber(format!("{:06}{:06}", issuer.value(), serial))
    }

    /// The division whose command issued it.
    pub fn issuer(&self) -> DivisionCode {
        DivisionCode::parse(&self.0[..6]).expect("checked when parsed")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PassNumber {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        PassNumber::parse(&s).map_err(|e| e.message)
    }
}

impl From<PassNumber> for String {
    fn from(n: PassNumber) -> String {
        n.0
    }
}

impl std::fmt::Display for PassNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A pass as a commander issues it.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PassRequest {
    /// The vehicle's plate (the trailer's, on an articulated truck), such as `鄂A12345`.
    pub plate: String,
    /// The tractor's plate of an articulated truck.
    #[serde(default)]
    pub tractor_plate: Option<String>,
    /// The county the goods leave from (a division code).
    pub origin: String,
    /// The county they go to.
    pub destination: String,
    /// The checkpoints on the way, in order (none: any).
    #[serde(default)]
    pub via: Vec<String>,
    pub goods: GoodsCategory,
    /// 1 to 3 drivers.
    pub drivers: Vec<DriverRequest>,
    pub valid_from: DateTime<FixedOffset>,
    pub valid_until: DateTime<FixedOffset>,
    /// When the carrier plans to arrive (within the validity): seen nowhere within six hours of
    /// it, the vehicle is reported overdue.
    #[serde(default)]
    pub expected_arrival: Option<DateTime<FixedOffset>>,
}

/// A checked pass, not yet numbered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassDraft {
    pub plate: Plate,
    pub tractor_plate: Option<Plate>,
    pub origin: DivisionCode,
    pub destination: DivisionCode,
    pub via: Vec<CheckpointCode>,
    pub goods: GoodsCategory,
    pub drivers: Vec<Driver>,
    pub valid_from_ms: i64,
    pub valid_until_ms: i64,
    pub expected_arrival_ms: Option<i64>,
}

fn county(s: &str, field: &str) -> Result<DivisionCode, FieldError> {
    let d = DivisionCode::parse(s).map_err(|e| e.under(field))?;
    if d.level() != DivisionLevel::County {
        return Err(FieldError::new(
            "not_a_county",
            field,
            "a route runs from a county to a county (a 6-digit code not ending in 00)",
        ));
    }
    Ok(d)
}

impl PassRequest {
    /// Checks every field against now, reporting each mistake with its path.
    pub fn parse(&self, now_ms: i64) -> Result<PassDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let plate = Plate::parse(&self.plate).map_err(|e| errors.push(e.under("plate")));
        let tractor = match self.tractor_plate.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) => Plate::parse(t)
                .map(Some)
                .map_err(|e| errors.push(e.under("tractor_plate"))),
        };
        let origin = county(&self.origin, "origin").map_err(|e| errors.push(e));
        let destination = county(&self.destination, "destination").map_err(|e| errors.push(e));
        let mut via: Vec<CheckpointCode> = Vec::new();
        for (i, c) in self.via.iter().enumerate() {
            match CheckpointCode::parse(c) {
                Ok(c) if !via.contains(&c) => via.push(c),
                Ok(_) => {}
                Err(e) => errors.push(e.under(&format!("via[{i}]"))),
            }
        }
        if via.len() > MAX_VIA {
            errors.push(FieldError::new(
                "too_many",
                "via",
                format!("a route names at most {MAX_VIA} checkpoints"),
            ));
        }
        if self.drivers.is_empty() || self.drivers.len() > MAX_DRIVERS {
            errors.push(FieldError::new(
                "out_of_range",
                "drivers",
                format!("a pass names 1 to {MAX_DRIVERS} drivers"),
            ));
        }
        let mut drivers = Vec::new();
        for (i, d) in self.drivers.iter().enumerate() {
            match d.parse(&format!("drivers[{i}]")) {
                Ok(d) => drivers.push(d),
                Err(e) => errors.extend(e),
            }
        }
        let from = self.valid_from.timestamp_millis();
        let until = self.valid_until.timestamp_millis();
        if until <= from {
            errors.push(FieldError::new(
                "not_after_start",
                "valid_until",
                "a pass ends after it starts",
            ));
        } else if until - from > MAX_VALID_DAYS * 86_400_000 {
            errors.push(FieldError::new(
                "out_of_range",
                "valid_until",
                format!("a pass is valid for at most {MAX_VALID_DAYS} days"),
            ));
        } else if until <= now_ms {
            errors.push(FieldError::new(
                "in_past",
                "valid_until",
                "this pass would already have expired",
            ));
        }
        let arrival = self.expected_arrival.map(|t| t.timestamp_millis());
        if arrival.is_some_and(|t| t < from || t > until) {
            errors.push(FieldError::new(
                "arrival_outside_validity",
                "expected_arrival",
                "the planned arrival falls within the pass's validity",
            ));
        }
        match (plate, tractor, origin, destination) {
            (Ok(plate), Ok(tractor_plate), Ok(origin), Ok(destination)) if errors.is_empty() => {
                Ok(PassDraft {
                    plate,
                    tractor_plate,
                    origin,
                    destination,
                    via,
                    goods: self.goods,
                    drivers,
                    valid_from_ms: from,
                    valid_until_ms: until,
                    expected_arrival_ms: arrival,
                })
            }
            _ => Err(errors),
        }
    }
}

/// What a pass's code says: everything a lane checks, no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PassClaims {
    #[schema(value_type = String, example = "130100000001")]
    pub number: PassNumber,
    pub plate: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tractor_plate: Option<String>,
    #[schema(value_type = String)]
    pub origin: DivisionCode,
    #[schema(value_type = String)]
    pub destination: DivisionCode,
    #[serde(default)]
    pub via: Vec<CheckpointCode>,
    pub goods: GoodsCategory,
    pub valid_from: DateTime<FixedOffset>,
    pub valid_until: DateTime<FixedOffset>,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    n: String,
    p: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    t: Option<String>,
    o: u32,
    d: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    v: Vec<String>,
    g: String,
    f: i64,
    u: i64,
}

/// Why a scanned pass is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassError {
    /// Not a pass's code, or read incompletely.
    Malformed,
    /// Its signature does not match: altered, or issued by another network.
    Forged,
    /// Past its validity.
    Expired,
    /// Not valid yet.
    NotYetValid,
}

impl PassError {
    pub fn code(self) -> &'static str {
        match self {
            PassError::Malformed => "pass_malformed",
            PassError::Forged => "pass_forged",
            PassError::Expired => "pass_expired",
            PassError::NotYetValid => "pass_not_yet_valid",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            PassError::Malformed => {
                "this is not a freight pass's code, or it was read incompletely: scan again"
            }
            PassError::Forged => {
                "the pass's signature does not match: it was altered or not issued by this network"
            }
            PassError::Expired => "the pass has expired",
            PassError::NotYetValid => "the pass is not valid yet",
        }
    }
}

impl PassClaims {
    /// The token to put in the pass's QR code.
    pub fn sign(&self, key: &SigningKey) -> String {
        let payload = Payload {
            n: self.number.as_str().to_owned(),
            p: self.plate.clone(),
            t: self.tractor_plate.clone(),
            o: self.origin.value(),
            d: self.destination.value(),
            v: self.via.iter().map(|c| c.as_str().to_owned()).collect(),
            g: self.goods.as_str().to_owned(),
            f: self.valid_from.timestamp_millis(),
            u: self.valid_until.timestamp_millis(),
        };
        let json = serde_json::to_vec(&payload).expect("a payload serialises");
        let mut token = format!("{PASS_PREFIX}{}", B64.encode(json));
        let signature = key.sign(token.as_bytes());
        token.push('.');
        token.push_str(&B64.encode(signature.to_bytes()));
        token
    }

    /// Checks a scanned token: its form, its signature by `key`, its validity at `now_ms`.
    /// Revocation is the store's to check.
    pub fn verify(token: &str, key: &VerifyingKey, now_ms: i64) -> Result<PassClaims, PassError> {
        let token = token.trim();
        if token.len() > MAX_TOKEN_LEN || !token.starts_with(PASS_PREFIX) {
            return Err(PassError::Malformed);
        }
        let (signed, signature) = token.rsplit_once('.').ok_or(PassError::Malformed)?;
        let payload = signed
            .strip_prefix(PASS_PREFIX)
            .ok_or(PassError::Malformed)?;
        let signature: [u8; 64] = B64
            .decode(signature)
            .ok()
            .and_then(|s| s.try_into().ok())
            .ok_or(PassError::Malformed)?;
        key.verify(signed.as_bytes(), &Signature::from_bytes(&signature))
            .map_err(|_| PassError::Forged)?;
        let json = B64.decode(payload).map_err(|_| PassError::Malformed)?;
        let p: Payload = serde_json::from_slice(&json).map_err(|_| PassError::Malformed)?;
        let claims = PassClaims {
            number: PassNumber::parse(&p.n).map_err(|_| PassError::Malformed)?,
            plate: p.p,
            tractor_plate: p.t,
            origin: DivisionCode::from_value(p.o).ok_or(PassError::Malformed)?,
            destination: DivisionCode::from_value(p.d).ok_or(PassError::Malformed)?,
            via: p
                .v
                .iter()
                .map(|c| CheckpointCode::parse(c))
                .collect::<Result<_, _>>()
                .map_err(|_| PassError::Malformed)?,
            goods: GoodsCategory::parse(&p.g).map_err(|_| PassError::Malformed)?,
            valid_from: from_ms(p.f),
            valid_until: from_ms(p.u),
        };
        if p.u <= now_ms {
            return Err(PassError::Expired);
        }
        if p.f > now_ms {
            return Err(PassError::NotYetValid);
        }
        Ok(claims)
    }

    /// Whether a vehicle with `plate` is the pass's (its plate or its tractor's).
    pub fn covers_plate(&self, plate: &str) -> bool {
        self.plate == plate || self.tractor_plate.as_deref() == Some(plate)
    }

    /// Whether a checkpoint is on the route (any checkpoint when the route names none).
    pub fn on_route(&self, checkpoint: &CheckpointCode) -> bool {
        self.via.is_empty() || self.via.contains(checkpoint)
    }
}

/// A pass as the command lists it (its drivers masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FreightPass {
    #[serde(flatten)]
    pub claims: PassClaims,
    pub drivers: Vec<DriverShown>,
    pub issued_by: String,
    pub issued_at: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<FixedOffset>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_arrival: Option<DateTime<FixedOffset>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> i64 {
        DateTime::parse_from_rfc3339("2022-04-20T08:00:00+08:00")
            .unwrap()
            .timestamp_millis()
    }

    fn claims() -> PassClaims {
        PassClaims {
            number: PassNumber::parse("130100000001").unwrap(),
            plate: "鄂A12345".into(),
            tractor_plate: Some("鄂A1234挂".into()),
            origin: DivisionCode::parse("420102").unwrap(),
            destination: DivisionCode::parse("130104").unwrap(),
            via: vec![CheckpointCode::parse("CP-130100-0001").unwrap()],
            goods: GoodsCategory::Medical,
            valid_from: from_ms(now() - 3_600_000),
            valid_until: from_ms(now() + 48 * 3_600_000),
        }
    }

    #[test]
    fn numbers_carry_a_division_code_and_a_serial() {
        assert!(PassNumber::parse("130100000001").is_ok());
        assert_eq!(
            PassNumber::new(DivisionCode::parse("130100").unwrap(), 42).as_str(),
            "130100000042"
        );
        for bad in [
            "13010000001",
            "13010000000a",
            "000000000001",
            "130100000000",
        ] {
            assert_eq!(
                PassNumber::parse(bad).unwrap_err().code,
                "invalid_pass_number",
                "{bad}"
            );
        }
    }

    #[test]
    fn a_signed_pass_verifies_and_an_altered_one_does_not() {
        let key = SigningKey::from_bytes(&[9; 32]);
        let token = claims().sign(&key);
        assert!(token.len() < 400, "{}", token.len());
        let got = PassClaims::verify(&token, &key.verifying_key(), now()).unwrap();
        assert_eq!(got, claims());
        assert!(got.covers_plate("鄂A1234挂") && !got.covers_plate("鄂A99999"));
        assert!(got.on_route(&CheckpointCode::parse("CP-130100-0001").unwrap()));
        assert!(!got.on_route(&CheckpointCode::parse("CP-130100-0002").unwrap()));
        let other = SigningKey::from_bytes(&[8; 32]).verifying_key();
        assert_eq!(
            PassClaims::verify(&token, &other, now()),
            Err(PassError::Forged)
        );
        let mut altered = token.clone();
        altered.replace_range(10..11, if &token[10..11] == "A" { "B" } else { "A" });
        assert!(PassClaims::verify(&altered, &key.verifying_key(), now()).is_err());
        assert_eq!(
            PassClaims::verify(&token, &key.verifying_key(), now() + 49 * 3_600_000),
            Err(PassError::Expired)
        );
        assert_eq!(
            PassClaims::verify("CD1.xx.yy", &key.verifying_key(), now()),
            Err(PassError::Malformed)
        );
    }

    #[test]
    fn a_request_is_checked_field_by_field() {
        let r = PassRequest {
            plate: "鄂".into(),
            tractor_plate: None,
            origin: "420100".into(),
            destination: "130104".into(),
            via: vec!["CP-1".into()],
            goods: GoodsCategory::Necessities,
            drivers: vec![],
            valid_from: from_ms(now()),
            valid_until: from_ms(now() + 40 * 86_400_000),
            expected_arrival: Some(from_ms(now() + 41 * 86_400_000)),
        };
        let fields: Vec<String> = r
            .parse(now())
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "plate",
                "origin",
                "via[0]",
                "drivers",
                "valid_until",
                "expected_arrival"
            ]
        );
    }
}
