//! `gurumisha`: the platform's management commands (migrate, demo, activity and audit queries,
//! verify-audit, the loopback HTTP server, the notification worker, templates and a manual
//! send). Runs headless on a server. Every command takes `--database-url` (or
//! `DATABASE_URL`); without it, the embedded SQLite file.

mod cmd;
mod demo;
mod demo_notify;
mod notify_cmd;
mod output;

use clap::{Args, Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "gurumisha",
    version,
    about = "Gurumisha activity log, audit trail and notifications"
)]
struct Cli {
    /// postgres://… or a SQLite path/URL. Default: the embedded SQLite database.
    #[arg(long, global = true, env = "DATABASE_URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending database migrations.
    Migrate,
    /// Fill the database with a realistic Gurumisha dataset.
    Demo(demo::DemoArgs),
    /// Query the activity log.
    #[command(subcommand)]
    Activity(ActivityCmd),
    /// Query the audit trail, show change sets, sign checkpoints.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Verify the audit hash chain and its signed checkpoints; exits 1 on any problem.
    VerifyAudit(cmd::VerifyArgs),
    /// Serve the console API (and optionally the built UI) over HTTP on loopback.
    Serve(cmd::ServeArgs),
    /// Deliver queued notifications that are due (or, with --worker, keep delivering).
    ProcessNotifications(notify_cmd::ProcessArgs),
    /// Install the default notification templates (idempotent: unchanged ones stay as they are).
    CreateNotificationTemplates,
    /// Send one notification by hand and print each channel's decision.
    Notify(notify_cmd::NotifyArgs),
}

#[derive(Subcommand)]
enum ActivityCmd {
    /// List activity, newest first.
    List(cmd::ActivityListArgs),
}

#[derive(Subcommand)]
enum AuditCmd {
    /// List audit entries, newest first.
    List(cmd::AuditListArgs),
    /// Show every field of one change set, before and after.
    Show(cmd::ShowArgs),
    /// Every change to one record over time (or to one field of it).
    History(cmd::HistoryArgs),
    /// Sign a checkpoint over the current chain head now.
    Checkpoint(JsonFlag),
    /// Record a security event (the platform's `log_security_event`), e.g. from a script.
    SecurityEvent(cmd::SecurityEventArgs),
    /// Print the public key that verifies checkpoints (for offline verification).
    PublicKey,
}

#[derive(Args)]
pub struct JsonFlag {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    gurumisha_api::telemetry::init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let url = cli.database_url;
    match cli.command {
        Command::Migrate => cmd::migrate(url).await,
        Command::Demo(args) => demo::run(url, args).await,
        Command::Activity(ActivityCmd::List(args)) => cmd::activity_list(url, args).await,
        Command::Audit(AuditCmd::List(args)) => cmd::audit_list(url, args).await,
        Command::Audit(AuditCmd::Show(args)) => cmd::audit_show(url, args).await,
        Command::Audit(AuditCmd::History(args)) => cmd::audit_history(url, args).await,
        Command::Audit(AuditCmd::Checkpoint(f)) => cmd::checkpoint(url, f.json).await,
        Command::Audit(AuditCmd::SecurityEvent(args)) => cmd::security_event(url, args).await,
        Command::Audit(AuditCmd::PublicKey) => cmd::public_key(url).await,
        Command::VerifyAudit(args) => cmd::verify(url, args).await,
        Command::Serve(args) => cmd::serve(url, args).await,
        Command::ProcessNotifications(args) => notify_cmd::process(url, args).await,
        Command::CreateNotificationTemplates => notify_cmd::create_templates(url).await,
        Command::Notify(args) => notify_cmd::notify(url, args).await,
    }
}
