use std::net::SocketAddr;
use std::time::Duration;

use http_api::{RequestLog, RequestMetrics, api_router, cors, error_body_catcher};
use salvo::catch_panic::CatchPanic;
use salvo::catcher::Catcher;
use salvo::conn::tcp::TcpAcceptor;
use salvo::prelude::{Router, Server, Service};
use salvo::server::ServerHandle;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{Config, ConfigError};
use crate::container::Container;
use crate::shutdown_signal::ShutdownSignal;
use crate::{docs, outbox_worker, retention_worker};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("database: {0}")]
    Database(String),
    #[error("cache: {0}")]
    Cache(String),
    #[error("migrations: {0}")]
    Migrate(String),
    #[error("password hashing: {0}")]
    Hashing(String),
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: SocketAddr, reason: String },
    #[error("server: {0}")]
    Serve(String),
    #[error("cannot listen for SIGINT/SIGTERM: {0}")]
    Signals(String),
}

/// A running server: its address, a handle to stop it, and its task.
pub struct Application {
    local_addr: SocketAddr,
    handle: ServerHandle,
    task: JoinHandle<std::io::Result<()>>,
    shutdown_grace: Duration,
    /// Stops the outbox and retention workers.
    stop_worker: watch::Sender<bool>,
    worker: JoinHandle<()>,
    /// `None` when `RETENTION_INTERVAL_SECS` is 0.
    retention_worker: Option<JoinHandle<()>>,
}

/// The whole HTTP service: documentation routes, the API, CORS on every
/// answer (errors included), panics turned into 500s, and one error body.
pub fn service(container: &Container, config: &Config) -> Result<Service, ConfigError> {
    let router = Router::new().push(docs::router()).push(api_router(container.state.clone()));
    Ok(Service::new(router)
        .hoop(RequestLog)
        .hoop(RequestMetrics::new(container.state.metrics.metrics.clone()))
        .hoop(cors(config.cors_allowed_origins.header_values()))
        .hoop(CatchPanic::new())
        .catcher(Catcher::new(error_body_catcher)))
}

impl Application {
    /// Wires everything, binds the listen address (port 0 picks a free one)
    /// and starts serving in the background.
    pub async fn start(config: Config) -> Result<Self, StartError> {
        let container = Container::build(&config).await?;
        let service = service(&container, &config)?;
        let addr = config.bind_addr;
        let bind_error = |reason: String| StartError::Bind { addr, reason };
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| bind_error(e.to_string()))?;
        let local_addr = listener.local_addr().map_err(|e| bind_error(e.to_string()))?;
        let acceptor = TcpAcceptor::try_from(listener).map_err(|e| bind_error(e.to_string()))?;
        let server = Server::new(acceptor);
        let handle = server.handle();
        let task = tokio::spawn(server.try_serve(service));
        let (stop_worker, stopped) = watch::channel(false);
        let worker = outbox_worker::spawn(
            container.delivery.clone(),
            container.outbox_wakeup.clone(),
            config.outbox_poll_ms.max(Duration::from_millis(10)),
            stopped,
        );
        let retention_worker = (!config.retention_interval_secs.is_zero()).then(|| {
            retention_worker::spawn(
                container.retention.clone(),
                config.retention_interval_secs,
                stop_worker.subscribe(),
            )
        });
        tracing::info!(%local_addr, "serving; API docs at /swagger-ui/");
        Ok(Self {
            local_addr,
            handle,
            task,
            shutdown_grace: config.shutdown_grace_secs,
            stop_worker,
            worker,
            retention_worker,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting connections, lets in-flight requests finish, and
    /// stops the outbox and retention workers after their current rounds.
    pub fn stop(&self) {
        self.handle.stop_graceful(Some(self.shutdown_grace));
        let _ = self.stop_worker.send(true);
    }

    /// Runs until `shutdown` sees a SIGINT or SIGTERM (then stops gracefully,
    /// at once if one already came) or a server error.
    pub async fn run_until_stopped(self, mut shutdown: ShutdownSignal) -> Result<(), StartError> {
        let handle = self.handle.clone();
        let grace = self.shutdown_grace;
        let stop_worker = self.stop_worker.clone();
        tokio::spawn(async move {
            shutdown.received().await;
            tracing::info!(grace_secs = grace.as_secs(), "shutting down gracefully");
            handle.stop_graceful(Some(grace));
            let _ = stop_worker.send(true);
        });
        let served = match self.task.await {
            Ok(result) => result.map_err(|e| StartError::Serve(e.to_string())),
            Err(e) => Err(StartError::Serve(e.to_string())),
        };
        let _ = self.stop_worker.send(true);
        let _ = self.worker.await;
        if let Some(retention_worker) = self.retention_worker {
            let _ = retention_worker.await;
        }
        served
    }
}
