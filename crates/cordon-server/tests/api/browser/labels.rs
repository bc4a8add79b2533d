//! Every field of every page labelled, and every page's words in English by the switch.

use super::*;

/// Every field of every page has a label a screen reader reads (a `<label>` around it or for
/// it, or `aria-label`), on each page as its users see it, after its script has drawn it.
pub async fn every_field_of_every_page_is_labelled(app: TestApp) {
    let Some(browser) = Browser::start().await else {
        return;
    };
    crate::policy::store_version(&app, cordon_domain::policy::examples::STANDARD_2022_05).await;
    register(&app, "冀A12345", 30, &[("11010519491231002X", "张三")]).await;
    browser.goto(&format!("{}/lang/zh", app.base)).await;
    browser.set_window(1440, 1000).await;
    let account = |role: cordon_domain::access::Role| match role {
        cordon_domain::access::Role::Officer => "officer",
        cordon_domain::access::Role::Commander => "commander",
        cordon_domain::access::Role::Tracer => "tracer",
        cordon_domain::access::Role::Auditor => "auditor",
        cordon_domain::access::Role::Caller => "caller",
        cordon_domain::access::Role::Sampler => "sampler",
        cordon_domain::access::Role::Lab => "lab",
        cordon_domain::access::Role::Lot => "lot",
        _ => "admin",
    };
    let mut signed_in = None;
    let mut pages: Vec<(String, Option<cordon_domain::access::Role>)> =
        cordon_server::ui::site::PAGES
            .iter()
            .flat_map(|p| p.nav.iter())
            .map(|i| (i.href.to_owned(), i.roles.first().copied()))
            .collect();
    pages.push((
        "/checkpoints/CP-130100-0001".into(),
        Some(cordon_domain::access::Role::Commander),
    ));
    pages.push((
        "/duty/CP-130100-0001".into(),
        Some(cordon_domain::access::Role::Commander),
    ));
    let (_, lot) = app
        .post_as(
            "city",
            "/api/v1/lots",
            &serde_json::json!({"name": "长安货车滞留场", "division": "130102", "address": "出口东",
                "zones": [{"kind": "parking", "name": "停车区", "capacity": 10}], "checkpoints": ["CP-130100-0001"]}),
        )
        .await;
    pages.push((
        format!("/lots/{}", lot["id"]),
        Some(cordon_domain::access::Role::Commander),
    ));
    pages.push(("/passes/apply".into(), None));
    for (href, role) in pages {
        if let Some(role) = role {
            if signed_in != Some(role) {
                if signed_in.is_some() {
                    browser.click("#signout").await;
                    browser.wait_until("location.pathname === '/signin'").await;
                }
                sign_in(&browser, &app, account(role), &href).await;
                signed_in = Some(role);
            } else {
                browser.goto(&format!("{}{href}", app.base)).await;
            }
        } else {
            browser.goto(&format!("{}{href}", app.base)).await;
        }
        browser
            .wait_until("document.readyState === 'complete' && performance.getEntriesByType('resource').every((r) => r.responseEnd > 0)")
            .await;
        assert_eq!(
            browser
                .eval("document.getElementById('denied') === null")
                .await,
            true,
            "{href} opens to its role"
        );
        let unlabelled = browser
            .eval("[...document.querySelectorAll('input:not([type=hidden]),select,textarea')].filter((e) => !(e.getAttribute('aria-label') || (e.labels && e.labels.length))).map((e) => e.id || e.className || e.outerHTML.slice(0, 80))")
            .await;
        assert_eq!(
            unlabelled,
            serde_json::json!([]),
            "{href}: fields without a label"
        );
        // In English, no heading, label, button or column says anything in Chinese (a plate's
        // province character alone is a key, and a name recorded by a user, in `.data`, is data).
        browser
            .goto(&format!("{}/lang/en?back={href}", app.base))
            .await;
        browser
            .wait_until("document.documentElement.lang === 'en' && document.readyState === 'complete' && performance.getEntriesByType('resource').every((r) => r.responseEnd > 0)")
            .await;
        let chinese = browser
            .eval("[...document.querySelectorAll('h1,h2,h3,label,button,th,nav a,legend,summary,.msg,.hint')].filter((e) => e.id !== 'lang').map((e) => [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim()).filter((t) => t.length > 1 && /[\\u4e00-\\u9fff]/.test(t))")
            .await;
        assert_eq!(chinese, serde_json::json!([]), "{href} in English");
        browser
            .goto(&format!("{}/lang/zh?back={href}", app.base))
            .await;
    }
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_field_of_every_page_is_labelled_on_sqlite() {
    every_field_of_every_page_is_labelled(crate::sqlite_app().await).await;
}
