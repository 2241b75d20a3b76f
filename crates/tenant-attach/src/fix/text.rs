//! `fix`'s text for people: the change sets as steps an admin follows, least privilege first.

use std::fmt;

use super::{ChangeSet, Fix};
use crate::text::escape;

fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// What else a change set changes, in one phrase.
fn radius_phrase(c: &ChangeSet) -> String {
    if c.gained == 0 && c.lost == 0 {
        return String::from("changes no other decision");
    }
    let mut parts = Vec::new();
    if c.gained > 0 {
        parts.push(format!(
            "{} gained",
            count(c.gained, "other decision", "other decisions")
        ));
    }
    if c.lost > 0 {
        parts.push(format!("{} lost", count(c.lost, "decision", "decisions")));
    }
    format!(
        "{} ({}, {})",
        parts.join(", "),
        count(c.users, "user", "users"),
        count(c.devices, "device", "devices")
    )
}

/// The first edit in short, for the summary line.
fn first_step(c: &ChangeSet) -> String {
    let first = c
        .edits
        .first()
        .map_or(String::new(), |e| escape(&e.detail).into_owned());
    match c.edits.len() {
        0 | 1 => first,
        n => format!("{first} (+{} more)", n - 1),
    }
}

impl fmt::Display for Fix {
    /// `tenant-attach fix`'s text: the question, then each change set with its steps (rule
    /// ids, infrastructure changes marked), its blast radius and examples, then which set is
    /// the least-privilege one and why; or why nothing works.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (who, dev, what) = (
            escape(&self.user),
            escape(&self.device),
            self.feature.phrase(),
        );
        if self.allowed {
            return writeln!(f, "ALLOWED {who} can already {what} {dev}: nothing to fix.");
        }
        writeln!(f, "DENIED {who} can't {what} {dev}:")?;
        for r in &self.reasons {
            writeln!(f, "  {} [{}] {}", r.code, r.rule, escape(&r.detail))?;
        }
        if self.fixes.is_empty() {
            writeln!(f, "No change set of the vocabulary allows it:")?;
            for u in &self.unfixable {
                writeln!(
                    f,
                    "  unfixable {} [{}]: {}",
                    u.code,
                    u.rule,
                    escape(&u.detail)
                )?;
            }
            return Ok(());
        }
        writeln!(
            f,
            "{} {} it, least privilege first (each proved by the engine; no edit can be left out):",
            count(self.fixes.len() as u64, "change set", "change sets"),
            if self.fixes.len() == 1 {
                "allows"
            } else {
                "allow"
            }
        )?;
        for (i, c) in self.fixes.iter().enumerate() {
            writeln!(f)?;
            writeln!(
                f,
                "Fix {}: {}; {}",
                i + 1,
                count(c.edits.len() as u64, "edit", "edits"),
                radius_phrase(c)
            )?;
            for (j, e) in c.edits.iter().enumerate() {
                let infra = if e.infrastructure {
                    " (infrastructure change)"
                } else {
                    ""
                };
                writeln!(f, "  {}. [{}]{infra} {}", j + 1, e.rule, escape(&e.detail))?;
            }
            for x in &c.examples {
                writeln!(
                    f,
                    "     {} {} {} {}",
                    x.change.as_str(),
                    escape(&x.user),
                    escape(&x.device),
                    x.feature
                )?;
            }
            let shown = c.examples.len() as u64;
            if c.gained + c.lost > shown {
                writeln!(f, "     … and {} more", c.gained + c.lost - shown)?;
            }
        }
        if let Some(best) = self.fixes.first() {
            writeln!(f)?;
            let why = if self.fixes.len() == 1 {
                String::from("the only change set found")
            } else {
                String::from("it changes the fewest other decisions, then has the fewest edits")
            };
            writeln!(
                f,
                "Least privilege: fix 1, {}: {}; {why}.",
                first_step(best),
                escape(&best.summary)
            )?;
        }
        Ok(())
    }
}
