//! Which answers rest on a reading: for each policy knob (the rulebook's answers where
//! Microsoft is silent) and each value other than the snapshot's, the (user, device, feature)
//! decisions that would be gained or lost.
//!
//! Each alternative is an [`Engine::with_policy`] over the same shared indexes, compared with
//! [`diff`] (device-set differences per user class and feature class), so a knob costs one
//! access rebuild and one diff, never a check per triple.

use std::collections::{BTreeSet, HashMap};

use roaring::RoaringBitmap;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::diff::diff;
use crate::engine::Engine;
use crate::features::Feature;
use crate::snapshot::{
    ChildRelation, CombinedPagePermissions, DiscoveryRequired, Policy, UntaggedAssignment,
};

/// How many example changes an alternative lists; the counts are always complete.
pub const EXAMPLES: usize = 10;

/// A policy knob of the rulebook (a field of the snapshot's `policy`, not `features`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Knob {
    /// R-U4: which dependents of the upload collection are its children.
    ChildRelations,
    /// R-I5: what an untagged assignment reaches.
    UntaggedAssignment,
    /// R-I6: whether scope groups limit actions on tenant-attached devices.
    ScopeGroupsApplyToAttached,
    /// R-I7: whether `intune_only` mode ignores scope tags.
    IntuneOnlyIgnoresScopeTags,
    /// R-F1: whether `view` needs ConfigMgr Read.
    ConfigmgrGatesView,
    /// R-G2: which user discoveries are required.
    DiscoveryRequired,
    /// R-F1: what the `combined`-mode "—" rows need from Intune.
    CombinedPagePermissions,
    /// R-I1 (rulebook 3): what the Entra reader roles hold.
    EntraRoles,
    /// R-I8 (rulebook 3): how an unknown licence is read.
    LicenceUnknown,
    /// R-F3 (rulebook 3): whether `application_management` has its own versions.
    ApplicationActionsSplit,
    /// R-F3 (rulebook 3): which features exist on the US Government cloud.
    UsGovernmentFeatures,
}

