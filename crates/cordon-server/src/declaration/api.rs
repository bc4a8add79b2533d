//! Drivers' pre-declarations: the public form's route (no account: a driver has none), which
//! answers a signed token and its QR code; the lane's check of a scanned token; revocation by a
//! commander; and what stations need to check tokens offline (the public key and the list of
//! revoked declarations).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::{DateTime, FixedOffset};
use cordon_domain::access::declaration::DeclarationRevoke;
use cordon_domain::access::passage::Registration;
use cordon_domain::declaration::{Declaration, DeclarationRequest, TokenError};
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_domain::plate::Plate;
use cordon_store::declaration::{DeclarationRecord, Revocation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use crate::audit::AuditNote;
use crate::auth::{ClientAddress, Grant};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;

fn now() -> DateTime<FixedOffset> {
    chrono::Utc::now().with_timezone(&cordon_domain::time::china())
}

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&cordon_domain::time::china())
        .to_rfc3339()
}

/// A declaration just made: the token for the QR code, and the code drawn as SVG.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Issued {
    pub id: Uuid,
    pub expires_at: DateTime<FixedOffset>,
    /// The text the QR code carries (`CD1.` ...).
    pub token: String,
    /// The QR code, as an SVG document.
    pub qr_svg: String,
}

/// Draws `text` as a QR code in SVG, medium error correction (a scratched phone screen still
/// reads).
pub fn qr_svg(text: &str) -> Result<String, ApiError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| {
            ApiError::invalid("too_long", "", "the declaration is too long for a QR code")
        })?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}

#[utoipa::path(post, path = "/api/v1/declarations", security(()), tag = "declarations",
    request_body = DeclarationRequest,
    responses((status = 201, body = Issued), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "rate_limited: too many declarations from this address (header retry-after)")))]
pub async fn declare(
    State(app): State<AppState>,
    address: ClientAddress,
    ApiJson(req): ApiJson<DeclarationRequest>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<Issued>)> {
    app.declarations
        .take(address.0, cordon_domain::time::now_ms())
        .map_err(ApiError::RateLimited)?;
    if app.upstream.is_some() {
        return Err(ApiError::Conflict(cordon_domain::FieldError::new(
            "declare_at_hub",
            "",
            "pre-declarations are made on the hub's page: a station's code would not be recognised elsewhere",
        )));
    }
    let declaration = Declaration::new(req, Uuid::now_v7(), now())?;
    let keyring = app.store.keyring();
    let token = declaration.sign(&keyring.declaration_key());
    let qr_svg = qr_svg(&token)?;
    let plate_key = match &declaration.vehicle {
        Some(v) => Some(keyring.plate(&Plate::parse(&v.plate)?)),
        None => None,
    };
    app.store
        .record_declaration(&DeclarationRecord {
            id: declaration.id,
            issued_at_ms: declaration.issued_at.timestamp_millis(),
            expires_at_ms: declaration.expires_at.timestamp_millis(),
            plate_key,
            persons: declaration.occupants.len() as i32,
            revoked: None,
        })
        .await?;
    let note = AuditNote {
        action: Some("declaration.issue"),
        ..AuditNote::read(declaration.id.to_string(), 0)
    };
    Ok((
        StatusCode::CREATED,
        Extension(note),
        Json(Issued {
            id: declaration.id,
            expires_at: declaration.expires_at,
            token,
            qr_svg,
        }),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Scanned {
    /// The text a scanner read from the driver's code.
    pub token: String,
}

#[utoipa::path(post, path = "/api/v1/declarations/verify", tag = "declarations",
    request_body = Scanned,
    responses((status = 200, body = Declaration, description = "genuine, in force and not revoked: what was declared, to fill the lane's form"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "declaration_malformed, declaration_forged, declaration_expired or declaration_revoked")))]
pub async fn verify(
    State(app): State<AppState>,
    _officer: Grant<Registration>,
    ApiJson(req): ApiJson<Scanned>,
) -> ApiResult<(Extension<AuditNote>, Json<Declaration>)> {
    let declaration = Declaration::verify(&req.token, &app.verifying_key(), now())
        .map_err(|e: TokenError| ApiError::invalid(e.code(), "token", e.message()))?;
    if let Some(record) = app.store.declaration(declaration.id).await? {
        if let Some(r) = record.revoked {
            return Err(ApiError::invalid(
                "declaration_revoked",
                "token",
                format!(
                    "this declaration was revoked at {}: {}; register the vehicle by hand",
                    iso(r.at_ms),
                    r.reason
                ),
            ));
        }
    }
    let keyring = app.store.keyring();
    let subjects = declaration
        .occupants
        .iter()
        .filter_map(|o| {
            let kind = DocumentType::parse(&o.document.kind).ok()?;
            IdentityDocument::parse(kind, &o.document.number)
                .ok()
                .map(|d| keyring.person(&d))
        })
        .collect();
    let note = AuditNote {
        action: Some("declaration.verify"),
        ..AuditNote::read(declaration.id.to_string(), declaration.occupants.len())
    }
    .subjects(subjects);
    Ok((Extension(note), Json(declaration)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    #[schema(value_type = crate::texts_schema::ReasonText)]
    pub reason: String,
}

/// A declaration as the hub keeps it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeclarationState {
    pub id: Uuid,
    pub issued_at: String,
    pub expires_at: String,
    pub persons: i32,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
    pub reason: Option<String>,
}

impl From<DeclarationRecord> for DeclarationState {
    fn from(d: DeclarationRecord) -> Self {
        DeclarationState {
            id: d.id,
            issued_at: iso(d.issued_at_ms),
            expires_at: iso(d.expires_at_ms),
            persons: d.persons,
            revoked_at: d.revoked.as_ref().map(|r| iso(r.at_ms)),
            revoked_by: d.revoked.as_ref().map(|r| r.by.clone()),
            reason: d.revoked.map(|r| r.reason),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/declarations/{id}/revoke", tag = "declarations",
    request_body = RevokeRequest, params(("id" = Uuid, Path)),
    responses((status = 200, body = DeclarationState), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn revoke(
    State(app): State<AppState>,
    commander: Grant<DeclarationRevoke>,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RevokeRequest>,
) -> ApiResult<Json<DeclarationState>> {
    let id = Uuid::parse_str(&id)
        .map_err(|_| ApiError::NotFound("no declaration has this id".into()))?;
    let reason = req.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::invalid(
            "invalid_reason",
            "reason",
            "say why the declaration is revoked, in at most 500 characters",
        ));
    }
    let record = app
        .store
        .revoke_declaration(
            &commander.grant,
            id,
            Revocation {
                at_ms: cordon_domain::time::now_ms(),
                by: commander.caller.name().to_owned(),
                reason: reason.to_owned(),
            },
        )
        .await?;
    Ok(Json(record.into()))
}

/// The key pre-declaration codes are checked with.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicKey {
    /// The hub's Ed25519 public key, 64 hex digits.
    pub public_key: String,
}

#[utoipa::path(get, path = "/api/v1/declarations/key", security(()), tag = "declarations",
    responses((status = 200, body = PublicKey)))]
pub async fn public_key(State(app): State<AppState>) -> Json<PublicKey> {
    Json(PublicKey {
        public_key: cordon_domain::declaration::public_key_hex(&app.verifying_key()),
    })
}

/// What a station needs to check tokens with no network.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Offline {
    /// The hub's Ed25519 public key, 64 hex digits.
    pub public_key: String,
    /// Declarations revoked and not yet expired.
    pub revoked: Vec<DeclarationState>,
}

