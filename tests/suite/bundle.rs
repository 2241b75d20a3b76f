//! The test-side export writer: a snapshot written out as the files a real exporter produces
//! (ConfigMgr AdminService classes and Graph beta lists), in the shape variants the importer
//! must accept. `variant` bits pick the shapes:
//!
//! - 1: ConfigMgr files as PowerShell `ConvertTo-Json` of CIM instances (bare arrays, WMI `__`
//!   properties and `Cim*` wrappers, no `@odata.type` on rules, `ResourceId` casing).
//! - 2: every file split into pages `NAME.1.json`, `NAME.2.json`.
//! - 4: pages as an array of envelopes in one file (when not split).
//! - 8: enum casing variants (`AllDevices`) and `scopeMembers` instead of `resourceScopes`.
//! - 16: Entra discovery shown by the agent name rather than `AADUserID`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use tenant_attach::Engine;
use tenant_attach::snapshot::*;
use tenant_attach_import::{Inputs, Source};

fn files(name: &str, items: Vec<Value>, variant: u32, powershell: bool) -> Vec<Source> {
    let source = |file: String, v: Value| Source {
        name: file,
        text: serde_json::to_string_pretty(&v).unwrap(),
    };
    let envelope = |items: &[Value]| json!({"@odata.context": format!("https://cm01.contoso.com/AdminService/wmi/$metadata#{name}"), "value": items});
    if powershell {
        // ConvertTo-Json of Get-CimInstance: a bare array (a single item is not wrapped).
        let items: Vec<Value> = items
            .into_iter()
            .map(|mut v| {
                if let Some(o) = v.as_object_mut() {
                    o.insert(String::from("__CLASS"), Value::from(name));
                    o.insert(String::from("__GENUS"), Value::from(2));
                    o.insert(
                        String::from("CimClass"),
                        Value::from(format!("root/sms/site_PS1:{name}")),
                    );
                    o.insert(String::from("CimInstanceProperties"), json!(["…"]));
                    o.insert(String::from("PSComputerName"), Value::Null);
                }
                v
            })
            .collect();
        let v = if items.len() == 1 {
            items.into_iter().next().unwrap()
        } else {
            Value::Array(items)
        };
        return vec![source(format!("{name}.json"), v)];
    }
    if variant & 2 != 0 && items.len() > 1 {
        let mid = items.len() / 2;
        return vec![
            source(format!("{name}.1.json"), envelope(&items[..mid])),
            source(format!("{name}.2.json"), envelope(&items[mid..])),
        ];
    }
    if variant & 4 != 0 && items.len() > 1 {
        let mid = items.len() / 2;
        return vec![source(
            format!("{name}.json"),
            json!([envelope(&items[..mid]), envelope(&items[mid..])]),
        )];
    }
    vec![source(format!("{name}.json"), envelope(&items))]
}

