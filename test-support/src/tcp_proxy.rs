use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, watch};
use tokio::task::JoinHandle;

/// A loopback TCP proxy to a backend that a test can cut (every open
/// connection dropped, new ones closed at once) and restore, to play an
/// outage of a shared service without stopping it for everyone; or stall
/// (connections stay open, nothing gets through), to play a network that
/// silently drops packets.
pub struct TcpProxy {
    address: SocketAddr,
    /// How many more connections are let through: 0 while cut, `usize::MAX` (no limit) when open.
    admit: Arc<AtomicUsize>,
    /// Whether bytes flow; while `false` they wait in the proxy.
    flowing: watch::Sender<bool>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
    acceptor: JoinHandle<()>,
}

impl TcpProxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let address = listener.local_addr().expect("proxy address");
        let admit = Arc::new(AtomicUsize::new(usize::MAX));
        let (flowing, flow) = watch::channel(true);
        let connections: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let acceptor = {
            let (admit, connections) = (admit.clone(), connections.clone());
            tokio::spawn(async move {
                while let Ok((client, _)) = listener.accept().await {
                    let admitted = admit.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| match left {
                        0 => None,
                        usize::MAX => Some(usize::MAX),
                        left => Some(left - 1),
                    });
                    if admitted.is_err() {
                        drop(client);
                        continue;
                    }
                    let flow = flow.clone();
                    let relay = tokio::spawn(async move {
                        if let Ok(server) = TcpStream::connect(upstream).await {
                            let (client_reads, client_writes) = client.into_split();
                            let (server_reads, server_writes) = server.into_split();
                            tokio::join!(
                                relay(client_reads, server_writes, flow.clone()),
                                relay(server_reads, client_writes, flow)
                            );
                        }
                    });
                    connections.lock().await.push(relay);
                }
            })
        };
        Self { address, admit, flowing, connections, acceptor }
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub async fn cut(&self) {
        self.admit.store(0, Ordering::SeqCst);
        for relay in self.connections.lock().await.drain(..) {
            relay.abort();
        }
    }

    pub fn restore(&self) {
        self.admit.store(usize::MAX, Ordering::SeqCst);
    }

    /// Holds every byte in the proxy, both ways, without closing anything.
    pub fn stall(&self) {
        self.flowing.send_replace(false);
    }

    /// Lets the held bytes and the next ones through again.
    pub fn resume(&self) {
        self.flowing.send_replace(true);
    }

    /// Lets only the next `connections` through and keeps closing the rest:
    /// a backend that is back for some of a pool's connections while the
    /// others are still failing to reconnect.
    pub fn restore_for(&self, connections: usize) {
        self.admit.store(connections, Ordering::SeqCst);
    }
}

/// Copies one direction of a connection, holding bytes while the flow is stopped.
async fn relay(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut flow: watch::Receiver<bool>) {
    let mut buffer = vec![0; 16 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        if flow.wait_for(|flowing| *flowing).await.is_err() || to.write_all(&buffer[..read]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}
