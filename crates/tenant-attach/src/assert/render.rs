//! The text and JUnit forms of an [`Outcome`] (its JSON is its `Serialize`).

use std::fmt::{self, Write as _};

use super::{AssertionResult, Counterexample, Outcome};
use crate::text::escape;

impl fmt::Display for Outcome {
    /// One line per assertion (`PASS name` / `FAIL name`), each failed one's counterexamples
    /// explained below it, then the totals. Every name and detail is escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.results {
            write!(f, "{r}")?;
        }
        writeln!(f, "{} passed, {} failed", self.passed, self.failed)
    }
}

impl fmt::Display for AssertionResult {
    /// `PASS name` or `FAIL name (N counterexamples)` and the counterexamples shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = escape(&self.name);
        if self.passed {
            writeln!(f, "PASS {name}")?;
        } else {
            let s = if self.total == 1 { "" } else { "s" };
            writeln!(f, "FAIL {name} ({} counterexample{s})", self.total)?;
        }
        if let Some(change) = &self.against {
            match change.passed_before {
                Some(true) => writeln!(f, "  was PASS")?,
                Some(false) => writeln!(f, "  was FAIL")?,
                None => writeln!(f, "  new: the old snapshot does not hold what it names")?,
            }
            if !change.changed.is_empty() {
                writeln!(f, "  decisions that changed (as decided now):")?;
                for c in &change.changed {
                    example(f, c, "    ")?;
                }
            }
        }
        if !self.passed {
            for c in &self.counterexamples {
                example(f, c, "  ")?;
            }
            let shown = self.counterexamples.len() as u64;
            if self.total > shown {
                writeln!(f, "  … {} more not shown", self.total - shown)?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Counterexample {
    /// `allowed: user, feature, device` (or `not uploaded: device`) and its explanation.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        example(f, self, "")
    }
}

fn example(f: &mut fmt::Formatter<'_>, c: &Counterexample, indent: &str) -> fmt::Result {
    let device = escape(&c.device);
    match (&c.user, c.feature) {
        (Some(user), Some(feature)) => writeln!(
            f,
            "{indent}{}: {}, {feature}, {device}",
            if c.allowed { "allowed" } else { "denied" },
            escape(user)
        )?,
        _ => writeln!(
            f,
            "{indent}{}: {device}",
            if c.allowed {
                "uploaded"
            } else {
                "not uploaded"
            }
        )?,
    }
    for g in &c.grants {
        writeln!(
            f,
            "{indent}  granted by {} {}: {}",
            g.kind.label(),
            escape(&g.id),
            escape(&g.detail)
        )?;
    }
    for r in &c.reasons {
        writeln!(f, "{indent}  {} [{}] {}", r.code, r.rule, escape(&r.detail))?;
    }
    Ok(())
}

impl Outcome {
    /// The outcome as JUnit XML: one `testsuite`, one `testcase` per assertion, a `failure`
    /// for each failed one whose `message` counts the counterexamples and names the first,
    /// and whose text explains every one shown (the text form). Everything is XML-escaped.
    ///
    /// ```
    /// use tenant_attach::{Engine, assert::{self, Assertions}, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let file = Assertions::from_json(r#"{"schema": "tenant-attach.assertions/1", "assertions": [
    ///     {"name": "DC <not> uploaded", "not_uploaded": {"device": "CON-SRV-DC01"}}]}"#)?;
    /// let xml = assert::assert(&engine, &file)?.junit();
    /// assert!(xml.contains(r#"<testcase classname="tenant-attach.assert" name="DC &lt;not&gt; uploaded"/>"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn junit(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuite name=\"tenant-attach assert\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            self.results.len(),
            self.failed
        );
        for r in &self.results {
            let name = xml(&r.name);
            if r.passed {
                let _ = writeln!(
                    out,
                    "  <testcase classname=\"tenant-attach.assert\" name=\"{name}\"/>"
                );
                continue;
            }
            let s = if r.total == 1 { "" } else { "s" };
            // The message is one line: the count and the first counterexample's headline;
            // the text holds every counterexample shown, explained.
            let first = r
                .counterexamples
                .first()
                .map(|c| c.to_string())
                .and_then(|t| t.lines().next().map(|l| format!("; first: {l}")))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  <testcase classname=\"tenant-attach.assert\" name=\"{name}\">\n    <failure message=\"{}\" type=\"assertion\">{}</failure>\n  </testcase>",
                xml(&format!("{} counterexample{s}{first}", r.total)),
                xml(&r.to_string())
            );
        }
        out.push_str("</testsuite>\n");
        out
    }
}

/// XML-escaped text: the five markup characters as entities, and every character XML 1.0
/// cannot hold (control characters but tab and newline) as `\u{…}` after
/// [`crate::text::escape`] has made the text terminal-safe.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() || matches!(c, '\u{fffe}' | '\u{ffff}') => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::xml;

    #[test]
    fn xml_escapes_markup_and_controls() {
        assert_eq!(xml("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(xml("x\u{1}y\nz"), "x\\u{1}y\nz");
    }
}
