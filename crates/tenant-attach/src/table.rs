//! The R-F1 table in force under a snapshot's policy (R-F1, R-F3, R-F5): the defaults of
//! [`crate::features`], each feature's `policy.features` override, and the knobs that reshape
//! rows (`combined_page_permissions`, `application_actions_split`). Above both `features` (the
//! vocabulary and the defaults) and `snapshot` (the policy), which know nothing of each other's
//! use here.

use crate::features::{Feature, Requirement, class_permissions};
use crate::snapshot::{ApplicationActionsSplit, CombinedPagePermissions, Policy};

impl Feature {
    /// The row of the R-F1 table in force under `policy`: the defaults, then the feature's
    /// override (each key on its own), then `combined_page_permissions = feature`, which makes
    /// the `combined` row equal to the `intune_only` row unless the override set it.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, sample, snapshot::CombinedPagePermissions};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let row = Feature::Timeline.requirement(engine.policy());
    /// assert!(row.intune_combined.is_empty()); // `view`: nothing beyond view in combined mode
    /// let mut p = engine.policy().clone();
    /// p.combined_page_permissions = CombinedPagePermissions::Feature;
    /// let row = Feature::Timeline.requirement(&p);
    /// assert_eq!(row.intune_combined, ["Microsoft.Intune_CloudAttach_Timeline"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn requirement(self, policy: &Policy) -> Requirement {
        if self == Feature::ApplicationManagement
            && policy.application_actions_split == ApplicationActionsSplit::Single
        {
            // Rulebook 2: decided exactly as `application_actions` (its overrides included).
            return Feature::ApplicationActions.requirement(policy);
        }
        let mut row = self.default_requirement();
        let over = policy.features.get(&self);
        if let Some(o) = over {
            if let Some(p) = &o.intune_combined {
                row.intune_combined.clone_from(p);
            }
            if let Some(p) = &o.intune_only {
                row.intune_only.clone_from(p);
            }
            if let Some(ops) = &o.configmgr {
                row.configmgr.clone_from(ops);
            }
            if let Some(classes) = &o.classes {
                row.classes = class_permissions(classes);
            }
            if let Some(since) = o.since {
                row.since = since;
            }
            if let Some(since) = o.client_since {
                row.client_since = Some(since);
            }
        }
        let explicit_combined = over.is_some_and(|o| o.intune_combined.is_some());
        if policy.combined_page_permissions == CombinedPagePermissions::Feature
            && !explicit_combined
        {
            row.intune_combined.clone_from(&row.intune_only);
        }
        row
    }
}
