//! The explanation path (`Engine::check`): walks the same conditions as the fast path
//! (`Access::allows`) in evaluation order and writes down every failure, or the grants behind
//! an allow, and the policy knobs used. It may allocate; the fast path never does. The two are
//! kept equal by the property and differential tests.

mod configmgr_side;
mod intune_side;

use std::collections::BTreeMap;

use serde_json::json;

use super::availability;
use super::{Access, Profile, Requirement, UserNo};
use crate::collections::CollectionGraph;
use crate::decision::{Decision, Grant, GrantKind, Mode, NotEvaluated, Reason, ReasonCode};
use crate::devices::{DeviceIndex, DeviceNo};
use crate::features::Feature;
use crate::snapshot::{EntraUser, Policy, Snapshot};
use crate::upload::{NotUploaded, UploadScope};

/// What the explanation collects: the failed conditions, the grants, the knobs used.
#[derive(Debug, Default)]
struct Outcome {
    reasons: Vec<Reason>,
    grants: Vec<Grant>,
    not_evaluated: Vec<NotEvaluated>,
    knobs: BTreeMap<String, serde_json::Value>,
}

impl Outcome {
    /// A condition has failed: the decision is a deny and its grants are not reported, so the
    /// rest of the walk collects reasons and knobs only (the grants' texts are not written).
    fn denied(&self) -> bool {
        !self.reasons.is_empty()
    }
}

/// The explanation path: slower, allocating, complete.
pub(crate) struct Explain<'a> {
    pub(crate) access: &'a Access,
    pub(crate) s: &'a Snapshot,
    /// The policy in force (the snapshot's, or a what-if's).
    pub(crate) policy: &'a Policy,
    pub(crate) upload: &'a UploadScope,
    pub(crate) graph: &'a CollectionGraph,
    pub(crate) devices: &'a DeviceIndex,
}

