//! `/`: the page the start-up message points to. Until the web UI lands it says what runs here,
//! how to sign in to the API, and links its OpenAPI document and the health check.

use axum::response::Html;

const PAGE: &str = r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cordon 卡口管理平台</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}a{display:block;padding:.4rem 0}pre{background:#f3f3f3;padding:.6rem;overflow-x:auto}</style>
</head><body>
<h1>Cordon 卡口管理平台</h1>
<p>检查站网络与通行登记中心已运行。/ The checkpoint network and passage registry hub is running.</p>
<p>接口需要登录（账号在首次启动时打印在控制台）。/ The API needs a session (accounts are printed on the console at first start):</p>
<pre>curl -s -X POST http://HOST/api/v1/sessions -H 'content-type: application/json' \
  -d '{"username":"commander","password":"..."}'
curl -s http://HOST/api/v1/checkpoints -H 'Authorization: Bearer TOKEN'</pre>
<a href="/api/openapi.json">接口文档 (OpenAPI) / API document</a>
<a href="/healthz">运行状态 / Health</a>
</body></html>
"#;

pub async fn index() -> Html<&'static str> {
    Html(PAGE)
}
