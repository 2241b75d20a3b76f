//! The flags, as clap parses them. Validation of their meaning happens in `commands`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Offline answers about ConfigMgr tenant attach: what is uploaded, who may see and act on it.
#[derive(Debug, Parser)]
#[command(name = "tenant-attach", version, about, max_term_width = 100)]
pub struct Cli {
    /// The snapshot file (`-` for standard input).
    #[arg(long, global = true, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: tables, colour on a terminal (`NO_COLOR` honoured).
    Text,
    /// One JSON document on stdout, keys sorted.
    Json,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run on the built-in Contoso sample: validation, upload and more; needs no file.
    Demo,
    /// List every input error, configuration error and warning of a snapshot (exit 1 on errors).
    Validate,
    /// Which devices tenant attach uploads, through which collections, and why others are not.
    Upload,
}