impl Knob {
    /// Every knob, in the order the rulebook introduces them.
    pub const ALL: &'static [Knob] = &[
        Knob::ChildRelations,
        Knob::UntaggedAssignment,
        Knob::ScopeGroupsApplyToAttached,
        Knob::IntuneOnlyIgnoresScopeTags,
        Knob::ConfigmgrGatesView,
        Knob::DiscoveryRequired,
        Knob::CombinedPagePermissions,
        Knob::EntraRoles,
        Knob::LicenceUnknown,
        Knob::ApplicationActionsSplit,
        Knob::UsGovernmentFeatures,
    ];

    /// The field name in `policy`.
    pub fn as_str(self) -> &'static str {
        match self {
            Knob::ChildRelations => "child_relations",
            Knob::UntaggedAssignment => "untagged_assignment",
            Knob::ScopeGroupsApplyToAttached => "scope_groups_apply_to_attached",
            Knob::IntuneOnlyIgnoresScopeTags => "intune_only_ignores_scope_tags",
            Knob::ConfigmgrGatesView => "configmgr_gates_view",
            Knob::DiscoveryRequired => "discovery_required",
            Knob::CombinedPagePermissions => "combined_page_permissions",
            Knob::EntraRoles => "entra_roles",
            Knob::LicenceUnknown => "licence_unknown",
            Knob::ApplicationActionsSplit => "application_actions_split",
            Knob::UsGovernmentFeatures => "us_government_features",
        }
    }

    /// The rule whose reading the knob picks.
    pub fn rule(self) -> &'static str {
        match self {
            Knob::ChildRelations => "R-U4",
            Knob::UntaggedAssignment => "R-I5",
            Knob::ScopeGroupsApplyToAttached => "R-I6",
            Knob::IntuneOnlyIgnoresScopeTags => "R-I7",
            Knob::ConfigmgrGatesView | Knob::CombinedPagePermissions => "R-F1",
            Knob::DiscoveryRequired => "R-G2",
            Knob::EntraRoles => "R-I1",
            Knob::LicenceUnknown => "R-I8",
            Knob::ApplicationActionsSplit | Knob::UsGovernmentFeatures => "R-F3",
        }
    }

    /// Parses a knob's field name.
    pub fn from_name(name: &str) -> Option<Knob> {
        Knob::ALL.iter().copied().find(|k| k.as_str() == name)
    }

    /// The knob's value under `policy`, as it is written in a snapshot.
    ///
    /// ```
    /// use tenant_attach::{Engine, Knob, sample, serde_json::json};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// assert_eq!(Knob::DiscoveryRequired.value(engine.policy()), "by_feature");
    /// let children = Knob::ChildRelations.value(engine.policy());
    /// assert_eq!(children, json!(["limiting", "include", "exclude"]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn value(self, policy: &Policy) -> Value {
        match self {
            Knob::ChildRelations => json!(
                policy
                    .child_relations
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
            ),
            Knob::UntaggedAssignment => json!(policy.untagged_assignment.as_str()),
            Knob::ScopeGroupsApplyToAttached => json!(policy.scope_groups_apply_to_attached),
            Knob::IntuneOnlyIgnoresScopeTags => json!(policy.intune_only_ignores_scope_tags),
            Knob::ConfigmgrGatesView => json!(policy.configmgr_gates_view),
            Knob::DiscoveryRequired => json!(policy.discovery_required.as_str()),
            Knob::CombinedPagePermissions => json!(policy.combined_page_permissions.as_str()),
            Knob::EntraRoles => json!(policy.entra_roles.as_str()),
            Knob::LicenceUnknown => json!(policy.licence_unknown.as_str()),
            Knob::ApplicationActionsSplit => json!(policy.application_actions_split.as_str()),
            Knob::UsGovernmentFeatures => json!(policy.us_government_features.as_str()),
        }
    }

    /// Every policy that differs from `policy` in this knob alone, one per other value.
    /// `child_relations` is tried as its three nested readings (`limiting`; `limiting`,
    /// `include`; `limiting`, `include`, `exclude`).
    ///
    /// ```
    /// use tenant_attach::{Engine, Knob, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let alternatives = Knob::DiscoveryRequired.alternatives(engine.policy());
    /// let values: Vec<&str> =
    ///     alternatives.iter().map(|p| p.discovery_required.as_str()).collect();
    /// assert_eq!(values, ["by_version", "both"]); // every value but Contoso's `by_feature`
    /// assert!(alternatives.iter().all(|p| p.child_relations == engine.policy().child_relations));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn alternatives(self, policy: &Policy) -> Vec<Policy> {
        let with = |f: &dyn Fn(&mut Policy)| {
            let mut p = policy.clone();
            f(&mut p);
            p
        };
        let mut out = Vec::new();
        match self {
            Knob::ChildRelations => {
                use ChildRelation::{Include, Limiting};
                let current = ChildRelation::canonical(&policy.child_relations);
                for reading in [
                    vec![Limiting],
                    vec![Limiting, Include],
                    ChildRelation::all(),
                ] {
                    if reading != current {
                        out.push(with(&|p| p.child_relations.clone_from(&reading)));
                    }
                }
            }
            Knob::UntaggedAssignment => {
                for v in [UntaggedAssignment::AllTags, UntaggedAssignment::DefaultTag] {
                    if v != policy.untagged_assignment {
                        out.push(with(&|p| p.untagged_assignment = v));
                    }
                }
            }
            Knob::ScopeGroupsApplyToAttached => out.push(with(&|p| {
                p.scope_groups_apply_to_attached = !p.scope_groups_apply_to_attached;
            })),
            Knob::IntuneOnlyIgnoresScopeTags => out.push(with(&|p| {
                p.intune_only_ignores_scope_tags = !p.intune_only_ignores_scope_tags;
            })),
            Knob::ConfigmgrGatesView => {
                out.push(with(&|p| p.configmgr_gates_view = !p.configmgr_gates_view));
            }
            Knob::DiscoveryRequired => {
                for v in DiscoveryRequired::ALL {
                    if *v != policy.discovery_required {
                        out.push(with(&|p| p.discovery_required = *v));
                    }
                }
            }
            Knob::CombinedPagePermissions => {
                for v in [
                    CombinedPagePermissions::View,
                    CombinedPagePermissions::Feature,
                ] {
                    if v != policy.combined_page_permissions {
                        out.push(with(&|p| p.combined_page_permissions = v));
                    }
                }
            }
            Knob::EntraRoles => {
                for v in crate::snapshot::EntraRoles::ALL {
                    if *v != policy.entra_roles {
                        out.push(with(&|p| p.entra_roles = *v));
                    }
                }
            }
            Knob::LicenceUnknown => {
                for v in crate::snapshot::LicenceUnknown::ALL {
                    if *v != policy.licence_unknown {
                        out.push(with(&|p| p.licence_unknown = *v));
                    }
                }
            }
            Knob::ApplicationActionsSplit => {
                for v in crate::snapshot::ApplicationActionsSplit::ALL {
                    if *v != policy.application_actions_split {
                        out.push(with(&|p| p.application_actions_split = *v));
                    }
                }
            }
            Knob::UsGovernmentFeatures => {
                for v in crate::snapshot::UsGovernmentFeatures::ALL {
                    if *v != policy.us_government_features {
                        out.push(with(&|p| p.us_government_features = *v));
                    }
                }
            }
        }
        out
    }
}

