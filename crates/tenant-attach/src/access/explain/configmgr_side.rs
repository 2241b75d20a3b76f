//! The ConfigMgr side of an explanation (R-G1..R-G7), `combined` mode only.

use std::collections::BTreeMap;

use serde_json::json;

use super::super::{Profile, Requirement, configmgr};
use super::{Explain, Outcome};
use crate::decision::{Grant, GrantKind, NotEvaluated, Reason, ReasonCode};
use crate::devices::DeviceNo;
use crate::features::{Feature, Operation};
use crate::snapshot::EntraUser;

impl Explain<'_> {
    pub(super) fn configmgr_side(
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
        // Issue 18: an answer that rests on associations the importer inferred says so.
        let inferred = a.inferred_admins(s, p.user);
        if !inferred.is_empty() {
            out.not_evaluated.push(NotEvaluated {
                rule: "R-G4",
                detail: format!(
                    "the associations of `{}` were inferred by the importer from a list call without `Permissions` (every role paired with every collection); their specific associations may grant less: export each SMS_Admin by key",
                    inferred.join("`, `")
                ),
            });
        }
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
