//! The web UI's words, in Chinese (the default) and English. One struct, so that a missing
//! translation does not compile; pages read it in templates and the scripts get it as JSON.

use serde::Serialize;

/// A language the UI speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// The other language, for the switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// From the `lang` cookie if set, else the browser's `Accept-Language`, else Chinese.
    pub fn from_headers(headers: &axum::http::HeaderMap) -> Lang {
        for v in headers.get_all(axum::http::header::COOKIE) {
            let Ok(v) = v.to_str() else { continue };
            for pair in v.split(';') {
                match pair.trim() {
                    "lang=en" => return Lang::En,
                    "lang=zh" => return Lang::Zh,
                    _ => {}
                }
            }
        }
        let accept = headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // The first language listed that we speak wins.
        for part in accept.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("zh") {
                return Lang::Zh;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::Zh
    }
}

#[derive(Debug, Serialize)]
pub struct Texts {
    pub app: &'static str,
    pub switch_lang: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub bad_credentials: &'static str,
    pub too_many: &'static str,
    pub lane: &'static str,
    pub dashboard: &'static str,
    pub declare: &'static str,
    pub checkpoint: &'static str,
    pub lane_no: &'static str,
    pub direction: &'static str,
    pub dir_in: &'static str,
    pub dir_out: &'static str,
    pub scan: &'static str,
    pub scan_hint: &'static str,
    pub plate: &'static str,
    pub plate_color: &'static str,
    pub vehicle_class: &'static str,
    pub pedestrian: &'static str,
    pub origin: &'static str,
    pub destination: &'static str,
    pub occupants: &'static str,
    pub document_type: &'static str,
    pub document_number: &'static str,
    pub name: &'static str,
    pub phone: &'static str,
    pub role: &'static str,
    pub driver: &'static str,
    pub passenger: &'static str,
    pub health_code: &'static str,
    pub green: &'static str,
    pub yellow: &'static str,
    pub red: &'static str,
    pub temperature: &'static str,
    pub latest_test: &'static str,
    pub test_kind: &'static str,
    pub test_time: &'static str,
    pub test_result: &'static str,
    pub none: &'static str,
    pub negative: &'static str,
    pub positive: &'static str,
    pub pending: &'static str,
    pub add_person: &'static str,
    pub remove: &'static str,
    pub submit: &'static str,
    pub confirm_declared: &'static str,
    pub next_vehicle: &'static str,
    pub next_hint: &'static str,
    pub declared_by_code: &'static str,
    pub code_refused: &'static str,
    pub sending: &'static str,
    pub offline_retry: &'static str,
    pub last_hour: &'static str,
    pub queue_rate: &'static str,
    pub per_hour: &'static str,
    pub recent: &'static str,
    pub outcome: &'static str,
    pub reasons: &'static str,
    pub actions: &'static str,
    pub outcome_pass: &'static str,
    pub outcome_test_on_site: &'static str,
    pub outcome_hold: &'static str,
    pub outcome_refer: &'static str,
    pub outcome_persuade_return: &'static str,
    pub province_picker: &'static str,
    pub invalid_plate: &'static str,
    pub invalid_id: &'static str,
    pub invalid_phone: &'static str,
    pub required: &'static str,
    pub declare_title: &'static str,
    pub declare_intro: &'static str,
    pub declare_submit: &'static str,
    pub declare_done: &'static str,
    pub valid_until: &'static str,
    pub declaration_id: &'static str,
    pub show_at_lane: &'static str,
    pub vehicles: &'static str,
    pub persons: &'static str,
    pub open: &'static str,
    pub closed: &'static str,
    pub hourly: &'static str,
    pub by_outcome: &'static str,
    pub map: &'static str,
    pub slowest: &'static str,
    pub handling: &'static str,
    pub seconds: &'static str,
    pub busiest: &'static str,
    pub checkpoints: &'static str,
    pub status: &'static str,
    pub reason: &'static str,
    pub open_selected: &'static str,
    pub close_selected: &'static str,
    pub selected: &'static str,
    pub passages: &'static str,
    pub observed_at: &'static str,
    pub no_data: &'static str,
    pub updated: &'static str,
    pub not_allowed: &'static str,
    pub home_intro: &'static str,
    pub api_doc: &'static str,
    pub done: &'static str,
    pub failed: &'static str,
    pub revoke_declaration: &'static str,
    pub revoke: &'static str,
}

