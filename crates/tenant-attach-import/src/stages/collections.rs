//! Stage: collections (`SMS_Collection`, `SMS_FullCollectionMembership`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use tenant_attach::snapshot::{Collection, CollectionRule, CollectionType, QueryRule};

use crate::constants::{
    COLLECTION_TYPE_DEVICE, COLLECTION_TYPE_OTHER, COLLECTION_TYPE_USER, RESOURCE_TYPE_USER_GROUP,
};
use crate::error::{Location, Report};
use crate::exports;
use crate::records::Record;
use crate::stages::cm_devices::Devices;
use crate::stages::discovery::Discovery;

/// The collections of the device graph, and the type-0 ones kept out of it.
#[derive(Debug, Default)]
pub(crate) struct Collections {
    pub list: Vec<Collection>,
    /// Uppercase id → index in `list`.
    by_id: HashMap<String, usize>,
    /// Uppercase id → (id, name) of the collections of type 0 (other).
    other: BTreeMap<String, (String, String)>,
    /// Where each collection of `list` was defined.
    at: Vec<Location>,
}

/// What a collection reference resolves to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// A user or device collection: its id as `SMS_Collection` spells it.
    Collection(String),
    /// A collection of type 0 (other), outside the device graph.
    Other(String),
    /// Nothing.
    Unknown,
}

impl Collections {
    /// A collection by id, case-insensitively.
    pub fn by_id(&self, id: &str) -> Found {
        let key = id.to_uppercase();
        if let Some(c) = self.by_id.get(&key).and_then(|i| self.list.get(*i)) {
            Found::Collection(c.id.clone())
        } else if let Some((id, _)) = self.other.get(&key) {
            Found::Other(id.clone())
        } else {
            Found::Unknown
        }
    }

    fn kind(&self, id: &str) -> Option<CollectionType> {
        self.by_id
            .get(&id.to_uppercase())
            .and_then(|i| self.list.get(*i))
            .map(|c| c.kind)
    }

    /// Collections by name, case-insensitively: every match (names should be unique).
    pub fn by_name(&self, name: &str) -> Vec<Found> {
        let mut out: Vec<Found> = self
            .list
            .iter()
            .filter(|c| c.name.eq_ignore_ascii_case(name))
            .map(|c| Found::Collection(c.id.clone()))
            .collect();
        out.extend(
            self.other
                .values()
                .filter(|(_, n)| n.eq_ignore_ascii_case(name))
                .map(|(id, _)| Found::Other(id.clone())),
        );
        out
    }
}

/// The collection rule kinds, matched on the `@odata.type` suffix or, without one (PowerShell
/// exports), on the fields present.
enum RuleKind {
    Direct,
    Query,
    Include,
    Exclude,
}

fn rule_kind(rule: &Record) -> Option<RuleKind> {
    if let Some(t) = rule
        .opt_str("@odata.type")
        .or_else(|| rule.opt_str("__CLASS"))
    {
        let t = t.to_lowercase();
        if t.ends_with("direct") {
            return Some(RuleKind::Direct);
        }
        if t.ends_with("query") {
            return Some(RuleKind::Query);
        }
        if t.ends_with("includecollection") || t.ends_with("include") {
            return Some(RuleKind::Include);
        }
        if t.ends_with("excludecollection") || t.ends_with("exclude") {
            return Some(RuleKind::Exclude);
        }
    }
    if rule.get("IncludeCollectionID").is_some() {
        Some(RuleKind::Include)
    } else if rule.get("ExcludeCollectionID").is_some() {
        Some(RuleKind::Exclude)
    } else if rule.get("QueryExpression").is_some() {
        Some(RuleKind::Query)
    } else if rule.get("ResourceID").is_some() {
        Some(RuleKind::Direct)
    } else {
        None
    }
}

