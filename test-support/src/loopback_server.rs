//! A salvo service on a free loopback port, stopped when dropped: the body of
//! every fake provider.

use std::net::SocketAddr;

use salvo::conn::tcp::TcpAcceptor;
use salvo::prelude::{Router, Server, Service};
use salvo::server::ServerHandle;

pub struct LoopbackServer {
    address: SocketAddr,
    handle: ServerHandle,
}

impl LoopbackServer {
    /// Serves `router` on `127.0.0.1` at a free port.
    pub async fn serve(router: Router, what: &str) -> Self {
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind {what}: {e}"));
        let address = listener.local_addr().unwrap_or_else(|e| panic!("{what}'s address: {e}"));
        let server = Server::new(TcpAcceptor::try_from(listener).unwrap_or_else(|e| panic!("{what}'s acceptor: {e}")));
        let handle = server.handle();
        tokio::spawn(server.serve(Service::new(router)));
        Self { address, handle }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        self.handle.stop_forceful();
    }
}
