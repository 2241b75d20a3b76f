//! `fix`: the least-privilege change sets that let a user do something, each proved by the
//! engine, with its blast radius.
//!
//! For a denied decision, candidate edits are read off the failed conditions (each
//! [`ReasonCode`] maps to the edits of a fixed vocabulary of real admin actions that can meet
//! it, see [`Edit::kind`]), combined breadth first up to a size limit, and each combination is
//! applied to a copy of the snapshot and the question decided again by the engine
//! ([`Engine::with_snapshot`]: the device numbering and the collection graph are reused).
//! Only sets that allow the question are kept, and only minimal ones (no proper subset also
//! allows it). Each is then compared with the original by [`crate::diff()`]: the other
//! decisions it gains and loses. Sets are ranked least privilege first: fewest other
//! decisions changed, then fewest edits, then by their edits.
//!
//! Built-in roles (Intune `built_in`, ConfigMgr `SMS*`) and built-in collections are never
//! edited; device scope tags are never edited (R-S1), and direct rules cannot make a cycle
//! (R-C3). Conditions no edit of the vocabulary can meet (no ConfigMgr client, a removed
//! Default tag, a cloud-only account, the hierarchy not attached, a cloud that cannot upload,
//! the SMS Provider's MFA, no runnable script) are reported as `unfixable`.

mod candidates;
mod configmgr;
mod describe;
mod findings;
mod radius;
mod search;
mod text;
mod vocabulary;

use serde::Serialize;

pub use findings::{FindingFix, LeastPrivilege, Step, for_findings};
pub use radius::EXAMPLES;
pub use vocabulary::Edit;

use crate::access::UserIx;
use crate::decision::ReasonCode;
use crate::devices::DeviceIx;
use crate::engine::Engine;
use crate::features::Feature;
use crate::sensitivity::Example;
use crate::snapshot::Snapshot;
use candidates::Question;
use vocabulary::Op;

/// The largest change set `fix` searches (edits per set).
pub const MAX_EDITS: usize = 3;

/// The limits of a search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// How many change sets to propose (`--max`, default 5).
    pub max_fixes: usize,
    /// The most edits in one set (default and at most [`MAX_EDITS`]).
    pub max_edits: usize,
    /// The most what-if engines to build (default 256): the search stops there and says so.
    pub max_evaluations: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            max_fixes: 5,
            max_edits: MAX_EDITS,
            max_evaluations: 256,
        }
    }
}

impl Options {
    /// The defaults with `max_fixes` change sets.
    pub fn with_max(max_fixes: usize) -> Options {
        Options {
            max_fixes,
            ..Options::default()
        }
    }
}

/// One proposed change set: its edits and what else it changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ChangeSet {
    /// How many devices have another decision that changes.
    pub devices: u64,
    /// The edits, in a stable order.
    pub edits: Vec<Edit>,
    /// The first other changes (at most [`EXAMPLES`]): gained, then lost.
    pub examples: Vec<Example>,
    /// How many other (user, device, feature) decisions turn from deny to allow.
    pub gained: u64,
    /// How many turn from allow to deny.
    pub lost: u64,
    /// How many users have another decision that changes.
    pub users: u64,
    /// The radius in words, per feature (text only): "`bob@contoso.com` gains Sync Machine
    /// Policy on 14 more devices".
    #[serde(skip)]
    pub summary: String,
    #[serde(skip)]
    ops: Vec<Op>,
}

impl ChangeSet {
    /// `snapshot` with the change set applied (`None` when an edit no longer applies, e.g.
    /// on another snapshot).
    pub fn apply(&self, snapshot: &Snapshot) -> Option<Snapshot> {
        search::applied(snapshot, &self.ops)
    }

    /// `snapshot` with only the edits whose positions `keep` returns `true` for (a subset of
    /// the change set: how a test checks that no proper subset allows the question).
    pub fn apply_subset(
        &self,
        snapshot: &Snapshot,
        keep: impl Fn(usize) -> bool,
    ) -> Option<Snapshot> {
        let ops: Vec<Op> = self
            .ops
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(_, op)| op.clone())
            .collect();
        search::applied(snapshot, &ops)
    }

    /// Whether some edit changes the infrastructure (site, client, upload) rather than RBAC.
    pub fn infrastructure(&self) -> bool {
        self.edits.iter().any(|e| e.infrastructure)
    }
}

/// A failed condition no edit of the vocabulary can meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Unfixable {
    /// The reason code.
    pub code: ReasonCode,
    /// Why, in words.
    pub detail: String,
    /// The rule id.
    pub rule: &'static str,
}

/// `fix`'s answer: `tenant-attach fix --format json`'s document (keys in order), its text
/// through [`std::fmt::Display`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Fix {
    /// Whether the question is already allowed (then `fixes` is empty).
    pub allowed: bool,
    /// The device's name.
    pub device: String,
    /// The feature.
    pub feature: Feature,
    /// The change sets, least privilege first.
    pub fixes: Vec<ChangeSet>,
    /// When no change set was found, the failed conditions no edit can meet (or, when every
    /// condition has edits, the conditions the size limit left unmet).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unfixable: Vec<Unfixable>,
    /// The user's UPN.
    pub user: String,
    /// The failed conditions of the question, as `check` gives them (text only).
    #[serde(skip)]
    pub reasons: Vec<crate::decision::Reason>,
    /// How many what-if engines the search built (not serialized: it depends on the
    /// candidates, not on the answer).
    #[serde(skip)]
    pub evaluations: usize,
}

