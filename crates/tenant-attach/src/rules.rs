//! The rules this crate cites, in the project's own words.
//!
//! Every decision, diagnostic and finding names a rule id (`R-C1`, `R-G4`, …). This page says
//! what each one decides, which policy knob picks its reading where Microsoft's documentation
//! is silent, and which public page it comes from, so nobody needs a file outside the crate.
//! Sources are Microsoft's Configuration Manager and Intune documentation (the `memdocs`
//! repository: `configmgr/tenant-attach/`, `configmgr/cloud-attach/`, the collections pages,
//! *Fundamentals of role-based administration*, Intune's role-based access control and scope
//! tag pages) and the Microsoft Graph beta reference (`intune-rbac-*`, `intune-devices-*`).
//! The full rulebook of the project is "rulebook 2"; [`crate`]'s changelog says what changed.
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
//! | R-I1 | Global Administrators and Intune Administrators hold every Intune permission, without scope tag or scope group limits. | | Intune RBAC |
//! | R-I2 | An assignment applies to a user in one of its member groups, directly or through nesting. | | Intune RBAC, Graph `roleAssignment` |
//! | R-I3 | Permissions add up across assignments; a role's permissions are its allowed actions minus its not-allowed actions. | | Graph `roleDefinition` |
//! | R-I4 | How permissions combine with scope tags: from any assignment to anything any assignment's tags reach (`merged`), or per assignment (`scoped`). | tenant setting `intune_permission_merge` | Intune RBAC |
//! | R-I5 | An assignment reaches an object whose tags meet its tags. An assignment without tags reaches everything or only Default. | `untagged_assignment` (default `all_tags`) | scope tags page |
//! | R-I6 | Acting features on a co-managed device need an assignment holding the permission whose scope (groups) covers the device. Tenant-attached devices are not Intune objects. | `scope_groups_apply_to_attached` (default false) | Intune RBAC, scope groups |
//! | R-I7 | Intune-only mode: Microsoft says scoping is not supported. | `intune_only_ignores_scope_tags` (default false) | cloud attach: *Use Intune RBAC* |
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
//! | R-F3 | A feature exists only from its site version (2006 for most pages, 2107 BitLocker keys, 2111 software updates); older hierarchies deny it to everyone. | `features.F.since` | each page, *What's new* |
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