pub static ZH: Texts = Texts {
    app: "Cordon 卡口管理平台",
    switch_lang: "English",
    sign_in: "登录",
    sign_out: "退出",
    username: "账号",
    password: "密码",
    bad_credentials: "账号或密码错误",
    too_many: "尝试次数过多，请稍后再试",
    lane: "通道登记",
    dashboard: "指挥看板",
    declare: "出行申报",
    checkpoint: "卡口",
    lane_no: "通道",
    direction: "方向",
    dir_in: "进",
    dir_out: "出",
    scan: "扫码 / 读证",
    scan_hint: "扫描身份证、申报码或输入车牌，回车确认",
    plate: "车牌号",
    plate_color: "号牌颜色",
    vehicle_class: "车辆类型",
    pedestrian: "步行",
    origin: "出发地",
    destination: "目的地",
    occupants: "人员",
    document_type: "证件类型",
    document_number: "证件号码",
    name: "姓名",
    phone: "手机号",
    role: "身份",
    driver: "驾驶员",
    passenger: "乘客",
    health_code: "健康码",
    green: "绿码",
    yellow: "黄码",
    red: "红码",
    temperature: "体温 ℃",
    latest_test: "最近检测",
    test_kind: "检测类型",
    test_time: "采样时间",
    test_result: "结果",
    none: "无",
    negative: "阴性",
    positive: "阳性",
    pending: "待出结果",
    add_person: "添加人员",
    remove: "移除",
    submit: "确认登记",
    confirm_declared: "核对无误，确认登记",
    next_vehicle: "下一辆",
    next_hint: "按回车登记下一辆",
    declared_by_code: "已读取申报码",
    code_refused: "申报码无效",
    sending: "正在登记…",
    offline_retry: "网络中断，正在重试（不会重复登记）",
    last_hour: "近一小时",
    queue_rate: "通行速率",
    per_hour: "辆/小时",
    recent: "最近登记",
    outcome: "处置结果",
    reasons: "原因",
    actions: "须办事项",
    outcome_pass: "放行",
    outcome_test_on_site: "现场检测",
    outcome_hold: "留验",
    outcome_refer: "转交处置",
    outcome_persuade_return: "劝返",
    province_picker: "选择省份简称",
    invalid_plate: "车牌号格式不对：省份简称 + 字母 + 5 或 6 位",
    invalid_id: "证件号码校验位不对，请核对",
    invalid_phone: "手机号应为 11 位，以 1 开头",
    required: "必填",
    declare_title: "出行前申报",
    declare_intro:
        "出发前填写车辆和随车人员信息，获取通行码；到达卡口时出示，民警扫码核对即可通过。",
    declare_submit: "提交申报，生成通行码",
    declare_done: "申报成功，请保存此码（截图）并在卡口出示",
    valid_until: "有效期至",
    declaration_id: "申报编号",
    show_at_lane: "到达卡口时出示此码",
    vehicles: "车辆",
    persons: "人次",
    open: "开放",
    closed: "关闭",
    hourly: "每小时通行",
    by_outcome: "处置结果分布",
    map: "卡口分布",
    slowest: "登记最慢的卡口",
    handling: "平均登记用时",
    seconds: "秒",
    busiest: "最繁忙的卡口",
    checkpoints: "卡口列表",
    status: "状态",
    reason: "原因",
    open_selected: "开放所选",
    close_selected: "关闭所选",
    selected: "已选",
    passages: "通行记录",
    observed_at: "通行时间",
    no_data: "暂无数据",
    updated: "更新于",
    not_allowed: "当前账号无权使用此页面",
    home_intro: "检查站网络与通行登记中心。",
    api_doc: "接口文档 (OpenAPI)",
    done: "已完成",
    failed: "失败",
    revoke_declaration: "撤销出行申报",
    revoke: "撤销",
};

