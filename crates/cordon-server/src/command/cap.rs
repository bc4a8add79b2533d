//! Directives as OASIS CAP 1.2 alerts: a directive exported (`GET /api/v1/directives/{id}/cap`)
//! is an `Alert`, an `Update` after a revision (referencing the first) or a `Cancel`; the
//! directive's title is the headline, its text the description, its priority the urgency and
//! severity, its deadline a parameter and the expiry, its target a parameter (and, for a
//! jurisdiction, the area's GB/T 2260 geocode). An `Alert` imported
//! (`POST /api/v1/directives/cap`) becomes a new directive of the importing commander; CAP has
//! no acknowledgement by recipients, which Cordon keeps itself.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, FixedOffset};
use cordon_domain::access::command::{DirectiveIssue, DirectiveRead};
use cordon_domain::command::directive::{Directive, DirectiveRequest, Priority, TargetRequest};
use cordon_domain::FieldError;
use quick_xml::events::Event;

use super::directives_api::id_of;
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;

/// CAP 1.2's namespace.
pub const CAP_1_2: &str = "urn:oasis:names:tc:emergency:cap:1.2";
/// The parameters Cordon adds to an alert's info.
const TARGET: &str = "cordon:target";
const DEADLINE: &str = "cordon:ack_deadline";
/// The geocode scheme of Chinese division codes.
const GB2260: &str = "GB/T 2260";

fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(s)
}

/// CAP's date and time: seconds and the zone, China time.
fn cap_time(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&cordon_domain::time::china())
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn urgency(p: Priority) -> (&'static str, &'static str) {
    match p {
        Priority::Flash => ("Immediate", "Severe"),
        Priority::Urgent => ("Expected", "Moderate"),
        Priority::Routine => ("Future", "Minor"),
    }
}

fn identifier(d: &Directive, revision: i32) -> String {
    format!("cordon-directive-{}-r{revision}", d.id)
}

/// The directive as a CAP 1.2 alert.
pub fn export(d: &Directive) -> String {
    let sender = format!("{}@cordon", d.issued_by);
    let (msg_type, sent, note) = match (&d.cancelled, d.revision) {
        (Some(c), _) => ("Cancel", c.at, Some(c.reason.clone())),
        (None, 1) => ("Alert", d.issued_at, None),
        (None, _) => (
            "Update",
            d.updated_at.unwrap_or(d.issued_at),
            d.update_note.clone(),
        ),
    };
    let (urgency, severity) = urgency(d.priority);
    let mut x = String::with_capacity(2_048);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!("<alert xmlns=\"{CAP_1_2}\">\n"));
    x.push_str(&format!(
        "  <identifier>{}</identifier>\n  <sender>{}</sender>\n  <sent>{}</sent>\n",
        identifier(d, d.revision),
        esc(&sender),
        cap_time(sent)
    ));
    x.push_str(&format!(
        "  <status>Actual</status>\n  <msgType>{msg_type}</msgType>\n  <scope>Restricted</scope>\n  <restriction>Cordon checkpoints</restriction>\n"
    ));
    if let Some(n) = note {
        x.push_str(&format!("  <note>{}</note>\n", esc(&n)));
    }
    if msg_type != "Alert" {
        x.push_str(&format!(
            "  <references>{},{},{}</references>\n",
            esc(&sender),
            identifier(d, 1),
            cap_time(d.issued_at)
        ));
    }
    let target = serde_json::to_string(&d.target).unwrap_or_else(|_| "{}".into());
    x.push_str("  <info>\n    <language>zh-CN</language>\n    <category>Health</category>\n");
    x.push_str("    <event>防控指令</event>\n");
    x.push_str(&format!(
        "    <urgency>{urgency}</urgency>\n    <severity>{severity}</severity>\n    <certainty>Observed</certainty>\n"
    ));
    x.push_str(&format!(
        "    <effective>{}</effective>\n    <expires>{}</expires>\n",
        cap_time(d.effective_at),
        cap_time(d.ack_deadline)
    ));
    x.push_str(&format!(
        "    <senderName>{}</senderName>\n    <headline>{}</headline>\n    <description>{}</description>\n",
        esc(&d.issued_by),
        esc(&d.title),
        esc(&d.text)
    ));
    x.push_str("    <instruction>请在签收期限前由值班民警签收。</instruction>\n");
    for (name, value) in [(TARGET, target), (DEADLINE, cap_time(d.ack_deadline))] {
        x.push_str(&format!(
            "    <parameter>\n      <valueName>{name}</valueName>\n      <value>{}</value>\n    </parameter>\n",
            esc(&value)
        ));
    }
    x.push_str(&format!(
        "    <area>\n      <areaDesc>{}</areaDesc>\n      <geocode>\n        <valueName>{GB2260}</valueName>\n        <value>{}</value>\n      </geocode>\n    </area>\n",
        esc(&d.division.to_string()),
        d.division
    ));
    x.push_str("  </info>\n</alert>\n");
    x
}