/// One collection's rules; the query rules become one query rule (members filled later).
fn rules(
    r: &Record,
    key: &str,
    kind: CollectionType,
    raw: &[serde_json::Value],
    report: &mut Report,
) -> Vec<CollectionRule> {
    let mut rules = Vec::new();
    let mut query_names = Vec::new();
    let mut wql = Vec::new();
    for (i, raw) in raw.iter().enumerate() {
        let Some(rule) = r.nested(raw) else {
            report.error(r.fail(key, &format!("CollectionRules[{i}]"), "expected an object"));
            continue;
        };
        let field = |f: &str| format!("CollectionRules[{i}].{f}");
        match rule_kind(&rule) {
            Some(RuleKind::Direct) => match rule.opt_u32("ResourceID") {
                Some(d) if kind == CollectionType::Device => {
                    rules.push(CollectionRule::Direct(vec![d]));
                }
                Some(_) => {} // user resources: not devices
                None => report.error(r.fail(
                    key,
                    &field("ResourceID"),
                    "a direct rule needs an unsigned ResourceID",
                )),
            },
            Some(RuleKind::Query) => {
                query_names.push(rule.opt_str("RuleName").unwrap_or_default());
                if let Some(q) = rule.opt_str("QueryExpression") {
                    wql.push(q);
                }
            }
            Some(RuleKind::Include) => match rule.opt_str("IncludeCollectionID") {
                Some(t) => rules.push(CollectionRule::Include(t)),
                None => report.error(r.fail(
                    key,
                    &field("IncludeCollectionID"),
                    "required field is missing",
                )),
            },
            Some(RuleKind::Exclude) => match rule.opt_str("ExcludeCollectionID") {
                Some(t) => rules.push(CollectionRule::Exclude(t)),
                None => report.error(r.fail(
                    key,
                    &field("ExcludeCollectionID"),
                    "required field is missing",
                )),
            },
            None => report.error(r.fail(
                key,
                &format!("CollectionRules[{i}]"),
                "unknown rule type: expected a direct, query, include or exclude rule",
            )),
        }
    }
    // The evaluated membership stands in for the query rules (WQL is kept for display).
    let name = if query_names.is_empty() {
        String::from("Evaluated membership (SMS_FullCollectionMembership)")
    } else {
        query_names.join(", ")
    };
    rules.insert(
        0,
        CollectionRule::Query(QueryRule {
            name,
            wql: (!wql.is_empty()).then(|| wql.join("\n")),
            members: Vec::new(),
        }),
    );
    rules
}

