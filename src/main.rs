use clap::Parser;

use tern::cli::{self, Args};
use tern::mime::sanitize::sanitize_line;

fn main() {
    let args = Args::parse();
    let log = tern::logging::init(&args.log_level);
    install_panic_hook(log);
    let code = match &args.command {
        Some(command) => match cli::run(&args, command) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("tern: {}", sanitize_line(&e.to_string()));
                e.exit_code()
            }
        },
        None => {
            eprintln!("tern: name a command; see `tern --help`");
            2
        }
    };
    std::process::exit(code);
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