fn invalid(field: &str, message: impl Into<String>) -> FieldError {
    FieldError::new("invalid_cap", field, message)
}

/// What an alert says, by element path under `alert` (the first `info` only).
#[derive(Debug, Default)]
struct Read {
    leaves: Vec<(String, String)>,
    /// (valueName, value) of the first info's parameters and geocodes.
    parameters: Vec<(String, String)>,
    geocodes: Vec<(String, String)>,
    namespace: Option<String>,
}

impl Read {
    fn get(&self, path: &str) -> Option<&str> {
        self.leaves
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

fn read(xml: &str) -> Result<Read, FieldError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut out = Read::default();
    let mut infos = 0;
    let mut pair: (String, String) = Default::default();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| invalid("", format!("not well-formed XML: {e}")))?;
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_owned();
                if stack.is_empty() {
                    // The root's namespace, declared as the default or for its prefix.
                    let qname = e.name();
                    let declares = match qname.as_ref().split_once(':') {
                        Some((prefix, _)) => format!("xmlns:{prefix}"),
                        None => "xmlns".to_owned(),
                    };
                    for a in e.attributes().flatten() {
                        if a.key.as_ref() == declares {
                            out.namespace = Some(a.value.as_ref().to_owned());
                        }
                    }
                }
                if name == "info" && stack.len() == 1 {
                    infos += 1;
                }
                stack.push(name);
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(|e| invalid("", format!("a character reference: {e}")))?
                } else {
                    match r.into_inner().as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        other => return Err(invalid("", format!("an unknown entity &{other};"))),
                    }
                };
                text.extend(c);
            }
            Event::End(_) => {
                let path = stack[1..].join(".");
                let first_info = infos <= 1;
                match path.as_str() {
                    "info.parameter.valueName" | "info.area.geocode.valueName" if first_info => {
                        pair.0 = text.trim().to_owned()
                    }
                    "info.parameter.value" | "info.area.geocode.value" if first_info => {
                        pair.1 = text.trim().to_owned()
                    }
                    "info.parameter" if first_info => {
                        out.parameters.push(std::mem::take(&mut pair))
                    }
                    "info.area.geocode" if first_info => {
                        out.geocodes.push(std::mem::take(&mut pair))
                    }
                    _ if first_info || !path.starts_with("info") => {
                        out.leaves.push((path, std::mem::take(&mut text)))
                    }
                    _ => {}
                }
                text.clear();
                stack.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if out.leaves.is_empty() && out.namespace.is_none() {
        return Err(invalid("", "not a CAP alert"));
    }
    Ok(out)
}

fn time(value: Option<&str>, field: &str) -> Result<Option<DateTime<FixedOffset>>, FieldError> {
    value
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map_err(|_| invalid(field, "a CAP time is like 2022-05-13T20:00:00+08:00"))
        })
        .transpose()
}

