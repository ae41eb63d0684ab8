//! `meiduo-accounts`: the account service of the Meiduo shop.

use std::path::PathBuf;
use std::process::ExitCode;

use bootstrap::shutdown_signal::ShutdownSignal;
use bootstrap::{Application, Config, StartError, container, telemetry};
use clap::{Parser, Subcommand};

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
    /// Print the README's configuration table, written from the declared settings, and exit.
    ConfigTable,
    /// Time password hashes at the production cost on this machine and print
    /// the milliseconds one takes (the login ceiling is CPUs ÷ that time).
    HashCost {
        /// Hashes to time, one after another; the fastest is printed, as the
        /// cost of a hash that had a core to itself.
        #[arg(long, default_value_t = 7)]
        rounds: usize,
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
        print!("{}", bootstrap::config::readme_table());
        return ExitCode::SUCCESS;
    }
    if let Some(Command::HashCost { rounds }) = cli.command {
        return hash_cost(rounds);
    }
    let mut config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("meiduo-accounts: {error}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(&config.rust_log, &config.log_format);
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
            None | Some(Command::Openapi | Command::ConfigTable | Command::HashCost { .. }) => serve(config).await,
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

/// Times `rounds` hashes through the production hasher (its thread hand-off
/// included) and prints the fastest in milliseconds, for bench/run.sh.
fn hash_cost(rounds: usize) -> ExitCode {
    use adapters::security::Argon2PasswordHasher;
    use application::ports::PasswordHasher as _;

    let measured =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string()).and_then(
            |runtime| {
                runtime.block_on(async {
                    let hasher = Argon2PasswordHasher::new(1).map_err(|e| e.to_string())?;
                    let mut fastest = f64::INFINITY;
                    for _ in 0..rounds.max(1) {
                        let started = std::time::Instant::now();
                        hasher.hash("a password of ordinary length").await.map_err(|e| e.to_string())?;
                        fastest = fastest.min(started.elapsed().as_secs_f64() * 1000.0);
                    }
                    Ok::<f64, String>(fastest)
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
