//! Driver pre-declaration (出行前申报): what a driver declares before setting off, carried in a
//! QR code as a compact token signed with the hub's Ed25519 key, so that any station holding the
//! hub's public key can check it with no network.
//!
//! Token: `CD1.` + base64url(payload JSON) + `.` + base64url(signature over everything before
//! the second dot). The payload uses one-letter keys to keep the code small (a car of three with
//! phones and tests: about 800 characters, a version-23 code at level M). What was declared is
//! checked with the same parsers as a registration, so a token never carries a field the lane
//! would refuse.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use chrono::{DateTime, FixedOffset};
use ed25519_dalek::{Signature, Signer, Verifier};
pub use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::registration::{
    DocumentRequest, OccupantRequest, PassageRequest, TestRequest, VehicleRequest,
};
use crate::FieldError;

/// What a token starts with: the format's version.
pub const PREFIX: &str = "CD1.";
/// How long a declaration stays valid after it is made.
pub const VALID_HOURS: i64 = 48;
/// A token longer than this is not one of ours (the QR code could not hold it anyway).
pub const MAX_TOKEN_LEN: usize = 2_900;
/// The most occupants one declaration may carry: a car or a minibus; coaches register at the lane.
pub const MAX_DECLARED: usize = 9;

/// The public form a driver fills in.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclarationRequest {
    /// Absent for a pedestrian.
    #[serde(default)]
    pub vehicle: Option<VehicleRequest>,
    #[serde(default)]
    #[schema(value_type = Option<crate::division::DivisionCode>)]
    pub origin: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<crate::division::DivisionCode>)]
    pub destination: Option<String>,
    /// Everyone in the vehicle, as at the lane but for the temperature, which the lane measures.
    #[schema(value_type = Vec<DeclaredOccupant>)]
    pub occupants: Vec<OccupantRequest>,
}

/// How the API's document describes a declared occupant: an [`OccupantRequest`] without the
/// temperature (refused in a declaration: the lane measures it). Only a schema; declarations are
/// read as `OccupantRequest`s.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct DeclaredOccupant {
    document: crate::registration::DocumentRequest,
    #[schema(min_length = 1, max_length = 64, example = "张三")]
    name: String,
    /// A mainland mobile number.
    #[schema(example = "13812345678")]
    phone: Option<String>,
    #[schema(value_type = crate::passage::Role)]
    role: String,
    #[schema(value_type = crate::passage::HealthCode)]
    health_code: String,
    latest_test: Option<crate::registration::TestRequest>,
    /// Division codes of places visited (at most 64).
    #[schema(max_items = 64, value_type = Vec<crate::division::DivisionCode>)]
    visited: Vec<String>,
}

/// A checked declaration: what the token carries.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Declaration {
    pub id: Uuid,
    pub issued_at: DateTime<FixedOffset>,
    pub expires_at: DateTime<FixedOffset>,
    pub vehicle: Option<VehicleRequest>,
    pub origin: Option<String>,
    pub destination: Option<String>,
    pub occupants: Vec<OccupantRequest>,
}

/// Why a presented token was refused at the lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    /// Not a Cordon pre-declaration code at all (or cut short by the scanner).
    Malformed,
    /// The signature does not match: altered, or signed by another hub.
    Forged,
    /// Past its validity.
    Expired,
}

