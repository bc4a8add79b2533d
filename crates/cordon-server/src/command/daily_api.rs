//! The daily report over HTTP: a day (China time) for the commander's jurisdiction or any
//! jurisdiction or checkpoint within it, as kept the next morning (or counted now, for today or
//! when asked), its lines the cities of a province, the counties of a city or the checkpoints of
//! a county; and the same as an Excel workbook. [`spawn_keeper`] keeps each day at the set time.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use chrono::{Duration, NaiveDate};
use cordon_domain::access::command::DailyRead;
use cordon_domain::access::Scope;
use cordon_domain::checkpoint::CheckpointCode;
use cordon_domain::command::daily::{DailyLine, DailyReport, DayFigures};
use cordon_domain::division::{DivisionCode, DivisionLevel};
use cordon_domain::time::{from_ms, now_ms, today_china};
use cordon_store::Store;
use serde::Deserialize;

use crate::auth::Grant;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::table::{download, Kind};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DailyParams {
    /// The day (default yesterday); not after today.
    pub day: Option<NaiveDate>,
    /// A jurisdiction's code or a checkpoint's (default the account's jurisdiction).
    pub scope: Option<String>,
    /// Count now even if the day was kept.
    pub live: Option<bool>,
    /// The workbook's column names: `zh` (default) or `en`.
    pub lang: Option<String>,
}

/// What a report is asked for: a jurisdiction or one checkpoint.
enum Asked {
    Division(DivisionCode),
    Checkpoint(CheckpointCode),
}

fn asked(grant: &DailyRead, scope: Option<&str>) -> ApiResult<Asked> {
    let bad = || {
        ApiError::invalid(
            "invalid_scope",
            "scope",
            "a jurisdiction's code (such as 130100) or a checkpoint's",
        )
    };
    match scope.map(str::trim) {
        Some(s) if s.starts_with("CP-") => Ok(Asked::Checkpoint(
            CheckpointCode::parse(s).map_err(|_| bad())?,
        )),
        Some(s) => {
            let d = DivisionCode::parse(s).map_err(|_| bad())?;
            if !grant.scope().covers_division(d) {
                return Err(ApiError::Forbidden);
            }
            Ok(Asked::Division(d))
        }
        None => match grant.scope() {
            Scope::Division(d) => Ok(Asked::Division(*d)),
            Scope::Checkpoints(list) => Ok(Asked::Checkpoint(list[0].clone())),
        },
    }
}

