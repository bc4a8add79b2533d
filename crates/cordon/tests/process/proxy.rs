//! A fault-injecting TCP proxy between a station and the hub: while it is "up" it forwards
//! connections, stalling some and cutting others part-way; while "down" it refuses new
//! connections and cuts the open ones. Tests flap it to check that the station's outbox gets
//! every record to the hub exactly once whatever the link does.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct FaultyLink {
    pub addr: String,
    up: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
    /// Connections cut part-way, refused while down, and stalled: what the link did.
    pub faults: Arc<AtomicU64>,
}

impl FaultyLink {
    pub async fn start(target: String, seed: u64) -> FaultyLink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let up = Arc::new(AtomicBool::new(true));
        let faults = Arc::new(AtomicU64::new(0));
        let (cut, _) = watch::channel(0u64);
        let (up2, faults2, cut2) = (up.clone(), faults.clone(), cut.clone());
        tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                if !up2.load(Ordering::SeqCst) {
                    faults2.fetch_add(1, Ordering::Relaxed);
                    drop(client);
                    continue;
                }
                // One connection in ten stalls a while; one in ten is cut part-way through the
                // request, one in ten part-way through the answer (the hub has written the
                // batch, the station does not learn it).
                let stall = rng
                    .gen_bool(0.1)
                    .then(|| Duration::from_millis(rng.gen_range(50..1500)));
                let cut_after = rng.gen_bool(0.1).then(|| rng.gen_range(1..4096usize));
                let cut_reply = rng.gen_bool(0.1).then(|| rng.gen_range(1..200usize));
                if stall.is_some() || cut_after.is_some() || cut_reply.is_some() {
                    faults2.fetch_add(1, Ordering::Relaxed);
                }
                let target = target.clone();
                let mut cuts = cut2.subscribe();
                tokio::spawn(async move {
                    if let Some(d) = stall {
                        tokio::time::sleep(d).await;
                    }
                    let Ok(server) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = forward(client, server, cut_after, cut_reply) => {}
                        _ = cuts.changed() => {}
                    }
                });
            }
        });
        FaultyLink {
            addr,
            up,
            cut,
            faults,
        }
    }

    /// Takes the link down (cutting every open connection) or brings it back.
    pub fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
        if !up {
            self.faults.fetch_add(1, Ordering::Relaxed);
            self.cut.send_modify(|n| *n += 1);
        }
    }
}

/// Copies both ways until either side closes, until `cut_after` bytes went to the hub, or until
/// `cut_reply` bytes came back.
async fn forward(
    mut client: TcpStream,
    mut server: TcpStream,
    cut_after: Option<usize>,
    cut_reply: Option<usize>,
) {
    let (mut cr, mut cw) = client.split();
    let (mut sr, mut sw) = server.split();
    let up = async {
        let mut buf = vec![0u8; 16 * 1024];
        let mut sent = 0usize;
        loop {
            let n = match cr.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let n = match cut_after {
                Some(limit) if sent + n >= limit => {
                    let _ = sw.write_all(&buf[..limit - sent]).await;
                    return;
                }
                _ => n,
            };
            if sw.write_all(&buf[..n]).await.is_err() {
                return;
            }
            sent += n;
        }
    };
    let down = async {
        let Some(limit) = cut_reply else {
            let _ = tokio::io::copy(&mut sr, &mut cw).await;
            return;
        };
        let mut buf = vec![0u8; limit];
        if let Ok(n) = sr.read(&mut buf).await {
            let _ = cw.write_all(&buf[..n]).await;
        }
    };
    tokio::select! {
        _ = up => {}
        _ = down => {}
    }
}
