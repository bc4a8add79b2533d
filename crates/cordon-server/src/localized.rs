//! Refusals in the caller's language: an API refusal keeps its machine `code` and `field`, and
//! its `message` is given in Chinese when the request's `Accept-Language` prefers Chinese (the
//! pages send their own language). The Chinese sentence is chosen by the code, and by the field
//! where one code means different things; a code without a Chinese sentence keeps the English
//! one, so a new refusal is never answered with nothing.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_LENGTH, CONTENT_TYPE};
use axum::response::Response;

/// Largest refusal body rewritten (a policy's problems can be long; those go out as they are).
const MAX_BODY: usize = 64 * 1024;

/// Whether the caller's first language is Chinese.
pub fn prefers_chinese(accept_language: &str) -> bool {
    let mut best: Option<(f32, bool)> = None;
    for part in accept_language.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        if tag.is_empty() {
            continue;
        }
        let q = pieces
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let zh = tag == "zh" || tag.starts_with("zh-");
        if best.is_none_or(|(b, _)| q > b) {
            best = Some((q, zh));
        }
    }
    best.is_some_and(|(q, zh)| zh && q > 0.0)
}

/// A problem's message in Chinese: by its code and field, as [`zh`] gives it, with the
/// document's own words kept where they are the detail (a TOML parser's complaint, a rule
/// shadowed by another). `None` when there is no Chinese sentence for it.
pub fn problem_zh(code: &str, field: &str, message: &str) -> Option<String> {
    let policy = field.starts_with("rules") || field.starts_with("default") || field.is_empty();
    let sentence = match code {
        "invalid_document" => return Some(format!("策略文档不是有效的 TOML：{message}")),
        "unreachable_rule" => {
            return Some(format!(
                "此规则永远不会起作用：前面的规则已覆盖它匹配的所有人员（{message}）"
            ))
        }
        "invalid_value" if policy && !field.ends_with("combine") => {
            return Some(format!("取值不对：{message}"))
        }
        "duplicate_id" if policy => "规则编号重复：每条规则的编号须不同",
        "invalid_id" if policy => "规则编号为 1 至 64 个字符：小写字母、数字、_ 和 -",
        "invalid_province" if field.contains("plate") => "不是车牌的省份简称（如 冀、京）",
        "too_soon" => {
            let minutes: String = message.chars().filter(char::is_ascii_digit).collect();
            return Some(format!("两次呼叫至少间隔 1 小时：请 {minutes} 分钟后再拨"));
        }
        "too_early" => {
            let minutes: String = message.chars().filter(char::is_ascii_digit).collect();
            let minutes = minutes.strip_prefix("15").unwrap_or(&minutes);
            return Some(format!("抗原采样 15 分钟后才能判读：还剩 {minutes} 分钟"));
        }
        "unknown_caller" if field.starts_with("members") || field == "lead" => {
            return Some(format!(
                "不是随访员账号：{}",
                message.split('\'').nth(1).unwrap_or("")
            ))
        }
        _ => return zh(code, field).map(str::to_owned),
    };
    Some(sentence.to_owned())
}

/// Says `problems` in Chinese when the request's `Accept-Language` prefers it: for the answers
/// that list problems without being refusals (a policy's check, the rows an import skipped).
pub fn problems_for(
    headers: &axum::http::HeaderMap,
    problems: &mut [cordon_domain::policy::PolicyProblem],
) {
    let chinese = headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(prefers_chinese);
    if !chinese {
        return;
    }
    for p in problems {
        if let Some(m) = problem_zh(&p.code, &p.field, &p.message) {
            p.message = m;
        }
    }
}

