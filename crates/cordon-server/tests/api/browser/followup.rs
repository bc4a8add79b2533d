//! A follow-up list uploaded from a real file: a bad row refused at its line, then skipped;
//! the list's persons shown masked, one person counted once across two lists.

use super::*;

pub async fn a_city_uploads_a_list_with_a_bad_row(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    // A list pushed earlier names 张三 already.
    let (s, _) = app
        .post_as(
            "city",
            "/api/v1/followup/lists",
            &serde_json::json!({"id": uuid::Uuid::now_v7(), "label": "省指推送", "rows": [
                {"row": 1, "name": "张三", "document": {"type": "resident_id", "number": "11010519491231002X"}}]}),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::CREATED);
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("followup-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("北京返石人员.csv");
    std::fs::write(
        &file,
        "姓名,证件号码,手机号,来源地,抵达日期,现住址\n张三,11010519491231002X,13812345678,北京市朝阳区,2022-05-02,长安区某小区\n李四,130102199001011238,,北京市海淀区,2022-05-01,\n王五,,13912345678,北京市丰台区,2022/5/2,桥西区某小区\n",
    )
    .unwrap();
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1000).await;
    sign_in(&browser, &app, "city", "/followup").await;
    browser
        .wait_until("document.querySelectorAll('#lists tbody tr').length === 1")
        .await;
    browser.type_into("#file", file.to_str().unwrap()).await;
    browser.click("#upload button[type=submit]").await;
    browser
        .wait_until("document.getElementById('upload-msg').classList.contains('bad')")
        .await;
    let problems = browser.text("#upload-problems").await;
    assert!(
        problems.contains("第 3 行") && problems.contains("校验位"),
        "the bad row by its line, in Chinese: {problems}"
    );
    let (_, lists) = app.get_as("city", "/api/v1/followup/lists").await;
    assert_eq!(lists["lists"].as_array().unwrap().len(), 1, "nothing taken");
    // Skipping the bad row takes the rest; 张三 was on the earlier list: 1 new person of 2.
    browser.click("#skip").await;
    browser.click("#upload button[type=submit]").await;
    browser
        .wait_until("document.getElementById('upload-msg').classList.contains('ok')")
        .await;
    let said = browser.text("#upload-msg").await;
    assert!(said.contains("2 人，其中新增 1 人"), "{said}");
    let skipped = browser.text("#upload-problems").await;
    assert!(
        skipped.contains("校验位"),
        "the skipped row said in Chinese: {skipped}"
    );
    browser
        .wait_until("document.querySelectorAll('#persons tbody tr').length === 2")
        .await;
    let persons = browser.text("#persons").await;
    assert!(
        persons.contains("张*") && persons.contains("王*"),
        "{persons}"
    );
    assert!(persons.contains("未核实"), "王五 by phone only: {persons}");
    // The open list's answers, to take away.
    let href = browser
        .eval("document.getElementById('answers-csv').getAttribute('href')")
        .await;
    assert!(href.as_str().unwrap().ends_with("/answers.csv"), "{href}");
    assert!(!persons.contains("13912345678"), "masked: {persons}");
    assert!(
        persons.contains("北京市"),
        "张三's document's area: {persons}"
    );
    keep(&browser, "followup").await;
    // The board: three persons on two lists, none done yet.
    browser
        .wait_until("document.querySelectorAll('#board tbody tr').length === 2")
        .await;
    // A team made on the page, its county typed by name.
    browser.type_into("#team-name", "长安区一组").await;
    browser.type_into("#team-county", "长安区").await;
    browser.type_into("#team-lead", "lead").await;
    browser.type_into("#team-members", "caller，officer").await;
    browser.click("#team button[type=submit]").await;
    browser
        .wait_until("document.querySelector('.field-error[data-for=members]').textContent !== ''")
        .await;
    browser
        .eval("document.getElementById('team-members').value = 'caller', 0")
        .await;
    browser.click("#team button[type=submit]").await;
    browser
        .wait_until("document.querySelectorAll('#teams tbody tr').length === 1")
        .await;
    // 张三, of 长安区 by the upload's address, waited without a team: now the team's.
    let (_, teams) = app.get_as("city", "/api/v1/followup/teams").await;
    assert_eq!(
        (
            teams["teams"][0]["county"].as_str(),
            teams["teams"][0]["open"].as_i64()
        ),
        (Some("130102"), Some(1)),
        "{teams}"
    );
    // 张三 here is not the pushed list's 张三: split off with a reason.
    browser.click("#persons .split button").await;
    browser
        .type_into("#persons .split-reason", "经核实非同一人")
        .await;
    browser.click("#persons .split button").await;
    browser
        .wait_until("document.getElementById('reassign-msg').textContent.includes('已拆分')")
        .await;
    // The board by team, and the persons behind the team's line.
    browser.click("[data-by=team]").await;
    browser
        .wait_until("document.querySelector('#board tbody a') !== null")
        .await;
    browser.click("#board tbody a").await;
    browser
        .wait_until("!document.getElementById('line-card').hidden && document.querySelectorAll('#line-persons tbody tr').length === 2")
        .await;
    // Both persons of the upload handed to the team's caller at once.
    browser.click("#all-persons").await;
    browser.type_into("#hand-to", "caller").await;
    browser.click("#reassign button[type=submit]").await;
    browser
        .wait_until("document.getElementById('reassign-msg').textContent.includes('已转交 2 人')")
        .await;
    // The caller now holds both of the upload, and the pushed 张三 (of 长安区 too).
    let (_, work) = app.get_as("caller", "/api/v1/followup/worklist").await;
    assert_eq!(work["items"].as_array().unwrap().len(), 3, "{work}");
    // A questionnaire: a draft with a wrong kind is shown at its line; the standard one is
    // saved and published.
    let draft = "name = \"q\"\n[[questions]]\nid = \"a\"\ntext = \"t\"\nkind = \"colour\"\n";
    browser
        .eval(&format!(
            "document.getElementById('q-source').value = {}, 0",
            serde_json::to_string(draft).unwrap()
        ))
        .await;
    browser.click("#q-check").await;
    browser
        .wait_until("document.getElementById('q-problems').textContent.includes('第 5 行')")
        .await;
    browser
        .eval(&format!(
            "document.getElementById('q-source').value = {}, 0",
            serde_json::to_string(cordon_domain::followup::questionnaire::STANDARD).unwrap()
        ))
        .await;
    browser.click("#questionnaire button[type=submit]").await;
    browser
        .wait_until("document.querySelectorAll('#versions tbody tr').length === 1")
        .await;
    browser.click("#versions tbody button").await;
    browser
        .wait_until("document.getElementById('versions-msg').classList.contains('ok')")
        .await;
    let (_, versions) = app.get_as("city", "/api/v1/questionnaires").await;
    assert!(
        versions["versions"][0]["published_at_ms"].is_i64(),
        "{versions}"
    );
    keep(&browser, "followup-teams").await;
    // A list from the passages: who entered having been in Beijing. Thirty days is refused
    // beside its field; a day finds 赵六.
    crate::followup::crossed(&app, "130100", &[("130102197811200030", "赵六", "110108")]).await;
    browser.type_into("#query-division", "110000").await;
    browser
        .eval("document.getElementById('query-days').value = '30', 0")
        .await;
    browser.click("#query button[type=submit]").await;
    browser
        .wait_until("document.querySelector('.field-error[data-for=days]').textContent !== ''")
        .await;
    let said = browser.text("#query .field-error[data-for=days]").await;
    assert!(said.contains("天"), "in Chinese: {said}");
    browser
        .eval("document.getElementById('query-days').value = '1', 0")
        .await;
    browser.click("#query button[type=submit]").await;
    browser
        .wait_until("document.getElementById('query-msg').textContent.includes('已生成')")
        .await;
    let said = browser.text("#query-msg").await;
    assert!(said.contains("已生成：1 人"), "{said}");
    browser
        .wait_until("document.querySelectorAll('#persons tbody tr').length === 1")
        .await;
    assert!(browser.text("#persons").await.contains("赵*"));
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_uploads_a_list_with_a_bad_row_on_sqlite() {
    a_city_uploads_a_list_with_a_bad_row(crate::sqlite_app().await).await;
}

/// A caller's account as the store knows it, for attempts made earlier than now.
async fn caller_grant(app: &TestApp) -> cordon_domain::access::followup::Work {
    let account = app
        .store
        .list_accounts()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.username.as_str() == "caller")
        .unwrap();
    cordon_domain::access::Principal {
        account: account.id,
        username: account.username,
        role: account.role,
        scope: account.scope,
    }
    .may_work_followup()
    .unwrap()
}