fn list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `SMS_Collection` and `SMS_FullCollectionMembership` → the collection graph. Members of
/// device collections without an `SMS_R_System` row become placeholder devices in `devices`.
pub(crate) fn collections(
    records: &[Record],
    membership: &[Record],
    devices: &mut Devices,
    discovery: &Discovery,
    report: &mut Report,
) -> Collections {
    let mut out = Collections::default();
    let mut rules_unknown: Vec<String> = Vec::new();
    let mut rules_empty: Vec<String> = Vec::new();
    for r in records {
        let mut errors = Vec::new();
        let id = r.str("", "CollectionID", &mut errors);
        let key = id.clone().unwrap_or_default();
        let name = r.str(&key, "Name", &mut errors);
        let kind = match r.u32(&key, "CollectionType", &mut errors) {
            Some(COLLECTION_TYPE_USER) => Some(Some(CollectionType::User)),
            Some(COLLECTION_TYPE_DEVICE) => Some(Some(CollectionType::Device)),
            Some(COLLECTION_TYPE_OTHER) => Some(None),
            Some(other) => {
                errors.push(r.fail(
                    &key,
                    "CollectionType",
                    format!("`{other}` is none of 0 (other), 1 (user) and 2 (device)"),
                ));
                None
            }
            None => None,
        };
        report.errors.extend(errors);
        let (Some(id), Some(name), Some(kind)) = (id, name, kind) else {
            continue;
        };
        let Some(kind) = kind else {
            out.other.insert(id.to_uppercase(), (id, name));
            continue;
        };
        let raw = match r.lazy_array(&key, "CollectionRules") {
            // A list call may also give `[]`: with members, the rules were not fetched.
            Ok(Some(raw)) if raw.is_empty() && kind == CollectionType::Device => {
                rules_empty.push(id.clone());
                raw
            }
            Ok(Some(raw)) => raw,
            Ok(None) => {
                // User collections are never uploaded: their rules do not matter.
                if kind == CollectionType::Device {
                    rules_unknown.push(id.clone());
                }
                Vec::new()
            }
            Err(e) => {
                report.error(e);
                Vec::new()
            }
        };
        let rules = rules(r, &key, kind, &raw, report);
        if out
            .by_id
            .insert(id.to_uppercase(), out.list.len())
            .is_some()
        {
            report.error(r.fail(
                &key,
                "CollectionID",
                format!("collection `{id}` appears twice"),
            ));
            continue;
        }
        out.at.push(r.at(&key));
        out.list.push(Collection {
            id,
            name,
            kind,
            limiting: r.opt_str("LimitToCollectionID"),
            rules,
        });
    }
    if !out.other.is_empty() {
        let names: Vec<String> = out
            .other
            .values()
            .map(|(id, n)| format!("`{id}` ({n})"))
            .collect();
        report.warn(format!(
            "SMS_Collection.json: collections of type 0 (other), neither user nor device, are left out of the collection graph: {}",
            names.join(", ")
        ));
    }

    let mut members: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    let mut unverified_groups: BTreeSet<u32> = BTreeSet::new();
    for r in membership {
        let mut errors = Vec::new();
        let coll = r.str("", "CollectionID", &mut errors);
        let res = r.u32("", "ResourceID", &mut errors);
        report.errors.extend(errors);
        let (Some(c), Some(d)) = (coll, res) else {
            continue;
        };
        let c = match out.by_id(&c) {
            Found::Collection(c) => c,
            Found::Other(_) => continue,
            Found::Unknown => {
                report.refer(
                    &exports::SMS_COLLECTION,
                    r.fail(
                        "",
                        "CollectionID",
                        format!("collection `{c}` is not in SMS_Collection"),
                    ),
                );
                continue;
            }
        };
        match out.kind(&c) {
            Some(CollectionType::Device) => {
                if !devices.contains(d) {
                    devices.placeholder(d, r.opt_str("Name"));
                }
                members.entry(c).or_default().insert(d);
            }
            // User collections hold users and user groups; the snapshot keeps no members
            // for them (they are never uploaded), but the members must exist.
            Some(CollectionType::User) => {
                if discovery.user_ids.contains(&d) {
                    continue;
                }
                match &discovery.group_ids {
                    Some(groups) if groups.contains(&d) => {}
                    Some(_) if !report.broken.contains(exports::SMS_R_USER.name) => report.refer(
                        &exports::SMS_R_USER_GROUP,
                        r.fail(
                            &c,
                            "ResourceID",
                            format!("resource `{d}` of user collection `{c}` is in neither SMS_R_User nor SMS_R_UserGroup"),
                        ),
                    ),
                    Some(_) => {}
                    None if r.opt_u32("ResourceType").is_none_or(|t| t == RESOURCE_TYPE_USER_GROUP) => {
                        unverified_groups.insert(d);
                    }
                    None => report.refer(
                        &exports::SMS_R_USER,
                        r.fail(
                            &c,
                            "ResourceID",
                            format!("resource `{d}` of user collection `{c}` is not in SMS_R_User"),
                        ),
                    ),
                }
            }
            None => {}
        }
    }
    rules_unknown.extend(
        rules_empty
            .into_iter()
            .filter(|c| members.get(c).is_some_and(|m| !m.is_empty())),
    );
    if !rules_unknown.is_empty() {
        report.warn(format!(
            "SMS_Collection.json: `CollectionRules` (a lazy property) is missing or empty for {}: their membership comes from SMS_FullCollectionMembership, but their include and exclude rules are unknown, so upload children follow the limiting relation only for them (fetch each collection by key, `SMS_Collection('ID')`, to keep them)",
            list(&rules_unknown)
        ));
    }
    if !devices.placeholders.is_empty() {
        let names: Vec<String> = devices
            .placeholders
            .iter()
            .map(|(id, n)| format!("{id} {n}"))
            .collect();
        report.warn(format!(
            "SMS_FullCollectionMembership.json: {} device collection members have no SMS_R_System row (built-in placeholders such as the Unknown Computers): kept as devices without a client, never uploaded: {}",
            names.len(),
            list(&names)
        ));
    }
    if !unverified_groups.is_empty() {
        let ids: Vec<String> = unverified_groups.iter().map(u32::to_string).collect();
        report.warn(format!(
            "SMS_FullCollectionMembership.json: {} user collection members are not in SMS_R_User and, without SMS_R_UserGroup.json, are taken as user groups: {}",
            ids.len(),
            list(&ids)
        ));
    }

    // Membership into the query rule; references must exist and are spelled as defined.
    let resolved: Vec<Found> = out
        .list
        .iter()
        .flat_map(|c| {
            c.rules
                .iter()
                .filter_map(|r| match r {
                    CollectionRule::Include(t) | CollectionRule::Exclude(t) => Some(t.clone()),
                    _ => None,
                })
                .chain(c.limiting.clone())
                .map(|t| out.by_id(&t))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut resolved = resolved.into_iter();
    for (c, at) in out.list.iter_mut().zip(&out.at) {
        if let Some(CollectionRule::Query(q)) = c.rules.first_mut() {
            q.members = members
                .remove(&c.id)
                .map(|m| m.into_iter().collect())
                .unwrap_or_default();
        }
        let mut fix = |t: &mut String, field: &str, found: Option<Found>| match found {
            Some(Found::Collection(id)) => *t = id,
            Some(Found::Other(_)) => report.error(at.clone().field(field).error(format!(
                "collection `{}` refers to collection `{t}`, which is of type 0 (other)",
                c.id
            ))),
            _ => report.error(at.clone().field(field).error(format!(
                "collection `{}` refers to collection `{t}`, which is not in SMS_Collection",
                c.id
            ))),
        };
        for rule in &mut c.rules {
            match rule {
                CollectionRule::Include(t) => fix(t, "IncludeCollectionID", resolved.next()),
                CollectionRule::Exclude(t) => fix(t, "ExcludeCollectionID", resolved.next()),
                _ => {}
            }
        }
        if let Some(l) = &mut c.limiting {
            fix(l, "LimitToCollectionID", resolved.next());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exports::{Export, SMS_COLLECTION, SMS_FULL_COLLECTION_MEMBERSHIP};
    use crate::records::{Source, read};
    use crate::stages::{cm_devices, discovery};

    fn records(export: &Export, text: &str) -> Vec<Record> {
        let mut errors = Vec::new();
        let r = read(
            &[Source::text(format!("{}.json", export.name), text)],
            export,
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        r.unwrap()
    }

    /// R-C1 from a list call: type 0 left out, placeholders for members without a system
    /// row, users and groups in user collections, lazy rules missing, references resolved
    /// case-insensitively; each with one warning.
    #[test]
    fn r_c1_membership_from_a_real_site_list_call() {
        let colls = records(
            &SMS_COLLECTION,
            r##"{"value":[
            {"CollectionID":"SMS00001","Name":"All Systems","CollectionType":2,"LimitToCollectionID":""},
            {"CollectionID":"SMS00004","Name":"All Users and User Groups","CollectionType":1,"LimitToCollectionID":""},
            {"CollectionID":"SMSOTHER","Name":"All Custom Resources","CollectionType":0},
            {"CollectionID":"PS100010","Name":"Servers","CollectionType":2,"LimitToCollectionID":"sms00001",
             "CollectionRules":[{"@odata.type":"#AdminService.SMS_CollectionRuleExcludeCollection","ExcludeCollectionID":"smsother"}]}]}"##,
        );
        let fcm = records(
            &SMS_FULL_COLLECTION_MEMBERSHIP,
            r#"[{"CollectionID":"SMS00001","ResourceID":1},{"CollectionID":"SMS00001","ResourceID":2046820352,"Name":"x86 Unknown Computer"},
                {"CollectionID":"sms00004","ResourceID":2063597571,"ResourceType":4},{"CollectionID":"SMS00004","ResourceID":2080374785,"ResourceType":3},
                {"CollectionID":"SMSOTHER","ResourceID":7}]"#,
        );
        let systems = records(
            &crate::exports::SMS_R_SYSTEM,
            r#"[{"ResourceID":1,"Name":"A","Client":1}]"#,
        );
        let users = records(
            &crate::exports::SMS_R_USER,
            r#"[{"ResourceId":2063597571,"SID":"S-1-5-21-1"}]"#,
        );
        let mut report = Report::default();
        let mut devices = cm_devices::devices(&systems, &mut report);
        let d = discovery::discovery(&users, None);
        let c = collections(&colls, &fcm, &mut devices, &d, &mut report);
        let ids: Vec<&str> = c.list.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["SMS00001", "SMS00004", "PS100010"]);
        assert_eq!(c.list[2].limiting.as_deref(), Some("SMS00001"));
        assert_eq!(devices.list.len(), 2);
        assert!(!devices.list[1].client);
        // The exclude rule names a type-0 collection: an error; the rest are warnings.
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        assert_eq!(report.errors[0].field(), "ExcludeCollectionID");
        assert_eq!(report.warnings.len(), 4, "{:#?}", report.warnings);
        assert!(report.warnings[0].contains("`SMSOTHER` (All Custom Resources)"));
        assert!(
            report.warnings[1].contains("`CollectionRules`")
                && report.warnings[1].contains("`SMS00001`")
        );
        assert!(report.warnings[2].contains("2046820352"));
        assert!(report.warnings[3].contains("taken as user groups: `2080374785`"));
    }
}
