//! The demo's freight passes: Shijiazhuang's command has issued passes for trucks bringing
//! epidemic supplies, necessities, parcels and farming inputs from six provinces to the city's
//! districts (a few through named highway exits), one of them revoked and one expired, one
//! overdue at its destination; a Wuhan carrier's application waits for the command. Made once: a
//! store with passes is left as it is.

use cordon_domain::access::Role;
use cordon_domain::freight::application::PassApplicationRequest;
use cordon_domain::freight::pass::{GoodsCategory, PassDraft};
use cordon_domain::freight::truck::Driver;
use cordon_domain::plate::Plate;
use cordon_store::freight::PassQuery;
use cordon_store::Store;

const HOUR: i64 = 3_600_000;

/// Plate, origin county, destination county, goods, a route through exits, hours valid from
/// now (negative: before) and for how long.
const PASSES: [(&str, u32, u32, GoodsCategory, bool, i64, i64); 12] = [
    (
        "鄂A35791",
        420102,
        130102,
        GoodsCategory::Medical,
        true,
        -20,
        48,
    ),
    (
        "豫A24680",
        410105,
        130104,
        GoodsCategory::Necessities,
        false,
        -6,
        48,
    ),
    (
        "鲁A13579",
        370102,
        130105,
        GoodsCategory::Postal,
        true,
        -30,
        72,
    ),
    (
        "晋A97531",
        140105,
        130108,
        GoodsCategory::Farming,
        false,
        -2,
        24,
    ),
    (
        "京B86420",
        110105,
        130102,
        GoodsCategory::Medical,
        false,
        -12,
        48,
    ),
    (
        "津C11223",
        120101,
        130104,
        GoodsCategory::Reserves,
        true,
        -40,
        96,
    ),
    (
        "鄂B44556",
        420106,
        130105,
        GoodsCategory::Production,
        false,
        -1,
        48,
    ),
    (
        "豫C77889",
        410305,
        130108,
        GoodsCategory::Necessities,
        true,
        -8,
        48,
    ),
    (
        "鲁B99001",
        370202,
        130102,
        GoodsCategory::Postal,
        false,
        -3,
        24,
    ),
    (
        "蒙A12121",
        150102,
        130104,
        GoodsCategory::Farming,
        false,
        -10,
        48,
    ),
    (
        "辽A34343",
        210102,
        130105,
        GoodsCategory::Medical,
        false,
        -60,
        48,
    ),
    (
        "晋B56565",
        140203,
        130108,
        GoodsCategory::Other,
        false,
        -5,
        48,
    ),
];

pub async fn load(store: &dyn Store) -> anyhow::Result<()> {
    let city = super::principal("commander.sjz", Role::Commander, "130100")?;
    let issue = city.may_issue_passes()?;
    if !store
        .list_passes(&issue, &PassQuery::default())
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let exits = super::lots::exits(store).await?;
    let now = cordon_domain::time::now_ms();
    let division = |v: u32| {
        cordon_domain::division::DivisionCode::from_value(v)
            .ok_or_else(|| anyhow::anyhow!("{v} is not a division code"))
    };
    for (n, (plate, origin, destination, goods, via, from, hours)) in PASSES.iter().enumerate() {
        let from = now + from * HOUR;
        let draft = PassDraft {
            plate: Plate::parse(plate).map_err(|e| anyhow::anyhow!(e.message))?,
            tractor_plate: None,
            origin: division(*origin)?,
            destination: division(*destination)?,
            via: if *via {
                exits
                    .iter()
                    .skip(n % 3)
                    .take(2)
                    .filter_map(|c| cordon_domain::checkpoint::CheckpointCode::parse(c).ok())
                    .collect()
            } else {
                Vec::new()
            },
            goods: *goods,
            drivers: vec![Driver {
                name: cordon_domain::person::PersonName::parse("张师傅")
                    .map_err(|e| anyhow::anyhow!(e.message))?,
                phone: cordon_domain::contact::MobileNumber::parse(&format!(
                    "137{:08}",
                    40_000_000 + n
                ))
                .map_err(|e| anyhow::anyhow!(e.message))?,
            }],
            valid_from_ms: from,
            valid_until_ms: from + hours * HOUR,
            // Planned three quarters into its validity; Shandong's parcels were due 18 hours ago
            // and have been seen nowhere since (the route watch reports them overdue).
            expected_arrival_ms: Some(if n == 2 {
                from + 12 * HOUR
            } else {
                from + hours * HOUR * 3 / 4
            }),
        };
        let p = store.issue_pass(&issue, &draft, from).await?;
        if n == 6 {
            store
                .revoke_pass(
                    &issue,
                    &p.claims.number,
                    "承运车辆更换，已另发新证",
                    now - HOUR,
                )
                .await?;
        }
    }
    // A Wuhan carrier's application for epidemic supplies into the city, waiting for the command.
    let start = cordon_domain::time::from_ms(now + HOUR);
    let request: PassApplicationRequest = serde_json::from_value(serde_json::json!({
        "carrier": "武汉顺达物流有限公司",
        "contact": {"name": "刘经理", "phone": "13800138000"},
        "pass": {"plate": "鄂A86420", "origin": "420102", "destination": "130102",
            "goods": "medical", "drivers": [{"name": "李师傅", "phone": "13900139000"}],
            "valid_from": start.to_rfc3339(),
            "valid_until": (start + chrono::Duration::hours(48)).to_rfc3339()}
    }))?;
    let checked = request
        .parse(now)
        .map_err(|e| anyhow::anyhow!("the demo application: {e:?}"))?;
    store.apply_for_pass(&request, &checked, now).await?;
    tracing::info!(passes = PASSES.len(), "demo freight passes of Shijiazhuang");
    Ok(())
}
