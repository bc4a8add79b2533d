//! Freight passes on both backends: numbered by the issuing jurisdiction, one serial after
//! another; listed by plate (or the tractor's) and by validity within the jurisdiction only;
//! revoked once, the revocation kept for the stations while the pass would be valid, and a
//! station's copy of it taken once.

use std::sync::Arc;

use cordon_domain::access::Role;
use cordon_domain::freight::alert::AlertKind;
use cordon_domain::freight::pass::{GoodsCategory, PassDraft, PassNumber};
use cordon_domain::freight::truck::Driver;
use cordon_domain::plate::Plate;
use cordon_store::freight::{PassQuery, RouteAlert};
use cordon_store::Store;

use super::support::*;

fn draft(plate: &str, tractor: Option<&str>, via: &[&str]) -> PassDraft {
    let t0 = t0().timestamp_millis();
    PassDraft {
        plate: Plate::parse(plate).unwrap(),
        tractor_plate: tractor.map(|t| Plate::parse(t).unwrap()),
        origin: div("130602"),
        destination: div("130102"),
        via: via.iter().map(|c| code(c)).collect(),
        goods: GoodsCategory::Necessities,
        drivers: vec![Driver {
            name: cordon_domain::person::PersonName::parse("王五").unwrap(),
            phone: cordon_domain::contact::MobileNumber::parse("13912345678").unwrap(),
        }],
        valid_from_ms: t0,
        valid_until_ms: t0 + 48 * 3_600_000,
        expected_arrival_ms: Some(t0 + 20 * 3_600_000),
    }
}

