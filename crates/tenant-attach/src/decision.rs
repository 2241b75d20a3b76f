//! Decisions: allowed or not, every failed condition with its reason code and rule, the grants
//! behind an allow, and the policy knobs the answer depended on.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::features::Feature;

pub(crate) use crate::rule_ids::known_rule;
pub use crate::rule_ids::{QUERY_RULE, RULE_IDS, rule_id_of};

/// Which RBAC applies (R-M1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Mode {
    /// ConfigMgr RBAC is enforced along with Intune RBAC (the default).
    Combined,
    /// Intune RBAC alone (2207+, enforce box cleared, *Use Intune RBAC* on).
    IntuneOnly,
}

impl Mode {
    /// `combined` or `intune_only`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Combined => "combined",
            Mode::IntuneOnly => "intune_only",
        }
    }
}

/// A stable reason code for a failed condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReasonCode {
    /// The user or device handle does not belong to this engine (a query error, never an
    /// allow); rule id [`QUERY_RULE`].
    UnknownHandle,
    /// R-F3: the feature does not exist at the hierarchy's version, or on its cloud (checked
    /// first).
    FeatureUnavailable,
    /// R-F3 (rulebook 3): the optional feature *Create and run scripts* is off on a site at
    /// 2006 or earlier (checked with availability).
    ScriptsFeatureDisabled,
    /// R-U1: the hierarchy is not attached.
    NotAttached,
    /// R-U2 / R-H2: the cloud (or the version on it) cannot upload.
    UploadUnsupportedCloud,
    /// R-U3 / R-U4: no ConfigMgr client.
    NotUploadedNoClient,
    /// R-U4: outside the selected collection and its children.
    NotUploadedOutOfScope,
    /// R-S2: a tenant-attached device whose Default tag was removed.
    MissingDefaultScopeTag,
    /// R-F5 (rulebook 3): the device's ConfigMgr client is older than the feature needs.
    ClientVersionTooOld,
    /// R-F6 (rulebook 3): the SMS Provider requires multi-factor authentication, which blocks
    /// the admin center's actions and pages (HTTP 403, a known issue).
    SmsProviderMfa,
    /// R-I2: no Intune role assignment applies to the user.
    NoIntuneRole,
    /// R-I8 (rulebook 3): the user holds no Intune licence and unlicensed admins are not
    /// allowed: no role assignment applies.
    NoIntuneLicense,
    /// R-I8 (rulebook 3): the user holds no Intune licence, unlicensed admins are allowed, and
    /// some assignments reach the user only through nested groups, which then do not apply.
    UnlicensedNestedMembership,
    /// R-I3: no assignment of the user holds a required permission.
    IntunePermissionMissing,
    /// R-I4 / R-I5: the permission is held, but no scope tag reaches the device.
    ScopeTagMismatch,
    /// R-I6: no assignment holding the permission covers the device by its scope groups.
    ScopeGroupMismatch,
    /// R-G1: the user is cloud-only.
    CloudOnlyAccount,
    /// R-G2: ConfigMgr user discovery has not found the user.
    NotDiscovered,
    /// R-G3: no ConfigMgr administrative user maps to the user or its groups.
    ConfigmgrAdminMissing,
    /// R-G4: no association grants a required Collection operation on the device.
    ConfigmgrPermissionMissing,
    /// R-G6: no role of a mapped administrative user grants a required operation on another
    /// secured class (Site, Application, SMS Scripts).
    ConfigmgrClassPermissionMissing,
    /// R-G7: no approved, parameterless script is available to the user's scopes.
    NoRunnableScript,
}

