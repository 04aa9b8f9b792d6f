use std::io::BufRead;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;
use srb_app::accounts as auth;
use srb_server::{
    config::Config, demo, demo_accounts, demo_knowledge, demo_monitoring, demo_plans, indexer,
    open_storage, shutdown_signal, telemetry, Server,
};
use srb_storage::Role;

/// srb-werkstatt: Sozialraumbudget der Kitas in Rheinland-Pfalz planen, erklären, beobachten.
#[derive(Parser)]
#[command(name = "srb", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server (applies migrations first).
    Serve {
        /// Address to listen on (default: SRB_ADDR or 127.0.0.1:8080).
        #[arg(long)]
        addr: Option<std::net::SocketAddr>,
        /// Load synthetic demo data for all 41 districts (idempotent).
        #[arg(long)]
        demo: bool,
        /// With --demo: multiply the demo data (10 = ten times the state).
        #[arg(long, default_value_t = 1, requires = "demo")]
        scale: u32,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Load synthetic demo data and exit.
    Demo {
        #[arg(long, default_value_t = 1)]
        scale: u32,
    },
    /// Rebuild the search index from the database, with progress. Runs beside a serving
    /// server too: then the server applies the queued records and this command follows.
    Reindex,
    /// Write a consistent copy of the embedded database (SQLite) while the server runs, checked
    /// after writing. PostgreSQL: pg_dump (see the README).
    Backup {
        /// The backup file to create (never overwritten).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Replace the embedded database with a backup (the server must be stopped); the search
    /// index is rebuilt at the next start.
    Restore {
        /// The backup file (from `srb backup`).
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// Print the GraphQL schema (SDL).
    ExportSchema {
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Import indicator values of a district and data year from CSV or XLSX: every problem is
    /// listed with row and column; either all values are stored or none.
    Import {
        /// AGS of the district.
        #[arg(long)]
        district: String,
        /// Data year of the values.
        #[arg(long)]
        year: i32,
        /// Reference date (Stichtag), e.g. 2026-03-01.
        #[arg(long)]
        reference_date: chrono::NaiveDate,
        /// Source of the values.
        #[arg(long)]
        source: String,
        /// Check only, store nothing.
        #[arg(long)]
        dry_run: bool,
        /// Rows are social spaces (indicators at social-space level), not Kitas.
        #[arg(long)]
        social_spaces: bool,
        file: std::path::PathBuf,
    },
    /// Create or update a district's Kitas from CSV or XLSX (matched by name): every problem is
    /// listed with row and column; either all changes are stored or none.
    ImportKitas {
        #[arg(long)]
        district: String,
        #[arg(long)]
        dry_run: bool,
        file: std::path::PathBuf,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from standard input with --password-stdin;
    /// without it the account signs in with API tokens only.
    Add {
        #[arg(long)]
        email: String,
        /// admin, ministry, coordinator or facilitator.
        #[arg(long)]
        role: String,
        /// AGS of the district (required for coordinators).
        #[arg(long)]
        district: Option<String>,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for an account and print it once.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "CLI")]
        label: String,
        /// Days the token is valid (1 to 365).
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
}

fn parse_role(s: &str) -> Result<Role> {
    Ok(match s.to_ascii_lowercase().as_str() {
        "admin" => Role::Admin,
        "ministry" => Role::Ministry,
        "coordinator" => Role::Coordinator,
        "facilitator" => Role::Facilitator,
        other => {
            bail!("unknown role {other:?}: expected admin, ministry, coordinator or facilitator")
        }
    })
}

/// The database and the file of an import, once the district is known to be one of the 41.
async fn import_input(
    config: &Config,
    district: &str,
    file: &std::path::Path,
) -> Result<(std::sync::Arc<dyn srb_storage::Storage>, Vec<u8>)> {
    let storage = open_storage(config).await?;
    if storage
        .districts_by_ags(&[district.to_owned()])
        .await?
        .is_empty()
    {
        bail!("{district:?} ist kein Jugendamtsbezirk in Rheinland-Pfalz");
    }
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    Ok((storage, bytes))
}

/// mimalloc for Rust and, through `override`, for SQLite's C code: under glibc's malloc the
/// threads queued on its arena locks and SQLite's value copies were a fifth of a loaded
/// server's CPU, and bounding the arenas to keep memory at rest low cost a third of the rate
/// (BENCHMARKS.md, issue 20). Transparent huge pages are off (`no_thp`): they tripled the
/// memory at rest.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> Result<()> {
    let cli = Cli::parse();
    let mut config = Config::load()?;
    telemetry::init_logging(config.log_format);
    match cli.command {
        Command::Serve {
            addr,
            demo: with_demo,
            scale,
        } => {
            if let Some(addr) = addr {
                config.addr = addr;
            }
            let storage = open_storage(&config).await?;
            if with_demo {
                let report = demo::seed(storage.as_ref(), scale).await?;
                let plans =
                    demo_plans::seed_years(storage.as_ref(), &demo_monitoring::YEARS).await?;
                let monitoring = demo_monitoring::seed(storage.as_ref()).await?;
                let knowledge = demo_knowledge::seed(storage.as_ref()).await?;
                demo_accounts::seed(storage.as_ref()).await?;
                tracing::info!(
                    password = demo_accounts::PASSWORD,
                    accounts = ?demo_accounts::ACCOUNTS.iter().map(|a| a.0).collect::<Vec<_>>(),
                    "demo accounts (only for trying the platform)"
                );
                tracing::info!(
                    districts = report.districts_seeded,
                    kitas = report.kitas,
                    indicator_values = plans.values,
                    runs = plans.runs,
                    positions = monitoring.positions,
                    workshops = knowledge.workshops,
                    documents = knowledge.documents,
                    "synthetic demo data loaded"
                );
            }
            let server = Server::bind(&config, storage.clone()).await?;
            tracing::info!(
                addr = %server.local_addr(),
                database = %config.database_url_redacted(),
                "srb serving GraphQL at http://{}/graphql",
                server.local_addr()
            );
            let _purge = srb_server::memory::spawn_idle_purge();
            server.run(shutdown_signal()).await?;
            tracing::info!("stopped");
        }
        Command::Reindex => reindex(&config).await?,
        Command::Backup { out } => {
            let started = std::time::Instant::now();
            let summary =
                srb_storage::backup::backup(config.database_url.expose_secret(), &out).await?;
            println!(
                "Gesichert: {} Zeilen in {} Tabellen (Migration {}) nach {} in {:.1} s.",
                summary.rows(),
                summary.tables.len(),
                summary.migration,
                out.display(),
                started.elapsed().as_secs_f64()
            );
        }
        Command::Restore { from } => restore(&config, &from).await?,
        Command::Migrate => {
            open_storage(&config).await?;
            println!("Migrationen angewandt: {}", config.database_url_redacted());
        }
        Command::Demo { scale } => {
            let storage = open_storage(&config).await?;
            let report = demo::seed(storage.as_ref(), scale).await?;
            let plans = demo_plans::seed_years(storage.as_ref(), &demo_monitoring::YEARS).await?;
            let monitoring = demo_monitoring::seed(storage.as_ref()).await?;
            let knowledge = demo_knowledge::seed(storage.as_ref()).await?;
            println!(
                "Monitoring (synthetisch): {} Stellen, {} Mittelabrufe",
                monitoring.positions, monitoring.spending
            );
            println!(
                "Demodaten (synthetisch): {} Bezirke mit {} Kitas neu angelegt; {} Indikatorwerte, {} offizielle Pläne",
                report.districts_seeded, report.kitas, plans.values, plans.runs
            );
            println!(
                "Wissensspeicher: {} Workshop mit {} Beiträgen (Zwischenbilanz II), {} Profile, Ideen und Modelle neu angelegt",
                knowledge.workshops, knowledge.contributions, knowledge.documents
            );
        }
        Command::ImportKitas {
            district,
            dry_run,
            file,
        } => {
            let (storage, bytes) = import_input(&config, &district, &file).await?;
            let r =
                srb_app::planning::import_kitas(storage.as_ref(), None, &district, bytes, dry_run)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            if !r.problems.is_empty() {
                for p in &r.problems {
                    eprintln!("Fehler: {p}");
                }
                bail!("{} Fehler: nichts gespeichert", r.problems.len());
            }
            println!(
                "{} Zeilen: neu {}, geändert {}, unverändert {}{}",
                r.rows,
                r.created,
                r.updated,
                r.unchanged,
                if dry_run {
                    " (Probelauf, nichts gespeichert)"
                } else {
                    ""
                }
            );
        }
        Command::Import {
            district,
            year,
            reference_date,
            source,
            dry_run,
            social_spaces,
            file,
        } => {
            let (storage, bytes) = import_input(&config, &district, &file).await?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let result = srb_app::planning::import_indicators(
                storage.as_ref(),
                None,
                srb_app::planning::ImportRequest {
                    district_ags: &district,
                    year,
                    file_name: &name,
                    bytes,
                    reference_date,
                    source: &source,
                    only: None,
                    dry_run,
                    kind: if social_spaces {
                        srb_sheets::SubjectKind::SocialSpace
                    } else {
                        srb_sheets::SubjectKind::Kita
                    },
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            for w in &result.warnings {
                eprintln!("Hinweis: {w}");
            }
            if !result.problems.is_empty() {
                for p in &result.problems {
                    eprintln!("Fehler: {p}");
                }
                bail!(
                    "{} Fehler in {name}: nichts gespeichert",
                    result.problems.len()
                );
            }
            match result.outcome {
                Some(o) => println!(
                    "{name}: {} Zeilen, {} Werte; neu {}, geändert {}, unverändert {}",
                    result.rows, result.values, o.inserted, o.updated, o.unchanged
                ),
                None => println!(
                    "{name}: {} Zeilen, {} Werte geprüft, fehlerfrei (Probelauf, nichts gespeichert)",
                    result.rows, result.values
                ),
            }
        }
        Command::ExportSchema { out } => {
            let sdl = srb_schema::sdl();
            match out {
                Some(path) => std::fs::write(&path, sdl)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => print!("{sdl}"),
            }
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    role,
                    district,
                    name,
                    password_stdin,
                },
        } => {
            let role = parse_role(&role)?;
            if (role == Role::Coordinator) != district.is_some() {
                bail!("--district is required for coordinators and only for them");
            }
            let hash = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                let password = line.trim_end_matches(['\r', '\n']);
                if password.chars().count() < 12 {
                    bail!("the password needs at least 12 characters");
                }
                Some(auth::hash_password(password).map_err(|e| anyhow::anyhow!("{e}"))?)
            } else {
                None
            };
            let storage = open_storage(&config).await?;
            let email = auth::normalize_email(&email);
            let user = storage
                .create_user(
                    &email,
                    name.as_deref(),
                    hash.as_deref(),
                    role,
                    district.as_deref(),
                )
                .await?;
            println!("Konto angelegt: {} ({})", user.email, user.role);
        }
        Command::Token {
            command: TokenCommand::Create { email, label, days },
        } => {
            let storage = open_storage(&config).await?;
            let email = auth::normalize_email(&email);
            let Some(user) = storage.user_by_email(&email).await? else {
                bail!("no account with the e-mail address {email}");
            };
            let expires_at = srb_app::accounts::token_expiry(days).map_err(anyhow::Error::msg)?;
            let (token, hash) = auth::new_token();
            storage
                .create_token(user.id, &hash, &label, expires_at)
                .await?;
            eprintln!("Gültig bis {}", expires_at.format("%d.%m.%Y %H:%M UTC"));
            println!("{token}");
        }
    }
    Ok(())
}

fn print_progress(p: indexer::Progress) {
    let percent = if p.total == 0 {
        100
    } else {
        p.done * 100 / p.total
    };
    eprintln!(
        "Suchindex: {} von {} Datensätzen ({percent} %)",
        p.done, p.total
    );
}

/// Prints at most one progress line a second (and always the last).
fn throttled(mut print: impl FnMut(indexer::Progress)) -> impl FnMut(indexer::Progress) {
    let mut last: Option<std::time::Instant> = None;
    move |p| {
        if p.done == p.total || last.is_none_or(|t| t.elapsed().as_secs() >= 1) {
            last = Some(std::time::Instant::now());
            print(p);
        }
    }
}

async fn restore(config: &Config, from: &std::path::Path) -> Result<()> {
    let summary = srb_server::restore(config, from).await?;
    println!(
        "Wiederhergestellt: {} Zeilen in {} Tabellen (Migration {}) aus {}.",
        summary.rows(),
        summary.tables.len(),
        summary.migration,
        from.display()
    );
    if config.meili.is_some() {
        println!("Meilisearch hält noch den alten Stand: nach dem Start `srb reindex` ausführen.");
    } else {
        println!("Der Suchindex wird beim nächsten Start aus der Datenbank neu aufgebaut.");
    }
    Ok(())
}

async fn reindex(config: &Config) -> Result<()> {
    let storage = open_storage(config).await?;
    let started = std::time::Instant::now();
    match srb_server::SearchBackend::open(config).await {
        Ok(backend) => {
            // The embedded index opened here belongs to nobody else: empty it and build anew.
            // A shared Meilisearch keeps answering while every record is refreshed.
            let owner = matches!(backend, srb_server::SearchBackend::Embedded(_));
            let target = srb_server::feed_target(config);
            indexer::join_feed(storage.as_ref(), &target, &srb_server::feed_holder()).await?;
            eprintln!("Suchindex wird aus der Datenbank neu aufgebaut …");
            let done = indexer::rebuild(
                storage.as_ref(),
                backend.index().as_ref(),
                owner,
                throttled(print_progress),
            )
            .await?;
            if owner {
                storage.leave_search_feed(&target).await?;
            }
            let documents = backend.index().count().await?;
            println!(
                "Suchindex neu aufgebaut: {documents} Dokumente aus {} Datensätzen in {:.1} s.",
                done.total,
                started.elapsed().as_secs_f64()
            );
        }
        Err(e)
            if matches!(
                e.downcast_ref::<srb_search::SearchError>(),
                Some(srb_search::SearchError::Locked)
            ) =>
        {
            eprintln!(
                "Der Suchindex ist von einem laufenden Server geöffnet: alle Datensätze werden \
                 eingereiht, der Server übernimmt sie."
            );
            let queued = indexer::queue_all(storage.as_ref()).await?;
            indexer::follow(storage.as_ref(), queued.total, throttled(print_progress)).await?;
            println!(
                "Suchindex aufgefrischt: {} Datensätze in {:.1} s.",
                queued.records,
                started.elapsed().as_secs_f64()
            );
        }
        Err(e) => return Err(e),
    }
    Ok(())
}
