//! Stage: discovery (`SMS_R_User`, optional `SMS_R_UserGroup`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use tenant_attach::snapshot::{DiscoveredUser, DiscoveryAgent};

use crate::constants::{AD_USER_DISCOVERY_AGENT, ENTRA_DISCOVERY_AGENT_PREFIX};
use crate::records::Record;

/// What discovery tells: the discovered users (R-G2), and the user and group resources that
/// user collections may hold.
#[derive(Debug, Default)]
pub(crate) struct Discovery {
    pub users: Vec<DiscoveredUser>,
    pub user_ids: HashSet<u32>,
    /// `None` when `SMS_R_UserGroup.json` was not given.
    pub group_ids: Option<HashSet<u32>>,
    /// `DOMAIN\name` (lowercase) → SID, for users and user groups.
    pub sid_by_account: HashMap<String, String>,
}

/// `SMS_R_User` (and `SMS_R_UserGroup`) rows → discovered users and resource ids.
pub(crate) fn discovery(users: &[Record], groups: Option<&[Record]>) -> Discovery {
    let mut out = Discovery::default();
    let mut agents_by_sid: BTreeMap<String, BTreeSet<DiscoveryAgent>> = BTreeMap::new();
    for r in users {
        if let Some(id) = r.opt_u32("ResourceID") {
            out.user_ids.insert(id);
        }
        let Some(sid) = r.opt_str("SID") else {
            continue; // a user resource without a SID cannot be matched (R-G3)
        };
        if let Some(account) = r.opt_str("UniqueUserName") {
            out.sid_by_account
                .insert(account.to_lowercase(), sid.clone());
        }
        let agents = r.strings("AgentName");
        let set = agents_by_sid.entry(sid.to_uppercase()).or_default();
        if agents
            .iter()
            .any(|a| a.eq_ignore_ascii_case(AD_USER_DISCOVERY_AGENT))
        {
            set.insert(DiscoveryAgent::Ad);
        }
        if r.opt_str("AADUserID").is_some()
            || agents
                .iter()
                .any(|a| a.to_uppercase().starts_with(ENTRA_DISCOVERY_AGENT_PREFIX))
        {
            set.insert(DiscoveryAgent::Entra);
        }
    }
    out.users = agents_by_sid
        .into_iter()
        .filter(|(_, a)| !a.is_empty())
        .map(|(sid, a)| DiscoveredUser {
            sid,
            discovered_by: a.into_iter().collect(),
        })
        .collect();
    if let Some(groups) = groups {
        let mut ids = HashSet::new();
        for r in groups {
            if let Some(id) = r.opt_u32("ResourceID") {
                ids.insert(id);
            }
            if let (Some(account), Some(sid)) = (r.opt_str("UniqueUsergroupName"), r.opt_str("SID"))
            {
                out.sid_by_account.insert(account.to_lowercase(), sid);
            }
        }
        out.group_ids = Some(ids);
    }
    out
}