impl ReasonCode {
    /// The snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::UnknownHandle => "unknown_handle",
            ReasonCode::FeatureUnavailable => "feature_unavailable",
            ReasonCode::ScriptsFeatureDisabled => "scripts_feature_disabled",
            ReasonCode::NotAttached => "not_attached",
            ReasonCode::UploadUnsupportedCloud => "upload_unsupported_cloud",
            ReasonCode::NotUploadedNoClient => "not_uploaded_no_client",
            ReasonCode::NotUploadedOutOfScope => "not_uploaded_out_of_scope",
            ReasonCode::MissingDefaultScopeTag => "missing_default_scope_tag",
            ReasonCode::ClientVersionTooOld => "client_version_too_old",
            ReasonCode::SmsProviderMfa => "sms_provider_mfa",
            ReasonCode::NoIntuneRole => "no_intune_role",
            ReasonCode::NoIntuneLicense => "no_intune_license",
            ReasonCode::UnlicensedNestedMembership => "unlicensed_nested_membership",
            ReasonCode::IntunePermissionMissing => "intune_permission_missing",
            ReasonCode::ScopeTagMismatch => "scope_tag_mismatch",
            ReasonCode::ScopeGroupMismatch => "scope_group_mismatch",
            ReasonCode::CloudOnlyAccount => "cloud_only_account",
            ReasonCode::NotDiscovered => "not_discovered",
            ReasonCode::ConfigmgrAdminMissing => "configmgr_admin_missing",
            ReasonCode::ConfigmgrPermissionMissing => "configmgr_permission_missing",
            ReasonCode::ConfigmgrClassPermissionMissing => "configmgr_class_permission_missing",
            ReasonCode::NoRunnableScript => "no_runnable_script",
        }
    }

    /// Which system the condition belongs to.
    pub fn side(self) -> Side {
        match self {
            ReasonCode::UnknownHandle
            | ReasonCode::FeatureUnavailable
            | ReasonCode::ScriptsFeatureDisabled => Side::Availability,
            ReasonCode::NotAttached
            | ReasonCode::UploadUnsupportedCloud
            | ReasonCode::NotUploadedNoClient
            | ReasonCode::NotUploadedOutOfScope => Side::Upload,
            ReasonCode::MissingDefaultScopeTag => Side::DeviceTags,
            ReasonCode::ClientVersionTooOld => Side::Client,
            ReasonCode::SmsProviderMfa => Side::Provider,
            ReasonCode::NoIntuneRole
            | ReasonCode::NoIntuneLicense
            | ReasonCode::UnlicensedNestedMembership
            | ReasonCode::IntunePermissionMissing
            | ReasonCode::ScopeTagMismatch
            | ReasonCode::ScopeGroupMismatch => Side::Intune,
            ReasonCode::CloudOnlyAccount
            | ReasonCode::NotDiscovered
            | ReasonCode::ConfigmgrAdminMissing
            | ReasonCode::ConfigmgrPermissionMissing
            | ReasonCode::ConfigmgrClassPermissionMissing
            | ReasonCode::NoRunnableScript => Side::ConfigMgr,
        }
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The part of the evaluation a condition belongs to, in evaluation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Side {
    /// R-F3: the feature must exist at the hierarchy's version.
    Availability,
    /// R-U, R-F0: the device must be uploaded.
    Upload,
    /// R-S2: the device must carry a tag.
    DeviceTags,
    /// R-F5 (rulebook 3): the device's client must be recent enough.
    Client,
    /// R-F6 (rulebook 3): the SMS Provider must not require multi-factor authentication.
    Provider,
    /// R-I: Intune RBAC.
    Intune,
    /// R-G: ConfigMgr RBAC (`combined` mode).
    ConfigMgr,
}

/// One failed condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Reason {
    /// The stable code.
    pub code: ReasonCode,
    /// What failed, in words, naming the objects involved.
    pub detail: String,
    /// The rule id.
    pub rule: &'static str,
}

/// What a grant is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GrantKind {
    /// The device is uploaded (R-U): by the upload collection or all devices.
    Upload,
    /// An Entra directory role holding every Intune permission (R-I1).
    DirectoryRole,
    /// An Intune role assignment (R-I2..R-I6).
    IntuneAssignment,
    /// A ConfigMgr association: administrative user × security role × collection (R-G4).
    ConfigmgrAssociation,
    /// A ConfigMgr role granting operations on another secured class (R-G6).
    ConfigmgrClass,
    /// A script the user may run from the admin center (R-G7).
    ConfigmgrScript,
}

/// One thing that made an allow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Grant {
    /// In words.
    pub detail: String,
    /// Its id: a collection id, a directory role, an assignment id, or
    /// `ADMIN_ID/ROLE_ID/COLLECTION_ID` for a ConfigMgr association.
    pub id: String,
    /// What it is.
    pub kind: GrantKind,
}

