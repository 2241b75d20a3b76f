//! The explanation path (`Engine::check`): walks the same conditions as the fast path
//! (`Access::allows`) in evaluation order and writes down every failure, or the grants behind
//! an allow, and the policy knobs used. It may allocate; the fast path never does. The two are
//! kept equal by the property and differential tests.

use std::collections::BTreeMap;

use serde_json::json;

use super::intune::{self, TagReach};
use super::licence::{self, LicenceCase};
use super::{Access, Profile, Requirement, UserNo, directory_role_grant, role_name};
use super::{availability, configmgr};
use crate::collections::CollectionGraph;
use crate::decision::{Decision, Grant, GrantKind, Mode, NotEvaluated, Reason, ReasonCode};
use crate::devices::{DeviceIndex, DeviceNo};
use crate::features::{Feature, Operation};
use crate::snapshot::{EntraUser, PermissionMerge, Policy, Snapshot};
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
        let tagless = a.intune.tagless.contains(d);
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

    fn intune_side(
        &self,
        p: &Profile,
        req: &Requirement,
        (d, f): (DeviceNo, Feature),
        tagless: bool,
        out: &mut Outcome,
    ) {
        let a = self.access;
        let s = self.s;
        let dev = self.device_name(d);
        if let Some(role) = p.directory_role {
            out.grants.push(directory_role_grant(role));
            return;
        }
        if p.licence_unknown_matters {
            out.knobs.insert(
                String::from("licence_unknown"),
                json!(self.policy.licence_unknown.as_str()),
            );
            out.not_evaluated.push(NotEvaluated {
                rule: "R-I8",
                detail: format!(
                    "the snapshot does not say whether `{}` holds an Intune licence (`intune_licensed`), and that changes which role assignments apply; read as {} (licence_unknown)",
                    self.upn(p),
                    self.policy.licence_unknown.as_str()
                ),
            });
        }
        let start = out.reasons.len();
        // R-I1 (rulebook 3): a reader role's permissions need no assignment.
        let role = a.role_perms(p);
        if p.reader.is_some() {
            out.knobs.insert(
                String::from("entra_roles"),
                json!(self.policy.entra_roles.as_str()),
            );
        }
        let need: Vec<u32> = req
            .perms
            .iter()
            .copied()
            .filter(|q| role.is_none_or(|r| !r.contains(*q as usize)))
            .collect();
        let by_role: Vec<u32> = req
            .perms
            .iter()
            .copied()
            .filter(|q| role.is_some_and(|r| r.contains(*q as usize)))
            .collect();
        if let Some(r) = p.reader
            && !by_role.is_empty()
            && !out.denied()
        {
            let held: Vec<&str> = by_role.iter().map(|q| self.perm_name(*q)).collect();
            out.grants
                .push(super::reader_role_grant(r, &held.join(", ")));
        }
        if p.reader.is_some() && need.is_empty() {
            return;
        }
        if p.assignments.is_empty() {
            let upn = self.upn(p);
            let (code, rule, detail) = match (p.reached, p.licence) {
                (true, LicenceCase::Refused) => (
                    ReasonCode::NoIntuneLicense,
                    "R-I8",
                    format!(
                        "`{upn}` has no Intune licence and the tenant does not allow unlicensed admins: no Intune role assignment applies"
                    ),
                ),
                (true, LicenceCase::DirectOnly) => (
                    ReasonCode::UnlicensedNestedMembership,
                    "R-I8",
                    self.nested_detail(p),
                ),
                _ if p.reader.is_some() => {
                    for q in &need {
                        out.reasons.push(Reason {
                            code: ReasonCode::IntunePermissionMissing,
                            rule: "R-I3",
                            detail: format!(
                                "`{upn}` has no Intune role assignment, and its Entra role holds only {} (R-I1): nothing holds {}",
                                by_role.iter().map(|q| self.perm_name(*q)).collect::<Vec<_>>().join(", "),
                                self.perm_name(*q)
                            ),
                        });
                    }
                    return;
                }
                _ => (
                    ReasonCode::NoIntuneRole,
                    "R-I2",
                    format!(
                        "no Intune role assignment applies to `{upn}` (directly or through nested groups)"
                    ),
                ),
            };
            out.reasons.push(Reason { code, rule, detail });
            return;
        }
        let assignments: Vec<&intune::Assignment> = p
            .assignments
            .iter()
            .filter_map(|i| a.intune.assignments.get(*i as usize))
            .collect();
        if a.mode == Mode::IntuneOnly {
            out.knobs.insert(
                String::from("intune_only_ignores_scope_tags"),
                json!(self.policy.intune_only_ignores_scope_tags),
            );
        }
        let check_tags = a.check_tags && !tagless;
        if check_tags && assignments.iter().any(|x| x.untagged) {
            out.knobs.insert(
                String::from("untagged_assignment"),
                json!(self.policy.untagged_assignment.as_str()),
            );
        }
        let tag_list = |t: &TagReach| match t {
            TagReach::All => String::from("all tags (untagged)"),
            TagReach::Tags(t) => self.tag_names(t),
        };
        // Written only into a scope-tag mismatch's explanation.
        let device_tags = || self.tag_names(a.intune.device_tags.row(d));
        let mut used: Vec<usize> = Vec::new();
        let mut any_held = false;
        for q in &need {
            let holders: Vec<&&intune::Assignment> = assignments
                .iter()
                .filter(|x| x.perms.contains(*q as usize))
                .collect();
            if holders.is_empty() {
                out.reasons.push(Reason {
                    code: ReasonCode::IntunePermissionMissing,
                    rule: "R-I3",
                    detail: format!(
                        "none of the Intune roles of `{}` holds {}",
                        self.upn(p),
                        self.perm_name(*q)
                    ),
                });
                continue;
            }
            any_held = true;
            match a.merge {
                PermissionMerge::Merged => used.extend(holders.iter().map(|x| x.position)),
                PermissionMerge::Scoped => {
                    let reaching: Vec<&&&intune::Assignment> = holders
                        .iter()
                        .filter(|x| !check_tags || a.intune.reaches(&x.tags, d))
                        .collect();
                    if reaching.is_empty() {
                        out.reasons.push(Reason {
                            code: ReasonCode::ScopeTagMismatch,
                            rule: "R-I4",
                            detail: format!(
                                "the assignments that hold {} carry scope tags {} and `{dev}` carries {} (scoped permissions: the tag must be on the same assignment)",
                                self.perm_name(*q),
                                holders.iter().map(|x| tag_list(&x.tags)).collect::<Vec<_>>().join("; "),
                                device_tags(),
                            ),
                        });
                    } else {
                        used.extend(reaching.iter().map(|x| x.position));
                    }
                }
            }
        }
        if a.merge == PermissionMerge::Merged && any_held && check_tags {
            if a.intune.reaches(&p.reach, d) {
                used.extend(
                    assignments
                        .iter()
                        .filter(|x| a.intune.reaches(&x.tags, d))
                        .map(|x| x.position),
                );
            } else {
                out.reasons.push(Reason {
                    code: ReasonCode::ScopeTagMismatch,
                    rule: "R-I5",
                    detail: format!(
                        "the assignments of `{}` carry scope tags {} and `{dev}` carries {}",
                        self.upn(p),
                        tag_list(&p.reach),
                        device_tags()
                    ),
                });
            }
        }
        if f.is_acting() {
            let co_managed = a.intune.co_managed.contains(d);
            if !co_managed {
                out.knobs.insert(
                    String::from("scope_groups_apply_to_attached"),
                    json!(a.scope_groups_on_attached),
                );
            }
            if a.scope_groups_apply(f, d) {
                for q in req.acting.iter().filter(|q| need.contains(q)) {
                    let holders: Vec<&&intune::Assignment> = assignments
                        .iter()
                        .filter(|x| x.perms.contains(*q as usize))
                        .collect();
                    if holders.is_empty() {
                        continue;
                    }
                    if !holders.iter().any(|x| a.intune.covers(&x.cover, d)) {
                        out.reasons.push(Reason {
                            code: ReasonCode::ScopeGroupMismatch,
                            rule: "R-I6",
                            detail: format!(
                                "no assignment that holds {} has `{dev}` in its scope (groups)",
                                self.perm_name(*q)
                            ),
                        });
                    }
                }
            }
        }
        if out.reasons.len() > start
            && p.licence == LicenceCase::DirectOnly
            && !p.nested_only.is_empty()
        {
            // R-I8: the nested assignments would not be enough reason alone; named first.
            out.reasons.insert(
                start,
                Reason {
                    code: ReasonCode::UnlicensedNestedMembership,
                    rule: "R-I8",
                    detail: self.nested_detail(p),
                },
            );
        }
        if out.denied() {
            return;
        }
        // By assignment id, so the text follows the content, not the file order.
        used.sort_unstable();
        used.dedup();
        used.sort_by(|x, y| {
            let id = |p: &usize| s.intune.role_assignments.get(*p).map(|a| a.id.as_str());
            id(x).cmp(&id(y))
        });
        for pos in used {
            let Some(sa) = s.intune.role_assignments.get(pos) else {
                continue;
            };
            // One of the user's own assignments (a few), not a search of the tenant's.
            let Some(ca) = assignments.iter().find(|x| x.position == pos) else {
                continue;
            };
            let mut detail = format!(
                "assignment `{}` (role `{}`, scope tags {})",
                sa.name,
                role_name(s, ca.definition),
                tag_list(&ca.tags),
            );
            let mut held = need
                .iter()
                .filter(|q| ca.perms.contains(**q as usize))
                .peekable();
            if held.peek().is_none() {
                detail.push_str(" reaches the device");
            } else {
                detail.push_str(" grants ");
                for (i, q) in held.enumerate() {
                    detail.push_str(if i == 0 { "" } else { ", " });
                    detail.push_str(self.perm_name(*q));
                }
            }
            out.grants.push(Grant {
                kind: GrantKind::IntuneAssignment,
                id: sa.id.clone(),
                detail,
            });
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

    /// R-I8's explanation: the assignments an unlicensed user reaches only through nested
    /// groups, each with the groups it goes through.
    fn nested_detail(&self, p: &Profile) -> String {
        let a = self.access;
        let s = self.s;
        let group = |g: u32| {
            s.entra
                .groups
                .get(g as usize)
                .map_or("?", |g| g.name.as_str())
        };
        let mut nested: Vec<(&str, String)> = p
            .nested_only
            .iter()
            .filter_map(|x| {
                let ca = a.intune.assignments.get(*x as usize)?;
                let sa = s.intune.role_assignments.get(ca.position)?;
                let path = licence::nesting_path(&a.intune, p.user as usize, *x);
                // "through `night shift`, nested in `Helpdesk`": from the user's own group up.
                let mut through = String::new();
                for (i, g) in path.iter().enumerate() {
                    through.push_str(if i == 0 { "`" } else { ", nested in `" });
                    through.push_str(group(*g));
                    through.push('`');
                }
                Some((
                    sa.id.as_str(),
                    format!("assignment `{}` only through the group {through}", sa.name),
                ))
            })
            .collect();
        nested.sort();
        let list: Vec<String> = nested.into_iter().map(|(_, t)| t).collect();
        format!(
            "`{}` has no Intune licence and reaches {}; with unlicensed admins allowed, assignments apply to direct members only",
            self.upn(p),
            list.join(", and ")
        )
    }

    fn configmgr_side(
        &self,
        p: &Profile,
        user: &EntraUser,
        req: &Requirement,
        (d, f): (DeviceNo, Feature),
        out: &mut Outcome,
    ) {
        let a = self.access;
        let s = self.s;
        let dev = self.device_name(d);
        if user.on_premises_sid.is_some() {
            out.knobs.insert(
                String::from("discovery_required"),
                json!(self.policy.discovery_required.as_str()),
            );
        }
        let g = match p.configmgr_gate(req) {
            Err(ReasonCode::CloudOnlyAccount) => {
                out.reasons.push(Reason {
                    code: ReasonCode::CloudOnlyAccount,
                    rule: "R-G1",
                    detail: format!("`{}` is a cloud-only account: ConfigMgr RBAC is enforced and needs a hybrid identity synced from AD", user.upn),
                });
                return;
            }
            Err(ReasonCode::NotDiscovered) => {
                out.reasons.push(Reason {
                    code: ReasonCode::NotDiscovered,
                    rule: "R-G2",
                    detail: self.discovery_detail(p, user, req, f),
                });
                return;
            }
            Err(_) => {
                out.reasons.push(Reason {
                    code: ReasonCode::ConfigmgrAdminMissing,
                    rule: "R-G3",
                    detail: format!("no ConfigMgr administrative user matches the SID of `{}` or of its AD groups", user.upn),
                });
                return;
            }
            Ok(g) => g,
        };
        // R-G4: per Collection operation; grants keyed by ids so the text follows the content,
        // not the file order.
        type Holder<'s> = (
            &'s crate::snapshot::ConfigMgrAdmin,
            &'s crate::snapshot::ConfigMgrRole,
            u32,
        );
        let mut used: BTreeMap<(u32, &str, &str), (Holder<'_>, Vec<Operation>)> = BTreeMap::new();
        let mut collection_failed = false;
        let mut last_list: Option<(&[u32], String)> = None;
        for op in req.ops.iter() {
            let holding: Vec<u32> = g
                .collections(op)
                .iter()
                .copied()
                .filter(|c| self.graph.members_of(*c).has(d))
                .collect();
            if holding.is_empty() {
                collection_failed = true;
                let elsewhere = g.collections(op);
                let detail = if elsewhere.is_empty() {
                    format!(
                        "no ConfigMgr role of `{}` grants {} on any collection",
                        user.upn,
                        op.display_name()
                    )
                } else {
                    // Operations granted on the same collections share one list.
                    let listed = match &last_list {
                        Some((cols, text)) if *cols == elsewhere => text.clone(),
                        _ => {
                            let text = self.collection_list(elsewhere);
                            last_list = Some((elsewhere, text.clone()));
                            text
                        }
                    };
                    format!(
                        "the ConfigMgr roles of `{}` grant {} only on {listed}, which do not contain `{dev}`",
                        user.upn,
                        op.display_name(),
                    )
                };
                out.reasons.push(Reason {
                    code: ReasonCode::ConfigmgrPermissionMissing,
                    rule: "R-G4",
                    detail,
                });
                continue;
            }
            if out.denied() {
                continue; // the grants behind this operation would not be reported
            }
            for admin in &g.admins {
                for pair in a.configmgr.pairs.get(*admin as usize).into_iter().flatten() {
                    if pair.ops.contains(op)
                        && holding.contains(&pair.collection)
                        && let (Some(ad), Some(r)) = (
                            s.configmgr.admins.get(pair.admin as usize),
                            s.configmgr.roles.get(pair.role as usize),
                        )
                    {
                        used.entry((ad.id, r.id.as_str(), self.graph.id_of(pair.collection)))
                            .or_insert_with(|| ((ad, r, pair.collection), Vec::new()))
                            .1
                            .push(op);
                    }
                }
            }
        }
        if out.denied() {
            used.clear(); // a deny reports no grants
        }
        for ((_, _, collection), ((ad, r, c), ops)) in used {
            out.grants.push(Grant {
                kind: GrantKind::ConfigmgrAssociation,
                id: format!("{}/{}/{}", ad.id, r.id, collection),
                detail: format!(
                    "`{}`: role `{}` on collection {} grants {}{}",
                    ad.account,
                    r.name,
                    self.collection_label(c),
                    ops.iter()
                        .map(|o| o.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    if r.id == configmgr::FULL_ADMINISTRATOR {
                        " (Full Administrator, R-G5)"
                    } else {
                        ""
                    }
                ),
            });
        }
        if collection_failed {
            return; // R-G4 stops R-G6 and R-G7.
        }

        // R-G6: operations on other secured classes, one reason per missing one.
        let mut class_failed = false;
        for (class, op) in req.classes.iter() {
            if !g.classes.contains((class, op)) {
                class_failed = true;
                out.reasons.push(Reason {
                    code: ReasonCode::ConfigmgrClassPermissionMissing,
                    rule: "R-G6",
                    detail: format!(
                        "no ConfigMgr role of `{}` grants {} on the {} class ({class}: {op})",
                        user.upn,
                        op.display_name(),
                        class.display_name()
                    ),
                });
                continue;
            }
            if out.denied() {
                continue;
            }
            if let Some((ad, r)) = self.class_holder(g, (class, op)) {
                out.grants.push(Grant {
                    kind: GrantKind::ConfigmgrClass,
                    id: format!("{}/{}/{class}:{op}", ad.id, r.id),
                    detail: format!(
                        "`{}`: role `{}` grants {} on {} (R-G6)",
                        ad.account,
                        r.name,
                        op.display_name(),
                        class.display_name()
                    ),
                });
            }
        }
        if class_failed {
            return; // R-G6 stops R-G7.
        }

        // R-G7: a script the admin center would list.
        if f == Feature::RunScript {
            if !req.script {
                out.not_evaluated.push(NotEvaluated {
                    rule: "R-G7",
                    detail: String::from("the snapshot does not list `configmgr.scripts`: whether an approved script without parameters is available to the user's scopes was not checked"),
                });
            } else if let Some((ad, script)) = self.runnable_script(g) {
                out.grants.push(Grant {
                    kind: GrantKind::ConfigmgrScript,
                    id: script.id.clone(),
                    detail: format!(
                        "script `{}` is approved, has no parameters and is in the scopes of `{}` (R-G7)",
                        script.name, ad.account
                    ),
                });
            } else {
                out.reasons.push(Reason {
                    code: ReasonCode::NoRunnableScript,
                    rule: "R-G7",
                    detail: format!(
                        "no approved script without parameters is in the security scopes of an administrative user of `{}` that holds Read on SMS Scripts",
                        user.upn
                    ),
                });
            }
        }
    }

    /// R-G2's explanation: what was found, what the feature needed, what is missing.
    fn discovery_detail(
        &self,
        p: &Profile,
        user: &EntraUser,
        req: &Requirement,
        f: Feature,
    ) -> String {
        let (ad, entra) = p.discovery;
        let found = match (ad, entra) {
            (true, true) => "both AD and Entra user discovery",
            (true, false) => "AD user discovery only",
            (false, true) => "Entra user discovery only",
            (false, false) => "neither AD nor Entra user discovery",
        };
        let (needs, missing) = if req.both_discoveries {
            let missing = match (ad, entra) {
                (true, false) => "Entra user discovery is missing",
                (false, true) => "AD user discovery is missing",
                _ => "both are missing",
            };
            ("both AD and Entra user discovery", missing)
        } else {
            ("AD or Entra user discovery", "neither has found the user")
        };
        format!(
            "`{}` was found by {found}; {} (version {}, discovery_required `{}`) needs {needs}: {missing}",
            user.upn,
            f.display_name(),
            self.s.hierarchy.version,
            self.policy.discovery_required.as_str()
        )
    }

    /// The first (by admin id, role id) mapped admin and role granting a class operation.
    fn class_holder(
        &self,
        g: &configmgr::Grants,
        p: crate::features::ClassPermission,
    ) -> Option<(
        &crate::snapshot::ConfigMgrAdmin,
        &crate::snapshot::ConfigMgrRole,
    )> {
        let s = self.s;
        let a = self.access;
        let mut found: Vec<(
            &crate::snapshot::ConfigMgrAdmin,
            &crate::snapshot::ConfigMgrRole,
        )> = Vec::new();
        for admin in &g.admins {
            let Some(ad) = s.configmgr.admins.get(*admin as usize) else {
                continue;
            };
            for r in a
                .configmgr
                .admin_roles
                .get(*admin as usize)
                .map_or(&[][..], |x| x.roles.as_slice())
            {
                if a.configmgr
                    .role_classes
                    .get(*r as usize)
                    .is_some_and(|c| c.contains(p))
                    && let Some(role) = s.configmgr.roles.get(*r as usize)
                {
                    found.push((ad, role));
                }
            }
        }
        found
            .into_iter()
            .min_by(|x, y| (x.0.id, &x.1.id).cmp(&(y.0.id, &y.1.id)))
    }

    /// The first (by admin id, script id) runnable script a mapped admin meets (R-G7).
    fn runnable_script(
        &self,
        g: &configmgr::Grants,
    ) -> Option<(&crate::snapshot::ConfigMgrAdmin, &crate::snapshot::Script)> {
        let s = self.s;
        let scripts = s.configmgr.scripts.as_deref()?;
        g.admins
            .iter()
            .filter_map(|admin| {
                let ad = s.configmgr.admins.get(*admin as usize)?;
                let script = self
                    .access
                    .configmgr
                    .admin_script
                    .get(*admin as usize)?
                    .as_ref()?;
                Some((ad, scripts.get(*script as usize)?))
            })
            .min_by(|x, y| (x.0.id, &x.1.id).cmp(&(y.0.id, &y.1.id)))
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