/// An `Alert` as the directive request it carries.
pub fn import(xml: &str) -> Result<DirectiveRequest, FieldError> {
    let r = read(xml)?;
    if r.namespace.as_deref() != Some(CAP_1_2) {
        return Err(invalid(
            "alert",
            format!("a CAP 1.2 alert is in the namespace {CAP_1_2}"),
        ));
    }
    match r.get("msgType") {
        Some("Alert") => {}
        Some(_) => {
            return Err(FieldError::new(
                "unsupported",
                "msgType",
                "only an Alert makes a new directive: revise or cancel a directive on its board",
            ))
        }
        None => return Err(invalid("msgType", "an alert has a msgType")),
    }
    if r.get("status") != Some("Actual") {
        return Err(FieldError::new(
            "unsupported",
            "status",
            "only an Actual alert makes a directive (not an exercise, test or draft)",
        ));
    }
    let title = r.get("info.headline").ok_or_else(|| {
        invalid(
            "info.headline",
            "the alert's info has no headline: it becomes the directive's title",
        )
    })?;
    let text = r.get("info.description").ok_or_else(|| {
        invalid(
            "info.description",
            "the alert's info has no description: it becomes the directive's text",
        )
    })?;
    let priority = match r.get("info.urgency") {
        Some("Immediate") => Priority::Flash,
        Some("Expected") => Priority::Urgent,
        Some(_) => Priority::Routine,
        None => return Err(invalid("info.urgency", "the alert's info has no urgency")),
    };
    let param = |name: &str| {
        r.parameters
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let target = match param(TARGET) {
        Some(json) => serde_json::from_str::<TargetRequest>(json)
            .map_err(|_| invalid("info.parameter", format!("{TARGET} is a Cordon target")))?,
        None => TargetRequest {
            division: r
                .geocodes
                .iter()
                .find(|(n, _)| n == GB2260)
                .map(|(_, v)| v.clone()),
            ..TargetRequest::default()
        },
    };
    Ok(DirectiveRequest {
        title: title.to_owned(),
        text: text.to_owned(),
        priority,
        target,
        effective_at: time(r.get("info.effective"), "info.effective")?,
        ack_deadline: time(param(DEADLINE).or(r.get("info.expires")), "info.expires")?,
    })
}

#[utoipa::path(get, path = "/api/v1/directives/{id}/cap", tag = "directives",
    params(("id" = i64, Path, description = "the directive")),
    responses((status = 200, description = "the directive as an OASIS CAP 1.2 alert (an Update after a revision, a Cancel once cancelled)", content_type = "application/xml"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn export_cap(
    State(app): State<AppState>,
    grant: Grant<DirectiveRead>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (d, _) = app
        .store
        .directive_board(&grant.grant, id_of(&id)?, cordon_domain::time::now_ms())
        .await?;
    let name = format!(
        "attachment; filename=\"directive-{}-r{}.cap.xml\"",
        d.id, d.revision
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/xml; charset=utf-8".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, name),
        ],
        export(&d),
    )
        .into_response())
}

#[utoipa::path(post, path = "/api/v1/directives/cap", tag = "directives",
    request_body(description = "an OASIS CAP 1.2 alert (msgType Alert, status Actual)", content((String = "application/xml"))),
    responses((status = 201, body = Directive, description = "issued as this commander, to the alert's target"),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "not a CAP 1.2 alert (invalid_cap), not an Actual Alert (unsupported), or a directive field")))]
pub async fn import_cap(
    State(app): State<AppState>,
    grant: Grant<DirectiveIssue>,
    body: Bytes,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<Directive>)> {
    app.hub_only("directives")?;
    let xml = std::str::from_utf8(&body)
        .map_err(|_| ApiError::Invalid(invalid("", "a CAP alert is UTF-8 XML")))?;
    let req = import(xml)?;
    let now = cordon_domain::time::now_ms();
    let draft = req.parse(now)?;
    let d = app.store.issue_directive(&grant.grant, draft, now).await?;
    app.directives.reread(app.store.as_ref()).await?;
    let note = AuditNote::read(
        format!(
            "directive {} imported from CAP to {} checkpoints",
            d.id, d.counts.recipients
        ),
        0,
    );
    Ok((StatusCode::CREATED, Extension(note), Json(d)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_alerts_say_why() {
        let code = |x: &str| import(x).unwrap_err();
        assert_eq!(code("not xml <").code, "invalid_cap");
        assert_eq!(
            code("<alert xmlns=\"urn:other\"><msgType>Alert</msgType></alert>").field,
            "alert"
        );
        let alert = |body: &str| {
            format!("<alert xmlns=\"{CAP_1_2}\"><status>Actual</status>{body}</alert>")
        };
        assert_eq!(
            code(&alert("<msgType>Cancel</msgType>")).code,
            "unsupported"
        );
        assert_eq!(
            code(&alert(
                "<msgType>Alert</msgType><info><urgency>Immediate</urgency></info>"
            ))
            .field,
            "info.headline"
        );
        let r = import(&alert(
            "<msgType>Alert</msgType><info><urgency>Expected</urgency><headline>A &amp; B</headline>\
             <description><![CDATA[x < y]]>&#x4E2D;</description><area><areaDesc>石家庄</areaDesc>\
             <geocode><valueName>GB/T 2260</valueName><value>130100</value></geocode></area></info>",
        ))
        .unwrap();
        assert_eq!((r.title.as_str(), r.text.as_str()), ("A & B", "x < y中"));
        assert_eq!(r.target.division.as_deref(), Some("130100"));
        assert_eq!(r.priority, Priority::Urgent);
    }
}
