//! Case traces: over HTTP (contacts with evidence, masked; scopes; bad input; the CSV export;
//! the audit trail), and the trace index against the SQL reference on generated data.

use std::collections::{BTreeMap, BTreeSet};

use cordon_domain::access::trace::TrajectoryRead;
use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_store::trace::{SqlSubject, SqlTraceQuery};
use cordon_store::Period;
use cordon_trace::{person_key, trace, EvidenceKind, Subject, TraceQuery};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use super::matrix::{row, Row, TRACERS};
use super::{example, TestApp};

/// A valid resident ID (GB 11643 check digit) for person `n`.
pub(super) fn resident_id(n: u32) -> String {
    let body = format!("13010219800101{:03}", n % 1000);
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(weights)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

/// A registration body: `who` (person numbers) in vehicle `plate` (or on foot) at checkpoint
/// `cp` (1 to 3), `minutes` after `start`.
pub(super) fn passage(
    start: chrono::DateTime<chrono::FixedOffset>,
    cp: u32,
    lane: u32,
    inbound: bool,
    minutes: i64,
    plate: Option<&str>,
    who: &[u32],
) -> Value {
    let mut p = example();
    p["id"] = json!(Uuid::now_v7());
    p["checkpoint"] = json!(format!("CP-130100-000{cp}"));
    p["lane"] = json!(lane);
    p["direction"] = json!(if inbound { "in" } else { "out" });
    p["observed_at"] = json!((start + chrono::Duration::minutes(minutes)).to_rfc3339());
    p["vehicle"] = match plate {
        Some(plate) => json!({"plate": plate, "plate_color": "blue", "class": "car"}),
        None => Value::Null,
    };
    let template = p["occupants"][0].clone();
    p["occupants"] = who
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let mut o = template.clone();
            o["document"]["number"] = json!(resident_id(*n));
            o["name"] = json!(format!("测试{n}"));
            o["role"] = json!(match (plate, i) {
                (None, _) => "pedestrian",
                (_, 0) => "driver",
                _ => "passenger",
            });
            o
        })
        .collect();
    p
}

pub(super) fn start() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::Utc::now().with_timezone(&cordon_domain::time::china()) - chrono::Duration::days(2)
}