impl std::fmt::Display for Knob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Knob {
    type Err = String;

    fn from_str(s: &str) -> Result<Knob, String> {
        Knob::from_name(s).ok_or_else(|| {
            let names: Vec<&str> = Knob::ALL.iter().map(|k| k.as_str()).collect();
            format!("unknown knob `{s}`; one of: {}", names.join(", "))
        })
    }
}

/// Whether a decision would be gained or lost under the alternative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeKind {
    /// Denied now, allowed under the alternative.
    Gained,
    /// Allowed now, denied under the alternative.
    Lost,
}

impl ChangeKind {
    /// `gained` or `lost`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Gained => "gained",
            ChangeKind::Lost => "lost",
        }
    }
}

/// One (user, device, feature) decision that the alternative changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Example {
    /// Gained or lost.
    pub change: ChangeKind,
    /// The device's name.
    pub device: String,
    /// The feature.
    pub feature: Feature,
    /// The device's resource id.
    pub resource_id: u32,
    /// The user's UPN.
    pub user: String,
    /// The user's Entra id.
    pub user_id: String,
}

/// What one other value of a knob would change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Alternative {
    /// How many devices have at least one changed decision.
    pub devices: u64,
    /// The first changes (at most [`EXAMPLES`]), by UPN, resource id, feature and change.
    pub examples: Vec<Example>,
    /// How many (user, device, feature) decisions would turn from deny to allow.
    pub gained: u64,
    /// How many would turn from allow to deny.
    pub lost: u64,
    /// How many users have at least one changed decision.
    pub users: u64,
    /// The value, as written in a snapshot.
    pub value: Value,
}

/// One knob: its value in the snapshot and what each other value would change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct KnobSensitivity {
    /// Every other value.
    pub alternatives: Vec<Alternative>,
    /// The snapshot's value.
    pub current: Value,
    /// The knob.
    pub knob: Knob,
    /// The rule whose reading it picks.
    pub rule: &'static str,
}

/// [`KnobSensitivity`] as read back from JSON: the rule id becomes the engine's static string.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KnobSensitivityWire {
    alternatives: Vec<Alternative>,
    current: Value,
    knob: Knob,
    rule: String,
}

// Written by hand: a derive would see the `&'static str` field and demand `'de: 'static`.
impl<'de> Deserialize<'de> for KnobSensitivity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<KnobSensitivity, D::Error> {
        KnobSensitivity::try_from(KnobSensitivityWire::deserialize(d)?)
            .map_err(serde::de::Error::custom)
    }
}

impl TryFrom<KnobSensitivityWire> for KnobSensitivity {
    type Error = String;

