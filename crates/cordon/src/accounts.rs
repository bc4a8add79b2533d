//! Accounts from the console: the first `admin` account created at first start (its password
//! printed once), the demo accounts, and `cordon admin user ...`, which works on the same
//! database while the server runs. Every change made here is appended to the audit trail as
//! actor `console`.

use std::io::Read;
use std::sync::Arc;

use clap::{Args, Subcommand};
use cordon_domain::access::{Role, Scope, Username};
use cordon_domain::audit::AuditEntry;
use cordon_server::access::accounts::parse_new_account;
use cordon_server::auth::password;
use cordon_server::auth::sessions::new_secret;
use cordon_store::access::NewAccount;
use cordon_store::Store;

use crate::options::StoreArgs;

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        name: String,
        /// commander, officer, tracer, auditor or admin.
        #[arg(long)]
        role: String,
        /// A jurisdiction code (default: the province, 130000) or checkpoint codes separated by
        /// commas (officers).
        #[arg(long, default_value = "130000")]
        scope: String,
        /// Read the password from standard input (required: passwords never go on a command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Disable an account and end its sessions.
    Disable {
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Enable a disabled account.
    Enable {
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Set a new password (read from standard input) and end the account's sessions.
    ResetPassword {
        name: String,
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the audit trail's hash chain and name the first broken link.
    Verify {
        #[command(flatten)]
        store: StoreArgs,
    },
}

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    let p = s.trim_end_matches(['\r', '\n']).to_owned();
    password::check_new(&p, "password").map_err(|e| anyhow::anyhow!("{}", e.message))?;
    Ok(p)
}

async fn audit(store: &dyn Store, action: &str, target: &str) -> anyhow::Result<()> {
    store
        .append_audit(&[AuditEntry {
            at_ms: cordon_domain::time::now_ms(),
            actor: "console".into(),
            role: "-".into(),
            scope: "-".into(),
            address: "local".into(),
            action: action.into(),
            outcome: "ok".into(),
            purpose: String::new(),
            target: target.into(),
            subjects: Vec::new(),
            persons: 0,
        }])
        .await?;
    Ok(())
}

pub async fn admin(cmd: AdminCommand) -> anyhow::Result<()> {
    let AdminCommand::User(cmd) = cmd;
    match cmd {
        UserCommand::Add {
            name,
            role,
            scope,
            store,
            ..
        } => {
            let (username, role, scope) =
                parse_new_account(&name, &role, &scope).map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let pw = read_password()?;
            let store = store.open().await?;
            let a = store
                .create_account(NewAccount {
                    username,
                    role,
                    scope,
                    password_hash: password::hash(pw).await,
                    created_by: "console".into(),
                })
                .await?;
            audit(store.as_ref(), "account.create", a.username.as_str()).await?;
            println!(
                "created {} ({}, scope {})",
                a.username,
                a.role.as_str(),
                a.scope
            );
        }
        UserCommand::List { store } => {
            let store = store.open().await?;
            println!("{:<24} {:<10} {:<9} scope", "name", "role", "state");
            for a in store.list_accounts().await? {
                let state = if a.disabled { "disabled" } else { "enabled" };
                println!(
                    "{:<24} {:<10} {:<9} {}",
                    a.username.as_str(),
                    a.role.as_str(),
                    state,
                    a.scope
                );
            }
        }
        UserCommand::Disable { name, store } => set_disabled(&store, &name, true).await?,
        UserCommand::Enable { name, store } => set_disabled(&store, &name, false).await?,
        UserCommand::ResetPassword { name, store, .. } => {
            let pw = read_password()?;
            let store = store.open().await?;
            store
                .set_password(
                    &name,
                    password::hash(pw).await,
                    cordon_domain::time::now_ms(),
                )
                .await?;
            audit(store.as_ref(), "account.reset_password", &name).await?;
            println!("password of {name} reset; its sessions have ended");
        }
    }
    Ok(())
}

async fn set_disabled(store: &StoreArgs, name: &str, disabled: bool) -> anyhow::Result<()> {
    let store = store.open().await?;
    store
        .set_disabled(name, disabled, cordon_domain::time::now_ms())
        .await?;
    let (action, done) = if disabled {
        ("account.disable", "disabled; its sessions have ended")
    } else {
        ("account.enable", "enabled")
    };
    audit(store.as_ref(), action, name).await?;
    println!("{name} {done}");
    Ok(())
}

pub async fn audit_command(args: AuditArgs) -> anyhow::Result<()> {
    let AuditCommand::Verify { store } = args.command;
    let store = store.open().await?;
    let v = cordon_store::audit::verify_audit(store.as_ref()).await?;
    if v.intact {
        println!("audit trail intact: {} entries; head {}", v.entries, v.head);
        Ok(())
    } else {
        anyhow::bail!(
            "audit trail broken at entry {}: {} ({} entries read)",
            v.broken_at.unwrap_or_default(),
            v.reason.unwrap_or_default(),
            v.entries
        )
    }
}

/// On a store with no accounts, creates `admin` with a random password and prints it once.
pub async fn first_admin(store: &Arc<dyn Store>) -> anyhow::Result<()> {
    if store.count_accounts().await? > 0 {
        return Ok(());
    }
    let pw = new_secret()[..20].to_owned();
    store
        .create_account(NewAccount {
            username: Username::parse("admin").expect("a valid name"),
            role: Role::Admin,
            scope: Scope::parse(DEMO_PROVINCE).expect("a valid scope"),
            password_hash: password::hash(pw.clone()).await,
            created_by: "first start".into(),
        })
        .await?;
    audit(store.as_ref(), "account.create", "admin").await?;
    println!("Created the first account: admin / {pw}  (shown once; change it after signing in)");
    Ok(())
}

/// The demo province's code.
const DEMO_PROVINCE: &str = "130000";

/// One demo account per role (and a city commander), created if absent, listed with their
/// passwords when created.
pub async fn demo_accounts(
    store: &Arc<dyn Store>,
    officer_checkpoints: &str,
) -> anyhow::Result<()> {
    let wanted = [
        ("commander", "commander", DEMO_PROVINCE),
        ("commander.sjz", "commander", "130100"),
        ("officer", "officer", officer_checkpoints),
        ("tracer", "tracer", DEMO_PROVINCE),
        ("auditor", "auditor", DEMO_PROVINCE),
        // Follow-up callers of 长安区, in two teams led by lead1 and lead2.
        ("lead1", "caller", "130102"),
        ("caller1", "caller", "130102"),
        ("caller2", "caller", "130102"),
        ("lead2", "caller", "130102"),
        ("caller3", "caller", "130102"),
        ("caller4", "caller", "130102"),
        // A sampler of 长安区's testing campaign.
        ("sampler1", "sampler", "130102"),
        // Two accounts of 长安区's lab: one runs a plate, the other reviews it.
        ("lab1", "lab", "130102"),
        ("lab2", "lab", "130102"),
        // The staff of Shijiazhuang's holding lot.
        ("lot1", "lot", "130100"),
    ];
    let existing: Vec<String> = store
        .list_accounts()
        .await?
        .into_iter()
        .map(|a| a.username.to_string())
        .collect();
    let mut created = Vec::new();
    for (name, role, scope) in wanted {
        if existing.iter().any(|e| e == name) {
            continue;
        }
        let (username, role, scope) =
            parse_new_account(name, role, scope).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let pw = new_secret()[..16].to_owned();
        store
            .create_account(NewAccount {
                username,
                role,
                scope: scope.clone(),
                password_hash: password::hash(pw.clone()).await,
                created_by: "demo".into(),
            })
            .await?;
        audit(store.as_ref(), "account.create", name).await?;
        created.push((name, role, scope, pw));
    }
    if !created.is_empty() {
        println!("Demo accounts (passwords shown once):");
        for (name, role, scope, pw) in created {
            println!("  {name:<15} {pw}  {:<9} scope {scope}", role.as_str());
        }
    }
    Ok(())
}
