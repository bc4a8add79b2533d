//! The escorts' words, in Chinese and English: `/escorts`.

use serde::Serialize;

use crate::ui::texts::Lang;

#[derive(Serialize)]
pub struct Words {
    pub nav: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub assign: &'static str,
    pub kind: &'static str,
    pub checkpoint: &'static str,
    pub destination: &'static str,
    pub route: &'static str,
    pub vehicles: &'static str,
    pub vehicles_hint: &'static str,
    pub officers: &'static str,
    pub officers_hint: &'static str,
    pub persons: &'static str,
    pub persons_unit: &'static str,
    pub planned_arrival: &'static str,
    pub note: &'static str,
    pub make: &'static str,
    pub list: &'static str,
    pub none: &'static str,
    pub late: &'static str,
    pub received_by: &'static str,
    pub reason: &'static str,
    pub assigned: &'static str,
    pub kinds: [(&'static str, &'static str); 4],
    pub states: [(&'static str, &'static str); 5],
    pub steps: [(&'static str, &'static str); 4],
}

pub static ZH: Words = Words {
    nav: "护送任务",
    title: "护送任务",
    intro: "为防疫物资运输车辆引导、医疗队护送、病人应急开道、返乡务工人员车队护送派警：从卡口出发，按计划路线和到达时间护送，到达后由接收方确认交接。",
    assign: "派出护送",
    kind: "任务类型",
    checkpoint: "出发卡口",
    destination: "目的地",
    route: "计划路线",
    vehicles: "被护送车辆",
    vehicles_hint: "车牌，逗号或空格分隔",
    officers: "护送警力",
    officers_hint: "姓名或呼号，逗号分隔",
    persons: "人数（选填）",
    persons_unit: "人",
    planned_arrival: "计划到达",
    note: "备注（选填）",
    make: "派出",
    list: "任务",
    none: "暂无护送任务",
    late: "已超计划到达时间",
    received_by: "接收单位及人员",
    reason: "取消原因",
    assigned: "派出",
    kinds: [
        ("supplies_guide", "物资车辆引导"),
        ("medical_team", "医疗队护送"),
        ("emergency_lane", "病人应急开道"),
        ("returning_workers", "返乡人员车队"),
    ],
    states: [
        ("assigned", "已派出"),
        ("under_way", "护送中"),
        ("handed_over", "已交接"),
        ("done", "已完成"),
        ("cancelled", "已取消"),
    ],
    steps: [
        ("start", "出发"),
        ("hand_over", "到达交接"),
        ("finish", "完成"),
        ("cancel", "取消"),
    ],
};

pub static EN: Words = Words {
    nav: "Escorts",
    title: "Escorts",
    intro: "Police escorts for supplies vehicles, medical teams, a patient's emergency lane and returning workers' buses: from a checkpoint, on a planned route and arrival, handed over at the destination to whoever receives it.",
    assign: "Assign an escort",
    kind: "Kind",
    checkpoint: "Leaves from checkpoint",
    destination: "Destination",
    route: "Planned route",
    vehicles: "Escorted vehicles",
    vehicles_hint: "Plates, separated by commas or spaces",
    officers: "Escorting officers",
    officers_hint: "Names or call signs, separated by commas",
    persons: "Persons (optional)",
    persons_unit: "persons",
    planned_arrival: "Planned arrival",
    note: "Note (optional)",
    make: "Assign",
    list: "Escorts",
    none: "No escorts",
    late: "Past its planned arrival",
    received_by: "Received by (unit and person)",
    reason: "Why it is cancelled",
    assigned: "Assigned",
    kinds: [
        ("supplies_guide", "Supplies vehicle guided"),
        ("medical_team", "Medical team"),
        ("emergency_lane", "Patient's emergency lane"),
        ("returning_workers", "Returning workers' buses"),
    ],
    states: [
        ("assigned", "Assigned"),
        ("under_way", "Under way"),
        ("handed_over", "Handed over"),
        ("done", "Done"),
        ("cancelled", "Cancelled"),
    ],
    steps: [
        ("start", "Set off"),
        ("hand_over", "Handed over"),
        ("finish", "Done"),
        ("cancel", "Cancel"),
    ],
};

pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}