    fn try_from(w: KnobSensitivityWire) -> Result<KnobSensitivity, String> {
        Ok(KnobSensitivity {
            alternatives: w.alternatives,
            current: w.current,
            knob: w.knob,
            rule: crate::decision::known_rule(&w.rule)?,
        })
    }
}

impl KnobSensitivity {
    /// Whether some other value changes at least one decision.
    ///
    /// ```
    /// use tenant_attach::{Engine, sample, sensitivity::sensitivity};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let s = sensitivity(&engine, None);
    /// let matter: Vec<&str> =
    ///     s.knobs.iter().filter(|k| k.matters()).map(|k| k.knob.as_str()).collect();
    /// assert_eq!(matter, ["child_relations", "configmgr_gates_view", "discovery_required",
    ///     "combined_page_permissions", "application_actions_split"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn matters(&self) -> bool {
        self.alternatives.iter().any(|a| a.gained + a.lost > 0)
    }
}

/// The answer of `tenant-attach sensitivity`: per knob, what each other value would change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Sensitivity {
    /// The knobs asked for, in [`Knob::ALL`] order.
    pub knobs: Vec<KnobSensitivity>,
}

/// For `knob` (or every knob) and each value other than the engine's: the decisions gained
/// and lost, the users and devices affected, and up to [`EXAMPLES`] examples.
///
/// The what-if engines are built and compared on up to one thread per core
/// ([`std::thread::available_parallelism`]), each dropped when its counts are taken; where no
/// thread can be started they run one after the other. The result is the same either way.
///
/// ```
/// use tenant_attach::{Engine, sample, sensitivity::{Knob, sensitivity}};
///
/// let engine = Engine::from_json(sample::CONTOSO)?;
/// let s = sensitivity(&engine, Some(Knob::DiscoveryRequired));
/// // Rulebook 1's reading (`by_version`) would give some users client details back.
/// let by_version = &s.knobs[0].alternatives[0];
/// assert_eq!(by_version.value, "by_version");
/// assert!(by_version.gained > 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sensitivity(engine: &Engine, knob: Option<Knob>) -> Sensitivity {
    let knobs: Vec<Knob> = match knob {
        Some(k) => vec![k],
        None => Knob::ALL.to_vec(),
    };
    // Every (knob, other value) is an independent what-if: answered on up to one thread per
    // core, then put back in knob and value order (the result does not depend on the threads).
    let mut whatifs: Vec<(Knob, Policy)> = Vec::new();
    let mut counts: Vec<(Knob, usize)> = Vec::with_capacity(knobs.len());
    for k in knobs {
        let others = k.alternatives(engine.policy());
        counts.push((k, others.len()));
        whatifs.extend(others.into_iter().map(|p| (k, p)));
    }
    let mut answered =
        crate::parallel::map(whatifs, |(k, p)| alternative(engine, k, p)).into_iter();
    Sensitivity {
        knobs: counts
            .into_iter()
            .map(|(k, n)| KnobSensitivity {
                knob: k,
                rule: k.rule(),
                current: k.value(engine.policy()),
                alternatives: answered.by_ref().take(n).collect(),
            })
            .collect(),
    }
}

