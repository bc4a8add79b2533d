//! A lean HTTP/1.1 load generator for the benchmarks: keep-alive connections that write
//! prepared request bytes and read each response by its `Content-Length`. The load generator
//! shares the machine's two cores with the server it measures, so it must cost as little as
//! possible (the same reason wrk is written in C).

use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// A POST request as bytes, signed with a bearer token.
pub fn post(addr: &str, path: &str, token: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

/// A GET request as bytes, signed with a bearer token.
pub fn get(addr: &str, path: &str, token: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\r\n")
        .into_bytes()
}

/// Sends `requests` over `connections` keep-alive connections (each takes every
/// `connections`-th request); answers each request's latency, failing on any status but
/// `expect`.
pub async fn run(
    addr: &str,
    requests: &[Vec<u8>],
    connections: usize,
    expect: u16,
) -> anyhow::Result<Vec<Duration>> {
    let mut tasks = Vec::with_capacity(connections);
    for c in 0..connections {
        let mine: Vec<Vec<u8>> = requests
            .iter()
            .skip(c)
            .step_by(connections)
            .cloned()
            .collect();
        let addr = addr.to_owned();
        tasks.push(tokio::spawn(async move {
            let stream = TcpStream::connect(&addr).await?;
            stream.set_nodelay(true)?;
            let mut stream = BufReader::new(stream);
            let mut latencies = Vec::with_capacity(mine.len());
            let mut line = String::new();
            let mut body = Vec::new();
            for request in &mine {
                let t = Instant::now();
                stream.get_mut().write_all(request).await?;
                line.clear();
                stream.read_line(&mut line).await?;
                let status: u16 = line
                    .split_whitespace()
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                let mut length = 0usize;
                loop {
                    line.clear();
                    stream.read_line(&mut line).await?;
                    let header = line.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    if let Some((name, value)) = header.split_once(':') {
                        if name.eq_ignore_ascii_case("content-length") {
                            length = value.trim().parse()?;
                        }
                    }
                }
                body.resize(length, 0);
                stream.read_exact(&mut body).await?;
                anyhow::ensure!(
                    status == expect,
                    "answered {status}: {}",
                    String::from_utf8_lossy(&body)
                );
                latencies.push(t.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut all = Vec::with_capacity(requests.len());
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(all)
}
