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
//! - 32: what a real site's list calls give (exports.md G3): non-clients as `"Client": null` or
//!   only as collection members (placeholders), the type-0 `SMSOTHER` collection, users and user
//!   groups in user collections (with `SMS_R_UserGroup`), lazy properties left out where the
//!   meaning survives (`CollectionRules` of collections without include/exclude rules,
//!   `Permissions` of cross-product admins, Full Administrator's `Operations`).
//!
//! Roles carry their Site, Application and SMS Scripts operations (with the catalogue naming
//! them), scripts go to `SMS_Scripts.json`, and scope names to `SMS_SecuredCategory.json`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use tenant_attach::Engine;
use tenant_attach::snapshot::*;
use tenant_attach_import::{Inputs, Source};

fn files(name: &str, items: Vec<Value>, variant: u32, powershell: bool) -> Vec<Source> {
    let source =
        |file: String, v: Value| Source::text(file, serde_json::to_string_pretty(&v).unwrap());
    let envelope = |items: &[Value]| json!({"@odata.context": format!("https://cm01.contoso.com/AdminService/wmi/$metadata#{name}"), "value": items});
    // A page that is not the last one says where the next one is.
    let first_page = |items: &[Value], next: &str| {
        let mut v = envelope(items);
        v["@odata.nextLink"] = Value::from(format!(
            "https://cm01.contoso.com/AdminService/wmi/{name}?$skiptoken={next}"
        ));
        v
    };
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
            source(format!("{name}.1.json"), first_page(&items[..mid], "2")),
            source(format!("{name}.2.json"), envelope(&items[mid..])),
        ];
    }
    if variant & 4 != 0 && items.len() > 1 {
        let mid = items.len() / 2;
        return vec![source(
            format!("{name}.json"),
            json!([first_page(&items[..mid], "2"), envelope(&items[mid..])]),
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
    let real = variant & 32 != 0;
    // Real-site shape: non-clients in a device collection, not co-managed, with an even id,
    // appear only as collection members (placeholders); the others as `"Client": null`.
    let placeholder =
        |d: &Device| real && !d.client && !d.co_managed && d.resource_id.is_multiple_of(2);
    let systems: Vec<Value> = s
        .devices
        .iter()
        .filter(|d| !placeholder(d))
        .map(|d| {
            let client = if real && !d.client { Value::Null } else { Value::from(u32::from(d.client)) };
            let mut v = json!({"ResourceID": d.resource_id, "Name": d.name, "Client": client, "ResourceType": 5, "Obsolete": 0});
            if ps {
                v = json!({"ResourceId": d.resource_id, "Name": d.name, "Client": if real && !d.client { Value::Null } else { Value::from(d.client) }});
            }
            if let Some(os) = &d.os { v["OperatingSystemNameandVersion"] = Value::from(os.clone()); }
            if let Some(a) = &d.entra_device_id { v["AADDeviceID"] = Value::from(a.clone()); }
            // R-F5: the build of the version (the latest known build at or before it).
            if let Some(build) = d.client_version.and_then(|yymm| {
                tenant_attach_import::CLIENT_BUILDS.iter().rev().find(|(_, v)| *v <= yymm).map(|(b, _)| *b)
            }) {
                v["ClientVersion"] = Value::from(format!("5.00.{build}.1000"));
            }
            v
        })
        .collect();
    configmgr.extend(files("SMS_R_System", systems, variant, ps));

    // User resources: discovered users, with resource ids for user collection membership.
    let user_resource = |i: usize| 2_063_597_000u32 + i as u32;
    let user_group_resource = |i: usize| 2_080_374_784u32 + i as u32;
    let ad_group_sids: BTreeSet<&str> = s
        .configmgr
        .admins
        .iter()
        .filter(|a| a.is_group)
        .map(|a| a.sid.as_str())
        .collect();

    let mut colls = Vec::new();
    let mut fcm = Vec::new();
    for c in &s.collections {
        let has_include_exclude = c
            .rules
            .iter()
            .any(|r| matches!(r, CollectionRule::Include(_) | CollectionRule::Exclude(_)));
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
        let mut v = json!({
            "CollectionID": c.id, "Name": c.name,
            "CollectionType": match c.kind { CollectionType::User => 1, CollectionType::Device => 2 },
            "LimitToCollectionID": c.limiting.clone().unwrap_or_default(),
            "IsReferenceCollection": c.limiting.is_none(),
            "CollectionRules": rules,
        });
        // A list call leaves the lazy rules out; the meaning survives without include/exclude.
        if real && !has_include_exclude {
            v.as_object_mut().unwrap().remove("CollectionRules");
        }
        colls.push(v);
        if let Ok(ix) = engine.find_collection(&c.id) {
            for d in engine.collections().members(ix).iter() {
                let dev = engine.device(d).unwrap();
                fcm.push(json!({"CollectionID": c.id, "ResourceID": dev.resource_id, "Name": dev.name, "ResourceType": 5, "IsClient": dev.client}));
            }
        }
        if real && c.kind == CollectionType::User {
            for i in 0..s.configmgr.users.len() {
                fcm.push(json!({"CollectionID": c.id, "ResourceID": user_resource(i), "ResourceType": 4}));
            }
            for i in 0..ad_group_sids.len() {
                fcm.push(json!({"CollectionID": c.id, "ResourceID": user_group_resource(i), "ResourceType": 3}));
            }
        }
    }
    if real {
        colls.push(
            json!({"CollectionID": "SMSOTHER", "Name": "All Custom Resources", "CollectionType": 0,
            "LimitToCollectionID": "", "IsReferenceCollection": true, "IsBuiltIn": true}),
        );
        fcm.push(json!({"CollectionID": "SMSOTHER", "ResourceID": 2_097_152_000u32, "Name": "custom", "ResourceType": 6}));
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
            let mut ops = vec![json!({"ObjectTypeID": 1, "GrantedOperations": granted}), json!({"ObjectTypeID": 2, "GrantedOperations": 1})];
            for (class, list) in &r.class_operations {
                let granted: u32 = list.iter().map(|o| o.bit()).fold(0, |a, b| a | b);
                ops.push(json!({"ObjectTypeID": class.object_type_id(), "GrantedOperations": granted}));
            }
            let mut v = json!({"RoleID": r.id, "RoleName": r.name, "IsBuiltIn": r.id.starts_with("SMS"), "Operations": ops});
            if real && r.id == tenant_attach::access::configmgr::FULL_ADMINISTRATOR {
                v.as_object_mut().unwrap().remove("Operations");
            }
            v
        })
        .collect();
    configmgr.extend(files("SMS_Role", roles, variant, ps));
    let mut catalogue: Vec<Value> = tenant_attach::Operation::ALL
        .iter()
        .map(|o| json!({"ObjectTypeID": 1, "BitFlag": bit(*o), "OperationName": o.display_name(), "IsTypeWideOperation": false}))
        .collect();
    for class in tenant_attach::SecuredClass::ALL {
        for op in tenant_attach::ClassOperation::ALL {
            catalogue.push(json!({"ObjectTypeID": class.object_type_id(), "BitFlag": op.bit(), "OperationName": op.display_name(), "IsTypeWideOperation": false}));
        }
    }
    configmgr.extend(files("SMS_Operation", catalogue, variant, ps));

    // Security scopes by name.
    let scope_name = |id: &str| match id {
        "SMS00UNA" => String::from("Default"),
        "SMS00ALL" => String::from("All"),
        other => format!("Scope {other}"),
    };
    let mut scope_ids: BTreeSet<&str> = s
        .configmgr
        .admins
        .iter()
        .flat_map(|a| a.scopes.iter().map(String::as_str))
        .collect();
    scope_ids.extend(
        s.configmgr
            .scripts
            .iter()
            .flatten()
            .flat_map(|x| x.scopes.iter().map(String::as_str)),
    );
    let categories: Vec<Value> = scope_ids
        .iter()
        .map(|id| json!({"CategoryID": id, "CategoryName": scope_name(id), "IsBuiltIn": id.starts_with("SMS00")}))
        .collect();
    configmgr.extend(files("SMS_SecuredCategory", categories, variant, ps));

    let role_name = |id: &str| {
        s.configmgr
            .roles
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    let coll_name = |id: &str| {
        s.collections
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
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
            // SMS_APermission holds one row per role and scope, as per role and collection.
            let held: Vec<String> = match a.association_mode {
                AssociationMode::CrossProduct => a.roles.clone(),
                AssociationMode::Specific => a.associations.iter().map(|x| x.role.clone()).collect(),
            };
            perms.extend(held.iter().flat_map(|r| a.scopes.iter().map(move |sc| json!({"RoleID": r, "CategoryID": sc, "CategoryName": scope_name(sc), "CategoryTypeID": 29}))));
            // The names are not lazy: a GET by key carries them beside Permissions.
            let mut v = json!({"AdminID": a.id, "LogonName": a.account, "AdminSid": a.sid, "AccountType": if a.is_group { 1 } else { 0 }, "IsGroup": a.is_group, "Permissions": perms,
                "RoleNames": held.iter().map(|r| role_name(r)).collect::<Vec<_>>(),
                "CollectionNames": a.collections.iter().map(|c| coll_name(c)).collect::<Vec<_>>(),
                "CategoryNames": a.scopes.iter().map(|c| scope_name(c)).collect::<Vec<_>>()});
            // A list call: no Permissions, only the names (a cross product is all they say).
            if real && a.association_mode == AssociationMode::CrossProduct {
                let o = v.as_object_mut().unwrap();
                o.remove("Permissions");
                o.insert(String::from("RoleNames"), json!(a.roles.iter().map(|r| role_name(r)).collect::<Vec<_>>()));
                o.insert(String::from("CollectionNames"), json!(a.collections.iter().map(|c| coll_name(c)).collect::<Vec<_>>()));
                o.insert(String::from("CategoryNames"), json!(a.scopes.iter().map(|c| scope_name(c)).collect::<Vec<_>>()));
            }
            v
        })
        .collect();
    configmgr.extend(files("SMS_Admin", admins, variant, ps));

    if let Some(scripts) = &s.configmgr.scripts {
        let rows: Vec<Value> = scripts
            .iter()
            .map(|x| json!({"ScriptGuid": x.id, "ScriptName": x.name, "ApprovalState": if x.approved { 3 } else { 0 },
                "ParamsDefinition": if x.has_parameters { "PFBhcmFtPg==" } else { "" },
                "SecuredScopeNames": x.scopes.iter().map(|sc| scope_name(sc)).collect::<Vec<_>>()}))
            .collect();
        configmgr.extend(files("SMS_Scripts", rows, variant, ps));
    }

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
            let mut v = json!({"ResourceId": user_resource(i), "ResourceType": 4, "SID": u.sid});
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
    if real {
        let groups: Vec<Value> = ad_group_sids
            .iter()
            .enumerate()
            .map(|(i, sid)| json!({"ResourceId": user_group_resource(i), "ResourceType": 3, "SID": sid,
                "UniqueUsergroupName": format!("CONTOSO\\group{i}"), "AgentName": ["SMS_AD_SECURITY_GROUP_DISCOVERY_AGENT"]}))
            .collect();
        configmgr.extend(files("SMS_R_UserGroup", groups, variant, ps));
    }

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
        .map(|u| {
            let mut v = json!({"id": u.id, "userPrincipalName": u.upn, "onPremisesSecurityIdentifier": u.on_premises_sid, "accountEnabled": true});
            // R-I8: INTUNE_A in force for a licensed user; INTUNE_O365 (not a licence) and a
            // deleted INTUNE_A for an unlicensed one; no `assignedPlans` when not known.
            let plan = |id: &str, status: &str| json!({"assignedDateTime": "2024-01-01T00:00:00Z", "capabilityStatus": status, "service": "SCO", "servicePlanId": id});
            let intune_a = "c1ec4a95-1f05-45b3-a911-aa3fa01094f5";
            match u.intune_licensed {
                Some(true) => v["assignedPlans"] = json!([plan(tenant_attach_import::INTUNE_O365_PLAN, "Enabled"), plan(intune_a, "Enabled")]),
                Some(false) => v["assignedPlans"] = json!([plan(tenant_attach_import::INTUNE_O365_PLAN, "Enabled"), plan(intune_a, "Deleted"),
                    json!({"assignedDateTime": "2024-01-01T00:00:00Z", "capabilityStatus": "Enabled", "service": "exchange", "servicePlanId": "efb87545-963c-4e0d-99df-69c6916d9eb0"})]),
                None => {}
            }
            v
        })
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
        (
            tenant_attach_import::GLOBAL_READER_TEMPLATE,
            DirectoryRole::GlobalReader,
        ),
        (
            tenant_attach_import::SECURITY_READER_TEMPLATE,
            DirectoryRole::SecurityReader,
        ),
        (
            tenant_attach_import::SECURITY_OPERATOR_TEMPLATE,
            DirectoryRole::SecurityOperator,
        ),
        (
            tenant_attach_import::SECURITY_ADMINISTRATOR_TEMPLATE,
            DirectoryRole::SecurityAdministrator,
        ),
        (
            tenant_attach_import::HELPDESK_ADMINISTRATOR_TEMPLATE,
            DirectoryRole::HelpdeskAdministrator,
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
    graph.push(Source::text("tenantAttachRBAC.json", json!({"value": {"@odata.type": "microsoft.graph.tenantAttachRBACState", "enabled": s.tenant.use_intune_rbac}}).to_string()));
    // R-I8: `GET /beta/deviceManagement?$select=unlicensedAdminstratorsEnabled` (one object).
    graph.push(Source::text("deviceManagement.json", json!({"@odata.context": "https://graph.microsoft.com/beta/$metadata#deviceManagement(unlicensedAdminstratorsEnabled)", "unlicensedAdminstratorsEnabled": s.tenant.unlicensed_admins}).to_string()));
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
        settings: Source::text(
            "settings.json",
            serde_json::to_string_pretty(&settings).unwrap(),
        ),
    }
}
