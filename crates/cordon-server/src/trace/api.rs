//! Case traces (`POST /api/v1/trace`), answered from the live index ([`crate::trace`]); the
//! contact list as a file is in [`super::trace_export`]. The
//! subject travels in the body; persons come back masked; only passages at checkpoints in the
//! caller's scope link anyone. An unknown subject gets an empty trace, never an error.

use std::collections::HashMap;

use axum::extract::State;
use axum::{Extension, Json};
use chrono::{DateTime, Duration, FixedOffset};
use cordon_domain::access::trace::TrajectoryRead;
use cordon_domain::identity::{DocumentType, IdentityDocument};
use cordon_domain::person::MaskedPerson;
use cordon_domain::plate::Plate;
use cordon_domain::registration::DocumentRequest;
use cordon_trace::{
    person_key, trace, Contact, EvidenceKind, Link, Subject, TraceAnswer, TraceQuery,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use crate::audit::AuditNote;
use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use crate::period::PeriodParams;

/// Default span of a trace: the 14 days before `to`.
const DEFAULT_DAYS: i64 = 14;
/// Links kept per contact in an answer (all are counted).
const MAX_EVIDENCE: usize = 20;
const MAX_CONTACTS: usize = 10_000;
const DEFAULT_CONTACTS: usize = 2_000;

/// A person (`document`) or a vehicle (`plate`): exactly one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceSubject {
    pub document: Option<DocumentRequest>,
    pub plate: Option<String>,
}

impl utoipa::PartialSchema for TraceSubject {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::texts_schema::person_or_plate()
    }
}

