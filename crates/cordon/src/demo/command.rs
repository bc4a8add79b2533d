//! The demo's directives, one in each state across the province: a flash to every checkpoint
//! three hours ago, acknowledged by most and overdue at the rest (escalated); an urgent one to
//! Shijiazhuang under way, read here and there and reminded; a routine one to the capital ring,
//! revised since; one to Baoding cancelled; one scheduled for tomorrow morning. The demo
//! officer's checkpoints have not acknowledged the first two, so its lane shows them. Made once:
//! a store with directives is left as it is.

use cordon_domain::access::Role;
use cordon_domain::checkpoint::{CheckpointCode, DefenceLine};
use cordon_domain::command::directive::{
    DirectiveDraft, Priority, Revision, Target, TargetRequest,
};
use cordon_domain::division::DivisionCode;
use cordon_store::command::DirectiveQuery;
use cordon_store::Store;

use super::principal;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

const REPLIES: [&str; 4] = [
    "已传达到各班组",
    "已组织学习，按要求执行",
    "收到，已调整查验流程",
    "已传达，夜班人员到岗后再次传达",
];

fn within(division: u32, line: Option<DefenceLine>) -> (Target, TargetRequest) {
    (
        Target::Within {
            division: DivisionCode::from_value(division),
            line,
            kind: None,
        },
        TargetRequest {
            division: Some(division.to_string()),
            defence_line: line.map(|l| l.as_str().to_owned()),
            ..TargetRequest::default()
        },
    )
}

fn draft(
    title: &str,
    text: &str,
    priority: Priority,
    (target, target_request): (Target, TargetRequest),
    effective_ms: i64,
    deadline_ms: i64,
) -> DirectiveDraft {
    DirectiveDraft {
        title: title.into(),
        text: text.into(),
        priority,
        target,
        target_request,
        effective_ms,
        deadline_ms,
    }
}

/// Acknowledges `share` of a directive's recipients (never `skip`), each by its station's duty
/// officer within `window_ms` of `from_ms`; opens another `read_share` without acknowledging.
#[allow(clippy::too_many_arguments)]
async fn answer(
    store: &dyn Store,
    rng: &mut SmallRng,
    id: i64,
    revision: i32,
    recipients: &[CheckpointCode],
    skip: &[String],
    share: f64,
    read_share: f64,
    from_ms: i64,
    window_ms: i64,
) -> anyhow::Result<()> {
    for code in recipients {
        if skip.iter().any(|s| s == code.as_str()) {
            continue;
        }
        let draw: f64 = rng.gen();
        if draw >= share + read_share {
            continue;
        }
        let name = format!("duty-{}", &code.as_str()[3..]).to_lowercase();
        let officer =
            principal(&name, Role::Officer, code.as_str())?.may_acknowledge_directives()?;
        let at = from_ms + rng.gen_range(MINUTE..window_ms.max(2 * MINUTE));
        if draw < share {
            let reply = rng
                .gen_bool(0.3)
                .then(|| REPLIES[rng.gen_range(0..REPLIES.len())].to_owned());
            store
                .acknowledge_directive(&officer, id, code, revision, reply, at)
                .await?;
        } else {
            store
                .read_directive(&officer, id, code, revision, at)
                .await?;
        }
    }
    Ok(())
}

