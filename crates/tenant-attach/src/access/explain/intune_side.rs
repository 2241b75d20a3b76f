//! The Intune side of an explanation (R-I1..R-I8, R-S, R-F2): every failed condition in
//! evaluation order, or the assignments and roles that granted.

use serde_json::json;

use super::super::intune::{self, TagReach};
use super::super::licence::{self, LicenceCase};
use super::super::{Profile, Requirement, directory_role_grant, role_name};
use super::{Explain, Outcome};
use crate::decision::{Grant, GrantKind, Mode, NotEvaluated, Reason, ReasonCode};
use crate::devices::DeviceNo;
use crate::features::Feature;
use crate::snapshot::PermissionMerge;

impl Explain<'_> {
    pub(super) fn intune_side(
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
        if p.licence_unknown_matters() {
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
                .push(super::super::reader_role_grant(r, &held.join(", ")));
        }
        if p.reader.is_some() && need.is_empty() {
            return;
        }
        if p.assignments.is_empty() {
            let upn = self.upn(p);
            let (code, rule, detail) = match (p.reached(), p.licence_case()) {
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
        let device_tags = || self.tag_names(a.intune.side.device_tags.row(d));
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
            let co_managed = a.intune.side.co_managed.contains(d);
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
            && p.licence_case() == LicenceCase::DirectOnly
            && !p.nested_only().is_empty()
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
            .nested_only()
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
}
