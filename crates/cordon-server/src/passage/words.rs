//! The passage page's words, in Chinese and English.

use serde::Serialize;

use crate::ui::texts::Lang;

#[derive(Serialize)]
pub struct Words {
    pub title: &'static str,
    pub at: &'static str,
    pub recorded: &'static str,
    pub shift: &'static str,
    pub shift_lead: &'static str,
    pub checkpoint: &'static str,
    pub lane: &'static str,
    pub direction: &'static str,
    pub vehicle: &'static str,
    pub pedestrian: &'static str,
    pub route: &'static str,
    pub decision: &'static str,
    pub policy: &'static str,
    pub persons: &'static str,
    pub supersedes: &'static str,
    pub superseded_by: &'static str,
    pub reveal: &'static str,
    pub purpose: &'static str,
    pub purpose_hint: &'static str,
    pub revealed: &'static str,
    pub not_found: &'static str,
}

pub static ZH: Words = Words {
    title: "通行记录",
    at: "通行时间",
    recorded: "登记时间",
    shift: "所在班次",
    shift_lead: "带班",
    checkpoint: "卡口",
    lane: "车道",
    direction: "方向",
    vehicle: "车辆",
    pedestrian: "步行",
    route: "出发地 → 目的地",
    decision: "判定",
    policy: "策略版本",
    persons: "人员（已脱敏）",
    supersedes: "更正了记录",
    superseded_by: "已被更正为",
    reveal: "查看明文",
    purpose: "用途（病例编号、流调任务）",
    purpose_hint: "必填，记入审计",
    revealed: "明文（已记入审计）",
    not_found: "没有这条记录，或不在本账号的范围内",
};

pub static EN: Words = Words {
    title: "Passage",
    at: "Observed",
    recorded: "Recorded",
    shift: "Shift",
    shift_lead: "lead",
    checkpoint: "Checkpoint",
    lane: "Lane",
    direction: "Direction",
    vehicle: "Vehicle",
    pedestrian: "On foot",
    route: "From → to",
    decision: "Decision",
    policy: "Policy version",
    persons: "Persons (masked)",
    supersedes: "Corrects",
    superseded_by: "Corrected by",
    reveal: "Reveal",
    purpose: "Purpose (a case number, a follow-up task)",
    purpose_hint: "Required; kept in the audit trail",
    revealed: "In clear (audited)",
    not_found: "No such passage, or not in this account's scope",
};

pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}