pub(super) async fn record(app: &TestApp, passages: Vec<Value>) {
    for chunk in passages.chunks(500) {
        let (s, b) = app
            .post("/api/v1/passages/batch", &json!({ "passages": chunk }))
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
}

/// Asks `who` for a trace until the index has caught up with `expect_contacts` (or gives up
/// after ten seconds and answers the last reply).
pub(super) async fn trace_until(
    app: &TestApp,
    who: &str,
    body: &Value,
    expect_contacts: usize,
) -> Value {
    let mut last = Value::Null;
    for _ in 0..100 {
        let (s, b) = app.post_as(who, "/api/v1/trace", body).await;
        if s == StatusCode::OK && b["contacts"].as_array().unwrap().len() >= expect_contacts {
            return b;
        }
        assert!(
            s == StatusCode::OK || s == StatusCode::SERVICE_UNAVAILABLE,
            "{s} {b}"
        );
        last = b;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    last
}

/// Passages this hub did not record itself (written straight into the store, as another hub
/// process on the same database writes them) reach its traces: the poller finds their positions
/// and reads the rows the index lacks; a trace asked after they were written waits for that read.
pub async fn passages_recorded_elsewhere_reach_traces(app: TestApp) {
    let t = start();
    // Recorded here first, so the index is loaded and fed directly.
    record(
        &app,
        vec![passage(t, 1, 1, true, 0, Some("冀A70000"), &[70])],
    )
    .await;
    let case = json!({"subject": {"document": {"type": "resident_id", "number": resident_id(71)}},
        "from": (t - chrono::Duration::hours(1)).to_rfc3339(), "to": (t + chrono::Duration::days(1)).to_rfc3339(),
        "window_minutes": 0, "hops": 1, "purpose": "冀石疾控-2022-0513-018"});
    // Until the index is loaded, traces answer 503.
    for _ in 0..100 {
        let (s, _) = app.post_as("tracer", "/api/v1/trace", &case).await;
        if s == StatusCode::OK {
            break;
        }
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let now = chrono::Utc::now().with_timezone(&cordon_domain::time::china());
    let body = passage(t, 2, 1, true, 30, Some("冀A71000"), &[71, 72]);
    let draft = serde_json::from_value::<cordon_domain::registration::PassageRequest>(body)
        .unwrap()
        .parse(now)
        .unwrap();
    let elsewhere = cordon_store::NewPassage::new(
        draft,
        cordon_domain::passage::Decision::no_policy(),
        app.store.keyring(),
    );
    app.store.record_passages(vec![elsewhere]).await.unwrap();
    // Asked once: the trace waits for the poller's read, so the contact is there at once.
    let (s, b) = app.post_as("tracer", "/api/v1/trace", &case).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let contacts = b["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 1, "{b}");
    assert_eq!(evidence_kinds(&contacts[0]), vec!["same_vehicle"], "{b}");
}

fn evidence_kinds(contact: &Value) -> Vec<String> {
    contact["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

pub async fn traces_find_contacts_with_evidence(app: TestApp) {
    let t = start();
    record(
        &app,
        vec![
            // The case (1) rides with 2 in 冀A12345 at checkpoint 1.
            passage(t, 1, 1, true, 0, Some("冀A12345"), &[1, 2]),
            // 3 passes checkpoint 1 ten minutes later; 4 two hours later (outside the window).
            passage(t, 1, 2, true, 10, Some("冀A22222"), &[3]),
            passage(t, 1, 1, true, 120, Some("冀A33333"), &[4]),
            // 5 drives 冀A12345 the next day, at checkpoint 2; 6 rides with 5 later (hop 2).
            passage(t, 2, 1, false, 1_440, Some("冀A12345"), &[5]),
            passage(t, 3, 1, true, 1_500, Some("冀A44444"), &[5, 6]),
        ],
    )
    .await;
    let case = json!({"subject": {"document": {"type": "resident_id", "number": resident_id(1)}},
        "from": (t - chrono::Duration::hours(1)).to_rfc3339(), "to": (t + chrono::Duration::days(2)).to_rfc3339(),
        "window_minutes": 30, "hops": 1, "purpose": "冀石疾控-2022-0513-017"});
    let one = trace_until(&app, "tracer", &case, 3).await;
    let contacts = one["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 3, "{one}");
    let by_number: BTreeMap<String, &Value> = contacts
        .iter()
        .map(|c| {
            (
                c["person"]["document"]["number"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                c,
            )
        })
        .collect();
    let masked = |n: u32| {
        let id = resident_id(n);
        format!("{}********{}", &id[..6], &id[14..])
    };
    assert_eq!(evidence_kinds(by_number[&masked(2)]), vec!["same_vehicle"]);
    let three = by_number[&masked(3)];
    assert_eq!(evidence_kinds(three), vec!["same_checkpoint"]);
    assert_eq!(three["evidence"][0]["gap_minutes"], 10);
    assert_eq!(three["evidence"][0]["checkpoint"], "CP-130100-0001");
    assert_eq!(three["evidence"][0]["from"], "subject");
    assert_eq!(three["person"]["name"], "测**");
    assert_eq!(three["risk"], "low");
    let five = by_number[&masked(5)];
    assert_eq!(evidence_kinds(five), vec!["shared_vehicle"]);
    assert_eq!(five["evidence"][0]["gap_minutes"], 1_440);
    assert_eq!(five["evidence"][0]["plate"], "冀A12345");
    assert_eq!(by_number[&masked(2)]["risk"], "high");
    assert_eq!(one["subject_passages"].as_array().unwrap().len(), 1);
    assert_eq!(one["truncated"], false);
    let text = one.to_string();
    assert!(
        !text.contains(&resident_id(3)) && !text.contains("测试3"),
        "contacts are masked"
    );
    // The graph: the subject and each contact, an edge from the subject to each.
    assert_eq!(one["graph"]["nodes"].as_array().unwrap().len(), 4);
    assert_eq!(one["graph"]["nodes"][0]["risk"], "case");
    assert_eq!(one["graph"]["edges"].as_array().unwrap().len(), 3);

    // Two hops reach 6 through 5.
    let mut two_hops = case.clone();
    two_hops["hops"] = json!(2);
    let two = trace_until(&app, "tracer", &two_hops, 4).await;
    let six = two["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["person"]["document"]["number"] == masked(6).as_str())
        .unwrap_or_else(|| panic!("6 is two hops away: {two}"));
    assert_eq!(six["hop"], 2);
    assert_eq!(evidence_kinds(six), vec!["same_vehicle"]);
    let five_id = two["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["person"]["document"]["number"] == masked(5).as_str())
        .unwrap()["id"]
        .clone();
    assert_eq!(six["evidence"][0]["from"], five_id);

    // A cap cuts the trace and says where.
    let mut capped = two_hops.clone();
    capped["max_contacts"] = json!(2);
    let (s, cut) = app.post_as("tracer", "/api/v1/trace", &capped).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(cut["truncated"], true);
    assert_eq!(cut["cut"]["hop"], 1);
    assert_eq!(cut["contacts"].as_array().unwrap().len(), 2);

    // By plate: its riders, and those near it at the checkpoints.
    let by_plate = json!({"subject": {"plate": "冀A12345"},
        "from": (t - chrono::Duration::hours(1)).to_rfc3339(), "to": (t + chrono::Duration::days(2)).to_rfc3339()});
    let plate = trace_until(&app, "tracer", &by_plate, 4).await;
    assert_eq!(plate["contacts"].as_array().unwrap().len(), 4, "{plate}");
    assert_eq!(plate["graph"]["nodes"][0]["kind"], "vehicle");

    // Another city's commander sees nobody: none of these checkpoints is theirs.
    let (s, elsewhere) = app.post_as("elsewhere", "/api/v1/trace", &case).await;
    assert_eq!(s, StatusCode::OK);
    assert!(elsewhere["contacts"].as_array().unwrap().is_empty());
    assert!(elsewhere["subject_passages"].as_array().unwrap().is_empty());

    // An unknown person: an empty trace, not an error.
    let mut unknown = case.clone();
    unknown["subject"]["document"]["number"] = json!(resident_id(999));
    let (s, none) = app.post_as("tracer", "/api/v1/trace", &unknown).await;
    assert_eq!(s, StatusCode::OK);
    assert!(none["contacts"].as_array().unwrap().is_empty());

    // The contact list as CSV: a header and one masked row per contact.
    let r = app
        .client("tracer")
        .post(format!("{}/api/v1/trace/contacts.csv", app.base))
        .json(&case)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].contains("document_number") && lines[0].contains("gap_minutes"));
    assert!(csv.contains(&masked(3)) && !csv.contains(&resident_id(3)));
    // A cut list says so on its last line.
    let r = app
        .client("tracer")
        .post(format!("{}/api/v1/trace/contacts.csv", app.base))
        .json(&capped)
        .send()
        .await
        .unwrap();
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines[3].starts_with("# cut at hop 1 (max_contacts)"),
        "{csv}"
    );

    // And as an Excel workbook: the same rows, as text cells.
    let r = app
        .client("tracer")
        .post(format!("{}/api/v1/trace/contacts.xlsx", app.base))
        .json(&case)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("contacts").unwrap();
    assert_eq!(sheet.height(), 4);
    let cells: Vec<String> = sheet
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert_eq!(cells[4], "document_number");
    assert!(cells.contains(&masked(3)) && !cells.iter().any(|c| c.contains(&resident_id(3))));

    // Every trace and export is in the audit trail with the subject's keyed hash and purpose.
    let (s, trail) = app.get_as("auditor", "/api/v1/audit?limit=500").await;
    assert_eq!(s, StatusCode::OK);
    let entries: Vec<&Value> = trail["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "trace" || e["action"] == "trace.export")
        .collect();
    assert!(entries.iter().any(|e| e["action"] == "trace.export"));
    let hash = app.store.keyring().person(
        &cordon_domain::identity::IdentityDocument::parse(
            cordon_domain::identity::DocumentType::ResidentId,
            &resident_id(1),
        )
        .unwrap(),
    );
    assert!(entries
        .iter()
        .any(|e| e["subjects"].to_string().contains(&hash)
            && e["purpose"] == "冀石疾控-2022-0513-017"
            && e["persons"] == 3));
    assert!(!trail.to_string().contains(&resident_id(1)));
}

pub async fn bad_traces_are_refused_with_their_field(app: TestApp) {
    let t = start();
    let base = json!({"subject": {"plate": "冀A12345"}, "from": t.to_rfc3339(),
        "to": (t + chrono::Duration::days(1)).to_rfc3339()});
    let cases = [
        (
            json!({"from": (t + chrono::Duration::days(2)).to_rfc3339()}),
            "from",
            "invalid_period",
        ),
        (
            json!({"from": (t - chrono::Duration::days(40)).to_rfc3339()}),
            "to",
            "period_too_long",
        ),
        (json!({"hops": 4}), "hops", "out_of_range"),
        (
            json!({"window_minutes": 5000}),
            "window_minutes",
            "out_of_range",
        ),
        (json!({"max_contacts": 0}), "max_contacts", "out_of_range"),
        (
            json!({"subject": {"plate": "冀A12345", "document": {"type": "resident_id", "number": resident_id(1)}}}),
            "subject",
            "invalid_subject",
        ),
        (json!({"subject": {}}), "subject", "invalid_subject"),
        (
            json!({"subject": {"plate": "nonsense"}}),
            "subject.plate",
            "",
        ),
        (
            json!({"subject": {"document": {"type": "resident_id", "number": "110105194912310021"}}}),
            "subject.document",
            "",
        ),
    ];
    for (patch, field, code) in cases {
        let mut body = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, b) = app.post_as("tracer", "/api/v1/trace", &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body} -> {b}");
        assert!(
            b["error"]["field"].as_str().unwrap().starts_with(field),
            "{body} -> {b}"
        );
        if !code.is_empty() {
            assert_eq!(b["error"]["code"], code, "{body} -> {b}");
        }
    }
    let (s, b) = app
        .post_as(
            "tracer",
            "/api/v1/trace",
            &json!({"subject": {"plate": "冀A12345"}, "extra": 1}),
        )
        .await;
    assert!(s.is_client_error(), "{b}");
}

/// A person's key and display number, as the two sides name them.
fn key_of(app: &TestApp, n: u32) -> String {
    app.store.keyring().person(
        &cordon_domain::identity::IdentityDocument::parse(
            cordon_domain::identity::DocumentType::ResidentId,
            &resident_id(n),
        )
        .unwrap(),
    )
}

fn grant(scope: &str) -> TrajectoryRead {
    Principal {
        account: 1,
        username: Username::parse("tracer").unwrap(),
        role: Role::Tracer,
        scope: Scope::parse(scope).unwrap(),
    }
    .may_read_trajectories()
    .unwrap()
}

/// A contact as the index gave it: hop, links (kind, passage, gap, from) and person number.
type IndexContact = (u8, Vec<(EvidenceKind, Uuid, i64, cordon_trace::Link)>, u32);

/// The property: on generated traffic (dense enough that people share vehicles and queues),
/// for random subjects, windows, options and scopes, the index finds exactly the links the SQL
/// reference finds, and its multi-hop expansion reaches exactly the persons a breadth-first
/// walk over the SQL reference reaches, at the same hops.
pub async fn the_index_agrees_with_sql(app: TestApp) {
    let seed: u64 = std::env::var("CORDON_TRACE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_220_513);
    println!("trace property seed {seed} (set CORDON_TRACE_SEED to repeat another)");
    let mut rng = SmallRng::seed_from_u64(seed);
    let t = start();
    let plates: Vec<String> = (0..12).map(|i| format!("冀A1{i:04}")).collect();
    let mut passages = Vec::new();
    for _ in 0..400 {
        let n = rng.gen_range(1..=3);
        let who: BTreeSet<u32> = (0..n).map(|_| rng.gen_range(1..=60)).collect();
        let who: Vec<u32> = who.into_iter().collect();
        let plate =
            (rng.gen_range(0..10) > 1).then(|| plates[rng.gen_range(0..plates.len())].as_str());
        passages.push(passage(
            t,
            rng.gen_range(1..=3),
            rng.gen_range(1..=2),
            rng.gen_bool(0.5),
            rng.gen_range(0..2_000),
            plate,
            &who,
        ));
    }
    record(&app, passages).await;
    app.store.build_trace_reference().await.unwrap();
    let live = cordon_server::trace::live::LiveTrace::new(28);
    live.load(app.store.as_ref()).await.unwrap();
    assert_eq!(live.with(|i| i.passages()), 400);

    // What the cases covered, so that a generator too sparse to link anyone fails.
    let (mut linked, mut reached_hop2, mut kinds) = (0usize, 0usize, BTreeSet::new());
    for case in 0..40 {
        let scope = if case % 4 == 3 {
            "CP-130100-0001,CP-130100-0003"
        } else {
            "130000"
        };
        let g = grant(scope);
        let visible = live.visibility(g.scope());
        let is_visible = |c: u32| visible.get(c as usize).copied().unwrap_or(false);
        let by_plate = case % 5 == 4;
        let person = rng.gen_range(1..=60);
        let plate = plates[rng.gen_range(0..plates.len())].clone();
        let from_ms = (t + chrono::Duration::minutes(rng.gen_range(0..800))).timestamp_millis();
        let to_ms = from_ms + rng.gen_range(60..1_400) * 60_000;
        let window_ms = rng.gen_range(0..60) * 60_000;
        let (same_direction, same_lane) = (rng.gen_bool(0.3), rng.gen_bool(0.3));
        let hops = if case % 3 == 0 { 2 } else { 1 };
        let subject = if by_plate {
            Subject::Plate(plate.clone())
        } else {
            Subject::Person(person_key(&key_of(&app, person)).unwrap())
        };
        let answer = live.with(|index| {
            let a = trace(
                index,
                &TraceQuery {
                    subject,
                    from_ms,
                    to_ms,
                    window_ms,
                    hops,
                    same_direction,
                    same_lane,
                    max_contacts: 100_000,
                    max_evidence: 100_000,
                    visible: &is_visible,
                },
            );
            let ids: Vec<Uuid> = a.subject_passages.iter().map(|&p| index.id(p)).collect();
            // Each contact by their key's prefix, with hop and links.
            let contacts: Vec<IndexContact> = a
                .contacts
                .iter()
                .map(|c| {
                    (
                        c.hop,
                        a.evidence_of(c)
                            .iter()
                            .map(|e| (e.kind, index.id(e.passage), e.gap_ms, e.from))
                            .collect(),
                        c.person,
                    )
                })
                .collect();
            (ids, contacts)
        });
        // The SQL side, hop by hop, breadth first.
        // A person as the passages keep them: the first 16 bytes of the keyed hash.
        let sql_subject = if by_plate {
            SqlSubject::Plate(plate.clone())
        } else {
            SqlSubject::Person(key_of(&app, person)[..32].to_owned())
        };
        let query = |subject: SqlSubject| SqlTraceQuery {
            subject,
            period: Period { from_ms, to_ms },
            window_ms,
            same_direction,
            same_lane,
        };
        let first = app
            .store
            .trace_hop_sql(&g, &query(sql_subject.clone()))
            .await
            .unwrap();
        let mut ids = answer.0.clone();
        ids.sort();
        let mut sql_ids = first.subject_passages.clone();
        sql_ids.sort();
        assert_eq!(ids, sql_ids, "case {case}: the subject's passages");

        // Hop 1: the same persons, by the same links (kind, passage, gap), on both sides.
        let hop1: BTreeSet<(u32, &'static str, Uuid, i64)> = live.with(|index| {
            first
                .links
                .iter()
                .map(|l| {
                    let n = index
                        .person_number(person_key(&l.person).unwrap())
                        .expect("every person the SQL side finds is in the index");
                    (n, l.kind, l.passage, l.gap_ms)
                })
                .collect()
        });
        let index_hop1: BTreeSet<(u32, &'static str, Uuid, i64)> = answer
            .1
            .iter()
            .filter(|c| c.0 == 1)
            .flat_map(|c| c.1.iter().map(move |e| (c.2, e.0.as_str(), e.1, e.2)))
            .collect();
        assert_eq!(index_hop1, hop1, "case {case}: hop-1 links (seed {seed})");
        linked += hop1.len();
        kinds.extend(hop1.iter().map(|l| l.1));
        let sql_contacts: BTreeSet<String> = first.links.iter().map(|l| l.person.clone()).collect();

        if hops == 2 {
            // Breadth first over the SQL reference: hop-2 persons are those linked from a hop-1
            // person who are neither the subject nor at hop 1.
            let mut hop2: BTreeSet<String> = BTreeSet::new();
            for contact in &sql_contacts {
                let next = app
                    .store
                    .trace_hop_sql(&g, &query(SqlSubject::Person(contact.clone())))
                    .await
                    .unwrap();
                for l in next.links {
                    if !sql_contacts.contains(&l.person)
                        && SqlSubject::Person(l.person.clone()) != sql_subject
                    {
                        hop2.insert(l.person);
                    }
                }
            }
            let index_hop2 = answer.1.iter().filter(|c| c.0 == 2).count();
            assert_eq!(
                index_hop2,
                hop2.len(),
                "case {case}: hop-2 contacts (seed {seed})"
            );
            reached_hop2 += index_hop2;
        }
    }
    println!("{linked} hop-1 links, {reached_hop2} hop-2 contacts, kinds {kinds:?}");
    assert!(
        linked > 100 && reached_hop2 > 10,
        "{linked} links, {reached_hop2} at hop 2"
    );
    assert_eq!(kinds.len(), 3, "every kind of link was compared: {kinds:?}");
}

on_both!(
    traces_find_contacts_with_evidence,
    passages_recorded_elsewhere_reach_traces,
    bad_traces_are_refused_with_their_field,
    the_index_agrees_with_sql,
);

/// The traces' rows of the access matrix: filtered, not refused (only passages in the caller's
/// scope link anyone).
pub fn rows() -> Vec<Row> {
    let subject = || json!({"subject": {"plate": "冀A12345"}});
    vec![
        row(
            "POST /api/v1/trajectories/person",
            TRACERS,
            json!({"document": {"type": "resident_id", "number": "11010519491231002X"}}),
        ),
        row(
            "POST /api/v1/trajectories/vehicle",
            TRACERS,
            json!({"plate": "冀A12345"}),
        ),
        row("POST /api/v1/trace", TRACERS, subject()),
        row("POST /api/v1/trace/contacts.csv", TRACERS, subject()),
        row("POST /api/v1/trace/contacts.xlsx", TRACERS, subject()),
    ]
}
