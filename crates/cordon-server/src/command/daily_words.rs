//! The daily report's words, in Chinese and English: `/daily`.

use serde::Serialize;

use crate::ui::texts::Lang;

#[derive(Serialize)]
pub struct Words {
    pub nav: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub day: &'static str,
    pub live: &'static str,
    pub print: &'static str,
    pub excel: &'static str,
    pub kept: &'static str,
    pub counted: &'static str,
    pub total: &'static str,
    pub up: &'static str,
    pub positives: &'static str,
    pub pcr: &'static str,
    pub antigen: &'static str,
    pub persons_unit: &'static str,
    pub tubes_unit: &'static str,
    pub none: &'static str,
    pub columns: [&'static str; 15],
}

pub static ZH: Words = Words {
    nav: "日报",
    title: "防控日报",
    intro: "一天（0 时至 24 时）的车辆和人员、查验结果、阳性、指令签收、上报事项和值守情况；每天次日凌晨定时存档，存档后的日报不再变化。点一行查看下一级。",
    day: "日期",
    live: "按现在的数据重新统计",
    print: "打印",
    excel: "导出 Excel",
    kept: "存档于",
    counted: "实时统计于",
    total: "合计",
    up: "返回上一级",
    positives: "阳性",
    pcr: "核酸",
    antigen: "抗原",
    persons_unit: "人",
    tubes_unit: "管",
    none: "这一天没有数据",
    columns: [
        "名称", "卡口", "车辆", "人员", "放行", "现场检测", "留验", "转运", "劝返", "指令签收",
        "逾期未签", "上报", "办结", "班次", "值守覆盖",
    ],
};

pub static EN: Words = Words {
    nav: "Daily report",
    title: "Daily report",
    intro: "One day (00:00 to 24:00): vehicles and persons, the lanes' outcomes, positives, directives acknowledged, reports and duty coverage; kept each day early the next morning, after which it no longer changes. Open a line for the level below.",
    day: "Day",
    live: "Count again from the data as it is now",
    print: "Print",
    excel: "Export to Excel",
    kept: "Kept",
    counted: "Counted",
    total: "Total",
    up: "Up one level",
    positives: "Positives",
    pcr: "PCR",
    antigen: "Antigen",
    persons_unit: "persons",
    tubes_unit: "tubes",
    none: "No figures for this day",
    columns: [
        "Name",
        "Checkpoints",
        "Vehicles",
        "Persons",
        "Passed",
        "Tested on site",
        "Held",
        "Referred",
        "Turned back",
        "Directives acknowledged",
        "Overdue",
        "Reports",
        "Closed",
        "Shifts",
        "Duty coverage",
    ],
};

pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}