impl TokenError {
    pub fn code(self) -> &'static str {
        match self {
            TokenError::Malformed => "declaration_malformed",
            TokenError::Forged => "declaration_forged",
            TokenError::Expired => "declaration_expired",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            TokenError::Malformed => {
                "this is not a Cordon pre-declaration code, or it was read incompletely: scan again"
            }
            TokenError::Forged => {
                "the code's signature does not match: it was altered or not issued by this network; register the vehicle by hand"
            }
            TokenError::Expired => {
                "the declaration has expired: the driver declares again, or register by hand"
            }
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Payload {
    i: Uuid,
    t: i64,
    x: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    v: Option<(String, String, String, bool)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    o: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    d: Option<String>,
    m: Vec<PayloadOccupant>,
}

#[derive(Serialize, Deserialize)]
struct PayloadOccupant {
    k: String,
    n: String,
    a: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    p: Option<String>,
    r: String,
    h: String,
    /// Latest test: kind, taken at (seconds), result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    l: Option<(String, i64, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    s: Vec<String>,
}

fn china(seconds: i64) -> Option<DateTime<FixedOffset>> {
    DateTime::from_timestamp(seconds, 0).map(|t| t.with_timezone(&crate::time::china()))
}

impl Declaration {
    /// Checks what a driver declared, as the lane would check it at `now`.
    pub fn new(
        req: DeclarationRequest,
        id: Uuid,
        now: DateTime<FixedOffset>,
    ) -> Result<Declaration, Vec<FieldError>> {
        if req.occupants.len() > MAX_DECLARED {
            return Err(vec![FieldError::new(
                "too_many",
                "occupants",
                format!(
                    "a declaration carries at most {MAX_DECLARED} persons; larger vehicles register at the lane"
                ),
            )]);
        }
        let mut occupants = req.occupants;
        let mut found = Vec::new();
        for (i, o) in occupants.iter_mut().enumerate() {
            if o.temperature_c.is_some() {
                found.push(FieldError::new(
                    "not_declared",
                    format!("occupants[{i}].temperature_c"),
                    "the temperature is measured at the lane, not declared",
                ));
            }
            o.phone = o.phone.take().filter(|p| !p.trim().is_empty());
        }
        let as_passage = PassageRequest {
            id,
            checkpoint: "CP-130000-0001".into(),
            lane: 1,
            direction: "in".into(),
            observed_at: now,
            vehicle: req.vehicle.clone(),
            origin: req.origin.clone(),
            destination: req.destination.clone(),
            occupants: occupants.clone(),
            supersedes: None,
        };
        if let Err(more) = as_passage.parse_all(now) {
            found.extend(more);
        }
        if !found.is_empty() {
            return Err(found);
        }
        let issued = now.timestamp();
        Ok(Declaration {
            id,
            issued_at: china(issued).unwrap_or(now),
            expires_at: china(issued + VALID_HOURS * 3600).unwrap_or(now),
            vehicle: req.vehicle,
            origin: req.origin,
            destination: req.destination,
            occupants,
        })
    }

    fn payload(&self) -> Payload {
        Payload {
            i: self.id,
            t: self.issued_at.timestamp(),
            x: self.expires_at.timestamp(),
            v: self.vehicle.as_ref().map(|v| {
                (
                    v.plate.clone(),
                    v.plate_color.clone(),
                    v.class.clone(),
                    v.freight_pass,
                )
            }),
            o: self.origin.clone(),
            d: self.destination.clone(),
            m: self
                .occupants
                .iter()
                .map(|o| PayloadOccupant {
                    k: o.document.kind.clone(),
                    n: o.document.number.clone(),
                    a: o.name.clone(),
                    p: o.phone.clone(),
                    r: o.role.clone(),
                    h: o.health_code.clone(),
                    l: o.latest_test
                        .as_ref()
                        .map(|t| (t.kind.clone(), t.taken_at.timestamp(), t.result.clone())),
                    s: o.visited.clone(),
                })
                .collect(),
        }
    }

    fn from_payload(p: Payload) -> Option<Declaration> {
        let occupants =
            p.m.into_iter()
                .map(|o| {
                    Some(OccupantRequest {
                        document: DocumentRequest {
                            kind: o.k,
                            number: o.n,
                        },
                        name: o.a,
                        phone: o.p,
                        role: o.r,
                        temperature_c: None,
                        health_code: o.h,
                        latest_test: match o.l {
                            None => None,
                            Some((kind, at, result)) => Some(TestRequest {
                                kind,
                                taken_at: china(at)?,
                                result,
                            }),
                        },
                        visited: o.s,
                    })
                })
                .collect::<Option<Vec<_>>>()?;
        Some(Declaration {
            id: p.i,
            issued_at: china(p.t)?,
            expires_at: china(p.x)?,
            vehicle: p
                .v
                .map(|(plate, plate_color, class, freight_pass)| VehicleRequest {
                    plate,
                    plate_color,
                    class,
                    freight_pass,
                    freight_pass_code: None,
                    goods: None,
                }),
            origin: p.o,
            destination: p.d,
            occupants,
        })
    }

    /// The token to put in the QR code.
    pub fn sign(&self, key: &SigningKey) -> String {
        let json = serde_json::to_vec(&self.payload()).expect("a payload always serialises");
        let mut token = format!("{PREFIX}{}", B64.encode(json));
        let signature = key.sign(token.as_bytes());
        token.push('.');
        token.push_str(&B64.encode(signature.to_bytes()));
        token
    }

    /// Checks a scanned token: its form, its signature by `key`, and its validity at `now`.
    /// Revocation is the store's to check.
    pub fn verify(
        token: &str,
        key: &VerifyingKey,
        now: DateTime<FixedOffset>,
    ) -> Result<Declaration, TokenError> {
        let token = token.trim();
        if token.len() > MAX_TOKEN_LEN || !token.starts_with(PREFIX) {
            return Err(TokenError::Malformed);
        }
        let (signed, signature) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let payload = signed.strip_prefix(PREFIX).ok_or(TokenError::Malformed)?;
        let signature: [u8; 64] = B64
            .decode(signature)
            .ok()
            .and_then(|s| s.try_into().ok())
            .ok_or(TokenError::Malformed)?;
        let json = B64.decode(payload).map_err(|_| TokenError::Malformed)?;
        key.verify(signed.as_bytes(), &Signature::from_bytes(&signature))
            .map_err(|_| TokenError::Forged)?;
        let payload: Payload = serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;
        let declaration = Declaration::from_payload(payload).ok_or(TokenError::Malformed)?;
        if declaration.expires_at <= now {
            return Err(TokenError::Expired);
        }
        Ok(declaration)
    }
}

/// The signing key derived from a 32-byte seed (the hub derives the seed from its master key).
pub fn signing_key(seed: &[u8; 32]) -> SigningKey {
    SigningKey::from_bytes(seed)
}

/// A public key as stations receive it: 64 hex digits.
pub fn public_key_hex(key: &VerifyingKey) -> String {
    crate::audit::hex(key.as_bytes())
}

/// The key [`public_key_hex`] wrote, if `hex` is one.
pub fn public_key_from_hex(hex: &str) -> Option<VerifyingKey> {
    let hex = hex.trim();
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut bytes = [0u8; 32];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    VerifyingKey::from_bytes(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2022-05-03T08:00:00+08:00").unwrap()
    }

    fn request() -> DeclarationRequest {
        serde_json::from_value(serde_json::json!({
            "vehicle": {"plate": "冀A12345", "plate_color": "blue", "class": "car"},
            "origin": "130100", "destination": "110105",
            "occupants": [
                {"document": {"type": "resident_id", "number": "11010519491231002X"},
                 "name": "张三", "phone": "13812345678", "role": "driver", "health_code": "green",
                 "latest_test": {"kind": "pcr", "taken_at": "2022-05-02T09:00:00+08:00", "result": "negative"},
                 "visited": ["130100"]},
                {"document": {"type": "resident_id", "number": "130102199001011237"},
                 "name": "李四", "role": "passenger", "health_code": "green"}
            ]
        }))
        .unwrap()
    }

    fn key() -> SigningKey {
        signing_key(&[7u8; 32])
    }

    #[test]
    fn a_signed_declaration_verifies_to_what_was_declared() {
        let d = Declaration::new(request(), Uuid::now_v7(), now()).unwrap();
        let token = d.sign(&key());
        assert!(token.starts_with(PREFIX));
        assert!(token.len() < 700, "token of {} chars", token.len());
        let back = Declaration::verify(&token, &key().verifying_key(), now()).unwrap();
        assert_eq!(back, d);
        assert_eq!(back.occupants[0].document.number, "11010519491231002X");
        assert_eq!(
            back.expires_at - back.issued_at,
            chrono::Duration::hours(VALID_HOURS)
        );
    }

    #[test]
    fn a_changed_byte_another_key_or_time_is_refused() {
        let d = Declaration::new(request(), Uuid::now_v7(), now()).unwrap();
        let token = d.sign(&key());
        let public = key().verifying_key();
        // Every single-character change of the payload is caught.
        let start = PREFIX.len();
        for i in (start..token.len()).step_by(7) {
            let mut bytes = token.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let altered = String::from_utf8(bytes).unwrap();
            if altered == token {
                continue;
            }
            let got = Declaration::verify(&altered, &public, now());
            assert!(
                matches!(got, Err(TokenError::Forged | TokenError::Malformed)),
                "byte {i}: {got:?}"
            );
        }
        assert_eq!(
            public_key_from_hex(&public_key_hex(&public)),
            Some(public),
            "a key survives its hex form"
        );
        assert_eq!(public_key_from_hex("zz"), None);
        let other = signing_key(&[8u8; 32]).verifying_key();
        assert_eq!(
            Declaration::verify(&token, &other, now()),
            Err(TokenError::Forged)
        );
        let later = now() + chrono::Duration::hours(VALID_HOURS);
        assert_eq!(
            Declaration::verify(&token, &public, later),
            Err(TokenError::Expired)
        );
        for junk in ["", "CD1.", "CD1.abc", "hello", &token[..token.len() - 3]] {
            assert!(Declaration::verify(junk, &public, now()).is_err(), "{junk}");
        }
    }

    #[test]
    fn a_declaration_is_checked_like_a_registration() {
        let mut r = request();
        r.occupants[1].document.number = "130102199001011238".into();
        let e = Declaration::new(r, Uuid::now_v7(), now()).unwrap_err();
        assert_eq!(e[0].field, "occupants[1].document.number");
        let mut r = request();
        r.occupants[0].temperature_c = Some(36.5);
        r.vehicle.as_mut().unwrap().plate = "冀A1234".into();
        let e = Declaration::new(r, Uuid::now_v7(), now()).unwrap_err();
        let found: Vec<_> = e
            .iter()
            .map(|e| (e.code.as_str(), e.field.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("not_declared", "occupants[0].temperature_c"),
                ("invalid_plate", "vehicle.plate")
            ]
        );
    }
}
