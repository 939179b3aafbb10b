//! `superapp-sandbox`: parses the configuration and starts the server. See `--help`.

use clap::Parser;
use superapp_sandbox::Config;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let config = Config::parse();
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.log))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
    let app = match superapp_sandbox::build(config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("superapp-sandbox: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    app.print_banner();
    match app.run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("superapp-sandbox: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
