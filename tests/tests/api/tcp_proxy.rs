use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// A loopback TCP proxy to a backend that a test can cut (every open
/// connection dropped, new ones closed at once) and restore, to play an
/// outage of a shared service without stopping it for everyone.
pub struct TcpProxy {
    address: SocketAddr,
    /// How many more connections are let through: 0 while cut, `usize::MAX` (no limit) when open.
    admit: Arc<AtomicUsize>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
    acceptor: JoinHandle<()>,
}

impl TcpProxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let address = listener.local_addr().expect("proxy address");
        let admit = Arc::new(AtomicUsize::new(usize::MAX));
        let connections: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let acceptor = {
            let (admit, connections) = (admit.clone(), connections.clone());
            tokio::spawn(async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    let admitted = admit.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| match left {
                        0 => None,
                        usize::MAX => Some(usize::MAX),
                        left => Some(left - 1),
                    });
                    if admitted.is_err() {
                        drop(client);
                        continue;
                    }
                    let relay = tokio::spawn(async move {
                        if let Ok(mut server) = TcpStream::connect(upstream).await {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        }
                    });
                    connections.lock().await.push(relay);
                }
            })
        };
        Self { address, admit, connections, acceptor }
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

    /// Lets only the next `connections` through and keeps closing the rest:
    /// a backend that is back for some of a pool's connections while the
    /// others are still failing to reconnect.
    pub fn restore_for(&self, connections: usize) {
        self.admit.store(connections, Ordering::SeqCst);
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}
