//! `meiduo-accounts`: the account service of the Meiduo shop.

use std::path::PathBuf;
use std::process::ExitCode;

use bootstrap::access_token_keys::generate_key_pair;
use bootstrap::shutdown_signal::ShutdownSignal;
use bootstrap::{Application, Config, StartError, container, telemetry};
use clap::{Parser, Subcommand};
use security::AccessTokenAlgorithm;

#[derive(Parser)]
#[command(name = "meiduo-accounts", version, about = "The account service of the Meiduo shop")]
struct Cli {
    /// TOML configuration file (environment variables still override it).
    #[arg(long, global = true, env = "ACCOUNTS_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the HTTP server (the default).
    Serve {
        /// Do not apply pending migrations at start.
        #[arg(long)]
        no_migrate: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document and exit.
    Openapi,
    /// Print the configuration table of docs/configuration.md, written from the declared settings, and exit.
    ConfigTable,
    /// Access-token key pairs (`JWT_ALGORITHM` `ES256` or `EdDSA`).
    Keys {
        #[command(subcommand)]
        action: KeysCommand,
    },
    /// Time password hashes at the production cost on this machine and print
    /// the milliseconds one takes (the login ceiling is CPUs ÷ that time).
    HashCost {
        /// Hashes to time per thread. With one thread, one after another, and
        /// the fastest is printed, as the cost of a hash that had a core to itself.
        #[arg(long, default_value_t = 7)]
        rounds: usize,
        /// Hash on this many threads at once and print the wall-clock time per
        /// hash times the threads, after one untimed hash each: what one hash
        /// costs a core while the others hash too (they share the memory bus
        /// and the last-level cache).
        #[arg(long, default_value_t = 1)]
        threads: usize,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Write a new private key (PKCS#8 PEM, mode 0600, for `JWT_PRIVATE_KEY_FILE`) and its public key
    /// beside it (`.pub.pem`, for `JWT_VERIFY_KEY_FILES` after the next rotation), and print their
    /// paths and the key's `kid`. Never overwrites a file; never prints the private key.
    Generate {
        /// `ES256` or `EdDSA`.
        #[arg(long, default_value = "EdDSA")]
        algorithm: AccessTokenAlgorithm,
        /// Where the private key goes.
        #[arg(long, default_value = "jwt_key.pem")]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        return match openapi::document_json() {
            Ok(json) => {
                print!("{json}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("cannot render the OpenAPI document: {error}");
                ExitCode::FAILURE
            }
        };
    }
    if let Some(Command::ConfigTable) = cli.command {
        print!("{}", bootstrap::config::configuration_table());
        return ExitCode::SUCCESS;
    }
    if let Some(Command::HashCost { rounds, threads }) = cli.command {
        return hash_cost(rounds, threads);
    }
    if let Some(Command::Keys { action: KeysCommand::Generate { algorithm, out } }) = &cli.command {
        return match generate_key_pair(*algorithm, out) {
            Ok(written) => {
                println!("private key: {}", written.private_key.display());
                println!("public key:  {}", written.public_key.display());
                println!("kid:         {}", written.kid);
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("meiduo-accounts: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let mut config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("meiduo-accounts: {error}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(&config.rust_log, config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("meiduo-accounts: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Some(Command::Migrate) => {
                container::migrate(&config).await?;
                tracing::info!("migrations applied");
                Ok(())
            }
            Some(Command::Serve { no_migrate }) => {
                config.auto_migrate &= !no_migrate;
                serve(config).await
            }
            None | Some(Command::Openapi | Command::ConfigTable | Command::HashCost { .. } | Command::Keys { .. }) => {
                serve(config).await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "meiduo-accounts stopped");
            eprintln!("meiduo-accounts: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The listeners go in before the port opens: a SIGTERM sent as soon as the
/// port answers (or while starting) then stops the server gracefully instead
/// of killing it with the default action.
async fn serve(config: Config) -> Result<(), StartError> {
    let shutdown = ShutdownSignal::install().map_err(|e| StartError::Signals(e.to_string()))?;
    Application::start(config).await?.run_until_stopped(shutdown).await
}

/// Times hashes through the production hasher (its thread hand-off
/// included) and prints milliseconds per hash per core, for bench/run.sh: the
/// fastest of `rounds` on one thread, or the average while `threads` hash at once.
fn hash_cost(rounds: usize, threads: usize) -> ExitCode {
    use application::ports::PasswordHasher as _;
    use security::Argon2PasswordHasher;

    let (rounds, threads) = (rounds.max(1), threads.max(1));
    let measured =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string()).and_then(
            |runtime| {
                runtime.block_on(async {
                    let hasher = std::sync::Arc::new(Argon2PasswordHasher::new(threads).map_err(|e| e.to_string())?);
                    if threads == 1 {
                        let mut fastest = f64::INFINITY;
                        for _ in 0..rounds {
                            let started = std::time::Instant::now();
                            hasher.hash("a password of ordinary length").await.map_err(|e| e.to_string())?;
                            fastest = fastest.min(started.elapsed().as_secs_f64() * 1000.0);
                        }
                        return Ok::<f64, String>(fastest);
                    }
                    // One hash per thread first, untimed: a hashing thread's
                    // first hash also allocates and faults in its 19 MiB,
                    // which the server pays once, not per login.
                    let mut warming = tokio::task::JoinSet::new();
                    for _ in 0..threads {
                        let hasher = hasher.clone();
                        warming.spawn(async move { hasher.hash("a password of ordinary length").await });
                    }
                    while let Some(warmed) = warming.join_next().await {
                        warmed.map_err(|e| e.to_string())?.map_err(|e| e.to_string())?;
                    }
                    let started = std::time::Instant::now();
                    let mut workers = tokio::task::JoinSet::new();
                    for _ in 0..threads {
                        let hasher = hasher.clone();
                        workers.spawn(async move {
                            for _ in 0..rounds {
                                hasher.hash("a password of ordinary length").await.map_err(|e| e.to_string())?;
                            }
                            Ok::<(), String>(())
                        });
                    }
                    while let Some(finished) = workers.join_next().await {
                        finished.map_err(|e| e.to_string())??;
                    }
                    #[allow(clippy::cast_precision_loss, reason = "a count of hashes, far below 2^52")]
                    let hashes = (threads * rounds) as f64;
                    #[allow(clippy::cast_precision_loss, reason = "a few threads")]
                    let cores = threads as f64;
                    Ok(started.elapsed().as_secs_f64() * 1000.0 * cores / hashes)
                })
            },
        );
    match measured {
        Ok(fastest_ms) => {
            println!("{fastest_ms:.2}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("meiduo-accounts: cannot time a hash: {error}");
            ExitCode::FAILURE
        }
    }
}