/// A precondition Microsoft's pages state that a snapshot cannot see (R-F6, rulebook 3):
/// reported on an allowed decision, never a deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AdvisoryCode {
    /// Timeline needs the Endpoint analytics data collection client setting.
    EndpointAnalyticsDataCollection,
    /// BitLocker recovery keys need a ConfigMgr BitLocker management policy on the device.
    BitlockerManagementPolicy,
    /// Application actions need the client online.
    ClientOnline,
    /// CMPivot and scripts need PowerShell on the client (CMPivot: 4 or later) and a recent
    /// client.
    PowershellOnClient,
    /// The acting features and the applications, CMPivot and scripts pages fail with HTTP 403
    /// when the SMS Provider requires multi-factor authentication (a known issue); the
    /// snapshot does not say (`hierarchy.sms_provider_mfa`).
    SmsProviderMfa,
}

impl AdvisoryCode {
    /// The snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            AdvisoryCode::EndpointAnalyticsDataCollection => "endpoint_analytics_data_collection",
            AdvisoryCode::BitlockerManagementPolicy => "bitlocker_management_policy",
            AdvisoryCode::ClientOnline => "client_online",
            AdvisoryCode::PowershellOnClient => "powershell_on_client",
            AdvisoryCode::SmsProviderMfa => "sms_provider_mfa",
        }
    }
}

impl fmt::Display for AdvisoryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One advisory on an allowed decision (R-F6): what else must hold, with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Advisory {
    /// The stable code.
    pub code: AdvisoryCode,
    /// What must hold, in words, with the page that says so.
    pub detail: String,
    /// The rule id (`R-F6`).
    pub rule: &'static str,
}

/// A rule the decision could not evaluate for lack of data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NotEvaluated {
    /// What is missing, in words.
    pub detail: String,
    /// The rule id.
    pub rule: &'static str,
}

/// The answer for one (user, device, feature): `check`'s JSON document, field for field
/// (serialized with its keys in sorted order), and its text through [`fmt::Display`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Decision {
    /// For an allow, the preconditions the snapshot cannot see (R-F6); empty for a deny.
    /// Absent from a decision stored before rulebook 3, it reads back empty.
    #[serde(default)]
    pub advisories: Vec<Advisory>,
    /// Whether the admin center allows it.
    pub allowed: bool,
    /// The device's name.
    pub device: String,
    /// The feature.
    pub feature: Feature,
    /// For an allow, what granted it; empty for a deny.
    pub grants: Vec<Grant>,
    /// The mode (R-M1).
    pub mode: Mode,
    /// Rules that were not evaluated for lack of data (e.g. R-G7 without
    /// `configmgr.scripts`), so the answer holds only under that gap.
    pub not_evaluated: Vec<NotEvaluated>,
    /// The policy knobs the decision depended on, with their values.
    pub policy: BTreeMap<String, serde_json::Value>,
    /// For a deny, every failed condition in evaluation order; empty for an allow.
    pub reasons: Vec<Reason>,
    /// The device's resource id.
    pub resource_id: u32,
    /// The user's UPN.
    pub user: String,
    /// The user's Entra id.
    pub user_id: String,
}

impl Decision {
    /// The reason codes, in order.
    pub fn codes(&self) -> impl Iterator<Item = ReasonCode> + '_ {
        self.reasons.iter().map(|r| r.code)
    }
}

impl fmt::Display for Decision {
    /// The explanation as `tenant-attach check` prints it (without colour, and without a
    /// final line break): `ALLOWED …` with every grant, or `DENIED …` with every failed
    /// condition, then the knobs. Every name and detail is escaped ([`crate::text::escape`]):
    /// one line per line.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let (bob, ws4) = (engine.find_user("bob@contoso.com")?, engine.find_device("CON-WS-004")?);
    /// let text = engine.check(bob, ws4, Feature::SyncMachinePolicy).to_string();
    /// assert!(text.starts_with("DENIED bob@contoso.com can't run Sync Machine Policy on CON-WS-004"));
    /// assert!(text.lines().last().is_some_and(|l| l.starts_with("Policy knobs used: ")));
    /// assert!(!text.ends_with('\n'));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        self.write_lines(&mut text)?;
        f.write_str(text.strip_suffix('\n').unwrap_or(&text))
    }
}