/// The Chinese sentence for a refusal's code (and field).
pub fn zh(code: &str, field: &str) -> Option<&'static str> {
    let last = field.rsplit('.').next().unwrap_or(field);
    let last = last.split('[').next().unwrap_or(last);
    Some(match (code, last) {
        ("invalid_value", "combine") => {
            "combine 须为 first_match（第一条匹配的规则）或 most_severe（最严格的结果）"
        }
        // Directives.
        ("empty_scope", _) => "该范围内没有开放的卡口：请换一个辖区、防线或卡口类型",
        ("one_target", _) => "下达范围为辖区（可加防线、卡口类型）或指定卡口，二者选一",
        ("deadline_passed", _) => "签收期限须晚于现在和生效时间",
        ("out_of_range", "effective_at") => "生效时间为一小时前至 30 天内",
        ("out_of_range", "ack_deadline") => "签收期限最长为生效后 30 天",
        ("directive_cancelled", _) => "该指令已撤销",
        ("invalid_value", "category") => "请选择上报类别",
        ("required", "answer") => "请填写答复",
        ("report_answered", _) => "该事项已答复",
        ("report_conflict", _) => "此编号已用于另一条上报：新的上报请重新填写",
        ("directive_updated", _) => "该指令已修改：请重新阅读后再签收",
        // Duty rosters.
        ("not_after_start", _) => "结束时间须晚于开始时间",
        ("out_of_range", "ends_at") => "一个班次为 30 分钟至 24 小时",
        ("in_past", "ends_at") => "这个时段已经过去，不能再排班",
        ("out_of_range", "starts_at") => "最多提前 31 天排班",
        ("shift_overlap", _) => "本卡口这个时段已有班次：一个卡口同一时间只有一个班次",
        ("officer_on_duty", _) => "此人这个时段已在另一个班次值班",
        ("not_an_officer", _) => "不是本卡口的民警账号",
        ("shift_started", _) => "班次已开始：开始时间不能再改，也不能删除",
        ("shift_ended", _) => "班次已结束：记录不能再改",
        ("shift_not_started", _) => "班次开始后才能写交接班记录",
        ("duplicate", "phone") => "这位志愿者已在本班次",
        // Video patrols.
        ("invalid_stream", _) => {
            "视频流地址须以 rtsp://、rtmp://、http(s):// 开头，或为 gb28181: 加 20 位设备编码"
        }
        ("unknown_channel", _) => "不是本辖区在用的视频通道",
        ("not_in_plan", _) => "该通道不在本轮巡查方案中",
        ("round_finished", _) => "本轮巡查已结束",
        ("already_observed", _) => "该通道本轮已记录过不同的结果",
        ("already_turned", _) => "该问题已下达过指令",
        // Holding lots.
        ("already_in_lot", _) => "这辆车已在场内",
        ("truck_out_of_order", _) => {
            "这一步现在不能做：须依次入场、停靠、采样、判读，再放行、接驳、护送或转运隔离"
        }
        ("truck_gone", _) => "这辆车已离场",
        ("escort_out_of_order", _) => {
            "这一步现在不能做：须依次出发、到达交接、完成；交接后不能取消"
        }
        ("escort_closed", _) => "这个护送任务已结束",
        ("unknown_lot", _) => "本辖区没有这个滞留场",
        ("application_decided", _) => "这份申请已审批过",
        ("required", "carrier") => "请填写承运单位",
        ("checkpoint_out_of_scope", _) => "这个卡口不在你的辖区内",
        ("out_of_range", "vehicles") => "须有 1 到 60 辆被护送车辆",
        ("out_of_range", "officers") => "须有 1 到 12 名护送警力",
        ("out_of_range", "planned_arrival") => "计划到达时间须在一小时前到一周之内",
        ("bay_taken", _) => "这个车位已有车辆",
        ("pcr_at_lab", _) => "此管已在检测系统中：核酸结果由实验室发布后自动记录，不能手工录入",
        ("no_such_bay", _) => "本场没有这个车位",
        ("required", "bay") => "请填写车位号",
        ("required", "result") => "请选择结果",
        ("required", "local_plate") => "请填写接驳车辆的车牌",
        ("required", "local_driver") => "请填写接驳司机",
        ("required", "destination") => "请填写护送目的地",
        ("required", "why") => "请填写原因",
        ("required", "address") => "请填写地址",
        ("invalid_tube", _) => "管码为 6 至 32 位字母、数字或“-”",
        ("no_parking", _) => "滞留场至少要有一个停车区",
        ("out_of_range", "capacity") => "每个分区容量为 1 至 5000",
        ("out_of_range", "zones") => "滞留场有 1 至 20 个分区、至多 5000 个车位",
        ("invalid_division", "division") => "滞留场属于市或县（区），不能是全省",
        ("alert_closed", _) => "该预警已处置",
        // Freight passes.
        ("not_a_county", _) => "线路从县区到县区：请填 6 位县区代码",
        ("invalid_pass_number", _) => "通行证号为 12 位数字：签发辖区代码加 6 位序号",
        ("unknown_issuer", _) => "证号的前 6 位不是本网络的辖区：不是这里签发的通行证",
        ("pass_malformed", _) => "不是通行证二维码，或没有读全：请重扫",
        ("pass_forged", _) => "通行证签名不符：被改动过，或不是本网络签发",
        ("pass_expired", _) => "通行证已过期",
        ("pass_not_yet_valid", _) => "通行证尚未生效",
        ("pass_revoked", _) => "通行证已撤销",
        ("pass_code_required", _) => "通行证须扫码核验，不能只凭申报",
        ("pass_other_vehicle", _) => "这张通行证不是这辆车的",
        ("goods_without_pass", _) => "货物类别由通行证载明，这辆车没有通行证",
        ("arrival_outside_validity", _) => "计划到达时间须在通行证有效期内",
        ("out_of_range", "drivers") => "一张通行证有 1 至 3 名驾驶员",
        ("out_of_range", "valid_until") => "通行证有效期最长 30 天",
        ("required", "remark") => "请说明发现的问题",
        ("out_of_range", "channels") => "一个巡查方案有 1 至 500 个通道",
        ("required", "title") => "请填写标题",
        ("required", "text") => "请填写内容",
        ("no_default", _) => "须有 [default] 默认结果，用于没有规则匹配的人员",
        ("invalid_title", _) => "标题为 1 至 200 个字符，作为判定理由显示给民警",
        ("missing_action", _) => "此结果须有一个去向动作，说明人员去往何处",
        ("never_matches", _) => "此条件不会匹配任何人员：请删除该条件或填写取值",
        ("out_of_range", "within_hours") => "within_hours 为 1 至 720（30 天）",
        ("out_of_range", "within_days") => "within_days 为 1 至 60",
        ("out_of_range", "days") => "回溯天数为 1 至 14 天",
        ("invalid_time_of_day", _) => {
            "time_of_day 格式为 HH:MM-HH:MM（通道当地时间），如 22:00-06:00"
        }
        ("after_passage", _) => "检测时间不能晚于通行时间",
        ("invalid_correction", _) => "更正须指向另一条较早的通行记录",
        ("required", "reason") => "请填写理由",
        ("required", "note") => "请填写意见或说明（驳回、修改须写明）",
        ("required", "purpose") => "请填写用途（如病例编号）",
        ("required", "name") => "请填写姓名",
        ("required", "number" | "document") => "请填写证件号码",
        ("required", "reference") => "请填写依据编号",
        ("required", "plate") => "请填写车牌号",
        ("required", "answers") => "联系上的人须填写问卷",
        ("required", "label") => "请填写名单名称：谁推送、为何",
        ("required", "short_reason") => "未满封管须填写原因",
        ("required", _) => "此项必填",
        ("invalid_check_digit", _) => "身份证号校验位不对，请核对最后一位",
        ("invalid_length", _) => "证件号码位数不对",
        ("invalid_birth_date", _) => "证件号码中的出生日期不对",
        ("invalid_characters", _) => "证件号码只能包含字母和数字",
        ("invalid_prefix" | "invalid_province", _) => "证件号码的地区码不对",
        ("invalid_passport", _) => "护照号码为 5 至 17 位字母和数字",
        ("invalid_home_return_permit", _) => "港澳居民来往内地通行证号码格式不对",
        ("invalid_taiwan_permit", _) => "台湾居民来往大陆通行证号码格式不对",
        ("invalid_exit_entry_permit", _) => "出入境通行证号码格式不对",
        ("invalid_permanent_resident_id", _) => "外国人永久居留身份证号码格式不对",
        ("unknown_document_type", _) => "不支持此证件类型",
        ("invalid_document", _) => "证件号码不对",
        ("invalid_plate", _) => "车牌号格式不对：省份简称 + 字母 + 5 或 6 位",
        ("unknown_province", _) => "车牌的省份简称不对",
        ("unknown_plate_color", _) => "车牌颜色不对",
        ("invalid_phone", _) => "手机号应为 11 位，以 1 开头",
        ("invalid_name", _) => "姓名或名称须含可见文字，不超过规定长度，且不含控制字符",
        ("invalid_division_code", _) => "行政区划代码应为 6 位数字",
        ("invalid_checkpoint_code", _) => "卡口编码格式不对（如 CP-130100-0001）",
        ("unknown_checkpoint", _) => "没有这个卡口",
        ("unknown_jurisdiction", _) => "没有这个辖区",
        ("unknown_parent", _) => "上级辖区不存在",
        ("unknown_lane", _) => "该卡口没有这个车道",
        ("checkpoint_closed", _) => "该卡口已关闭，不能登记通行",
        ("id_conflict", _) => "此编号已登记了另一条通行记录",
        ("duplicate_id", _) => "批次中此编号重复且内容不同",
        ("duplicate_occupant", _) => "同一人在车上登记了两次",
        ("too_old", _) => "通行时间早于本系统的个人信息保留期，不能登记",
        ("in_the_future", _) => "时间不能晚于现在",
        ("in_the_past", _) => "生效时间不能早于现在：已作出的判定保留原版本",
        ("out_of_range", _) => "数值超出允许范围",
        ("too_long", _) => "内容过长",
        ("too_many", "division") => "人数超过名单上限：请缩小地区或天数",
        ("too_many", _) => "数量过多",
        ("invalid_period" | "outside_interval", _) => "时间段不对：开始须早于结束",
        ("period_too_long", _) => "时间段过长，超出个人信息的保留期",
        ("invalid_subject" | "one_subject", _) => "请填写证件或车牌，二者选一",
        ("invalid_value", _) => "取值不对",
        ("invalid_id", _) => "编号格式不对",
        ("invalid_username", _) => {
            "账号名为 3 至 32 位小写字母、数字、点、下划线或横线，以字母开头"
        }
        ("username_taken", _) => "该账号名已被使用",
        ("weak_password", _) => "密码为 10 至 256 个字符",
        ("wrong_password", _) => "当前密码不对",
        ("invalid_role", "role") => "人员角色不对：一辆车须有且只有一名驾驶员",
        ("invalid_role", _) => "角色不对",
        ("scope_mismatch" | "jurisdiction_mismatch", _) => "超出本账号的管辖范围",
        ("own_account", _) => "管理员不能停用自己的账号",
        ("second_account_required", _) => "须由申请人以外的指挥人员审批",
        ("already_decided", _) => "该申请已审批过",
        ("declaration_revoked", _) => "该申报码已被撤销",
        ("not_declared", _) => "体温在通道测量，不在申报中填写",
        ("no_earlier_version", _) => "没有可回退的上一版本",
        ("nothing_in_force", _) => "当前没有生效的策略",
        ("invalid_area", _) => "区域名称不超过 64 个字符，且不含控制字符",
        ("invalid_cursor" | "invalid_seq", _) => "分页位置不对，请从第一页重新查询",
        ("malformed_json" | "bad_request", _) => "请求无法读取",
        ("unauthenticated", _) => "请先登录",
        ("bad_credentials", _) => "账号或密码不对，或账号已锁定、停用",
        ("forbidden", _) => "当前账号无权执行此操作",
        ("not_found", _) => "未找到",
        ("too_many_attempts", _) => "失败次数过多，请稍后再试",
        ("rate_limited", _) => "请求过于频繁，请稍后再试",
        ("too_large", _) => "提交的内容过大",
        ("unavailable", _) => "系统暂时无法处理，请稍后重试",
        ("trace_index_loading", _) => "流调索引正在加载，请稍后重试",
        ("internal", _) => "系统内部错误，已记录",
        // Follow-up.
        ("no_identity", _) => "每行须有证件号码或手机号，用于核对身份",
        ("invalid_text", _) => "不超过 200 个字符，且不含控制字符",
        ("invalid_date", _) => "日期格式如 2022-05-02",
        ("duplicate_row", _) => "行号与前面的行重复",
        ("row_conflict", _) => "此行号之前已提交过不同的内容：重试须提交相同内容，新的人员用新行号",
        ("empty", _) => "文件中没有可导入的行",
        ("no_contacts", _) => "流调未发现需要随访的密接",
        ("no_passages", _) => "这些天内没有从该地来、或申报到访过该地的入境人员",
        ("duplicate", "name") => "这个名称已被使用，请换一个",
        ("unknown_caller", _) => "本辖区的随访小组中没有这个随访员",
        ("not_moved", _) => "只有“已在外地居住”才填写现住址",
        ("subject_closed", _) => "此人的随访已结束（已完成或已转出）",
        ("escalated", _) => "此人已转给组长上门走访",
        ("not_escalated", _) => "上门走访须在电话联系不上之后",
        ("not_reached", _) => "只有联系上的人才记录问卷回答",
        ("not_published", _) => "回答须针对已发布的问卷版本",
        ("unknown_question", _) => "问卷中没有这个问题",
        ("invalid_answer", _) => "回答不符合该问题的要求",
        ("invalid_type", "answers") => "回答应为“问题编号：回答”的形式",
        // Mass testing and the lab.
        ("invalid_pool_size", _) => "每管为 1、5、10 或 20 人",
        ("invalid_barcode", _) => "条码为 6 至 32 位字母、数字或横线",
        ("barcode_used", _) => "此条码已用于另一支采样管：请换一支新管",
        ("tube_full", _) => "此管已满：请封管",
        ("tube_sealed", _) => "此管已封管：请扫新管",
        ("tube_empty", _) => "空管不能封管：请先扫人",
        ("in_open_tube", _) => "此人在另一支未封的管中：请先封那一支",
        ("invalid_well", _) => "孔位为 A 至 H 行、1 至 12 列，如 B7",
        ("step_out_of_order", _) => "步骤须依次进行：灭活、编号分拣、提取扩增",
        ("plate_empty", _) => "板上没有样本管：请先扫管上板",
        ("not_sealed", _) => "此管尚未封管，封管后才能转运",
        ("received_elsewhere", _) => "此管已由另一实验室接收",
        ("not_received", _) => "此管尚未在本实验室接收：请先扫码接收",
        ("on_another_plate", _) => "此管已在另一板上",
        ("well_taken", _) => "此孔已有样本管或对照",
        ("plate_full", _) => "板已满：请新建一板",
        ("plate_closed", _) => "此板已分拣完毕，不能再上管",
        ("not_amplified", _) => "扩增完成后才能导入结果（发布前可重新导入）",
        ("not_resulted", _) => "尚未导入结果，不能审核发布",
        ("controls_failed", _) => "质控不合格：阴性或阳性对照结果不对，本板不能发布",
        ("own_run", _) => "须由另一人审核发布：上板或导入结果的人不能发布本板",
        ("unknown_well", _) => "结果文件中有本板没有的孔位",
        ("missing_well", _) => "结果文件缺少本板的孔位",
        ("invalid_ct", _) => "不是有效的 Ct 值",
        ("unknown_target", _) => "不是本试剂的检测靶标",
        ("missing_target", _) => "此孔缺少某个靶标的结果",
        ("missing_column", _) => "表头缺少必需的列",
        ("unknown_assay", _) => "没有这个试剂版本",
        ("in_another_box", _) => "此管已装入另一箱",
        ("box_handed", _) => "此箱已交接：请装入新箱",
        ("other_site", _) => "此管不是本采样点采集的",
        ("box_empty", _) => "空箱不能交接：请先装管",
        ("no_documents", _) => "此名单中没有持身份证件的人员：采样时无法按证件匹配",
        ("recalled_alone", _) => "此人所在混管为阳性，须单人单管复检：请开一支 1 人管",
        ("antigen_waiting", _) => "此人的抗原检测正在另一采样点等待判读",
        ("already_read", _) => "此检测已判读，结果不能更改：如需复检请重新采样",
        ("invalid_result", "result") => "结果为阴性、阳性或无效",
        // A sampling station's events the hub refused.
        ("lost_at_station", _) => "此记录的个人信息在上传前已按期清除，未能上传到中心",
        ("unknown_test", _) => "中心没有此人在该时间的抗原采样记录",
        ("invalid_by", _) => "采样员账号名无效",
        _ => return None,
    })
}