/// Writes `engine`'s snapshot as an export bundle.
pub fn write(engine: &Engine, variant: u32) -> Inputs {
    let s = engine.snapshot();
    let ps = variant & 1 != 0;
    let mut configmgr = Vec::new();
    let mut graph = Vec::new();

    // --- ConfigMgr ---
    let systems: Vec<Value> = s
        .devices
        .iter()
        .map(|d| {
            let mut v = json!({"ResourceID": d.resource_id, "Name": d.name, "Client": u32::from(d.client), "ResourceType": 5, "Obsolete": 0});
            if ps {
                v = json!({"ResourceId": d.resource_id, "Name": d.name, "Client": d.client});
            }
            if let Some(os) = &d.os { v["OperatingSystemNameandVersion"] = Value::from(os.clone()); }
            if let Some(a) = &d.entra_device_id { v["AADDeviceID"] = Value::from(a.clone()); }
            v
        })
        .collect();
    configmgr.extend(files("SMS_R_System", systems, variant, ps));

    let mut colls = Vec::new();
    let mut fcm = Vec::new();
    for c in &s.collections {
        let rules: Vec<Value> = c
            .rules
            .iter()
            .flat_map(|r| -> Vec<Value> {
                let typed = |t: &str, mut v: Value| {
                    if !ps { v["@odata.type"] = Value::from(format!("#AdminService.{t}")); }
                    v
                };
                match r {
                    CollectionRule::Direct(ids) => ids.iter().map(|id| typed("SMS_CollectionRuleDirect", json!({"RuleName": format!("{id}"), "ResourceClassName": "SMS_R_System", "ResourceID": id}))).collect(),
                    CollectionRule::Query(q) => vec![typed("SMS_CollectionRuleQuery", json!({"RuleName": q.name, "QueryID": 1, "QueryExpression": q.wql.clone().unwrap_or_else(|| String::from("select * from SMS_R_System"))}))],
                    CollectionRule::Include(t) => vec![typed("SMS_CollectionRuleIncludeCollection", json!({"RuleName": t, "IncludeCollectionID": t}))],
                    CollectionRule::Exclude(t) => vec![typed("SMS_CollectionRuleExcludeCollection", json!({"RuleName": t, "ExcludeCollectionID": t}))],
                }
            })
            .collect();
        colls.push(json!({
            "CollectionID": c.id, "Name": c.name,
            "CollectionType": match c.kind { CollectionType::User => 1, CollectionType::Device => 2 },
            "LimitToCollectionID": c.limiting.clone().unwrap_or_default(),
            "IsReferenceCollection": c.limiting.is_none(),
            "CollectionRules": rules,
        }));
        if let Ok(ix) = engine.find_collection(&c.id) {
            for d in engine.collections().members(ix).iter() {
                let dev = engine.device(d).unwrap();
                fcm.push(json!({"CollectionID": c.id, "ResourceID": dev.resource_id, "Name": dev.name, "ResourceType": 5, "IsClient": dev.client}));
            }
        }
    }
    configmgr.extend(files("SMS_Collection", colls, variant, ps));
    configmgr.extend(files("SMS_FullCollectionMembership", fcm, variant, ps));

    // Roles, with the site's own operation catalogue.
    let bit = |op: tenant_attach::Operation| {
        1u64 << (tenant_attach::Operation::ALL
            .iter()
            .position(|o| *o == op)
            .unwrap())
    };
    let roles: Vec<Value> = s
        .configmgr
        .roles
        .iter()
        .map(|r| {
            let granted: u64 = r.collection_operations.iter().map(|o| bit(*o)).sum::<u64>();
            json!({"RoleID": r.id, "RoleName": r.name, "IsBuiltIn": r.id.starts_with("SMS"),
                   "Operations": [{"ObjectTypeID": 1, "GrantedOperations": granted}, {"ObjectTypeID": 2, "GrantedOperations": 1}]})
        })
        .collect();
    configmgr.extend(files("SMS_Role", roles, variant, ps));
    let catalogue: Vec<Value> = tenant_attach::Operation::ALL
        .iter()
        .map(|o| json!({"ObjectTypeID": 1, "BitFlag": bit(*o), "OperationName": o.display_name(), "IsTypeWideOperation": false}))
        .collect();
    configmgr.extend(files("SMS_Operation", catalogue, variant, ps));

    let admins: Vec<Value> = s
        .configmgr
        .admins
        .iter()
        .map(|a| {
            let pairs: Vec<(String, String)> = match a.association_mode {
                AssociationMode::CrossProduct => a.roles.iter().flat_map(|r| a.collections.iter().map(move |c| (r.clone(), c.clone()))).collect(),
                AssociationMode::Specific => a.associations.iter().flat_map(|x| x.collections.iter().map(move |c| (x.role.clone(), c.clone()))).collect(),
            };
            let mut perms: Vec<Value> = pairs.iter().map(|(r, c)| json!({"RoleID": r, "CategoryID": c, "CategoryTypeID": 1})).collect();
            perms.extend(a.scopes.iter().map(|sc| json!({"RoleID": a.roles.first().cloned().unwrap_or_default(), "CategoryID": sc, "CategoryTypeID": 29})));
            json!({"AdminID": a.id, "LogonName": a.account, "AdminSid": a.sid, "AccountType": if a.is_group { 1 } else { 0 }, "IsGroup": a.is_group, "Permissions": perms})
        })
        .collect();
    configmgr.extend(files("SMS_Admin", admins, variant, ps));

    let entra_by_sid: BTreeMap<String, &EntraUser> = s
        .entra
        .users
        .iter()
        .filter_map(|u| u.on_premises_sid.clone().map(|sid| (sid.to_uppercase(), u)))
        .collect();
    let users: Vec<Value> = s
        .configmgr
        .users
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let mut agents = Vec::new();
            let mut v =
                json!({"ResourceId": 2_063_597_000u32 + i as u32, "ResourceType": 4, "SID": u.sid});
            if u.discovered_by.contains(&DiscoveryAgent::Ad) {
                agents.push("SMS_AD_USER_DISCOVERY_AGENT");
            }
            if u.discovered_by.contains(&DiscoveryAgent::Entra) {
                if variant & 16 != 0 {
                    agents.push("SMS_AZUREAD_USER_DISCOVERY_AGENT");
                } else {
                    v["AADUserID"] =
                        Value::from(entra_by_sid.get(&u.sid.to_uppercase()).map_or_else(
                            || format!("00000000-0000-4000-8000-{i:012}"),
                            |e| e.id.clone(),
                        ));
                }
            }
            agents.push("SMS_AD_SECURITY_GROUP_DISCOVERY_AGENT");
            v["AgentName"] = json!(agents);
            v
        })
        .collect();
    configmgr.extend(files("SMS_R_User", users, variant, ps));

    // --- Graph ---
    let defs: Vec<Value> = s
        .intune
        .role_definitions
        .iter()
        .map(|d| json!({"@odata.type": "#microsoft.graph.deviceAndAppManagementRoleDefinition", "id": d.id, "displayName": d.name, "isBuiltIn": d.built_in,
            "permissions": [], "rolePermissions": [{"actions": [], "resourceActions": [{"allowedResourceActions": d.permissions, "notAllowedResourceActions": []}]}]}))
        .collect();
    graph.extend(files("roleDefinitions", defs, variant, false));
    let assignments: Vec<Value> = s
        .intune
        .role_assignments
        .iter()
        .map(|a| {
            let (scope_type, groups) = if a.scope.covers_all_devices() {
                (if variant & 8 != 0 { "AllDevices" } else { "allDevices" }, Vec::new())
            } else {
                ("resourceScope", a.scope.groups.clone().unwrap_or_default())
            };
            let (rs, sm) = if variant & 8 != 0 { (Vec::new(), groups) } else { (groups, Vec::new()) };
            json!({"@odata.type": "#microsoft.graph.deviceAndAppManagementRoleAssignment", "id": a.id, "displayName": a.name, "members": a.members,
                   "resourceScopes": rs, "scopeMembers": sm, "scopeType": scope_type, "roleScopeTagIds": a.scope_tags,
                   "roleDefinition": {"id": a.role, "displayName": "…"}})
        })
        .collect();
    graph.extend(files("roleAssignments", assignments, variant, false));
    let mut tags: Vec<Value> = s
        .intune
        .scope_tags
        .iter()
        .map(|t| json!({"id": t.id, "displayName": t.name, "isBuiltIn": t.id == "0"}))
        .collect();
    if !s.intune.scope_tags.iter().any(|t| t.id == "0") {
        tags.insert(
            0,
            json!({"id": "0", "displayName": "Default", "isBuiltIn": true}),
        );
    }
    graph.extend(files("roleScopeTags", tags, variant, false));
    let users: Vec<Value> = s
        .entra
        .users
        .iter()
        .map(|u| json!({"id": u.id, "userPrincipalName": u.upn, "onPremisesSecurityIdentifier": u.on_premises_sid, "accountEnabled": true}))
        .collect();
    graph.extend(files("users", users, variant, false));
    let user_ids: BTreeSet<&str> = s.entra.users.iter().map(|u| u.id.as_str()).collect();
    let mut groups: Vec<Value> = s
        .entra
        .groups
        .iter()
        .map(|g| {
            let members: Vec<Value> = g
                .members
                .iter()
                .map(|m| json!({"@odata.type": if user_ids.contains(m.as_str()) { "#microsoft.graph.user" } else { "#microsoft.graph.group" }, "id": m}))
                .collect();
            json!({"id": g.id, "displayName": g.name, "securityEnabled": true, "onPremisesSecurityIdentifier": null, "members": members})
        })
        .collect();
    // Synced AD groups carry the users' on-premises group SIDs.
    let mut by_sid: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for u in &s.entra.users {
        for sid in &u.on_premises_group_sids {
            by_sid.entry(sid.as_str()).or_default().push(u.id.as_str());
        }
    }
    for (i, (sid, members)) in by_sid.iter().enumerate() {
        groups.push(json!({"id": format!("ad5ync00-0000-4000-8000-{i:012}"), "displayName": format!("AD group {sid}"), "onPremisesSecurityIdentifier": sid,
            "members": members.iter().map(|m| json!({"@odata.type": "#microsoft.graph.user", "id": m})).collect::<Vec<_>>()}));
    }
    graph.extend(files("groups", groups, variant, false));
    let mut roles = Vec::new();
    for (template, role) in [
        (
            tenant_attach_import::GLOBAL_ADMINISTRATOR_TEMPLATE,
            DirectoryRole::GlobalAdministrator,
        ),
        (
            tenant_attach_import::INTUNE_ADMINISTRATOR_TEMPLATE,
            DirectoryRole::IntuneAdministrator,
        ),
    ] {
        let members: Vec<Value> = s
            .entra
            .users
            .iter()
            .filter(|u| u.directory_roles.contains(&role))
            .map(|u| json!({"@odata.type": "#microsoft.graph.user", "id": u.id}))
            .collect();
        roles.push(json!({"id": format!("instance-{template}"), "displayName": role.display_name(), "roleTemplateId": template, "members": members}));
    }
    graph.extend(files("directoryRoles", roles, variant, false));
    graph.push(Source { name: String::from("tenantAttachRBAC.json"), text: json!({"value": {"@odata.type": "microsoft.graph.tenantAttachRBACState", "enabled": s.tenant.use_intune_rbac}}).to_string() });
    let managed: Vec<Value> = s
        .devices
        .iter()
        .filter(|d| d.co_managed)
        .map(|d| json!({"id": format!("md-{}", d.resource_id), "deviceName": d.name, "azureADDeviceId": d.entra_device_id,
            "managementAgent": "configurationManagerClientMdm", "roleScopeTagIds": d.scope_tags}))
        .collect();
    graph.extend(files("managedDevices", managed, variant, false));

    // --- settings: what no export carries ---
    let partial: Vec<Value> = s
        .devices
        .iter()
        .filter(|d| (!d.co_managed && d.scope_tags.is_empty()) || !d.scope_groups.is_empty())
        .map(|d| {
            let mut v = json!({"resource_id": d.resource_id});
            if !d.co_managed && d.scope_tags.is_empty() {
                v["scope_tags"] = json!([]);
            }
            if !d.scope_groups.is_empty() {
                v["scope_groups"] = json!(d.scope_groups);
            }
            v
        })
        .collect();
    let settings = json!({"tenant": s.tenant, "hierarchy": s.hierarchy, "policy": s.policy, "devices": partial});
    Inputs {
        configmgr,
        graph,
        settings: Source {
            name: String::from("settings.json"),
            text: serde_json::to_string_pretty(&settings).unwrap(),
        },
    }
}
