//! The least-privilege fix of each user-facing finding (issue 20): for the first user the
//! finding names, the first denied question that carries the finding's reason, and `fix`'s
//! least-privilege change set for it, or why no edit of the vocabulary helps.

use serde::Serialize;

use super::{ChangeSet, Options, Unfixable, fix};
use crate::decision::ReasonCode;
use crate::engine::Engine;
use crate::features::Feature;
use crate::findings::{self, Finding};

/// At most this many uploaded devices are tried per feature when looking for the question.
const DEVICES: usize = 256;

/// The least-privilege fix of one finding, for its first user (`report`'s `fixes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FindingFix {
    /// The device of the question (the first uploaded one denied for the finding's reason).
    pub device: String,
    /// The feature of the question.
    pub feature: Feature,
    /// The finding's id.
    pub finding: &'static str,
    /// The least-privilege change set ([`crate::fix()`]'s first), if one works.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<LeastPrivilege>,
    /// The finding's position in the report's `findings`.
    pub index: usize,
    /// When no change set works: the conditions no edit of the vocabulary can meet.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unfixable: Vec<Unfixable>,
    /// The user of the question (UPN): the first the finding names.
    pub user: String,
}

/// A least-privilege change set as a report keeps it: its steps and what else it changes,
/// every field written (a [`ChangeSet`] without the edits it applies, which a report does not
/// need).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LeastPrivilege {
    /// Devices with another decision changed.
    pub devices: u64,
    /// The steps, in order.
    pub edits: Vec<Step>,
    /// Other decisions gained.
    pub gained: u64,
    /// Decisions lost.
    pub lost: u64,
    /// What else changes, in words ("`bob@…` gains Sync Machine Policy on 14 more devices").
    pub summary: String,
    /// Users with another decision changed.
    pub users: u64,
}

/// One edit of a [`LeastPrivilege`]: [`crate::fix::Edit`]'s JSON with its rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Step {
    /// The step an admin follows, naming the objects.
    pub detail: String,
    /// The kind of edit, e.g. `intune_role_permission`.
    pub kind: String,
    /// The rule the edit meets.
    pub rule: &'static str,
    /// The id of the object edited.
    pub target: String,
}

impl From<ChangeSet> for LeastPrivilege {
    fn from(c: ChangeSet) -> LeastPrivilege {
        LeastPrivilege {
            devices: c.devices,
            edits: c
                .edits
                .into_iter()
                .map(|e| Step {
                    detail: e.detail,
                    kind: e.kind.to_owned(),
                    rule: e.rule,
                    target: e.target,
                })
                .collect(),
            gained: c.gained,
            lost: c.lost,
            summary: c.summary,
            users: c.users,
        }
    }
}

/// The findings that name users denied for a reason an edit may lift: the reasons that make a
/// denied question the finding's, and the features to ask about, in order.
fn question_kind(f: &Finding) -> Option<(&'static [ReasonCode], &'static [Feature])> {
    use ReasonCode as R;
    match f.id {
        findings::CLOUD_ONLY_INTUNE_ADMINS => Some((&[R::CloudOnlyAccount], Feature::ALL)),
        findings::UNDISCOVERED_ADMINS => Some((&[R::NotDiscovered], Feature::ALL)),
        findings::UNLICENSED_ADMINS => Some((
            &[R::NoIntuneLicense, R::UnlicensedNestedMembership],
            Feature::ALL,
        )),
        findings::HALF_CONFIGURED_ACCESS => Some((
            &[R::IntunePermissionMissing, R::ConfigmgrPermissionMissing],
            &[Feature::SyncMachinePolicy],
        )),
        _ => None,
    }
}

/// For each user-facing finding (cloud-only, undiscovered and unlicensed admins, half
/// configured access), the least-privilege fix for the first user it names: the question is
/// the first feature, then the first uploaded device (of the first 256), that the user is
/// denied for the finding's reasons alone (else for them among others);
/// [`crate::fix()`] with `options` answers it. Findings without such a question are left
/// out.
///
/// ```
/// use tenant_attach::{Engine, findings, sample, fix::{Options, for_findings}};
/// let engine = Engine::from_json(sample::CONTOSO)?;
/// let found = findings(&engine);
/// let fixes = for_findings(&engine, &found, &Options::with_max(1));
/// let undiscovered = fixes.iter().find(|f| f.finding == "undiscovered_admins").ok_or("none")?;
/// let edit = &undiscovered.fix.as_ref().ok_or("no fix")?.edits[0];
/// assert_eq!(edit.kind, "configmgr_user_discovery"); // R-G2: have discovery find the user
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn for_findings(engine: &Engine, found: &[Finding], options: &Options) -> Vec<FindingFix> {
    found
        .iter()
        .enumerate()
        .filter_map(|(index, f)| {
            let (codes, features) = question_kind(f)?;
            // `view` first: every other feature needs it (R-F0).
            let features: Vec<Feature> = std::iter::once(Feature::View)
                .filter(|v| features.contains(v))
                .chain(features.iter().copied().filter(|x| *x != Feature::View))
                .collect();
            let upn = f.objects.iter().find_map(|o| o.strip_prefix("user:"))?;
            let u = engine.find_user(upn).ok()?;
            // Denied for the finding's reasons alone if possible, else for them among others.
            let (d, feature) = [true, false].into_iter().find_map(|alone| {
                features.iter().find_map(|feature| {
                    engine
                        .upload()
                        .uploaded()
                        .iter()
                        .take(DEVICES)
                        .find(|d| {
                            let decision = engine.check(u, *d, *feature);
                            let ours = |c: ReasonCode| codes.contains(&c);
                            !decision.allowed
                                && decision.codes().any(ours)
                                && (!alone || decision.codes().all(ours))
                        })
                        .map(|d| (d, *feature))
                })
            })?;
            let answer = fix(engine, u, d, feature, options);
            Some(FindingFix {
                device: answer.device,
                feature,
                finding: f.id,
                fix: answer.fixes.into_iter().next().map(LeastPrivilege::from),
                index,
                unfixable: answer.unfixable,
                user: answer.user,
            })
        })
        .collect()
}
