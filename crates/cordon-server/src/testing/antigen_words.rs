//! The antigen card's words on the sampling page, in Chinese and English.

use serde::Serialize;

use crate::ui::texts::Lang;

#[derive(Serialize)]
pub struct AntigenWords {
    pub title: &'static str,
    pub hint: &'static str,
    pub swab: &'static str,
    pub swabbed: &'static str,
    pub already: &'static str,
    pub waiting: &'static str,
    pub none_waiting: &'static str,
    pub read_in: &'static str,
    pub ready: &'static str,
    pub negative: &'static str,
    pub positive: &'static str,
    pub invalid: &'static str,
    pub read_as: &'static str,
    pub positive_next: &'static str,
    pub invalid_next: &'static str,
    pub read_today: &'static str,
}

static ZH: AntigenWords = AntigenWords {
    title: "抗原检测",
    hint: "采样时扫身份证，15 分钟后判读结果；结果一经判读不能更改。",
    swab: "已采样，开始计时",
    swabbed: "{name} 已采样：{t} 可判读",
    already: "此人已采样，正在等待判读",
    waiting: "等待判读",
    none_waiting: "没有等待判读的检测",
    read_in: "还剩 {m}:{s}",
    ready: "可判读",
    negative: "阴性",
    positive: "阳性",
    invalid: "无效",
    read_as: "{name}：{r}",
    positive_next: "请就地管控，安排核酸复核，并按规定立即上报",
    invalid_next: "无质控线，请重新采样",
    read_today: "今日已判读",
};

static EN: AntigenWords = AntigenWords {
    title: "Antigen tests",
    hint: "Scan the ID card when the swab is taken; read the cassette 15 minutes later. A result once read is not changed.",
    swab: "Swabbed: start the timer",
    swabbed: "{name} swabbed: read at {t}",
    already: "This person was swabbed and waits to be read",
    waiting: "Waiting to be read",
    none_waiting: "No test waits to be read",
    read_in: "{m}:{s} to go",
    ready: "Ready to read",
    negative: "Negative",
    positive: "Positive",
    invalid: "Invalid",
    read_as: "{name}: {r}",
    positive_next: "hold the person here, arrange a PCR test and report at once",
    invalid_next: "no control line: swab again",
    read_today: "Read today",
};

pub fn antigen_words(lang: Lang) -> &'static AntigenWords {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}
