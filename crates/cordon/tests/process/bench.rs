//! The benchmarks that check their own answers, run small: `cordon bench trace` compares the
//! links the trace index finds with those SQL finds, on each backend, and fails when they
//! differ (it did, unseen, while no test ran it: the loader kept the reference's keys longer
//! than the store does).

use super::cli;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trace_bench_finds_the_same_links_in_sql_as_in_the_index() {
    let mut args = vec!["bench", "trace", "--passages", "20000", "--traces", "20"];
    let url = std::env::var("CORDON_TEST_POSTGRES").unwrap_or_default();
    if url.is_empty() {
        assert!(
            std::env::var("CORDON_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "CORDON_TEST_POSTGRES is required"
        );
        eprintln!(
            "NOTICE: the trace bench on PostgreSQL skipped: set CORDON_TEST_POSTGRES to run it"
        );
    } else {
        args.extend(["--postgres", url.as_str()]);
    }
    let (ok, out) = cli(&args, "").await;
    assert!(ok, "{out}");
    assert!(out.contains("sqlite: loaded"), "{out}");
    assert!(url.is_empty() || out.contains("postgres: loaded"), "{out}");
}
