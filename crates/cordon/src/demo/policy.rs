//! The demo's policies and risk areas: the shipped May 2022 rules published from the first demo
//! day, the December 2022 rules stored as a later draft, and a few risk areas of the kind
//! announced then (a high-risk district in Shijiazhuang for some days, medium-risk districts in
//! Beijing and Zhengzhou), so that the demo's decisions vary and explain themselves.

use chrono::{DateTime, Duration, FixedOffset};
use cordon_domain::division::DivisionCode;
use cordon_domain::policy::examples;
use cordon_domain::policy::record::{digest, PublicationAction};
use cordon_domain::risk::RiskLevel;
use cordon_store::policy::{NewPolicyVersion, NewPublication};
use cordon_store::risk::NewRiskArea;
use cordon_store::Store;

/// Stores both example policies, publishes May 2022 from `start`, and declares risk areas.
pub async fn publish(
    store: &dyn Store,
    start: DateTime<FixedOffset>,
    now: DateTime<FixedOffset>,
) -> anyhow::Result<()> {
    let mut versions = Vec::new();
    for (name, source) in examples::ALL {
        let policy = cordon_domain::policy::compile(source)
            .map_err(|p| anyhow::anyhow!("example {name} does not compile: {p:?}"))?;
        let v = store
            .create_policy_version(NewPolicyVersion {
                name: policy.name,
                source: (*source).to_owned(),
                digest: digest(source),
                note: format!("shipped example {name}"),
                actor: "demo".into(),
            })
            .await?;
        versions.push(v.version);
    }
    store
        .publish_policy(NewPublication {
            version: versions[0],
            effective_ms: start.timestamp_millis(),
            action: PublicationAction::Publish,
            reason: "演示：2022年5月检查规则 / demo: the May 2022 rules".into(),
            actor: "demo".into(),
        })
        .await?;
    let area = |code: u32,
                level,
                from: DateTime<FixedOffset>,
                to: Option<DateTime<FixedOffset>>| NewRiskArea {
        division: DivisionCode::from_value(code).expect("a real division code"),
        area: String::new(),
        level,
        valid_from_ms: from.timestamp_millis(),
        valid_to_ms: to.map(|t| t.timestamp_millis()),
    };
    let areas = vec![
        // 石家庄市桥西区: high for a few days, then lowered.
        area(
            130104,
            RiskLevel::High,
            start - Duration::days(10),
            Some(now - Duration::hours(12)),
        ),
        area(110105, RiskLevel::Medium, start - Duration::days(5), None),
        area(410100, RiskLevel::Medium, start - Duration::days(3), None),
        area(140100, RiskLevel::Low, start - Duration::days(3), None),
    ];
    store.add_risk_areas(areas, "demo", "demo").await?;
    Ok(())
}