async fn passes_are_numbered_listed_and_revoked(store: Arc<dyn Store>) {
    let s = store.as_ref();
    network(s).await;
    let t0 = t0().timestamp_millis();
    let city = who("c130100", Role::Commander, "130100")
        .may_issue_passes()
        .unwrap();
    let baoding = who("c130600", Role::Commander, "130600")
        .may_issue_passes()
        .unwrap();
    assert_eq!(
        code_of(
            s.issue_pass(&city, &draft("鄂A12345", None, &["CP-130100-0077"]), t0)
                .await
        ),
        "unknown_checkpoint via[0]"
    );
    let a = s
        .issue_pass(
            &city,
            &draft("鄂A12345", Some("鄂B23456"), &["CP-130100-0001"]),
            t0,
        )
        .await
        .unwrap();
    let b = s
        .issue_pass(&city, &draft("鄂A54321", None, &[]), t0)
        .await
        .unwrap();
    let c = s
        .issue_pass(&baoding, &draft("冀F11111", None, &[]), t0)
        .await
        .unwrap();
    assert_eq!(a.claims.number.as_str(), "130100000001");
    assert_eq!(b.claims.number.as_str(), "130100000002");
    assert_eq!(c.claims.number.as_str(), "130600000001");
    assert_eq!(a.drivers[0].name, "王*");
    let by_tractor = s
        .list_passes(
            &city,
            &PassQuery {
                plate: Some("鄂B23456".into()),
                active_at_ms: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(by_tractor.len(), 1);
    assert_eq!(
        s.list_passes(&city, &PassQuery::default())
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        code_of(s.freight_pass(&baoding, &a.claims.number).await),
        "not_found"
    );

    let revoked = s
        .revoke_pass(&city, &a.claims.number, "车辆更换", t0 + 60_000)
        .await
        .unwrap();
    assert_eq!(revoked.revoked_reason.as_deref(), Some("车辆更换"));
    assert_eq!(
        code_of(
            s.revoke_pass(&city, &a.claims.number, "again", t0 + 120_000)
                .await
        ),
        "pass_revoked number"
    );
    let active = s
        .list_passes(
            &city,
            &PassQuery {
                plate: None,
                active_at_ms: Some(t0 + 3_600_000),
            },
        )
        .await
        .unwrap();
    assert_eq!(active.len(), 1);
    let live = s.live_revocations(t0 + 3_600_000).await.unwrap();
    assert_eq!(live.len(), 1);
    assert!(s
        .live_revocations(t0 + 49 * 3_600_000)
        .await
        .unwrap()
        .is_empty());
    // A station's copy: once.
    let mut copy = live[0].clone();
    copy.number = PassNumber::parse("130100000009").unwrap();
    assert!(s.copy_revocation(&copy).await.unwrap());
    assert!(!s.copy_revocation(&copy).await.unwrap());
    assert!(s.pass_revocation(&copy.number).await.unwrap().is_some());
    assert!(s.pass_revocation(&b.claims.number).await.unwrap().is_none());
    // The retention purge: expired passes keep their plate (the permit), not their drivers.
    let (_, purged) = s.purge_freight(t0 + 49 * 3_600_000).await.unwrap();
    assert_eq!(purged, 3);
    let kept = s.freight_pass(&city, &b.claims.number).await.unwrap();
    assert_eq!(
        (kept.claims.plate.as_str(), kept.drivers.len()),
        ("鄂A54321", 0)
    );

    // The route watch follows every jurisdiction's passes in force, not the revoked; a route
    // alert is raised once per pass and kind, for the issuing command, with the checkpoints
    // still ahead on the route.
    let d = s
        .issue_pass(&city, &draft("鄂A77777", None, &["CP-130100-0001"]), t0)
        .await
        .unwrap();
    // A fleet at once: numbered on in order, in one transaction; a bad route issues none.
    let fleet = [draft("鄂A80001", None, &[]), draft("鄂A80002", None, &[])];
    let numbers = s.issue_passes(&baoding, &fleet, t0).await.unwrap();
    assert_eq!(
        numbers.iter().map(|n| n.as_str()).collect::<Vec<_>>(),
        ["130600000002", "130600000003"]
    );
    let bad = [
        draft("鄂A80003", None, &[]),
        draft("鄂A80004", None, &["CP-130100-0077"]),
    ];
    assert_eq!(
        code_of(s.issue_passes(&baoding, &bad, t0).await),
        "unknown_checkpoint via[0]"
    );
    assert_eq!(
        s.list_passes(&baoding, &PassQuery::default())
            .await
            .unwrap()
            .len(),
        3
    );
    let watched = s.watched_passes(t0 + 3_600_000).await.unwrap();
    let mut numbers: Vec<&str> = watched.iter().map(|w| w.number.as_str()).collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        [
            "130100000002",
            "130100000003",
            "130600000001",
            "130600000002",
            "130600000003"
        ]
    );
    let w = watched
        .iter()
        .find(|w| w.number == d.claims.number)
        .unwrap();
    assert_eq!(w.expected_arrival_ms, Some(t0 + 20 * 3_600_000));
    assert_eq!(w.via[0].as_str(), "CP-130100-0001");
    let overdue = RouteAlert {
        kind: AlertKind::Overdue,
        pass: w,
        plate: "鄂A77777",
        off_route_at: None,
        seen_from_ms: t0,
    };
    let at = t0 + 27 * 3_600_000;
    assert!(s.raise_route_alert(&overdue, at).await.unwrap());
    assert!(!s.raise_route_alert(&overdue, at + 60_000).await.unwrap());
    assert_eq!(
        s.route_alerts_raised(t0).await.unwrap(),
        [("130100000003".to_owned(), AlertKind::Overdue)]
    );
    let command = who("c130100", Role::Commander, "130100")
        .may_work_lots()
        .unwrap();
    let listed = s.freight_alerts(&command, at).await.unwrap();
    let a = listed
        .iter()
        .find(|a| a.kind == AlertKind::Overdue)
        .expect("listed for the city's command");
    assert_eq!(a.pass.as_deref(), Some("130100000003"));
    assert_eq!(
        a.expected_arrival.map(|t| t.timestamp_millis()),
        Some(t0 + 20 * 3_600_000)
    );
    assert_eq!(a.ahead.len(), 1);
    let baoding = who("c130600", Role::Commander, "130600")
        .may_work_lots()
        .unwrap();
    assert!(s
        .freight_alerts(&baoding, at)
        .await
        .unwrap()
        .iter()
        .all(|a| a.kind != AlertKind::Overdue));
}

conformance!(passes_are_numbered_listed_and_revoked);
