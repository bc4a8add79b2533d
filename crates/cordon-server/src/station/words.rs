//! The station page's words, in Chinese and English.

use serde::Serialize;

use crate::ui::texts::Lang;

#[derive(Serialize)]
pub struct Words {
    pub nav: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub issue: &'static str,
    pub checkpoint: &'static str,
    pub site: &'static str,
    /// The list's column: a checkpoint's code or a site's name.
    pub place: &'static str,
    pub no_sites: &'static str,
    pub issued: &'static str,
    pub once: &'static str,
    pub start: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub stations: &'static str,
    pub account: &'static str,
    pub high_water: &'static str,
    pub last_sync: &'static str,
    pub lag: &'static str,
    pub never: &'static str,
    pub minutes: &'static str,
    pub revoke: &'static str,
    pub confirm_revoke: &'static str,
    pub revoked: &'static str,
    pub none: &'static str,
}

pub static ZH: Words = Words {
    nav: "边缘站点",
    title: "边缘站点",
    intro: "无网络的卡口或采样点运行边缘站点：在此为其签发凭证（只显示一次），查看各站点已同步到的序号与滞后时间，停用丢失或更换的凭证。",
    issue: "签发凭证",
    checkpoint: "卡口编码",
    site: "采样点（离线采样站）",
    place: "卡口 / 采样点",
    no_sites: "暂无采样点：先在核酸检测页开设采样点",
    issued: "已为 {c} 签发凭证 {a}",
    once: "凭证只显示这一次：请立即复制，保存到站点的 DIR/station.token 文件，离开本页后无法再查看。",
    start: "站点启动命令",
    copy: "复制凭证",
    copied: "已复制",
    stations: "站点",
    account: "凭证",
    high_water: "已同步序号",
    last_sync: "最近同步",
    lag: "滞后",
    never: "从未",
    minutes: "分钟",
    revoke: "停用",
    confirm_revoke: "确认停用凭证 {a}？该站点将无法再向本中心推送。",
    revoked: "已停用 {a}",
    none: "暂无站点",
};

pub static EN: Words = Words {
    nav: "Stations",
    title: "Edge stations",
    intro: "A checkpoint or a sampling site with no network runs an edge station: issue its credential here (shown once), see how far each station's series has reached and how far behind it is, and revoke a credential that was lost or replaced.",
    issue: "Issue a credential",
    checkpoint: "Checkpoint",
    site: "Sampling site (offline sampling station)",
    place: "Checkpoint or site",
    no_sites: "No sampling sites yet: open one on the testing page",
    issued: "Credential {a} issued for {c}",
    once: "The credential is shown this once: copy it now into the station's DIR/station.token; it cannot be seen again after this page.",
    start: "Start the station with",
    copy: "Copy the credential",
    copied: "Copied",
    stations: "Stations",
    account: "Credential",
    high_water: "Series reached",
    last_sync: "Last sync",
    lag: "Behind by",
    never: "never",
    minutes: "min",
    revoke: "Revoke",
    confirm_revoke: "Revoke credential {a}? The station can no longer push to this hub.",
    revoked: "{a} revoked",
    none: "No stations yet",
};

pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}