pub static EN: Texts = Texts {
    app: "Cordon checkpoint network",
    switch_lang: "中文",
    sign_in: "Sign in",
    sign_out: "Sign out",
    username: "Username",
    password: "Password",
    bad_credentials: "Wrong username or password",
    too_many: "Too many attempts: wait a while",
    lane: "Lane",
    dashboard: "Dashboard",
    declare: "Pre-declare",
    checkpoint: "Checkpoint",
    lane_no: "Lane",
    direction: "Direction",
    dir_in: "In",
    dir_out: "Out",
    scan: "Scan / read card",
    scan_hint: "Scan an ID card or a declaration code, or type a plate; Enter",
    plate: "Plate",
    plate_color: "Plate colour",
    vehicle_class: "Vehicle",
    pedestrian: "On foot",
    origin: "From",
    destination: "To",
    occupants: "Persons",
    document_type: "Document",
    document_number: "Number",
    name: "Name",
    phone: "Mobile",
    role: "Role",
    driver: "Driver",
    passenger: "Passenger",
    health_code: "Health code",
    green: "Green",
    yellow: "Yellow",
    red: "Red",
    temperature: "Temp. °C",
    latest_test: "Latest test",
    test_kind: "Test",
    test_time: "Taken at",
    test_result: "Result",
    none: "None",
    negative: "Negative",
    positive: "Positive",
    pending: "Pending",
    add_person: "Add person",
    remove: "Remove",
    submit: "Register",
    confirm_declared: "Checked: register",
    next_vehicle: "Next vehicle",
    next_hint: "Enter for the next vehicle",
    declared_by_code: "Declaration code read",
    code_refused: "Declaration code refused",
    sending: "Registering…",
    offline_retry: "No network: retrying (it will not register twice)",
    last_hour: "Last hour",
    queue_rate: "Rate",
    per_hour: "vehicles/hour",
    recent: "Recent",
    outcome: "Outcome",
    reasons: "Reasons",
    actions: "To do",
    outcome_pass: "Pass",
    outcome_test_on_site: "Test on site",
    outcome_hold: "Hold",
    outcome_refer: "Refer",
    outcome_persuade_return: "Turn back",
    province_picker: "Province",
    invalid_plate: "Plate: province character, a letter, then 5 or 6 characters",
    invalid_id: "The identity number's check digit is wrong",
    invalid_phone: "A mobile number has 11 digits and starts with 1",
    required: "Required",
    declare_title: "Declare before you travel",
    declare_intro: "Before setting off, enter your vehicle and everyone in it to get a pass code; show it at the checkpoint and the officer scans it.",
    declare_submit: "Declare and get the code",
    declare_done: "Declared: keep this code (a screenshot) and show it at the checkpoint",
    valid_until: "Valid until",
    declaration_id: "Declaration",
    show_at_lane: "Show this code at the lane",
    vehicles: "Vehicles",
    persons: "Persons",
    open: "Open",
    closed: "Closed",
    hourly: "Per hour",
    by_outcome: "Outcomes",
    map: "Checkpoints",
    slowest: "Slowest lanes",
    handling: "Mean time to register",
    seconds: "s",
    busiest: "Busiest checkpoints",
    checkpoints: "Checkpoints",
    status: "Status",
    reason: "Reason",
    open_selected: "Open selected",
    close_selected: "Close selected",
    selected: "selected",
    passages: "Passages",
    observed_at: "Observed",
    no_data: "No data yet",
    updated: "Updated",
    not_allowed: "This account may not use this page",
    home_intro: "The checkpoint network and passage registry.",
    api_doc: "API document (OpenAPI)",
    done: "Done",
    failed: "Failed",
    revoke_declaration: "Revoke a pre-declaration",
    revoke: "Revoke",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_follows_the_cookie_then_the_browser() {
        let mut h = axum::http::HeaderMap::new();
        assert_eq!(Lang::from_headers(&h), Lang::Zh);
        h.insert(
            axum::http::header::ACCEPT_LANGUAGE,
            "en-GB,en;q=0.9,zh;q=0.5".parse().unwrap(),
        );
        assert_eq!(Lang::from_headers(&h), Lang::En);
        h.insert(axum::http::header::COOKIE, "a=b; lang=zh".parse().unwrap());
        assert_eq!(Lang::from_headers(&h), Lang::Zh);
        assert_ne!(ZH.submit, EN.submit);
    }
}