impl Fix {
    /// `snapshot` with fix `k` (1-based, as shown) applied.
    pub fn apply(&self, k: usize, snapshot: &Snapshot) -> Option<Snapshot> {
        self.fixes
            .get(k.checked_sub(1)?)
            .and_then(|c| c.apply(snapshot))
    }
}

/// The least-privilege change sets that let `user` use `feature` on `device`, each proved
/// by the engine and minimal, ranked by blast radius (fewest other decisions changed, then
/// fewest edits).
///
/// ```
/// use tenant_attach::{Engine, Feature, sample, fix};
/// let engine = Engine::from_json(sample::CONTOSO)?;
/// let (bob, ws4) = (engine.find_user("bob@contoso.com")?, engine.find_device("CON-WS-004")?);
/// let answer = fix::fix(&engine, bob, ws4, Feature::SyncMachinePolicy, &fix::Options::default());
/// assert!(!answer.allowed);
/// let best = answer.fixes.first().ok_or("no fix")?;
/// // Proved: the question is allowed once the change set is applied.
/// let fixed = Engine::new(best.apply(engine.snapshot()).ok_or("does not apply")?)?;
/// let (bob2, ws4b) = (fixed.find_user("bob@contoso.com")?, fixed.find_device("CON-WS-004")?);
/// assert!(fixed.allows(bob2, ws4b, Feature::SyncMachinePolicy));
/// assert!(answer.to_string().contains("Fix 1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fix(
    engine: &Engine,
    user: UserIx,
    device: DeviceIx,
    feature: Feature,
    options: &Options,
) -> Fix {
    let decision = engine.check(user, device, feature);
    let mut out = Fix {
        allowed: decision.allowed,
        device: decision.device.clone(),
        feature,
        fixes: Vec::new(),
        unfixable: Vec::new(),
        user: decision.user.clone(),
        reasons: decision.reasons.clone(),
        evaluations: 0,
    };
    let (Some(u), Some(d)) = (engine.user(user), engine.device(device)) else {
        out.unfixable = unfixable_reasons(engine, None, &decision, options, false);
        return out;
    };
    if decision.allowed {
        return out;
    }
    let q = Question {
        user_id: u.id.clone(),
        resource_id: d.resource_id,
        feature,
    };
    let found = search::search(engine, &q, &decision, options);
    out.evaluations = found.evaluations;
    // Ranked by (other decisions changed, edits, breadth of the edits, the edits).
    // Each radius is a diff with the what-if engine the search proved the set on: on up to
    // one thread per core.
    let mut sets: Vec<Ranked> = crate::parallel::map(found.sets, |(ops, new)| {
        let r = radius::radius(engine, &new, &q);
        let breadth = ops.iter().map(Op::breadth).sum();
        ((r.gained + r.lost, ops.len(), breadth), ops, r)
    });
    sets.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    out.fixes = sets
        .into_iter()
        .take(options.max_fixes)
        .map(|(_, ops, r)| ChangeSet {
            devices: r.devices,
            edits: ops
                .iter()
                .map(|op| op.describe(engine.snapshot()))
                .collect(),
            examples: r.examples,
            gained: r.gained,
            lost: r.lost,
            users: r.users,
            summary: r.summary,
            ops,
        })
        .collect();
    if out.fixes.is_empty() {
        out.unfixable = unfixable_reasons(engine, Some(&q), &decision, options, found.exhausted);
    }
    out
}

/// A proved set with its rank: (other decisions changed, edits, breadth), the edits, the
/// radius.
type Ranked = ((u64, usize, u32), Vec<Op>, radius::Radius);

/// The conditions of a deny that no change set meets: those no edit can meet, or else every
/// condition, saying that the limits were reached.
fn unfixable_reasons(
    engine: &Engine,
    q: Option<&Question>,
    decision: &crate::decision::Decision,
    options: &Options,
    exhausted: bool,
) -> Vec<Unfixable> {
    let hard: Vec<Unfixable> = decision
        .reasons
        .iter()
        .filter(|r| q.is_none_or(|q| candidates::unfixable(engine, q, r.code)))
        .map(|r| Unfixable {
            code: r.code,
            detail: format!("no edit of the vocabulary meets it: {}", r.detail),
            rule: r.rule,
        })
        .collect();
    if !hard.is_empty() {
        return hard;
    }
    decision
        .reasons
        .iter()
        .map(|r| Unfixable {
            code: r.code,
            detail: format!(
                "no change set of at most {} edits meets it with the others{}: {}",
                options.max_edits.min(MAX_EDITS),
                if exhausted {
                    format!(" within {} what-if engines", options.max_evaluations)
                } else {
                    String::new()
                },
                r.detail
            ),
            rule: r.rule,
        })
        .collect()
}