/// Whether no value of `knob` can change a decision of `engine`, read off the rules: then no
/// what-if engine is built. Each case is exact (the knob is not read on that path); a property
/// test compares the counts with a brute force.
fn cannot_matter(engine: &Engine, knob: Knob) -> bool {
    use crate::decision::Mode;
    let s = engine.snapshot();
    match knob {
        // R-U3 uploads every client whatever the children.
        Knob::ChildRelations => s.hierarchy.attach.upload.collection.is_none(),
        // R-I5: read only for assignments without scope tags.
        Knob::UntaggedAssignment => s
            .intune
            .role_assignments
            .iter()
            .all(|a| !a.scope_tags.is_empty()),
        // R-I6: an assignment scoped to all devices covers every device either way.
        Knob::ScopeGroupsApplyToAttached => s
            .intune
            .role_assignments
            .iter()
            .all(|a| a.scope.covers_all_devices()),
        // R-I7 is read in `intune_only` mode only.
        Knob::IntuneOnlyIgnoresScopeTags => engine.mode() != Mode::IntuneOnly,
        // The ConfigMgr side and the `combined` rows are read in `combined` mode only.
        Knob::ConfigmgrGatesView | Knob::DiscoveryRequired | Knob::CombinedPagePermissions => {
            engine.mode() != Mode::Combined
        }
        // R-I1: read only for users with a directory role other than Global and Intune
        // Administrator (who hold everything whatever the knob).
        Knob::EntraRoles => s.entra.users.iter().all(|u| {
            u.directory_roles.is_empty() || u.directory_roles.iter().any(|r| r.is_intune_admin())
        }),
        // R-I8: read only for users whose licence the snapshot does not give.
        Knob::LicenceUnknown => s.entra.users.iter().all(|u| u.intune_licensed.is_some()),
        // R-F3: a site at 2010 or later with no known client older than 2010 answers
        // `application_management` alike either way (no override is read there).
        Knob::ApplicationActionsSplit => {
            s.hierarchy.version >= crate::features::APPLICATION_MANAGEMENT_SINCE
                && !engine
                    .policy()
                    .features
                    .contains_key(&Feature::ApplicationManagement)
                && !engine
                    .policy()
                    .features
                    .contains_key(&Feature::ApplicationActions)
                && s.devices.iter().all(|d| {
                    d.client_version
                        .is_none_or(|v| v >= crate::features::APPLICATION_MANAGEMENT_SINCE)
                })
        }
        // R-F3: read on the US Government cloud only.
        Knob::UsGovernmentFeatures => s.hierarchy.cloud != crate::snapshot::Cloud::UsGovernment,
    }
}

fn alternative(engine: &Engine, knob: Knob, policy: Policy) -> Alternative {
    let value = knob.value(&policy);
    if cannot_matter(engine, knob) {
        return Alternative {
            value,
            gained: 0,
            lost: 0,
            users: 0,
            devices: 0,
            examples: Vec::new(),
        };
    }
    let variant = engine.with_policy(policy);
    let d = diff(engine, &variant);
    let (gained, lost) = d.counts();
    let users: BTreeSet<&str> = d.entries.iter().map(|e| e.user_id.as_str()).collect();
    let mut devices = RoaringBitmap::new();
    for e in &d.entries {
        devices |= &e.gained.bits;
        devices |= &e.lost.bits;
    }
    // Examples: users in UPN order; within a user, every entry's first devices suffice.
    let upn_of: HashMap<&str, &str> = engine
        .snapshot()
        .entra
        .users
        .iter()
        .map(|u| (u.id.as_str(), u.upn.as_str()))
        .collect();
    let mut by_user: Vec<(&str, &str)> = users
        .iter()
        .map(|id| (upn_of.get(id).copied().unwrap_or(id), *id))
        .collect();
    by_user.sort_by_key(|(upn, id)| (upn.to_lowercase(), *id));
    let mut examples = Vec::new();
    for (upn, id) in by_user {
        if examples.len() >= EXAMPLES {
            break;
        }
        // What-if engines share the numbering, so the handles are the engine's own.
        let mut mine: Vec<(crate::DeviceIx, Feature, ChangeKind)> = Vec::new();
        for e in d.entries.iter().filter(|e| e.user_id == id) {
            for (set, change) in [(&e.gained, ChangeKind::Gained), (&e.lost, ChangeKind::Lost)] {
                for dev in set.iter().take(EXAMPLES) {
                    mine.push((dev, e.feature, change));
                }
            }
        }
        mine.sort_unstable();
        for (dev, feature, change) in mine.into_iter().take(EXAMPLES - examples.len()) {
            let Some(device) = engine.device(dev) else {
                continue;
            };
            examples.push(Example {
                user: upn.to_owned(),
                user_id: id.to_owned(),
                device: device.name.clone(),
                resource_id: device.resource_id,
                feature,
                change,
            });
        }
    }
    Alternative {
        value,
        gained,
        lost,
        users: users.len() as u64,
        devices: devices.len(),
        examples,
    }
}