#[utoipa::path(get, path = "/api/v1/declarations/revoked", tag = "declarations",
    responses((status = 200, body = Offline), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn revoked(
    State(app): State<AppState>,
    _officer: Grant<Registration>,
) -> ApiResult<Json<Offline>> {
    let key = app.verifying_key();
    let revoked = app
        .store
        .revoked_declarations(cordon_domain::time::now_ms())
        .await?;
    Ok(Json(Offline {
        public_key: cordon_domain::declaration::public_key_hex(&key),
        revoked: revoked.into_iter().map(Into::into).collect(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_car_of_three_fits_a_code_a_phone_camera_reads() {
        let req: DeclarationRequest = serde_json::from_value(serde_json::json!({
            "vehicle": {"plate": "冀A12345", "plate_color": "blue", "class": "car"},
            "origin": "130100", "destination": "110105",
            "occupants": [
                {"document": {"type": "resident_id", "number": "11010519491231002X"}, "name": "欧阳建国",
                 "phone": "13812345678", "role": "driver", "health_code": "green",
                 "latest_test": {"kind": "pcr", "taken_at": "2022-05-02T09:00:00+08:00", "result": "negative"},
                 "visited": ["130100", "110105"]},
                {"document": {"type": "resident_id", "number": "130102199001011237"}, "name": "李四",
                 "phone": "13912345678", "role": "passenger", "health_code": "green",
                 "latest_test": {"kind": "antigen", "taken_at": "2022-05-02T19:00:00+08:00", "result": "negative"}},
                {"document": {"type": "resident_id", "number": "130102198506151230"}, "name": "王五",
                 "role": "passenger", "health_code": "green"}
            ]
        }))
        .unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2022-05-03T08:00:00+08:00").unwrap();
        let d = Declaration::new(req, Uuid::now_v7(), now).unwrap();
        let token = d.sign(&cordon_domain::declaration::signing_key(&[1; 32]));
        let code =
            qrcode::QrCode::with_error_correction_level(token.as_bytes(), qrcode::EcLevel::M)
                .unwrap();
        let qrcode::Version::Normal(v) = code.version() else {
            panic!("a micro code")
        };
        // Version 25 is 117 modules a side: about 2.5 px a module on a 300 px phone screen.
        assert!(v <= 25, "{} characters need version {v}", token.len());
        assert!(qr_svg(&token).unwrap().contains("<svg"));
    }
}