/// The report of a day.
pub async fn report(app: &AppState, grant: &DailyRead, p: &DailyParams) -> ApiResult<DailyReport> {
    let today = today_china();
    let day = p.day.unwrap_or(today - Duration::days(1));
    if day > today {
        return Err(ApiError::invalid(
            "in_future",
            "day",
            "a day's report comes once the day has begun",
        ));
    }
    let asked = asked(grant, p.scope.as_deref())?;
    let within = match &asked {
        Asked::Division(d) => Scope::Division(*d),
        Asked::Checkpoint(c) => Scope::Checkpoints(vec![c.clone()].into()),
    };
    let (days, kept) = app
        .store
        .daily_figures(grant, &within, day, p.live.unwrap_or(false))
        .await?;
    let names: BTreeMap<u32, String> = app
        .store
        .list_jurisdictions()
        .await?
        .into_iter()
        .map(|j| (j.code.value(), j.name))
        .collect();
    let name_of = |code: u32| {
        names
            .get(&code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    };
    let mut total = DayFigures::default();
    for d in &days {
        total.add(&d.figures);
    }
    let (scope, name, level, lines, positives) = match &asked {
        Asked::Checkpoint(c) => {
            let d = days
                .first()
                .ok_or_else(|| ApiError::NotFound(format!("checkpoint {c}")))?;
            (
                c.to_string(),
                d.name.clone(),
                "checkpoint",
                Vec::new(),
                None,
            )
        }
        Asked::Division(div) => {
            let level = div.level();
            let mut groups: BTreeMap<String, DailyLine> = BTreeMap::new();
            for d in days {
                let j = u32::try_from(d.jurisdiction).unwrap_or(0);
                let (code, name) = match level {
                    DivisionLevel::Province => (j / 100 * 100, None),
                    DivisionLevel::City => (j, None),
                    DivisionLevel::County => (0, Some((d.code.clone(), d.name.clone()))),
                };
                let (code, name) = match name {
                    Some(n) => n,
                    None => (code.to_string(), name_of(code)),
                };
                groups
                    .entry(code.clone())
                    .or_insert_with(|| DailyLine {
                        code,
                        name,
                        figures: DayFigures::default(),
                    })
                    .figures
                    .add(&d.figures);
            }
            let positives = app.store.daily_positives(grant, *div, day).await?;
            let level = match level {
                DivisionLevel::Province => "province",
                DivisionLevel::City => "city",
                DivisionLevel::County => "county",
            };
            (
                div.to_string(),
                name_of(div.value()),
                level,
                groups.into_values().collect(),
                Some(positives),
            )
        }
    };
    Ok(DailyReport {
        day,
        scope,
        name,
        level: level.to_owned(),
        total,
        positives,
        lines,
        kept_at: kept.map(from_ms),
    })
}

#[utoipa::path(get, path = "/api/v1/daily-reports", tag = "directives", params(DailyParams),
    responses((status = 200, body = DailyReport), (status = 403, body = ErrorBody, description = "beyond the account's jurisdiction"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn daily(
    State(app): State<AppState>,
    grant: Grant<DailyRead>,
    ApiQuery(p): ApiQuery<DailyParams>,
) -> ApiResult<Json<DailyReport>> {
    Ok(Json(report(&app, &grant.grant, &p).await?))
}

const COLUMNS_ZH: [&str; 16] = [
    "编码",
    "名称",
    "卡口",
    "车辆",
    "人员",
    "放行",
    "现场检测",
    "留验",
    "转运",
    "劝返",
    "指令签收",
    "逾期未签",
    "上报",
    "办结",
    "班次",
    "值守覆盖%",
];
const COLUMNS_EN: [&str; 16] = [
    "code",
    "name",
    "checkpoints",
    "vehicles",
    "persons",
    "passed",
    "tested on site",
    "held",
    "referred",
    "turned back",
    "directives acknowledged",
    "directives overdue",
    "reports raised",
    "reports closed",
    "shifts",
    "coverage %",
];

fn cells(code: &str, name: &str, f: &DayFigures) -> Vec<String> {
    let n = [
        f.checkpoints,
        f.vehicles,
        f.persons,
        f.passed,
        f.tested_on_site,
        f.held,
        f.referred,
        f.turned_back,
        f.directives_acknowledged,
        f.directives_overdue,
        f.reports_raised,
        f.reports_closed,
        f.shifts,
        f.coverage_percent(),
    ];
    [code.to_owned(), name.to_owned()]
        .into_iter()
        .chain(n.iter().map(i64::to_string))
        .collect()
}

#[utoipa::path(get, path = "/api/v1/daily-reports.xlsx", tag = "directives", params(DailyParams),
    responses((status = 200, description = "The day's report as an Excel workbook: a line per city, county or checkpoint, then the total", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn daily_xlsx(
    State(app): State<AppState>,
    grant: Grant<DailyRead>,
    ApiQuery(p): ApiQuery<DailyParams>,
) -> ApiResult<Response> {
    let en = match p.lang.as_deref() {
        None | Some("zh") => false,
        Some("en") => true,
        Some(_) => {
            return Err(ApiError::invalid(
                "invalid_value",
                "lang",
                "lang is zh or en",
            ))
        }
    };
    let r = report(&app, &grant.grant, &p).await?;
    let mut rows: Vec<Vec<String>> = r
        .lines
        .iter()
        .map(|l| cells(&l.code, &l.name, &l.figures))
        .collect();
    rows.push(cells(&r.scope, &r.name, &r.total));
    let columns = if en { COLUMNS_EN } else { COLUMNS_ZH };
    let kept = match (&r.kept_at, en) {
        (Some(t), false) => format!("{} 日报，{} 存档", r.day, t.format("%m-%d %H:%M")),
        (Some(t), true) => format!(
            "Daily report of {}, kept {}",
            r.day,
            t.format("%m-%d %H:%M")
        ),
        (None, false) => format!(
            "{} 日报，{} 实时统计",
            r.day,
            from_ms(now_ms()).format("%m-%d %H:%M")
        ),
        (None, true) => format!(
            "Daily report of {}, counted {}",
            r.day,
            from_ms(now_ms()).format("%m-%d %H:%M")
        ),
    };
    let positives = r.positives.as_ref().map(|p| {
        if en {
            format!(
                "Positives: PCR tubes {} ({} persons), antigen {}",
                p.pcr_tubes, p.pcr_persons, p.antigen
            )
        } else {
            format!(
                "阳性：核酸 {} 管（{} 人），抗原 {} 人",
                p.pcr_tubes, p.pcr_persons, p.antigen
            )
        }
    });
    let note = match positives {
        Some(p) => format!("{kept}；{p}"),
        None => kept,
    };
    download(
        Kind::Xlsx,
        "daily",
        columns.iter().map(|c| c.to_string()).collect(),
        rows,
        Some(note),
    )
    .await
}

/// Keeps each day at `at_minutes` past midnight of the next (China time), and on start the days
/// of the last week not kept yet; one process of the hub does it (a station keeps nothing).
pub fn spawn_keeper(store: Arc<dyn Store>, at_minutes: u32) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = keep_due(store.as_ref(), at_minutes, now_ms()).await {
                tracing::warn!(error = %e, "the daily report could not be kept; trying again");
            }
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
    });
}

/// The last day due to be kept at `now`: yesterday (China time) once `at_minutes` past midnight
/// have gone, the day before until then.
fn due_day(now: i64, at_minutes: u32) -> NaiveDate {
    let today = from_ms(now).date_naive();
    let minutes = (now + 8 * 3_600_000).rem_euclid(86_400_000) / 60_000;
    if minutes >= i64::from(at_minutes) {
        today - Duration::days(1)
    } else {
        today - Duration::days(2)
    }
}

/// Keeps the days that are due and not kept (at most the last seven); answers how many.
pub async fn keep_due(
    store: &dyn Store,
    at_minutes: u32,
    now: i64,
) -> Result<usize, cordon_store::StoreError> {
    let due = due_day(now, at_minutes);
    let first = match store.last_kept_day().await? {
        Some(last) => (last + Duration::days(1)).max(due - Duration::days(6)),
        None => due - Duration::days(6),
    };
    let mut kept = 0;
    let mut day = first;
    while day <= due {
        let n = store.keep_day(day, now).await?;
        tracing::info!(%day, checkpoints = n, "daily report kept");
        kept += 1;
        day += Duration::days(1);
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn a_day_is_due_after_the_set_minute_of_the_next_in_china_time() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // 00:12 China time on the 7th (16:12 UTC on the 6th): the 6th is not due before 00:30.
        assert_eq!(due_day(at("2026-12-06T16:12:00Z"), 30), day("2026-12-05"));
        assert_eq!(due_day(at("2026-12-06T16:12:00Z"), 0), day("2026-12-06"));
        assert_eq!(due_day(at("2026-12-06T16:30:00Z"), 30), day("2026-12-06"));
        // 07:59 China time: still the 7th's yesterday, though UTC says the 6th.
        assert_eq!(due_day(at("2026-12-06T23:59:00Z"), 30), day("2026-12-06"));
        assert_eq!(due_day(at("2026-12-07T00:00:00Z"), 30), day("2026-12-06"));
    }
}