pub async fn load(store: &dyn Store, officer_scope: &str) -> anyhow::Result<()> {
    let province = principal("commander", Role::Commander, "130000")?;
    let read = province.may_read_directives()?;
    let any = DirectiveQuery {
        cancelled: true,
        limit: 1,
        ..DirectiveQuery::default()
    };
    let now = cordon_domain::time::now_ms();
    if !store.list_directives(&read, &any, now).await?.is_empty() {
        return Ok(());
    }
    let issue = province.may_issue_directives()?;
    let city = principal("commander.sjz", Role::Commander, "130100")?.may_issue_directives()?;
    let skip: Vec<String> = officer_scope.split(',').map(str::to_owned).collect();
    let mut rng = SmallRng::seed_from_u64(2022_0513);
    let recipients = |board: Vec<cordon_domain::command::directive::Recipient>| {
        board.into_iter().map(|r| r.checkpoint).collect::<Vec<_>>()
    };

    // A flash to every checkpoint, three hours ago; most acknowledged within half an hour.
    let t = now - 3 * HOUR;
    let flash = store
        .issue_directive(
            &issue,
            draft(
                "20时起执行新版防控规则",
                "省指挥部决定：自今日20时起执行新版防控规则（第5版）。\n一、来自中高风险地区的人员一律查验48小时核酸阴性证明；\n二、货车司机查验行程卡和核酸，落实“即采即走即追”；\n三、各卡口于签收时回复传达情况。",
                Priority::Flash,
                within(130000, None),
                t,
                t + 30 * MINUTE,
            ),
            t,
        )
        .await?;
    let (_, board) = store.directive_board(&read, flash.id, now).await?;
    let all = recipients(board);
    answer(
        store,
        &mut rng,
        flash.id,
        1,
        &all,
        &skip,
        0.93,
        0.03,
        t,
        40 * MINUTE,
    )
    .await?;

    // An urgent one to Shijiazhuang, forty minutes ago, under way; the silent reminded.
    let t = now - 40 * MINUTE;
    let urgent = store
        .issue_directive(
            &city,
            draft(
                "加强对货车司机的核酸查验",
                "市指挥部通知：近期外省货车司机检出阳性，各卡口对货车司机一律现场采样，抗原阴性后放行，核酸结果出来前纳入追踪。",
                Priority::Urgent,
                within(130100, None),
                t,
                t + 2 * HOUR,
            ),
            t,
        )
        .await?;
    let (_, board) = store.directive_board(&read, urgent.id, now).await?;
    answer(
        store,
        &mut rng,
        urgent.id,
        1,
        &recipients(board),
        &skip,
        0.55,
        0.2,
        t,
        35 * MINUTE,
    )
    .await?;
    store
        .remind_directive(&city, urgent.id, now - 5 * MINUTE)
        .await?;

    // A routine one to the capital ring, five hours ago, revised an hour ago.
    let t = now - 5 * HOUR;
    let ring = store
        .issue_directive(
            &issue,
            draft(
                "进京方向车辆查验行程卡",
                "环京各卡口对进京方向车辆逐人查验行程卡。",
                Priority::Routine,
                within(130000, Some(DefenceLine::CapitalRing)),
                t,
                t + 12 * HOUR,
            ),
            t,
        )
        .await?;
    let (_, board) = store.directive_board(&read, ring.id, now).await?;
    let ring_cps = recipients(board);
    answer(
        store,
        &mut rng,
        ring.id,
        1,
        &ring_cps,
        &[],
        0.8,
        0.1,
        t,
        2 * HOUR,
    )
    .await?;
    let revised = store
        .update_directive(
            &issue,
            ring.id,
            Revision {
                title: None,
                text: Some("环京各卡口对进京方向车辆逐人查验行程卡和48小时核酸阴性证明。".into()),
                priority: None,
                deadline_ms: Some(now + 6 * HOUR),
                note: "增加查验48小时核酸阴性证明".into(),
            },
            now - HOUR,
        )
        .await?;
    answer(
        store,
        &mut rng,
        ring.id,
        revised.revision,
        &ring_cps,
        &skip,
        0.45,
        0.1,
        now - HOUR,
        50 * MINUTE,
    )
    .await?;

    // One to Baoding, cancelled; one for tomorrow at 08:00.
    let t = now - 2 * HOUR;
    let baoding = store
        .issue_directive(
            &issue,
            draft(
                "暂停保定西收费站入口通行",
                "因道路施工，保定西收费站入口暂停通行，车辆改由保定南收费站进出。",
                Priority::Urgent,
                within(130600, None),
                t,
                t + 2 * HOUR,
            ),
            t,
        )
        .await?;
    store
        .cancel_directive(&issue, baoding.id, "施工推迟，恢复通行", now - 90 * MINUTE)
        .await?;
    let tomorrow = (chrono::Utc::now().with_timezone(&cordon_domain::time::china())
        + chrono::Duration::days(1))
    .date_naive()
    .and_hms_opt(8, 0, 0)
    .and_then(|t| t.and_local_timezone(cordon_domain::time::china()).single())
    .map_or(now + 12 * HOUR, |t| t.timestamp_millis());
    store
        .issue_directive(
            &issue,
            draft(
                "明日8时起恢复部分临时卡口",
                "明日8时起，各市可根据风险等级撤除部分临时卡口，撤除前报省指挥部备案。",
                Priority::Routine,
                within(130000, None),
                tomorrow,
                tomorrow + 12 * HOUR,
            ),
            now - 10 * MINUTE,
        )
        .await?;
    store.escalate_overdue(now).await?;
    let reports = reports(store, &mut rng, &all, &city, now).await?;
    println!(
        "Demo directives: 5, across the province; {reports} reports from the stations over the day"
    );
    Ok(())
}

