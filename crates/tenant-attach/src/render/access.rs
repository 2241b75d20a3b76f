//! `visible`, `who` and `offboard` as text.

use std::fmt;

use super::trimmed;
use crate::access::Offboard;
use crate::answers::{VisibleDevices, WhoUsers};
use crate::text::{escape, plural, table};

impl fmt::Display for VisibleDevices {
    /// `USER can PHRASE N devices (MODE mode):` and a table of the devices, as
    /// `tenant-attach visible` prints it.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let grace = engine.find_user("grace@contoso.com")?;
    /// let text = engine.visible_devices(grace, Feature::SyncMachinePolicy).to_string();
    /// assert_eq!(text, "grace@contoso.com can run Sync Machine Policy on 2 devices (combined mode):\n\
    ///                   RESOURCE ID  NAME\n\
    ///                   16777301     CON-WS-001\n\
    ///                   16777302     CON-WS-002");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = format!(
            "{} can {} {} ({} mode):\n",
            escape(&self.user),
            self.feature.phrase(),
            plural(self.devices.len() as u64, "device", "devices"),
            self.mode.as_str()
        );
        let rows: Vec<Vec<String>> = self
            .devices
            .iter()
            .map(|d| vec![d.resource_id.to_string(), d.name.clone()])
            .collect();
        if !rows.is_empty() {
            out.push_str(&table(&["RESOURCE ID", "NAME"], &rows));
        }
        inferred_note(&mut out, &self.inferred_associations);
        trimmed(f, &out)
    }
}

impl fmt::Display for WhoUsers {
    /// `N users can PHRASE DEVICE (MODE mode):` and one UPN a line, as `tenant-attach who`
    /// prints it.
    ///
    /// ```
    /// use tenant_attach::{Engine, Feature, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let sql = engine.find_device("CON-SRV-SQL01")?;
    /// assert_eq!(
    ///     engine.who_users(sql, Feature::View).to_string(),
    ///     "2 users can see CON-SRV-SQL01 (combined mode):\n  carol@contoso.com\n  dave@contoso.com"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = format!(
            "{} can {} {} ({} mode):\n",
            plural(self.users.len() as u64, "user", "users"),
            self.feature.phrase(),
            escape(&self.device),
            self.mode.as_str()
        );
        for u in &self.users {
            out.push_str(&format!("  {}\n", escape(&u.upn)));
        }
        inferred_note(&mut out, &self.inferred_associations);
        trimmed(f, &out)
    }
}

impl fmt::Display for Offboard {
    /// The verdict (`ALLOWED`/`DENIED`), the reasons or grants, and how long offboarding and
    /// onboarding again take (R-H4), as `tenant-attach offboard` prints it.
    ///
    /// ```
    /// use tenant_attach::{Engine, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let text = engine.offboard(engine.find_user("bob@contoso.com")?).to_string();
    /// assert!(text.starts_with("DENIED bob@contoso.com can't offboard this hierarchy"));
    /// assert!(text.ends_with("(R-H4)."));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = if self.allowed {
            format!(
                "ALLOWED {} can offboard this hierarchy from the Intune admin center (R-H4).\n",
                escape(&self.user)
            )
        } else {
            format!(
                "DENIED {} can't offboard this hierarchy from the Intune admin center.\n",
                escape(&self.user)
            )
        };
        for r in &self.reasons {
            out.push_str(&format!(
                "  {} [{}] {}\n",
                r.code,
                r.rule,
                escape(&r.detail)
            ));
        }
        for g in &self.grants {
            out.push_str(&format!(
                "  granted by {}: {}\n",
                g.kind.label(),
                escape(&g.detail)
            ));
        }
        out.push_str(&format!(
            "Offboarding takes up to {} minutes; onboarding again needs a wait of at least {} minutes (R-H4).\n",
            self.eta_minutes_max, self.reonboard_wait_minutes
        ));
        trimmed(f, &out)
    }
}

/// Issue 18 (R-G4): the line saying an answer rests on associations the importer inferred.
fn inferred_note(out: &mut String, accounts: &[String]) {
    if accounts.is_empty() {
        return;
    }
    let names: Vec<String> = accounts
        .iter()
        .map(|a| format!("`{}`", escape(a)))
        .collect();
    out.push_str(&format!(
        "not evaluated [R-G4]: rests on associations the importer inferred for {} (a list call without Permissions): export each SMS_Admin by key\n",
        names.join(", ")
    ));
}