pub async fn a_caller_works_through_three_persons_on_a_phone(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    use serde_json::json;
    let ok = |s: reqwest::StatusCode, v: &serde_json::Value| assert!(s.is_success(), "{v}");
    let team =
        json!({"name": "长安区一组", "county": "130102", "lead": "lead", "members": ["caller"]});
    let (s, v) = app.post_as("city", "/api/v1/followup/teams", &team).await;
    ok(s, &v);
    let standard = cordon_domain::followup::questionnaire::STANDARD;
    let (s, q) = app
        .post_as(
            "city",
            "/api/v1/questionnaires",
            &json!({"source": standard}),
        )
        .await;
    ok(s, &q);
    let publish = format!("/api/v1/questionnaires/{}/publish", q["version"]);
    let (s, v) = app.post_as("city", &publish, &json!({})).await;
    ok(s, &v);
    let list = json!({"id": uuid::Uuid::now_v7(), "label": "武汉返石人员", "rows": [
        {"row": 1, "name": "张三", "phone": "13812345678", "address": "长安区裕华路 1 号", "from": "武汉市",
         "document": {"type": "resident_id", "number": "11010519491231002X"}},
        {"row": 2, "name": "李四", "phone": "13812345679", "address": "长安区裕华路 2 号"},
        {"row": 3, "name": "王五", "phone": "13812345670", "address": "长安区裕华路 3 号"}]});
    let (s, v) = app.post_as("city", "/api/v1/followup/lists", &list).await;
    ok(s, &v);
    // 李四 did not answer twice already, three and two hours ago.
    let grant = caller_grant(&app).await;
    let (_, work) = app.get_as("caller", "/api/v1/followup/worklist").await;
    let li = work["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "李*")
        .unwrap()["subject"]
        .as_i64()
        .unwrap();
    let now = cordon_domain::time::now_ms();
    for hours in [3, 2] {
        app.store
            .record_attempt(
                &grant,
                cordon_store::followup::NewAttempt {
                    subject: li,
                    kind: cordon_domain::followup::work::AttemptKind::Call,
                    outcome: cordon_domain::followup::work::Outcome::NoAnswer,
                    answered: None,
                    note: String::new(),
                    moved_to: None,
                },
                now - hours * 3_600_000,
            )
            .await
            .unwrap();
    }

    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(390, 844).await;
    sign_in(&browser, &app, "caller", "/worklist").await;
    browser
        .wait_until("document.querySelectorAll('#items .work-item').length === 3")
        .await;
    keep(&browser, "worklist").await;
    let person = |name: &str| {
        format!("[...document.querySelectorAll('#items .work-item')].find((b) => b.textContent.includes('{name}')).click()")
    };
    // 张三: reached; the questionnaire answered; Wuhan on a day three days ago.
    browser.eval(&person("张*")).await;
    browser
        .wait_until("!document.getElementById('person').hidden")
        .await;
    assert_eq!(
        browser
            .eval("document.querySelector('#sources .tel').getAttribute('href')")
            .await,
        "tel:13812345678"
    );
    browser.click("[data-outcome=reached]").await;
    browser
        .wait_until("!document.getElementById('answers').hidden")
        .await;
    let day = (chrono::Utc::now() - chrono::Duration::days(3))
        .format("%Y-%m-%d")
        .to_string();
    browser.type_into("[data-q=visited] .p-place", "武汉").await;
    browser
        .eval(&format!(
            "document.querySelector('[data-q=visited] .p-date').value = '{day}', \
             document.querySelector('[data-q=returned_on] .a').value = '{day}', 0"
        ))
        .await;
    browser.type_into("[data-q=temperature] .a", "36.5").await;
    keep(&browser, "worklist-questionnaire").await;
    browser.click("#answers button[type=submit]").await;
    browser
        .wait_until("document.getElementById('list-msg').textContent.includes('已接通')")
        .await;
    browser
        .wait_until("document.querySelectorAll('#items .work-item').length === 2")
        .await;
    // 李四: a third call unanswered: to the lead for a home visit.
    browser.eval(&person("李*")).await;
    browser
        .wait_until("!document.getElementById('person').hidden")
        .await;
    assert_eq!(
        browser
            .eval("document.querySelectorAll('#history li').length")
            .await,
        2
    );
    browser.click("[data-outcome=no_answer]").await;
    browser
        .wait_until("document.querySelectorAll('#items .work-item').length === 1")
        .await;
    // 王五: lives elsewhere now; where, noted.
    browser.eval(&person("王*")).await;
    browser
        .wait_until("!document.getElementById('person').hidden")
        .await;
    browser.click("[data-outcome=lives_elsewhere]").await;
    browser.type_into("#where", "已去北京市朝阳区").await;
    browser.click("#elsewhere button[type=submit]").await;
    browser
        .wait_until("document.getElementById('counts').textContent.includes('全部完成')")
        .await;
    keep(&browser, "worklist-done").await;
    // The board counts all three, each with its outcome; the lead has the visit to make.
    let (_, board) = app.get_as("city", "/api/v1/followup/board?by=list").await;
    let line = &board["lines"][0];
    assert_eq!(
        (
            line["closed"].as_i64(),
            line["escalated"].as_i64(),
            line["transferred"].as_i64()
        ),
        (Some(1), Some(1), Some(1)),
        "{board}"
    );
    let (_, visits) = app.get_as("lead", "/api/v1/followup/worklist").await;
    assert_eq!(visits["items"][0]["state"], "escalated");
    // The city's commander sees 王五 handed on to Beijing, to take away as Beijing's list.
    browser.click("#signout").await;
    browser.wait_until("location.pathname === '/signin'").await;
    sign_in(&browser, &app, "city", "/followup").await;
    browser
        .wait_until("document.querySelectorAll('#transfers tbody tr').length === 1")
        .await;
    let groups = browser.text("#transfer-groups").await;
    assert!(
        groups.contains("北京市") && groups.contains("1 人"),
        "{groups}"
    );
    let row = browser.text("#transfers").await;
    assert!(
        row.contains("王*") && row.contains("本人告知已迁居"),
        "{row}"
    );
    let href = browser
        .eval("document.querySelector('#transfer-groups a').getAttribute('href')")
        .await;
    assert!(
        href.as_str()
            .unwrap()
            .starts_with("/api/v1/followup/transfers/list?to=110000"),
        "{href}"
    );
    keep(&browser, "followup-transfers").await;
    // The team's lead, on the phone: the visit to make handed back to the caller for calls.
    browser.click("#signout").await;
    browser.wait_until("location.pathname === '/signin'").await;
    sign_in(&browser, &app, "lead", "/worklist").await;
    browser
        .wait_until("!document.getElementById('team-card').hidden && document.querySelectorAll('#team-items input').length === 1")
        .await;
    browser.click("#team-hand button[type=submit]").await;
    browser
        .wait_until("document.getElementById('team-msg').classList.contains('bad')")
        .await;
    browser.click("#team-items input").await;
    browser.click("#team-hand button[type=submit]").await;
    browser
        .wait_until("document.getElementById('team-msg').textContent.includes('已转交 1 人')")
        .await;
    keep(&browser, "worklist-team").await;
    let (_, work) = app.get_as("caller", "/api/v1/followup/worklist").await;
    assert_eq!(
        work["items"][0]["state"], "in_progress",
        "back to calls: {work}"
    );
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_works_through_three_persons_on_a_phone_on_sqlite() {
    a_caller_works_through_three_persons_on_a_phone(crate::sqlite_app().await).await;
}