/// Whether the caller prefers Chinese (`Accept-Language`).
pub fn wants_chinese(request: &Request) -> bool {
    request
        .headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(prefers_chinese)
}

/// Rewrites a JSON refusal's message into Chinese when the caller prefers Chinese (the edge
/// layer, [`crate::refusals::edge`]).
pub async fn localize(chinese: bool, response: Response) -> Response {
    let json = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !chinese
        || !json
        || !(response.status().is_client_error() || response.status().is_server_error())
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Only a body of known length within the bound is read; any other goes out as it came.
    let known = axum::body::HttpBody::size_hint(&body).exact();
    if known.is_none_or(|n| n > MAX_BODY as u64) {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let rewritten = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|mut v| {
            let e = v.get_mut("error")?;
            let code = e.get("code")?.as_str()?.to_owned();
            let field = e
                .get("field")
                .and_then(|f| f.as_str())
                .unwrap_or("")
                .to_owned();
            // Sentences that carry a figure of the message (minutes left) are made from it.
            let message = e.get("message").and_then(|m| m.as_str()).unwrap_or("");
            let said = match code.as_str() {
                "too_early" | "too_soon" => problem_zh(&code, &field, message),
                _ => zh(&code, &field).map(str::to_owned),
            };
            if let Some(m) = said {
                e["message"] = m.into();
            }
            for p in v
                .get_mut("problems")
                .and_then(|p| p.as_array_mut())
                .into_iter()
                .flatten()
            {
                let text = |k: &str| p.get(k).and_then(|x| x.as_str()).unwrap_or("").to_owned();
                if let Some(m) = problem_zh(&text("code"), &text("field"), &text("message")) {
                    p["message"] = m.into();
                }
            }
            serde_json::to_vec(&v).ok()
        });
    let body = rewritten.unwrap_or_else(|| bytes.to_vec());
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_language_decides() {
        assert!(prefers_chinese("zh-CN"));
        assert!(prefers_chinese("zh-CN,zh;q=0.9,en;q=0.8"));
        assert!(prefers_chinese("en;q=0.5, zh-Hans"));
        assert!(!prefers_chinese("en"));
        assert!(!prefers_chinese("en-US,en;q=0.9,zh;q=0.8"));
        assert!(!prefers_chinese("zh;q=0"));
        assert!(!prefers_chinese(""));
    }

    /// A refusal as the middleware answers it, to a caller who prefers Chinese.
    async fn through(body: String) -> (String, String) {
        use tower::ServiceExt;
        let app = axum::Router::new()
            .route(
                "/",
                axum::routing::get(move || async move {
                    (
                        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                        [(CONTENT_TYPE, "application/json")],
                        body,
                    )
                }),
            )
            .layer(axum::middleware::from_fn(crate::refusals::edge));
        let request = Request::builder()
            .uri("/")
            .header(ACCEPT_LANGUAGE, "zh-CN")
            .body(Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        (v["error"]["message"].as_str().unwrap().to_owned(), text)
    }

    #[tokio::test]
    async fn a_refusal_is_said_in_chinese_and_a_long_one_goes_out_whole() {
        let short =
            r#"{"error":{"code":"required","field":"reason","message":"a reason is required"}}"#;
        assert_eq!(through(short.into()).await.0, "请填写理由");
        // Longer than what is rewritten: the same bytes, not an empty answer.
        let long = format!(
            r#"{{"error":{{"code":"invalid_policy","field":"","message":"m"}},"problems":["{}"]}}"#,
            "x".repeat(MAX_BODY)
        );
        let (message, text) = through(long.clone()).await;
        assert_eq!((message.as_str(), text.len()), ("m", long.len()));
    }

    #[test]
    fn an_early_cassette_says_the_minutes_left() {
        let e = cordon_domain::testing::antigen::may_read(
            0,
            None,
            cordon_domain::testing::antigen::AntigenResult::Negative,
            9 * 60_000,
        )
        .unwrap_err();
        assert_eq!(
            problem_zh(&e.code, &e.field, &e.message).as_deref(),
            Some("抗原采样 15 分钟后才能判读：还剩 6 分钟")
        );
    }

    #[tokio::test]
    async fn every_problem_of_a_form_is_said_in_chinese() {
        let body = r#"{"error":{"code":"invalid_plate","field":"vehicle.plate","message":"m"},
            "problems":[{"code":"invalid_plate","field":"vehicle.plate","line":null,"message":"m"},
                        {"code":"invalid_phone","field":"occupants[0].phone","line":null,"message":"p"}]}"#;
        let (message, text) = through(body.into()).await;
        assert!(message.starts_with("车牌号格式不对"), "{message}");
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["problems"][1]["message"], "手机号应为 11 位，以 1 开头");
    }

    #[test]
    fn a_policys_problems_have_chinese_sentences() {
        let source = cordon_domain::policy::examples::STANDARD_2022_05
            .replace("combine = \"first_match\"", "combine = \"x\"")
            .replace("id = \"fever\"", "id = \"A B\"")
            .replace("id = \"red_code\"", "id = \"case_or_close_contact\"")
            .replacen(
                "title = \"核验通过，放行 / Checks passed\"",
                "title = \"\"",
                1,
            );
        let problems = cordon_domain::policy::compile(&source).unwrap_err();
        let codes: Vec<_> = problems.iter().map(|p| p.code.as_str()).collect();
        for code in [
            "invalid_value",
            "invalid_id",
            "duplicate_id",
            "invalid_title",
        ] {
            assert!(codes.contains(&code), "{code} not among {codes:?}");
        }
        assert!(!problems.is_empty());
        for p in &problems {
            let zh = problem_zh(&p.code, &p.field, &p.message);
            assert!(
                zh.as_deref()
                    .is_some_and(|m| m.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
                "{p:?} has no Chinese sentence"
            );
        }
        let broken = cordon_domain::policy::compile("name = ").unwrap_err();
        let zh = problem_zh(&broken[0].code, &broken[0].field, &broken[0].message).unwrap();
        assert!(zh.starts_with("策略文档不是有效的 TOML"), "{zh}");
    }

    #[test]
    fn the_field_chooses_among_a_codes_sentences() {
        assert_eq!(zh("required", "reason"), Some("请填写理由"));
        assert_eq!(zh("required", "occupants[0].name"), Some("请填写姓名"));
        assert_eq!(zh("required", "vehicle.class"), Some("此项必填"));
        assert_eq!(zh("no_such_code", ""), None);
    }
}
