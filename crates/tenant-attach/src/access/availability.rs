//! What a feature needs of the site, the client and the SMS Provider beyond permissions
//! (rulebook 3): availability by site version, cloud and the scripts switch (R-F3), the
//! device's client version (R-F5), and the preconditions a snapshot cannot see (R-F6).

use roaring::RoaringBitmap;

use crate::decision::{Advisory, AdvisoryCode, ReasonCode};
use crate::devices::{DeviceIndex, DeviceNo};
use crate::features::Feature;
use crate::snapshot::{Cloud, Policy, Snapshot, UsGovernmentFeatures};

/// R-F3: the optional feature *Create and run scripts* is off by default up to this version.
pub const SCRIPTS_OPTIONAL_UNTIL: u32 = 2006;

/// Why a feature does not exist on a hierarchy (R-F3), in the order it is checked: the first
/// that fails is the only reason of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Unavailable {
    /// The site version is older than the feature's *since*.
    Version,
    /// The hierarchy is on the US Government cloud, where the feature is not documented.
    UsGovernment,
    /// A site at 2006 or earlier with *Create and run scripts* switched off.
    ScriptsOff,
}

impl Unavailable {
    pub(crate) fn code(self) -> ReasonCode {
        match self {
            Unavailable::Version | Unavailable::UsGovernment => ReasonCode::FeatureUnavailable,
            Unavailable::ScriptsOff => ReasonCode::ScriptsFeatureDisabled,
        }
    }
}

/// R-F3: whether `f` exists on the hierarchy, with `since` its site version in force.
pub(crate) fn unavailable(
    f: Feature,
    since: u32,
    s: &Snapshot,
    policy: &Policy,
) -> Option<Unavailable> {
    let h = &s.hierarchy;
    if h.version < since {
        Some(Unavailable::Version)
    } else if h.cloud == Cloud::UsGovernment
        && policy.us_government_features == UsGovernmentFeatures::Documented
        && !f.on_us_government()
    {
        Some(Unavailable::UsGovernment)
    } else if scripts_switch_read(f, s) && h.scripts_feature_enabled == Some(false) {
        Some(Unavailable::ScriptsOff)
    } else {
        None
    }
}

/// R-F3: whether the scripts switch decides `f` on this hierarchy (2006 or earlier).
pub(crate) fn scripts_switch_read(f: Feature, s: &Snapshot) -> bool {
    f.needs_scripts_feature() && s.hierarchy.version <= SCRIPTS_OPTIONAL_UNTIL
}

/// R-F3: whether the decision rests on a scripts switch the snapshot does not give.
pub(crate) fn scripts_switch_unknown(f: Feature, s: &Snapshot) -> bool {
    scripts_switch_read(f, s) && s.hierarchy.scripts_feature_enabled.is_none()
}

/// R-F5: the devices whose known client version is older than `client_since`.
pub(crate) fn too_old(
    client_since: Option<u32>,
    s: &Snapshot,
    devices: &DeviceIndex,
) -> RoaringBitmap {
    let Some(since) = client_since else {
        return RoaringBitmap::new();
    };
    (0..devices.len() as DeviceNo)
        .filter(|d| {
            devices
                .position(*d)
                .and_then(|p| s.devices.get(p))
                .and_then(|dev| dev.client_version)
                .is_some_and(|v| v < since)
        })
        .collect()
}

/// R-F6: whether the SMS Provider's multi-factor authentication, stated in the snapshot,
/// blocks `f`.
pub(crate) fn provider_mfa_blocks(f: Feature, s: &Snapshot) -> bool {
    s.hierarchy.sms_provider_mfa == Some(true) && f.blocked_by_provider_mfa()
}

/// R-F6: the advisories of an allowed decision on `f`, in a fixed order.
pub(crate) fn advisories(f: Feature, s: &Snapshot) -> Vec<Advisory> {
    let mut out = Vec::new();
    let mut push = |code: AdvisoryCode, detail: &str| {
        out.push(Advisory {
            code,
            rule: "R-F6",
            detail: detail.to_owned(),
        });
    };
    match f {
        Feature::Timeline => push(
            AdvisoryCode::EndpointAnalyticsDataCollection,
            "the timeline shows events only when the client setting Enable Endpoint analytics data collection is on for the device (timeline page); the snapshot does not say",
        ),
        Feature::BitlockerKeys => push(
            AdvisoryCode::BitlockerManagementPolicy,
            "recovery keys exist only for a device with a ConfigMgr BitLocker management policy (BitLocker recovery keys page); the snapshot does not say",
        ),
        Feature::ApplicationActions | Feature::ApplicationManagement => push(
            AdvisoryCode::ClientOnline,
            "application actions reach the device only while its client is online (applications page); the snapshot does not say",
        ),
        Feature::Cmpivot => push(
            AdvisoryCode::PowershellOnClient,
            "CMPivot needs PowerShell 4 or later and a recent ConfigMgr client on the device (CMPivot page); the snapshot does not say",
        ),
        Feature::RunScript => push(
            AdvisoryCode::PowershellOnClient,
            "scripts need PowerShell and a recent ConfigMgr client on the device (scripts page); the snapshot does not say",
        ),
        _ => {}
    }
    if s.hierarchy.sms_provider_mfa.is_none() && f.blocked_by_provider_mfa() {
        push(
            AdvisoryCode::SmsProviderMfa,
            "this fails with HTTP 403 when the SMS Provider requires multi-factor authentication (a known issue); the snapshot does not say (`hierarchy.sms_provider_mfa`)",
        );
    }
    out
}