impl utoipa::ToSchema for TraceSubject {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        crate::texts_schema::person_or_plate_schemas(schemas);
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TraceRequest {
    /// A person (`document`) or a vehicle (`plate`): exactly one.
    pub subject: TraceSubject,
    /// Start, inclusive (default: 14 days before `to`). Passages older than the retention period
    /// have no personal data left: a trace starts no earlier than that.
    pub from: Option<DateTime<FixedOffset>>,
    /// End, exclusive (default: now). A trace spans at most the retention period.
    pub to: Option<DateTime<FixedOffset>>,
    /// Plus or minus this many minutes at the same checkpoint: 0 to 1440, default 30.
    #[schema(minimum = 0, maximum = 1440)]
    pub window_minutes: Option<u32>,
    /// 1 to 3, default 1.
    #[schema(minimum = 1, maximum = 3)]
    pub hops: Option<u8>,
    /// Only passages in the same direction count as a checkpoint link.
    #[serde(default)]
    pub same_direction: bool,
    /// Only passages in the same lane count as a checkpoint link.
    #[serde(default)]
    pub same_lane: bool,
    /// At most this many contacts (1 to 10,000, default 2,000); the answer says if it was cut.
    #[schema(minimum = 1, maximum = 10000)]
    pub max_contacts: Option<usize>,
    /// Why (a case number): kept in the audit trail.
    pub purpose: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EvidenceView {
    /// `same_vehicle`, `same_checkpoint` or `shared_vehicle`.
    pub kind: &'static str,
    /// The passage the contact was in.
    pub passage: Uuid,
    #[schema(value_type = String)]
    pub checkpoint: String,
    pub observed_at: DateTime<FixedOffset>,
    pub plate: Option<String>,
    /// The passage of the subject (or of the earlier contact) it links to.
    pub linked_passage: Uuid,
    /// Node id of whom it links to: `subject` or a contact's `c<N>`.
    pub from: String,
    pub gap_minutes: i64,
    pub gap_seconds: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContactView {
    /// Node id in the graph: `c<N>`.
    pub id: String,
    /// Masked.
    pub person: Option<MaskedPerson>,
    pub hop: u8,
    /// `high` (rode together), `medium` (shared a vehicle), `low` (same checkpoint), one step
    /// lower per hop beyond the first.
    pub risk: &'static str,
    /// Links found in all; `evidence` holds the strongest 20.
    pub links: usize,
    pub evidence: Vec<EvidenceView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GraphNode {
    pub id: String,
    /// `person` or `vehicle`.
    pub kind: &'static str,
    /// `case` for the subject, else the contact's risk.
    pub risk: &'static str,
    pub hop: u8,
    /// Masked.
    pub label: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GraphEdge {
    pub from: String,
    pub to: String,
    pub kinds: Vec<&'static str>,
    pub links: usize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TraceGraph {
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TraceCut {
    pub hop: u8,
    pub reason: &'static str,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TraceResponse {
    /// The subject's passages in the period (in scope).
    pub subject_passages: Vec<Uuid>,
    pub contacts: Vec<ContactView>,
    pub graph: TraceGraph,
    pub truncated: bool,
    /// Where the trace was cut, when it was.
    pub cut: Option<TraceCut>,
    /// Passages the index held when it answered.
    pub indexed_passages: usize,
    pub took_ms: f64,
}

/// A request checked: what the index needs, and the subject's keyed hash for the audit trail.
pub(super) struct Checked {
    subject: Subject,
    subject_hash: String,
    subject_label: String,
    from_ms: i64,
    to_ms: i64,
    window_ms: i64,
    hops: u8,
    same_direction: bool,
    same_lane: bool,
    max_contacts: usize,
    purpose: String,
}

fn invalid(e: cordon_domain::FieldError, field: &str) -> ApiError {
    ApiError::Invalid(e.under(field))
}

pub(super) fn check(app: &AppState, req: TraceRequest) -> ApiResult<Checked> {
    let keyring = &app.auth.keyring;
    let (subject, subject_hash, subject_label) = match (&req.subject.document, &req.subject.plate) {
        (Some(d), None) => {
            let kind =
                DocumentType::parse(&d.kind).map_err(|e| invalid(e, "subject.document.type"))?;
            let document = IdentityDocument::parse(kind, &d.number)
                .map_err(|e| invalid(e, "subject.document"))?;
            let hash = keyring.person(&document);
            let key = person_key(&hash).ok_or(ApiError::Internal)?;
            (Subject::Person(key), hash, document.masked_number())
        }
        (None, Some(p)) => {
            let plate = Plate::parse(p).map_err(|e| invalid(e, "subject.plate"))?;
            (
                Subject::Plate(plate.as_str().to_owned()),
                keyring.plate(&plate),
                plate.as_str().to_owned(),
            )
        }
        _ => {
            return Err(ApiError::invalid(
                "invalid_subject",
                "subject",
                "give the subject's identity document or a plate, not both",
            ))
        }
    };
    let period = PeriodParams {
        from: req.from,
        to: req.to,
    }
    .resolve(Duration::days(DEFAULT_DAYS))?;
    let retention_ms = i64::from(app.trace.retention_days) * 86_400_000;
    // Personal data older than the retention period is purged: a trace starts no earlier.
    let from_ms = period.from_ms.max(app.trace.retention_cutoff_ms());
    if period.to_ms - period.from_ms > retention_ms {
        return Err(ApiError::invalid(
            "period_too_long",
            "to",
            format!(
                "a trace spans at most the {} days personal data is kept",
                app.trace.retention_days
            ),
        ));
    }
    let window = req.window_minutes.unwrap_or(30);
    if window > 1_440 {
        return Err(ApiError::invalid(
            "out_of_range",
            "window_minutes",
            "the window is 0 to 1440 minutes",
        ));
    }
    let hops = req.hops.unwrap_or(1);
    if !(1..=3).contains(&hops) {
        return Err(ApiError::invalid("out_of_range", "hops", "hops are 1 to 3"));
    }
    let max_contacts = req.max_contacts.unwrap_or(DEFAULT_CONTACTS);
    if !(1..=MAX_CONTACTS).contains(&max_contacts) {
        return Err(ApiError::invalid(
            "out_of_range",
            "max_contacts",
            format!("max_contacts is 1 to {MAX_CONTACTS}"),
        ));
    }
    let purpose = match req.purpose {
        None => String::new(),
        Some(p) => {
            cordon_domain::checkpoint::parse_reason(&p).map_err(|e| invalid(e, "purpose"))?
        }
    };
    Ok(Checked {
        subject,
        subject_hash,
        subject_label,
        from_ms,
        to_ms: period.to_ms,
        window_ms: i64::from(window) * 60_000,
        hops,
        same_direction: req.same_direction,
        same_lane: req.same_lane,
        max_contacts,
        purpose,
    })
}

/// What the index answered, with the passages it names resolved: ids, times, checkpoints,
/// plates, and the masked contacts.
pub(super) struct Resolved {
    pub(super) answer: TraceAnswer,
    ids: Vec<Uuid>,
    pub(super) evidence: Vec<Vec<EvidenceView>>,
    pub(super) persons: Vec<Option<MaskedPerson>>,
    /// The contacts in clear, for a follow-up list made from the trace (never answered).
    pub(super) clear: Vec<Option<cordon_domain::person::PersonalData>>,
    indexed: usize,
    took_ms: f64,
}

pub(super) fn risk(a: &TraceAnswer, c: &Contact) -> &'static str {
    let base: i32 = match a.evidence_of(c).first().map(|e| e.kind) {
        Some(EvidenceKind::SameVehicle) => 3,
        Some(EvidenceKind::SharedVehicle) => 2,
        _ => 1,
    };
    match base - (i32::from(c.hop) - 1) {
        3.. => "high",
        2 => "medium",
        _ => "low",
    }
}

fn node_id(link: Link) -> String {
    match link {
        Link::Subject => "subject".into(),
        Link::Contact(i) => format!("c{}", i + 1),
    }
}

pub(super) async fn run(
    app: &AppState,
    grant: &TrajectoryRead,
    c: &Checked,
) -> ApiResult<Resolved> {
    app.trace.fresh().await?;
    let visible = app.trace.visibility(grant.scope());
    let live = app.trace.clone();
    let subject = c.subject.clone();
    let (from_ms, to_ms, window_ms, hops) = (c.from_ms, c.to_ms, c.window_ms, c.hops);
    let (same_direction, same_lane, max_contacts) = (c.same_direction, c.same_lane, c.max_contacts);
    // Traces of several hops take milliseconds of CPU: off the runtime's workers.
    let (answer, rows, indexed, took_ms) = tokio::task::spawn_blocking(move || {
        live.with(|index| {
            let started = std::time::Instant::now();
            let is_visible = |cp: u32| visible.get(cp as usize).copied().unwrap_or(false);
            let answer = trace(
                index,
                &TraceQuery {
                    subject,
                    from_ms,
                    to_ms,
                    window_ms,
                    hops,
                    same_direction,
                    same_lane,
                    max_contacts,
                    max_evidence: MAX_EVIDENCE,
                    visible: &is_visible,
                },
            );
            let took_ms = started.elapsed().as_secs_f64() * 1000.0;
            // Each passage named: id, time, checkpoint number, plate, and for each contact
            // their place in the passage of their strongest link.
            let mut rows: HashMap<u32, (Uuid, i64, u32, Option<String>)> = HashMap::new();
            let mut name = |p: u32| {
                rows.entry(p).or_insert_with(|| {
                    (
                        index.id(p),
                        index.observed_ms(p),
                        index.checkpoint_of(p),
                        index.plate_of(p).map(str::to_owned),
                    )
                });
            };
            for &p in &answer.subject_passages {
                name(p);
            }
            for e in &answer.evidence {
                name(e.passage);
                name(e.linked);
            }
            let places: Vec<Option<usize>> = answer
                .contacts
                .iter()
                .map(|c| {
                    answer
                        .evidence_of(c)
                        .first()
                        .and_then(|e| index.position(e.passage, c.person))
                })
                .collect();
            (answer, (rows, places), index.passages(), took_ms)
        })
    })
    .await
    .map_err(|_| ApiError::Internal)?;
    let (rows, places) = rows;
    // Unseal the passage of each contact's strongest link, to show the contact masked.
    let wanted: Vec<Uuid> = answer
        .contacts
        .iter()
        .filter_map(|c| answer.evidence_of(c).first().map(|e| rows[&e.passage].0))
        .collect();
    let occupants: HashMap<Uuid, Vec<cordon_domain::passage::Occupant>> = app
        .store
        .trace_occupants(grant, &wanted)
        .await?
        .into_iter()
        .collect();
    let clear: Vec<Option<cordon_domain::person::PersonalData>> = answer
        .contacts
        .iter()
        .zip(&places)
        .map(|(c, place)| {
            let e = answer.evidence_of(c).first()?;
            let list = occupants.get(&rows[&e.passage].0)?;
            list.get((*place)?).map(|o| o.person.clone())
        })
        .collect();
    let persons = clear
        .iter()
        .map(|p| p.as_ref().map(|p| p.masked()))
        .collect();
    let mut codes: HashMap<u32, String> = HashMap::new();
    let mut code = |cp: u32| -> String {
        codes
            .entry(cp)
            .or_insert_with(|| {
                app.trace
                    .checkpoint(cp)
                    .map(|c| c.code.as_str().to_owned())
                    .unwrap_or_default()
            })
            .clone()
    };
    let evidence = answer
        .contacts
        .iter()
        .map(|c| {
            answer
                .evidence_of(c)
                .iter()
                .map(|e| {
                    let (id, at, cp, plate) = &rows[&e.passage];
                    EvidenceView {
                        kind: e.kind.as_str(),
                        passage: *id,
                        checkpoint: code(*cp),
                        observed_at: cordon_domain::time::from_ms(*at),
                        plate: plate.clone(),
                        linked_passage: rows[&e.linked].0,
                        from: node_id(e.from),
                        gap_minutes: e.gap_ms / 60_000,
                        gap_seconds: e.gap_ms / 1_000,
                    }
                })
                .collect()
        })
        .collect();
    let ids = answer.subject_passages.iter().map(|p| rows[p].0).collect();
    Ok(Resolved {
        answer,
        ids,
        evidence,
        persons,
        clear,
        indexed,
        took_ms,
    })
}

/// A contact of a trace as a follow-up list takes it: the person in clear and how they are
/// linked ("hop 1 · same_vehicle · CP-130100-0001 2022-05-03 08:15 · 冀A12345").
pub struct TracedContact {
    pub person: cordon_domain::person::PersonalData,
    pub link: String,
}

/// Runs a case trace for a follow-up list: the contacts in clear with their strongest link,
/// and the audit note of the trace (action `trace.list`).
pub async fn traced_contacts(
    app: &AppState,
    grant: &TrajectoryRead,
    req: TraceRequest,
) -> ApiResult<(Vec<TracedContact>, AuditNote, String)> {
    let checked = check(app, req)?;
    let resolved = run(app, grant, &checked).await?;
    let note = audit(&checked, &resolved, "trace.list");
    let contacts = resolved
        .answer
        .contacts
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let person = resolved.clear[i].clone()?;
            let link = match resolved.evidence[i].first() {
                Some(e) => format!(
                    "hop {} · {} · {} {} {}",
                    c.hop,
                    e.kind,
                    e.checkpoint,
                    e.observed_at.format("%Y-%m-%d %H:%M"),
                    e.plate.as_deref().unwrap_or("")
                ),
                None => format!("hop {}", c.hop),
            };
            Some(TracedContact {
                person,
                link: link.trim().to_owned(),
            })
        })
        .collect();
    let label = if checked.purpose.is_empty() {
        checked.subject_label.clone()
    } else {
        format!("{} {}", checked.purpose, checked.subject_label)
    };
    Ok((contacts, note, label))
}

fn graph(c: &Checked, r: &Resolved) -> TraceGraph {
    let mut nodes = vec![GraphNode {
        id: "subject".into(),
        kind: match c.subject {
            Subject::Person(_) => "person",
            Subject::Plate(_) => "vehicle",
        },
        risk: "case",
        hop: 0,
        label: c.subject_label.clone(),
    }];
    let mut edges: Vec<GraphEdge> = Vec::new();
    for (i, (contact, person)) in r.answer.contacts.iter().zip(&r.persons).enumerate() {
        let id = format!("c{}", i + 1);
        nodes.push(GraphNode {
            id: id.clone(),
            kind: "person",
            risk: risk(&r.answer, contact),
            hop: contact.hop,
            label: person
                .as_ref()
                .map(|p| format!("{} {}", p.name, p.document.number))
                .unwrap_or_default(),
        });
        let mut by_source: Vec<(Link, Vec<&'static str>, usize)> = Vec::new();
        for e in r.answer.evidence_of(contact) {
            match by_source.iter_mut().find(|(l, _, _)| *l == e.from) {
                Some((_, kinds, n)) => {
                    if !kinds.contains(&e.kind.as_str()) {
                        kinds.push(e.kind.as_str());
                    }
                    *n += 1;
                }
                None => by_source.push((e.from, vec![e.kind.as_str()], 1)),
            }
        }
        for (from, kinds, links) in by_source {
            edges.push(GraphEdge {
                from: node_id(from),
                to: id.clone(),
                kinds,
                links,
            });
        }
    }
    TraceGraph { nodes, edges }
}

pub(super) fn audit(c: &Checked, r: &Resolved, action: &'static str) -> AuditNote {
    let mut note = AuditNote::read(
        format!("trace of {} hop(s)", c.hops),
        r.answer.contacts.len(),
    )
    .subjects(vec![c.subject_hash.clone()]);
    note.action = Some(action);
    note.purpose = c.purpose.clone();
    note
}

#[utoipa::path(post, path = "/api/v1/trace", tag = "trace", request_body = TraceRequest,
    responses((status = 200, body = TraceResponse), (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn case_trace(
    State(app): State<AppState>,
    read: Grant<TrajectoryRead>,
    ApiJson(req): ApiJson<TraceRequest>,
) -> ApiResult<(Extension<AuditNote>, Json<TraceResponse>)> {
    let checked = check(&app, req)?;
    let resolved = run(&app, &read.grant, &checked).await?;
    let note = audit(&checked, &resolved, "trace");
    let graph = graph(&checked, &resolved);
    let Resolved {
        answer,
        ids,
        evidence,
        persons,
        indexed,
        took_ms,
        ..
    } = resolved;
    let contacts = answer
        .contacts
        .iter()
        .zip(evidence)
        .zip(persons)
        .enumerate()
        .map(|(i, ((c, evidence), person))| ContactView {
            id: format!("c{}", i + 1),
            person,
            hop: c.hop,
            risk: risk(&answer, c),
            links: c.links,
            evidence,
        })
        .collect();
    Ok((
        Extension(note),
        Json(TraceResponse {
            subject_passages: ids,
            contacts,
            graph,
            truncated: answer.truncated.is_some(),
            cut: answer.truncated.map(|c| TraceCut {
                hop: c.hop,
                reason: c.reason,
            }),
            indexed_passages: indexed,
            took_ms,
        }),
    ))
}
