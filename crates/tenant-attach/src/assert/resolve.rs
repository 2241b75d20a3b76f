//! Subjects and targets resolved against one engine: users as a bitmap over
//! [`UserIx::index`], devices as a [`DeviceSet`]. A name the snapshot does not hold is an
//! error naming the assertion and the field, so no assertion passes vacuously.

use std::collections::{BTreeSet, VecDeque};

use roaring::RoaringBitmap;

use super::AssertError;
use super::file::{Subject, Target};
use crate::devices::DeviceSet;
use crate::engine::Engine;
use crate::text::escape;

/// Where in the file a name stands: the assertion and the JSON path of the field.
#[derive(Debug, Clone)]
pub(super) struct Place<'a> {
    pub(super) assertion: &'a str,
    pub(super) path: String,
}

impl Place<'_> {
    pub(super) fn at(&self, field: &str) -> Place<'_> {
        Place {
            assertion: self.assertion,
            path: format!("{}.{field}", self.path),
        }
    }

    pub(super) fn error(&self, message: String) -> AssertError {
        AssertError::Input {
            assertion: self.assertion.to_owned(),
            field: self.path.clone(),
            message,
        }
    }
}

/// The users of a subject, by [`crate::UserIx::index`].
pub(super) fn subject(
    engine: &Engine,
    subject: &Subject,
    place: &Place<'_>,
) -> Result<RoaringBitmap, AssertError> {
    let mut users = RoaringBitmap::new();
    let all = engine
        .users()
        .iter()
        .filter_map(|u| engine.user(*u).map(|e| (*u, e)));
    match subject {
        Subject::User(name) => {
            let u = engine
                .find_user(name)
                .map_err(|e| place.at("user").error(e.to_string()))?;
            users.insert(u.index());
        }
        Subject::Group(name) => return group(engine, name, &place.at("group")),
        Subject::AdGroup(sid) => {
            let known = engine
                .snapshot()
                .configmgr
                .admins
                .iter()
                .any(|a| a.sid.eq_ignore_ascii_case(sid));
            for (u, e) in all {
                if e.on_premises_group_sids
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(sid))
                {
                    users.insert(u.index());
                }
            }
            if users.is_empty() && !known {
                return Err(place.at("ad_group").error(format!(
                    "no user's on_premises_group_sids and no ConfigMgr admin hold the SID `{}`",
                    escape(sid)
                )));
            }
        }
        Subject::CloudOnly(cloud) => {
            for (u, e) in all {
                if e.on_premises_sid.is_none() == *cloud {
                    users.insert(u.index());
                }
            }
        }
        Subject::DirectoryRole(role) => {
            for (u, e) in all {
                if e.directory_roles.contains(role) {
                    users.insert(u.index());
                }
            }
        }
    }
    Ok(users)
}

/// The users of an Entra group (by id, else by name), nested groups included; a cycle of
/// groups is walked once.
fn group(engine: &Engine, name: &str, place: &Place<'_>) -> Result<RoaringBitmap, AssertError> {
    let groups = &engine.snapshot().entra.groups;
    let root = match groups.iter().find(|g| g.id == name) {
        Some(g) => g,
        None => {
            let named: Vec<_> = groups.iter().filter(|g| g.name == name).collect();
            match named.as_slice() {
                [one] => *one,
                [] => {
                    return Err(place.error(format!(
                        "no Entra group with name or id `{}` in $.entra.groups",
                        escape(name)
                    )));
                }
                many => {
                    let ids: Vec<&str> = many.iter().map(|g| g.id.as_str()).collect();
                    return Err(place.error(format!(
                        "several Entra groups are named `{}`; name one by id: {}",
                        escape(name),
                        ids.join(", ")
                    )));
                }
            }
        }
    };
    let mut users = RoaringBitmap::new();
    let mut seen = BTreeSet::from([root.id.as_str()]);
    let mut queue = VecDeque::from([root]);
    while let Some(g) = queue.pop_front() {
        for member in &g.members {
            if let Some(nested) = groups.iter().find(|n| n.id == *member) {
                if seen.insert(nested.id.as_str()) {
                    queue.push_back(nested);
                }
            } else if let Ok(u) = engine.find_user(member) {
                users.insert(u.index());
            }
        }
    }
    Ok(users)
}

/// The devices of a target.
pub(super) fn target(
    engine: &Engine,
    target: &Target,
    place: &Place<'_>,
) -> Result<DeviceSet, AssertError> {
    let stamp = engine.clients().stamp();
    let n = engine.device_count() as u32;
    let filtered = |keep: &dyn Fn(&crate::snapshot::Device) -> bool| {
        let bits: RoaringBitmap = engine
            .device_ixs()
            .filter(|d| engine.device(*d).is_some_and(keep))
            .map(crate::DeviceIx::index)
            .collect();
        DeviceSet::from_bits(bits, stamp)
    };
    Ok(match target {
        Target::Device(name) => {
            let d = engine
                .find_device(name)
                .map_err(|e| place.at("device").error(e.to_string()))?;
            DeviceSet::from_bits(RoaringBitmap::from_iter([d.index()]), stamp)
        }
        Target::Collection(id) => {
            let c = engine
                .find_collection(id)
                .map_err(|e| place.at("collection").error(e.to_string()))?;
            engine.collections().members(c).clone()
        }
        Target::NameMatches(glob) => {
            let pattern: Vec<char> = glob.to_lowercase().chars().collect();
            let set = filtered(&|d| matches(&pattern, &d.name.to_lowercase()));
            if set.is_empty() {
                return Err(place.at("name_matches").error(format!(
                    "no device name in $.devices matches `{}`",
                    escape(glob)
                )));
            }
            set
        }
        Target::CoManaged(want) => filtered(&|d| d.co_managed == *want),
        Target::TenantAttached(true) => engine.upload().uploaded().clone(),
        Target::TenantAttached(false) => {
            let mut all = RoaringBitmap::new();
            all.insert_range(0..n);
            DeviceSet::from_bits(all - &engine.upload().uploaded().bits, stamp)
        }
        Target::All => {
            let mut all = RoaringBitmap::new();
            all.insert_range(0..n);
            DeviceSet::from_bits(all, stamp)
        }
    })
}

/// Whether `name` matches the glob `pattern` (`*` any run, `?` one character), both already
/// lowercased: the classic two-pointer match with one backtrack point, linear in practice.
pub(super) fn matches(pattern: &[char], name: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    let (mut p, mut n) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match (pattern.get(p), name.get(n)) {
            (Some('*'), _) => {
                star = Some((p, n));
                p += 1;
            }
            (Some(pc), Some(nc)) if *pc == '?' || pc == nc => {
                p += 1;
                n += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    p = sp + 1;
                    n = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    pattern
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

#[cfg(test)]
mod tests {
    use super::matches;

    fn glob(p: &str, n: &str) -> bool {
        matches(&p.chars().collect::<Vec<_>>(), n)
    }

    #[test]
    fn globs() {
        assert!(glob("con-srv-*", "con-srv-sql01"));
        assert!(glob("*", ""));
        assert!(glob("con-??-00?", "con-ws-004"));
        assert!(!glob("con-??-00?", "con-srv-004"));
        assert!(glob("*sql*", "con-srv-sql01"));
        assert!(!glob("*sql", "con-srv-sql01"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
        assert!(!glob("", "a"));
    }
}
