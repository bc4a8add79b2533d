//! The demo's duty rosters: Shijiazhuang's open checkpoints, each with three duty officers
//! (accounts named `sjz0001.a` to `.c`, whose password nobody knows until an admin sets one),
//! three eight-hour shifts a day from yesterday to tomorrow, each led by one of them with a
//! volunteer or two, and hand-over notes on the shifts that ended. The demo officer leads its
//! first checkpoint's station and is on its day shifts. One checkpoint in ten has nobody on duty
//! now, as the duty board should show. Made once: a store with shifts is left as it is.

use cordon_domain::access::{Role, Scope, Username};
use cordon_domain::command::roster::{ShiftDraft, Volunteer};
use cordon_domain::contact::MobileNumber;
use cordon_domain::person::PersonName;
use cordon_server::auth::password;
use cordon_server::auth::sessions::new_secret;
use cordon_store::access::NewAccount;
use cordon_store::network::CheckpointFilter;
use cordon_store::Store;

use super::principal;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const HOUR: i64 = 3_600_000;

const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 12] = [
    "建国", "秀英", "志强", "丽娟", "海燕", "俊杰", "红梅", "明", "磊", "静", "伟", "芳",
];
const NOTES: [&str; 5] = [
    "本班登记正常，2号道闸抬杆偶有延迟，已报修。",
    "测温枪电池已更换，备用电池在值班室抽屉。",
    "夜间货车较多，已按规定查验核酸和行程卡，无异常。",
    "防护物资：口罩剩余约300只，请下一班注意申领。",
    "一辆外省车辆劝返，已登记；其余正常。",
];

fn name(s: &str) -> anyhow::Result<Username> {
    Username::parse(s).map_err(|e| anyhow::anyhow!(e.message))
}

fn volunteer(rng: &mut SmallRng) -> anyhow::Result<Volunteer> {
    let full = format!(
        "{}{}",
        SURNAMES[rng.gen_range(0..SURNAMES.len())],
        GIVEN[rng.gen_range(0..GIVEN.len())]
    );
    let phone = format!(
        "1{}{:09}",
        rng.gen_range(3..=9),
        rng.gen_range(0..1_000_000_000u32)
    );
    Ok(Volunteer {
        name: PersonName::parse(&full).map_err(|e| anyhow::anyhow!(e.message))?,
        phone: MobileNumber::parse(&phone).map_err(|e| anyhow::anyhow!(e.message))?,
    })
}

pub async fn load(store: &dyn Store, officer_scope: &str) -> anyhow::Result<()> {
    let city = principal("commander.sjz", Role::Commander, "130100")?;
    let now = cordon_domain::time::now_ms();
    let read = city.may_read_rosters()?;
    if store
        .duty_now(&read, now)
        .await?
        .iter()
        .any(|d| d.on_duty.is_some() || d.next_starts_at.is_some())
    {
        return Ok(());
    }
    let keep = city.may_keep_rosters()?;
    let mut checkpoints = store
        .list_checkpoints(&CheckpointFilter {
            within: cordon_domain::division::DivisionCode::from_value(130100),
            ..CheckpointFilter::default()
        })
        .await?;
    checkpoints.retain(|c| c.status.as_str() == "open");
    checkpoints.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
    let demo_officer = officer_scope.split(',').next().unwrap_or("");
    let existing: Vec<String> = store
        .list_accounts()
        .await?
        .into_iter()
        .map(|a| a.username.to_string())
        .collect();
    // One password hash for every duty officer: of a secret nobody is told.
    let hash = password::hash(new_secret()).await;
    let mut rng = SmallRng::seed_from_u64(2022_0520);
    let midnight = now - (now + 8 * HOUR).rem_euclid(24 * HOUR);
    for (n, cp) in checkpoints.iter().enumerate() {
        let code = cp.code.as_str();
        let crew: Vec<String> = ["a", "b", "c"]
            .iter()
            .map(|x| format!("sjz{}.{x}", &code[10..]))
            .collect();
        for who in &crew {
            if !existing.contains(who) {
                store
                    .create_account(NewAccount {
                        username: name(who)?,
                        role: Role::Officer,
                        scope: Scope::parse(code).map_err(|e| anyhow::anyhow!(e.message))?,
                        password_hash: hash.clone(),
                        created_by: "demo".into(),
                    })
                    .await?;
            }
        }
        let mine = code == demo_officer;
        let mut leads = vec![name(&crew[0])?];
        if mine {
            leads.push(name("officer")?);
        }
        store.name_leads(&keep, &cp.code, &leads, now).await?;
        let gap = n % 10 == 9;
        for day in -1..=1i64 {
            for slot in 0..3i64 {
                let starts = midnight + day * 24 * HOUR + slot * 8 * HOUR;
                let ends = starts + 8 * HOUR;
                if gap && starts <= now && now < ends {
                    continue;
                }
                let lead = name(&crew[slot as usize])?;
                let officers = if mine && slot == 1 {
                    vec![name("officer")?]
                } else {
                    Vec::new()
                };
                let volunteers = (0..rng.gen_range(1..=2))
                    .map(|_| volunteer(&mut rng))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                let draft = ShiftDraft {
                    starts_ms: starts,
                    ends_ms: ends,
                    lead,
                    officers,
                    volunteers,
                };
                let shift = store.plan_shift(&keep, &cp.code, &draft, now).await?;
                if ends <= now {
                    let by = principal(&crew[slot as usize], Role::Officer, code)?;
                    let note = NOTES[rng.gen_range(0..NOTES.len())];
                    store
                        .hand_over(&by.may_read_rosters()?, shift.id, note, now)
                        .await?;
                }
            }
        }
    }
    tracing::info!(
        checkpoints = checkpoints.len(),
        "demo duty rosters of Shijiazhuang"
    );
    Ok(())
}