impl Decision {
    /// The text of [`fmt::Display`], one line break after every line.
    fn write_lines(&self, f: &mut String) -> fmt::Result {
        use crate::text::escape;
        use std::fmt::Write as _;
        let (who, dev, what) = (
            escape(&self.user),
            escape(&self.device),
            self.feature.phrase(),
        );
        let mode = self.mode.as_str();
        if self.allowed {
            writeln!(f, "ALLOWED {who} can {what} {dev} ({mode} mode).")?;
            for g in &self.grants {
                writeln!(f, "  granted by {}: {}", g.kind.label(), escape(&g.detail))?;
            }
        } else {
            match self.reasons.as_slice() {
                [] => writeln!(f, "DENIED {who} can't {what} {dev}.")?,
                [only] => {
                    writeln!(
                        f,
                        "DENIED {who} can't {what} {dev}: {} ({}).",
                        escape(&only.detail),
                        only.rule
                    )?;
                    writeln!(f, "  {} [{}] ({mode} mode)", only.code, only.rule)?;
                }
                [first, ..] => {
                    writeln!(
                        f,
                        "DENIED {who} can't {what} {dev}: {} ({}).",
                        escape(&first.detail),
                        first.rule
                    )?;
                    writeln!(
                        f,
                        "Every failed condition ({mode} mode), in evaluation order:"
                    )?;
                    for r in &self.reasons {
                        writeln!(f, "  {} [{}] {}", r.code, r.rule, escape(&r.detail))?;
                    }
                }
            }
        }
        for a in &self.advisories {
            writeln!(
                f,
                "  advisory [{}] {}: {}",
                a.rule,
                a.code,
                escape(&a.detail)
            )?;
        }
        for n in &self.not_evaluated {
            writeln!(f, "  not evaluated [{}]: {}", n.rule, escape(&n.detail))?;
        }
        if !self.policy.is_empty() {
            let knobs: Vec<String> = self
                .policy
                .iter()
                .map(|(k, v)| format!("{}={}", escape(k), escape(&v.to_string())))
                .collect();
            writeln!(f, "Policy knobs used: {}", knobs.join(", "))?;
        }
        Ok(())
    }
}

impl GrantKind {
    /// Which system granted, in words: `upload`, `directory role`, `Intune`, `ConfigMgr`.
    pub fn label(self) -> &'static str {
        match self {
            GrantKind::Upload => "upload",
            GrantKind::DirectoryRole => "directory role",
            GrantKind::IntuneAssignment => "Intune",
            GrantKind::ConfigmgrAssociation
            | GrantKind::ConfigmgrClass
            | GrantKind::ConfigmgrScript => "ConfigMgr",
        }
    }
}

/// [`Reason`] as read back from JSON: the rule id becomes the engine's static string.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonWire {
    code: ReasonCode,
    rule: String,
    detail: String,
}

// Written by hand: a derive would see the `&'static str` field and demand `'de: 'static`.
impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Reason, D::Error> {
        Reason::try_from(ReasonWire::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for NotEvaluated {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<NotEvaluated, D::Error> {
        NotEvaluated::try_from(NotEvaluatedWire::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<ReasonWire> for Reason {
    type Error = String;

    fn try_from(w: ReasonWire) -> Result<Reason, String> {
        Ok(Reason {
            code: w.code,
            rule: known_rule(&w.rule)?,
            detail: w.detail,
        })
    }
}

impl<'de> Deserialize<'de> for Advisory {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Advisory, D::Error> {
        let w = AdvisoryWire::deserialize(d)?;
        Ok(Advisory {
            code: w.code,
            rule: known_rule(&w.rule).map_err(serde::de::Error::custom)?,
            detail: w.detail,
        })
    }
}

/// [`Advisory`] as read back from JSON.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvisoryWire {
    code: AdvisoryCode,
    rule: String,
    detail: String,
}

/// [`NotEvaluated`] as read back from JSON.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NotEvaluatedWire {
    rule: String,
    detail: String,
}

impl TryFrom<NotEvaluatedWire> for NotEvaluated {
    type Error = String;

    fn try_from(w: NotEvaluatedWire) -> Result<NotEvaluated, String> {
        Ok(NotEvaluated {
            rule: known_rule(&w.rule)?,
            detail: w.detail,
        })
    }
}
