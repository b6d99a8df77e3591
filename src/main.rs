use std::io::IsTerminal;

use clap::Parser;

use tern::cli::{self, Args, Command};
use tern::mime::sanitize::sanitize_line;

fn main() {
    tern::memory::configure();
    let args = Args::parse();
    let log = tern::logging::init(&args.log_level);
    // Milestones from launch to the first screen (`--log-level debug`), to see where it goes.
    tracing::debug!("timing: started");
    install_panic_hook(log);
    let code = match &args.command {
        Some(Command::Demo { dir, serve, port }) => match demo(dir.clone(), *serve, *port) {
            Ok(()) => 0,
            Err(e) => report(&e),
        },
        Some(command) => match cli::run(&args, command) {
            Ok(()) => 0,
            Err(e) => report(&e),
        },
        None => match interactive(&args) {
            Ok(()) => 0,
            Err(e) => report(&e),
        },
    };
    std::process::exit(code);
}

/// Prints `e` on stderr (a closed output pipe is not worth a word) and returns the exit code.
fn report(e: &tern::error::Error) -> i32 {
    if *e != tern::error::Error::OutputClosed {
        eprintln!("tern: {}", sanitize_line(&e.to_string()));
    }
    e.exit_code()
}

/// `tern` alone: the TUI, or first-run directions when there is no config file yet.
fn interactive(args: &Args) -> tern::error::Result<()> {
    let path = args.config.clone().or_else(tern::config::default_path);
    if let Some(p) = path.filter(|p| !p.exists()) {
        eprint!("{}", tern::ui::missing_config_message(&p));
        // On a terminal, offer the demo right away rather than sending the user elsewhere.
        if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
            eprint!("\nStart the demo now? [Y/n] ");
            let mut answer = String::new();
            if std::io::stdin().read_line(&mut answer).is_ok()
                && matches!(answer.trim(), "" | "y" | "Y" | "yes")
            {
                return demo(None, false, None);
            }
        }
        std::process::exit(2);
    }
    let config = cli::load_config(args)?;
    let first = config.account(args.account.as_deref())?.clone();
    let password = tern::config::resolve_password(&first)?;
    let mut accounts = vec![(first.clone(), password)];
    for account in config.accounts.iter().filter(|a| a.name != first.name) {
        // Asked before the screen is taken, like the first; one that cannot be had is asked
        // again on the password line when its refused login is seen.
        let password = tern::config::resolve_password(account).unwrap_or_else(|e| {
            eprintln!("tern: {}: {}", account.name, sanitize_line(&e.to_string()));
            String::new()
        });
        accounts.push((account.clone(), password));
    }
    tracing::debug!("timing: config loaded");
    tern::ui::run(&config, accounts)
}

/// `tern demo`: a local demo server, then the TUI on it (or, with --serve, only the server).
fn demo(
    dir: Option<std::path::PathBuf>,
    serve: bool,
    port: Option<u16>,
) -> tern::error::Result<()> {
    let dir = match dir {
        Some(d) => d,
        None => tern::demo::default_dir()?,
    };
    let demo = tern::demo::start(&dir, port)?;
    if serve {
        return tern::demo::serve(&demo);
    }
    let how = demo.seeded_in.map_or("reused".into(), |t| {
        format!("seeded in {:.1} s", t.as_secs_f64())
    });
    eprintln!(
        "tern: demo mailbox in {} ({how}), Dovecot on 127.0.0.1:{}",
        dir.display(),
        demo.server.imap_port
    );
    tern::ui::run(
        &demo.config,
        vec![(demo.account.clone(), demo.password.clone())],
    )
}

/// Panics are logged, never shown as a stack trace; the worker thread recovers from its own.
fn install_panic_hook(log: Option<std::path::PathBuf>) {
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!("panic: {info}");
        if std::thread::current().name() == Some("main") {
            let at = log
                .as_ref()
                .map(|p| format!("; details in {}", p.display()))
                .unwrap_or_default();
            eprintln!("tern: internal error{at}");
        }
    }));
}
