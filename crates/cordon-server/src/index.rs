//! `/`: the page the start-up message points to. Until the web UI lands it says what runs here
//! and links the API, its OpenAPI document and the health check.

use axum::response::Html;

const PAGE: &str = r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cordon 卡口管理平台</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}a{display:block;padding:.4rem 0}</style>
</head><body>
<h1>Cordon 卡口管理平台</h1>
<p>检查站网络与通行登记中心已运行。/ The checkpoint network and passage registry hub is running.</p>
<a href="/api/v1/jurisdictions">辖区 / Jurisdictions</a>
<a href="/api/v1/checkpoints">检查站 / Checkpoints</a>
<a href="/api/v1/checkpoints?status=closed">已关闭的检查站 / Closed checkpoints</a>
<a href="/api/openapi.json">接口文档 (OpenAPI) / API document</a>
<a href="/healthz">运行状态 / Health</a>
</body></html>
"#;

pub async fn index() -> Html<&'static str> {
    Html(PAGE)
}
