//! `proof-ramp-mobile inject` applies `src-tauri/mobile.toml` to a generated Android project;
//! `proof-ramp-mobile doctor` checks a checkout for the pitfalls that break verification on phones.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ramp_mobile::doctor::{self, Outcome};
use ramp_mobile::{MobileConfig, android};

#[derive(Parser)]
#[command(name = "proof-ramp-mobile", version, about = "Proof Ramp's iOS/Android configuration: inject and check")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Inject the camera, audio, deep-link (and opt-in Google Pay) entries into a generated
    /// Android project. Running it again changes nothing.
    Inject {
        /// The repository root (with src-tauri/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The generated Android project [default: ROOT/src-tauri/gen/android, ROOT being --root].
        #[arg(long)]
        android: Option<PathBuf>,
    },
    /// Check the checkout: native entries, plist keys, Tauri version, capabilities, CSP,
    /// allowlist, release return link, backend. One line per check; exit status 1 when one fails.
    Doctor {
        /// The repository root (with src-tauri/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// A generated Android project to check [default: ROOT/src-tauri/gen/android if present].
        #[arg(long)]
        android: Option<PathBuf>,
        /// The backend to ask.
        #[arg(long, env = "PROOF_RAMP_BACKEND_URL", default_value = ramp_api::plugin::SANDBOX_BACKEND)]
        backend: String,
        /// Skip the backend check.
        #[arg(long)]
        offline: bool,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Inject { root, android } => {
            let project = android.unwrap_or_else(|| root.join("src-tauri").join("gen").join("android"));
            let tauri_dir = root.join("src-tauri");
            let result = MobileConfig::for_app(&tauri_dir).and_then(|c| {
                let links = android::DeepLink::for_build(&tauri_dir.join("tauri.conf.json"))?;
                android::inject_project(&project, &c, &links)
            });
            match result {
                Ok(changed) if changed.files.is_empty() => {
                    println!("{}: already up to date", project.display());
                    ExitCode::SUCCESS
                }
                Ok(changed) => {
                    for f in changed.files {
                        println!("updated {}", f.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Doctor { root, android, backend, offline } => {
            let opts = doctor::Options { root, android, backend: (!offline).then_some(backend) };
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: cannot start: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let checks = runtime.block_on(doctor::run(&opts));
            let mut failed = 0;
            for c in &checks {
                match &c.outcome {
                    Outcome::Pass => println!("PASS  {}", c.name),
                    Outcome::Skip(why) => println!("SKIP  {} ({why})", c.name),
                    Outcome::Fail(fix) => {
                        failed += 1;
                        println!("FAIL  {}: {fix}", c.name);
                    }
                }
            }
            if failed > 0 {
                println!("{failed} of {} checks failed", checks.len());
                ExitCode::FAILURE
            } else {
                println!("all {} checks passed", checks.len());
                ExitCode::SUCCESS
            }
        }
    }
}
