//! The rules this crate cites, in the project's own words.
//!
//! Every decision, diagnostic and finding names a rule id (`R-C1`, `R-G4`, …). This page says
//! what each one decides, which policy knob picks its reading where Microsoft's documentation
//! is silent, and which public page it comes from, so nobody needs a file outside the crate.
//! Sources are Microsoft's Configuration Manager and Intune documentation (the `memdocs`
//! repository: `configmgr/tenant-attach/`, `configmgr/cloud-attach/`, the collections pages,
//! *Fundamentals of role-based administration*, Intune's role-based access control and scope
//! tag pages) and the Microsoft Graph beta reference (`intune-rbac-*`, `intune-devices-*`).
//! This is rulebook 3 (licences and unlicensed admins, Entra reader roles, applications by
//! site and client version, US Government, advisories); the changelog says what changed and
//! which knob values give rulebook 2's answers back.
//!
//! # Collections (R-C)
//!
//! | rule | decides | knob | source |
//! |---|---|---|---|
//! | R-C1 | A collection's members: its query results, direct members and included collections' members, kept only if they are members of the limiting collection, minus excluded collections' members. Query results come from the export (WQL is not evaluated offline). | | collections: *Create collections*, *Membership rules* |
//! | R-C2 | A resource both included and excluded is not a member. | | the same |
//! | R-C3 | Limiting, include and exclude edges never form a cycle; a cycle is an input error naming every collection on it. | | ConfigMgr refuses circular references |
//! | R-C4 | Every referenced collection exists, ids are unique, device collections refer only to device collections, and every collection but a built-in root has a limiting collection. | | collections pages |
//! | R-C5 | A collection's dependents: the collections that depend on it through any edge, transitively (the console's *View Relationships → Dependent*). | | the console |
//!
//! # Upload (R-U)
//!
//! | rule | decides | knob | source |
//! |---|---|---|---|
//! | R-U1 | A detached hierarchy uploads nothing. | | tenant attach: *Enable device upload* |
//! | R-U2 | Azure China cloud cannot upload: nothing is uploaded, and validation says so. | | the same, cloud notes |
//! | R-U3 | *All my devices*: every device with a ConfigMgr client. | | the same |
//! | R-U4 | *A specified collection*: its members and its child collections' members, with a client. Which dependents count as children is not defined by Microsoft. | `child_relations` (default: limiting, include, exclude) | the same (2010+) |
//! | R-U5 | The selected collection exists and is a device collection. | | the same |
//! | R-U6 | A change reaches the admin center within about 25 minutes (15-minute upload cycle plus 5 to 10 minutes). | | the same |
//!
//! # Which RBAC applies (R-M)
//!
//! | rule | decides | knob | source |
//! |---|---|---|---|
//! | R-M1 | Intune RBAC alone (`intune_only`) when the site is 2207 or later, *Enforce Configuration Manager RBAC* is cleared and the tenant's *Use Intune RBAC* is on; otherwise ConfigMgr RBAC applies too (`combined`). | | cloud attach: *Use Intune RBAC* |
//!
//! # Intune (R-I) and scope tags (R-S)
//!
//! | rule | decides | knob | source |
//! |---|---|---|---|
//! | R-I1 | Global Administrators and Intune Administrators hold every Intune permission, without scope tag or scope group limits. Rulebook 3: Global Reader, Security Reader, Security Operator, Security Administrator and Helpdesk Administrator hold `view`'s permission (`ManagedDevices_Read`) on every device, unlimited, and nothing else; Microsoft also calls Helpdesk Administrator "equivalent to" Help Desk Operator. Licences do not apply to directory roles. | `entra_roles` (default `documented`; `helpdesk_as_operator`, `admins_only` = rulebook 2) | Intune RBAC overview |
//! | R-I2 | An assignment applies to a user in one of its member groups, directly or through nesting; for an unlicensed administrator, directly only (R-I8). | | Intune RBAC, Graph `roleAssignment` |
//! | R-I3 | Permissions add up across assignments; a role's permissions are its allowed actions minus its not-allowed actions. | | Graph `roleDefinition` |
//! | R-I4 | How permissions combine with scope tags: from any assignment to anything any assignment's tags reach (`merged`), or per assignment (`scoped`). | tenant setting `intune_permission_merge` | Intune RBAC |
//! | R-I5 | An assignment reaches an object whose tags meet its tags. An assignment without tags reaches everything or only Default. | `untagged_assignment` (default `all_tags`) | scope tags page |
//! | R-I6 | Acting features on a co-managed device need an assignment holding the permission whose scope (groups) covers the device. Tenant-attached devices are not Intune objects. | `scope_groups_apply_to_attached` (default false) | Intune RBAC, scope groups |
//! | R-I7 | Intune-only mode: Microsoft says scoping is not supported. | `intune_only_ignores_scope_tags` (default false) | cloud attach: *Use Intune RBAC* |
//! | R-I8 | An administrator needs an Intune licence. Without one, no role assignment applies (`no_intune_license`) unless the tenant allows unlicensed admins; then only assignments whose member group lists the user directly apply (`unlicensed_nested_membership` names the nesting). A licence the snapshot does not give is read by the knob and listed under `not_evaluated`. Validation warns about a group of an assignment with more than 350 unlicensed direct members. Whether the setting covers the tenant-attach pages is not stated; the rulebook reads it as covering them. | `licence_unknown` (default `licensed`); tenant setting `unlicensed_admins` | tenant attach prerequisites, Graph `deviceManagement.unlicensedAdminstratorsEnabled`, *assign a role* |
//! | R-S1 | A tenant-attached device carries only the Default tag; co-managed devices carry any tags (Default when none). | | tenant attach: scope tags |
//! | R-S2 | A tenant-attached device whose Default tag was removed is shown to nobody. | | the same |
//! | R-S3 | So an assignment without Default never sees a tenant-attached device. | | the same |
//!
//! # ConfigMgr (R-G), `combined` mode
//!
//! | rule | decides | knob | source |
//! |---|---|---|---|
//! | R-G1 | The user must be hybrid (synced from AD). | | tenant attach prerequisites |
//! | R-G2 | The user must be found by ConfigMgr user discovery: before 2103 both AD and Entra discovery; from 2103 either for viewing and the device actions, both for the pages that need the client-details prerequisites. | `discovery_required` (default `by_feature`; `by_version`, `both`) | prerequisites, client details page |
//! | R-G3 | The user maps to ConfigMgr administrative users by SID: the user's own and its AD groups'. | | the same |
//! | R-G4 | Each Collection operation a feature needs is granted by some association (role × assigned collection) whose collection contains the device. | | role-based administration, each feature's page |
//! | R-G5 | Full Administrator grants every operation, on every class. | | role-based administration |
//! | R-G6 | Applications need Read (and Approve for actions) on *Application*; running a script needs Read on *Site* and *SMS Scripts*: granted by a role of a mapped administrative user. | | applications page, scripts page |
//! | R-G7 | Running a script needs an approved script without parameters in a scope of an administrative user holding Scripts Read; evaluated only when the snapshot lists scripts. | | scripts page |
//!
//! # Features (R-F)
//!
//! | rule | decides | knob | source |
//! |---|---|---|---|
//! | R-F0 | Every feature needs `view` of the device, and only uploaded devices are visible. | | tenant attach |
//! | R-F1 | The requirement table: per feature, the Intune permissions in each mode and the ConfigMgr operations (see [`crate::Feature::default_requirement`]); overridable per snapshot. Whether the pages need their own Intune permission in `combined` mode is not settled by Microsoft. | `configmgr_gates_view` (default true), `combined_page_permissions` (default `view`), `features` overrides | each feature's page, Intune custom roles |
//! | R-F2 | The Intune side is met by an assignment that holds the permission and reaches the device, or by a directory role (R-I1). | | Intune RBAC |
//! | R-F3 | A feature exists only from its site version (2006 for most pages, 2107 BitLocker keys, 2111 software updates; rulebook 3: install and reinstall 2006, uninstall, repair and re-evaluate `application_management` 2010); older hierarchies deny it to everyone. On the US Government cloud only viewing and the three device actions are documented. At 2006 and earlier the scripts pages need the optional feature *Create and run scripts* (`scripts_feature_disabled`; not known = not evaluated). The *since* of scripts (2006), client details, collections and enroll now (2002) are not dated by Microsoft's pages and are kept as the rulebook's reading. | `features.F.since`, `application_actions_split` (default `by_version`; `single` = rulebook 2), `us_government_features` (default `documented`; `all`) | each page, *What's new*, prerequisites, scripts page |
//! | R-F5 | Some features need a recent ConfigMgr client too: `application_management` a 2010 client (`client_version_too_old`; an unknown version is not evaluated). The importer maps `SMS_R_System.ClientVersion` builds to versions (9040 = 2010, …). | `features.F.client_since` | applications page's version table, supported versions |
//! | R-F6 | Preconditions a snapshot cannot see are advisories on an allowed decision, never a deny: Endpoint analytics data collection (timeline), a BitLocker management policy (BitLocker keys), an online client (applications), PowerShell and a recent client (CMPivot, scripts), and HTTP 403 when the SMS Provider requires multi-factor authentication (the acting features and the applications, CMPivot and scripts pages). Where the snapshot states the MFA requirement (`hierarchy.sms_provider_mfa`), it denies them (`sms_provider_mfa`). | | timeline, BitLocker, applications, CMPivot and scripts pages; known issues |
//!
//! # Evidence for each knob
//!
//! A knob exists where Microsoft's pages are silent or say two things:
//!
//! | knob | the pages say | so |
//! |---|---|---|
//! | `child_relations` (R-U4) | "its child collections are also uploaded"; *child* is defined nowhere | the console's Dependent view by default |
//! | `untagged_assignment` (R-I5) | "Admins that have no scope tags essentially have all scope tags" (scope tags page) and "a user can only see devices that are part of some scope tags" (RBAC overview) | the pages contradict each other |
//! | `scope_groups_apply_to_attached` (R-I6) | tenant-attached devices "can't be assigned scope tags"; nothing on scope groups | not checked by default |
//! | `intune_only_ignores_scope_tags` (R-I7) | "scoping isn't supported" (use Intune RBAC) against the tenant attach page's scope tags section | scope tags still apply by default |
//! | `configmgr_gates_view` (R-F1) | a cloud-only user gets "Unable to get device information"; the fix for "Device can't be found" is to put the device in the admin's ConfigMgr scope | ConfigMgr Read gates `view` by default |
//! | `discovery_required` (R-G2) | the client details page said "either … or" in 2021 and says "Entra user discovery and Active Directory user discovery" now; the error texts say "discovered by both" | `by_feature` |
//! | `combined_page_permissions` (R-F1) | the pages ask for "an Intune role assigned to the user"; the custom role page describes the *Cloud attached devices* permissions with no mode | `view` |
//! | `entra_roles` (R-I1) | the RBAC overview gives five Entra roles "Read only" access to Intune data and calls Helpdesk Administrator "equivalent to" Help Desk Operator; the tenant attach pages ask for "an Intune role" | `documented` (read only) |
//! | `licence_unknown` (R-I8) | a snapshot without licences cannot tell | `licensed`, listed as not evaluated |
//! | `application_actions_split` (R-F3) | the 2010 what's new and the applications page's version table | `by_version` |
//! | `us_government_features` (R-F3) | the prerequisites list four features for US Government | `documented` |
//!
//! # Lifecycle (R-H)
//!
//! | rule | decides | knob | source |
//! |---|---|---|---|
//! | R-H1 | Onboarding signs in a Global Administrator and creates (or, from 2006, imports) an Entra app. | | tenant attach: onboarding |
//! | R-H2 | Clouds: public from 2002, US Government from 2107, China never uploads. | | the same |
//! | R-H3 | Where the upload is configured: co-management properties, or the *Configure Cloud Attach* wizard (2111+). | | the same |
//! | R-H4 | Offboarding from the admin center needs `Organization_Delete`; it takes up to 2 hours, a few minutes on a healthy online 2103+ site; wait 2 hours before onboarding again. | | offboarding page |
//! | R-H5 | Endpoint analytics upload changes the default client settings. | | the same |
//! | R-H6 | The connector shows as `Unknown` when site information is lacking. | | the same |
//!
//! # Ids that are not rules
//!
//! `schema` marks format errors (bad JSON, unknown field, wrong type, wrong schema), and `query`
//! a question about a user or device the engine does not hold. `names` warns about a name
//! that is another object's id (a UPN that is another user's Entra id, a device name that is
//! another device's resource id): looking it up is an error listing both.