impl Explain<'_> {
    fn device_name(&self, d: DeviceNo) -> &str {
        self.devices
            .position(d)
            .and_then(|p| self.s.devices.get(p))
            .map_or("?", |d| d.name.as_str())
    }

    /// Appends a collection as `` `name` (id) ``.
    fn push_collection_label(&self, text: &mut String, c: u32) {
        let name = self
            .s
            .collections
            .get(c as usize)
            .map_or("?", |c| c.name.as_str());
        text.push('`');
        text.push_str(name);
        text.push_str("` (");
        text.push_str(self.graph.id_of(c));
        text.push(')');
    }

    fn collection_label(&self, c: u32) -> String {
        let mut text = String::new();
        self.push_collection_label(&mut text, c);
        text
    }

    /// Collections as `` `name` (id), `name` (id) ``, in id order.
    fn collection_list(&self, cols: &[u32]) -> String {
        let mut sorted = cols.to_vec();
        sorted.sort_by(|x, y| self.graph.id_of(*x).cmp(self.graph.id_of(*y)));
        let mut text = String::with_capacity(sorted.len() * 32);
        for (i, c) in sorted.iter().enumerate() {
            text.push_str(if i == 0 { "" } else { ", " });
            self.push_collection_label(&mut text, *c);
        }
        text
    }

    /// Scope tags as `` `a`, `b` ``.
    fn tag_names(&self, tags: &[u32]) -> String {
        let mut list = String::new();
        for (i, t) in tags.iter().enumerate() {
            list.push_str(if i == 0 { "`" } else { ", `" });
            list.push_str(self.access.intune.tag_name(*t));
            list.push('`');
        }
        list
    }

    fn upn(&self, p: &Profile) -> &str {
        self.s
            .entra
            .users
            .get(p.user as usize)
            .map_or("?", |u| u.upn.as_str())
    }

    /// An Intune permission's name without the common prefix.
    fn perm_name(&self, q: u32) -> &str {
        let name = self.access.intune.perms.name(q);
        name.strip_prefix(crate::features::INTUNE_PREFIX)
            .unwrap_or(name)
    }

    /// The explained decision: every failed condition in evaluation order, or the grants.
    pub(crate) fn decide(&self, u: UserNo, d: DeviceNo, f: Feature) -> Decision {
        let a = self.access;
        let s = self.s;
        let user = s.entra.users.get(u as usize);
        let p = a.profiles.get(u as usize);
        let req = a.requirement(f);
        let dev = self.device_name(d);
        let mut out = Outcome::default();
        for feature in [Feature::View, f] {
            if let Some(o) = self.policy.features.get(&feature) {
                out.knobs.insert(
                    format!("features.{feature}"),
                    serde_json::to_value(o).unwrap_or_default(),
                );
            }
        }

        // A handle the engine does not hold is denied, never allowed (fail closed).
        if p.is_none() || self.devices.position(d).is_none() {
            out.reasons.push(Reason {
                code: ReasonCode::UnknownHandle,
                rule: crate::decision::QUERY_RULE,
                detail: format!(
                    "user #{u} or device #{d} is not held by this engine ({} users, {} devices)",
                    a.profiles.len(),
                    self.devices.len()
                ),
            });
            return self.finish(user, d, f, out);
        }

        // 0. Availability (R-F3): nothing else is evaluated for a feature the site lacks.
        if f == Feature::ApplicationManagement {
            out.knobs.insert(
                String::from("application_actions_split"),
                json!(self.policy.application_actions_split.as_str()),
            );
        }
        if s.hierarchy.cloud == crate::snapshot::Cloud::UsGovernment
            && s.hierarchy.version >= req.since
        {
            out.knobs.insert(
                String::from("us_government_features"),
                json!(self.policy.us_government_features.as_str()),
            );
        }
        if let Some(why) = req.unavailable {
            out.reasons.push(Reason {
                code: why.code(),
                rule: "R-F3",
                detail: self.unavailable_detail(why, req, f),
            });
            return self.finish(user, d, f, out);
        }
        if availability::scripts_switch_unknown(f, s) {
            out.not_evaluated.push(NotEvaluated {
                rule: "R-F3",
                detail: format!(
                    "the snapshot does not say whether the optional feature Create and run scripts is on (`hierarchy.scripts_feature_enabled`); version {} does not enable it by default",
                    s.hierarchy.version
                ),
            });
        }

        // 1. Upload (R-F0, R-U).
        let client = self
            .devices
            .position(d)
            .and_then(|p| s.devices.get(p))
            .is_some_and(|d| d.client);
        if !self.upload.is_all_devices() {
            out.knobs.insert(
                String::from("child_relations"),
                json!(
                    crate::snapshot::ChildRelation::canonical(&self.policy.child_relations)
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                ),
            );
        }
        if self.upload.has(d) {
            let via = self.upload.via_no(d);
            let ids = via.iter().filter_map(|c| self.graph.id(*c));
            out.grants.push(Grant {
                kind: GrantKind::Upload,
                id: ids
                    .clone()
                    .next_back()
                    .map_or_else(|| String::from("all_devices"), str::to_owned),
                detail: if via.is_empty() {
                    format!("`{dev}` is uploaded: all devices with a client are (R-U3)")
                } else {
                    let mut detail = format!("`{dev}` is uploaded through ");
                    for (i, id) in ids.enumerate() {
                        detail.push_str(if i == 0 { "" } else { " → " });
                        detail.push_str(id);
                    }
                    detail.push_str(" (R-U4)");
                    detail
                },
            });
        } else {
            for r in self.upload.reasons_no(d, client) {
                out.reasons.push(Reason {
                    code: r.reason_code(),
                    rule: self.upload.rule(r),
                    detail: upload_detail(r, dev),
                });
            }
        }

        // 2. Device tags (R-S2).
        let tagless = a.intune.side.tagless.contains(d);
        if tagless {
            out.reasons.push(Reason {
                code: ReasonCode::MissingDefaultScopeTag,
                rule: "R-S2",
                detail: format!("`{dev}` is tenant-attached and its Default scope tag was removed: it is displayed to nobody"),
            });
        }

        // 2b. The client's version (R-F5) and the SMS Provider (R-F6).
        self.client_and_provider(req, d, f, &mut out);

        // 3. Intune (R-I, R-F2).
        if let Some(p) = p {
            self.intune_side(p, req, (d, f), tagless, &mut out);
        }

        // 4. ConfigMgr (R-G), combined mode only.
        if a.mode == Mode::Combined {
            out.knobs.insert(
                String::from("configmgr_gates_view"),
                json!(self.policy.configmgr_gates_view),
            );
            let row = f.default_requirement();
            if row.intune_combined != row.intune_only {
                out.knobs.insert(
                    String::from("combined_page_permissions"),
                    json!(self.policy.combined_page_permissions.as_str()),
                );
            }
            if let (Some(p), Some(user)) = (p, user) {
                self.configmgr_side(p, user, req, (d, f), &mut out);
            }
        }
        self.finish(user, d, f, out)
    }

    fn finish(&self, user: Option<&EntraUser>, d: DeviceNo, f: Feature, out: Outcome) -> Decision {
        let Outcome {
            reasons,
            mut grants,
            not_evaluated,
            knobs,
        } = out;
        let allowed = reasons.is_empty();
        if !allowed {
            grants.clear();
        }
        let advisories = if allowed && user.is_some() {
            availability::advisories(f, self.s)
        } else {
            Vec::new()
        };
        // Evaluation order of the systems; within one, the order each side chose by ids.
        grants.sort_by_key(|g| g.kind);
        let device = self.devices.position(d).and_then(|p| self.s.devices.get(p));
        Decision {
            user: user.map(|u| u.upn.clone()).unwrap_or_default(),
            user_id: user.map(|u| u.id.clone()).unwrap_or_default(),
            device: device.map(|d| d.name.clone()).unwrap_or_default(),
            resource_id: device.map_or(0, |d| d.resource_id),
            feature: f,
            mode: self.access.mode,
            allowed,
            reasons,
            grants,
            advisories,
            not_evaluated,
            policy: knobs,
        }
    }

    /// R-F3's explanation of an unavailable feature.
    fn unavailable_detail(
        &self,
        why: availability::Unavailable,
        req: &Requirement,
        f: Feature,
    ) -> String {
        let h = &self.s.hierarchy;
        match why {
            availability::Unavailable::Version => format!(
                "{} needs site version {} or later; the hierarchy's lowest site runs {}",
                f.display_name(),
                req.since,
                h.version
            ),
            availability::Unavailable::UsGovernment => format!(
                "{} is not among the tenant attach features documented for the US Government cloud (device sync and device actions; us_government_features `{}`)",
                f.display_name(),
                self.policy.us_government_features.as_str()
            ),
            availability::Unavailable::ScriptsOff => format!(
                "{} needs the optional feature Create and run scripts, which is off on this version {} site",
                f.display_name(),
                h.version
            ),
        }
    }

    /// R-F5 and R-F6: the device's client version and the SMS Provider's MFA.
    fn client_and_provider(&self, req: &Requirement, d: DeviceNo, f: Feature, out: &mut Outcome) {
        if let Some(since) = req.client_since {
            let version = self
                .devices
                .position(d)
                .and_then(|p| self.s.devices.get(p))
                .and_then(|dev| dev.client_version);
            match version {
                Some(v) if v < since => out.reasons.push(Reason {
                    code: ReasonCode::ClientVersionTooOld,
                    rule: "R-F5",
                    detail: format!(
                        "the ConfigMgr client of `{}` is version {v}; {} needs a client of {since} or later",
                        self.device_name(d),
                        f.display_name()
                    ),
                }),
                Some(_) => {}
                None => out.not_evaluated.push(NotEvaluated {
                    rule: "R-F5",
                    detail: format!(
                        "the snapshot does not give the client version of `{}` (`client_version`); {} needs a client of {since} or later",
                        self.device_name(d),
                        f.display_name()
                    ),
                }),
            }
        }
        if req.provider_mfa {
            out.reasons.push(Reason {
                code: ReasonCode::SmsProviderMfa,
                rule: "R-F6",
                detail: format!(
                    "the SMS Provider requires multi-factor authentication, and {} fails with HTTP 403 from the admin center (a known issue)",
                    f.display_name()
                ),
            });
        }
    }
}

fn upload_detail(r: NotUploaded, dev: &str) -> String {
    match r {
        NotUploaded::NotAttached => {
            String::from("the hierarchy is not attached: nothing is uploaded")
        }
        NotUploaded::UploadUnsupportedCloud => String::from(
            "the hierarchy's cloud (or its version on that cloud) cannot upload devices",
        ),
        NotUploaded::NotUploadedNoClient => {
            format!("`{dev}` has no ConfigMgr client, so it is not uploaded")
        }
        NotUploaded::NotUploadedOutOfScope => {
            format!("`{dev}` is in neither the upload collection nor its child collections")
        }
    }
}
