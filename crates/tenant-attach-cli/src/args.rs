//! The flags, as clap parses them. Validation of their meaning happens in `commands`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use tenant_attach::{Feature, Knob};

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
    /// For people: tables, colour on a terminal (`NO_COLOR` honoured); for `graph`, DOT.
    Text,
    /// One JSON document on stdout, keys sorted.
    Json,
    /// Graphviz DOT (`graph` only).
    Dot,
    /// SVG, laid out without Graphviz (`graph` only; `--engine dot` for Graphviz).
    Svg,
    /// One self-contained HTML file, no network, readable without JavaScript (`report` and
    /// `demo` only).
    Html,
    /// JUnit XML (`assert` only).
    Junit,
}

/// Who lays out `graph --format svg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SvgEngine {
    /// The built-in layered layout (no dependency).
    Builtin,
    /// Graphviz `dot`, when installed.
    Dot,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run on the built-in Contoso sample: validation, upload and more; needs no file.
    Demo {
        /// Write to this file instead of standard output (`--format html`: `-o report.html`).
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: Option<PathBuf>,
    },
    /// List every input error, configuration error and warning of a snapshot (exit 1 on errors).
    Validate,
    /// Which devices tenant attach uploads, through which collections, and why others are not.
    Upload,
    /// One decision, explained: may USER use FEATURE on DEVICE?
    Check {
        /// The user: UPN or Entra object id.
        #[arg(long)]
        user: String,
        /// The device: resource id or name.
        #[arg(long)]
        device: String,
        /// The feature (default `view`).
        #[arg(long, value_parser = parse_feature, default_value = "view")]
        feature: Feature,
    },
    /// The devices a user can see or act on.
    Visible {
        /// The user: UPN or Entra object id.
        #[arg(long)]
        user: String,
        /// The feature (default `view`).
        #[arg(long, value_parser = parse_feature, default_value = "view")]
        feature: Feature,
    },
    /// The users who can see or act on a device.
    Who {
        /// The device: resource id or name.
        #[arg(long)]
        device: String,
        /// The feature (default `view`).
        #[arg(long, value_parser = parse_feature, default_value = "view")]
        feature: Feature,
    },
    /// Everything: validation, upload, access per user and feature, offboarding, lifecycle
    /// advice and findings.
    Report {
        /// Also run `sensitivity` and add a `knob_dependent_access` finding per policy knob
        /// whose other values would change some decision (one what-if access index per knob
        /// value: on a large hierarchy several times the cost of the report).
        #[arg(long)]
        sensitivity: bool,
        /// Leave out the least-privilege fix of each user-facing finding (one `fix` per
        /// finding, for the first user it names: on a large hierarchy about a second each).
        #[arg(long)]
        no_fixes: bool,
        /// Write to this file instead of standard output (`--format html`: `-o report.html`).
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: Option<PathBuf>,
    },
    /// Who gains or loses which feature on which device between two snapshots.
    Diff {
        /// The snapshot before the change.
        old: PathBuf,
        /// The snapshot after the change.
        new: PathBuf,
    },
    /// The collection graph, with the uploaded collections highlighted: Graphviz DOT by default
    /// (`--format text` and `--format dot` both print DOT), `--format svg` (needs Graphviz) or
    /// `--format json`.
    Graph {
        /// Only the neighbourhood of this collection.
        #[arg(long, value_name = "ID")]
        around: Option<String>,
        /// How many edges away from `--around` to draw.
        #[arg(long, default_value_t = 2, requires = "around")]
        depth: usize,
        /// Who lays out `--format svg`: the built-in layout, or Graphviz `dot`.
        #[arg(long, value_enum, default_value_t = SvgEngine::Builtin)]
        engine: SvgEngine,
    },
    /// Write a deterministic synthetic snapshot of the given size (for benchmarks).
    Generate {
        /// How many devices.
        #[arg(long, default_value_t = 10_000)]
        devices: usize,
        /// How many collections.
        #[arg(long, default_value_t = 1_000)]
        collections: usize,
        /// How many Entra users.
        #[arg(long, default_value_t = 100)]
        users: usize,
        /// The seed: the same seed gives the same snapshot.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: Option<PathBuf>,
    },
    /// Build a snapshot from ConfigMgr AdminService and Microsoft Graph exports.
    Import {
        /// The directory of ConfigMgr exports (`SMS_Collection.json`, …).
        #[arg(long, value_name = "DIR")]
        configmgr: PathBuf,
        /// The directory of Graph exports (`roleDefinitions.json`, …).
        #[arg(long, value_name = "DIR")]
        graph: PathBuf,
        /// The settings file: `tenant`, `hierarchy`, optional `policy` and `devices`.
        #[arg(long, value_name = "FILE")]
        settings: PathBuf,
        /// Write the snapshot to this file instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: Option<PathBuf>,
        /// Infer nothing: an admin exported without `Permissions` or `AdminSid` (a list call)
        /// is an error naming it, instead of a cross product of its role and collection names
        /// or a SID found in discovery.
        #[arg(long)]
        strict: bool,
    },
    /// Sizes of the loaded indexes: devices, collections, memberships and their bytes.
    Stats,
    /// The snapshot's JSON Schema (docs/snapshot.schema.json): point an editor at it. Always
    /// JSON; needs no file.
    Schema,
    /// Which answers rest on a policy knob: per knob and other value, the decisions gained and
    /// lost, the users and devices affected, and examples.
    Sensitivity {
        /// Only this knob (a field of the snapshot's `policy`, e.g. `discovery_required`).
        #[arg(long, value_parser = parse_knob)]
        knob: Option<Knob>,
    },
    /// Answer many questions (JSON lines on stdin or --questions FILE), one answer a line,
    /// loading the snapshot once.
    Batch {
        /// Read the questions from this file instead of standard input.
        #[arg(long, value_name = "FILE")]
        questions: Option<PathBuf>,
    },
    /// The least-privilege change sets that let USER use FEATURE on DEVICE, each proved by the
    /// engine, with what else each changes (its blast radius).
    Fix {
        /// The user: UPN or Entra object id.
        #[arg(long)]
        user: String,
        /// The device: resource id or name.
        #[arg(long)]
        device: String,
        /// The feature (default `view`).
        #[arg(long, value_parser = parse_feature, default_value = "view")]
        feature: Feature,
        /// How many change sets to propose.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
        max: u16,
        /// Write the snapshot with fix K (1-based, as listed) applied to `-o OUT`.
        #[arg(long, value_name = "K", requires = "output", value_parser = clap::value_parser!(u16).range(1..))]
        apply: Option<u16>,
        /// Where `--apply` writes the snapshot.
        #[arg(short = 'o', long = "output", value_name = "OUT", requires = "apply")]
        output: Option<PathBuf>,
    },
    /// May a user offboard the hierarchy from the admin center, and how long it takes (R-H4).
    Offboard {
        /// The user: UPN or Entra object id.
        #[arg(long)]
        user: String,
    },
    /// Checks an assertions file (access guardrails) against the snapshot: exit 0 when every
    /// assertion holds, 1 when some fail, 2 on bad input (`--format text|json|junit`).
    Assert {
        /// The assertions file (`tenant-attach.assertions/1`, docs/assertions.md).
        #[arg(long, value_name = "FILE")]
        assertions: PathBuf,
        /// An older snapshot: report only the assertions whose answer the change alters,
        /// with the decisions that changed.
        #[arg(long, value_name = "OLD")]
        against: Option<PathBuf>,
    },
}

fn parse_feature(s: &str) -> Result<Feature, String> {
    s.parse::<Feature>().map_err(|e| e.to_string())
}

fn parse_knob(s: &str) -> Result<Knob, String> {
    s.parse()
}
