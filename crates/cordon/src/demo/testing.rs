//! The demo's testing: a campaign over 长安区 (10 in 1, due tomorrow) with two sampling sites,
//! where the demo account `sampler1` fills tubes and reads antigen tests ([`super::antigen`]),
//! and the lab that tests the tubes ([`super::lab`]). Made once: a store that has a campaign is left as it is.

use cordon_domain::access::{Principal, Role, Scope, Username};
use cordon_domain::division::DivisionCode;
use cordon_domain::testing::{NewCampaign, PoolSize};
use cordon_store::Store;

/// The demo's campaign and its sites, made once.
pub async fn load(store: &dyn Store) -> anyhow::Result<()> {
    let commander = Principal {
        account: 0,
        username: Username::parse("commander.sjz").map_err(|e| anyhow::anyhow!(e.message))?,
        role: Role::Commander,
        scope: Scope::parse("130100").map_err(|e| anyhow::anyhow!(e.message))?,
    };
    if !store
        .list_campaigns(&commander.may_read_testing()?)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let manage = commander.may_manage_campaigns()?;
    let campaign = store
        .create_campaign(
            &manage,
            NewCampaign {
                name: "长安区全员核酸检测".into(),
                area: DivisionCode::parse("130102").map_err(|e| anyhow::anyhow!(e.message))?,
                deadline_ms: cordon_domain::time::now_ms() + 24 * 3_600_000,
                pool_size: PoolSize::DEFAULT,
            },
        )
        .await?;
    let mut sites = Vec::new();
    for (name, lanes) in [("裕华路社区采样点", 4), ("建设大街小学采样点", 2)] {
        sites.push(store.create_site(&manage, campaign.id, name, lanes).await?);
    }
    super::antigen::load(store, sites[1].id).await?;
    super::lab::load(store, sites[0].id).await
}