/// What the stations reported over the day, by category, urgency and text.
const REPORTS: [(&str, Priority, &str); 10] = [
    (
        "queue",
        Priority::Urgent,
        "出口方向排队约2公里，请求增派人员",
    ),
    ("supplies", Priority::Flash, "抗原试剂只剩20人份"),
    ("staff", Priority::Urgent, "夜班只有2人，请求支援"),
    (
        "incident",
        Priority::Flash,
        "一名货车司机拒不配合查验，已报警",
    ),
    (
        "question",
        Priority::Routine,
        "持48小时核酸但行程卡带星号的，是否劝返？",
    ),
    ("supplies", Priority::Routine, "防护服和口罩库存不足3天用量"),
    ("queue", Priority::Routine, "早高峰排队约800米"),
    (
        "question",
        Priority::Urgent,
        "外省救护车是否需要登记全部随车人员？",
    ),
    ("other", Priority::Routine, "值班帐篷被风吹坏，需要更换"),
    ("staff", Priority::Routine, "志愿者明日起减少4人"),
];

const ANSWERS: [&str; 4] = [
    "已协调，1小时内到位",
    "按现行规则执行，详见今日指令",
    "已安排交警增派警力疏导",
    "已从市仓库调拨，今日送到",
];

/// A day of reports from Shijiazhuang's stations: most answered, some taken, the latest open.
async fn reports(
    store: &dyn Store,
    rng: &mut SmallRng,
    all: &[CheckpointCode],
    city: &cordon_domain::access::command::DirectiveIssue,
    now: i64,
) -> anyhow::Result<usize> {
    use cordon_domain::command::report::{ReportCategory, ReportDraft};
    let stations: Vec<&CheckpointCode> = all
        .iter()
        .filter(|c| c.as_str().starts_with("CP-130100-"))
        .collect();
    if stations.is_empty() {
        return Ok(0);
    }
    let n = 24;
    for i in 0..n {
        let code = stations[rng.gen_range(0..stations.len())];
        let (category, urgency, text) = REPORTS[i % REPORTS.len()];
        let at = now - 22 * HOUR + (i as i64) * 55 * MINUTE + rng.gen_range(0..20 * MINUTE);
        let name = format!("duty-{}", &code.as_str()[3..]).to_lowercase();
        let officer =
            principal(&name, Role::Officer, code.as_str())?.may_acknowledge_directives()?;
        let draft = ReportDraft {
            id: uuid::Uuid::from_u64_pair(0x2022_0513, i as u64),
            checkpoint: code.clone(),
            category: ReportCategory::parse(category).map_err(|e| anyhow::anyhow!(e.message))?,
            urgency,
            text: text.into(),
        };
        store.file_report(&officer, &draft, at).await?;
        // The older ones answered within the hour; a few taken and not yet answered.
        if i < n - 4 {
            let answer = ANSWERS[rng.gen_range(0..ANSWERS.len())];
            store
                .answer_report(city, draft.id, answer, at + rng.gen_range(5..50) * MINUTE)
                .await?;
        } else if i < n - 2 {
            store
                .assign_report(city, draft.id, "commander.sjz", at + 5 * MINUTE)
                .await?;
        }
    }
    Ok(n)
}
