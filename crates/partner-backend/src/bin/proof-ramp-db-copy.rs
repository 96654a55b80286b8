//! `proof-ramp-db-copy FROM TO`: copy a single instance's SQLite database into an empty
//! PostgreSQL database, to move to several instances. Stop the backend first.

use anyhow::Context;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [from, to] = args.as_slice() else {
        anyhow::bail!(
            "usage: proof-ramp-db-copy sqlite://path/to/ramp.db postgres://user:password@host/db\n\
             Copies every table that matters (transactions, their history, widget links, webhook\n\
             receipts and app sign-in sessions) into an empty PostgreSQL database, all or nothing.\n\
             Stop the backend that uses the SQLite file first."
        );
    };
    anyhow::ensure!(
        from.starts_with("sqlite:"),
        "FROM must be a sqlite: URL, e.g. sqlite:///var/lib/proof-ramp/ramp.db"
    );
    anyhow::ensure!(
        to.starts_with("postgres:") || to.starts_with("postgresql:"),
        "TO must be a postgres: URL, e.g. postgres://proof_ramp:…@db.internal/proof_ramp"
    );
    let copied = partner_backend::store::copy::sqlite_to_postgres(from, to).await.context("the copy did not happen")?;
    println!("{copied}");
    Ok(())
}
