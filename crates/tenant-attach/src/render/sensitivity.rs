//! `sensitivity` as text.

use std::fmt;

use super::trimmed;
use crate::sensitivity::Sensitivity;
use crate::text::{escape, table};

/// A knob value as text: a string bare, anything else as JSON.
fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl fmt::Display for Sensitivity {
    /// A table of the knobs and their other values (decisions gained and lost, users and
    /// devices affected), the first changes of each value that matters, and the knobs no
    /// answer depends on, as `tenant-attach sensitivity` prints it.
    ///
    /// ```
    /// use tenant_attach::{Engine, Knob, sample, sensitivity};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let text = sensitivity(&engine, Some(Knob::CombinedPagePermissions)).to_string();
    /// let lines: Vec<&str> = text.lines().collect();
    /// assert_eq!(lines[0], "Which answers rest on a reading of the rulebook (policy knobs)");
    /// assert_eq!(lines[2], "combined_page_permissions  R-F1  view     feature      0       4     1      1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out =
            String::from("Which answers rest on a reading of the rulebook (policy knobs)\n");
        let mut rows = Vec::new();
        for k in &self.knobs {
            for a in &k.alternatives {
                rows.push(vec![
                    k.knob.as_str().to_owned(),
                    k.rule.to_owned(),
                    value_text(&k.current),
                    value_text(&a.value),
                    a.gained.to_string(),
                    a.lost.to_string(),
                    a.users.to_string(),
                    a.devices.to_string(),
                ]);
            }
        }
        out.push_str(&table(
            &[
                "KNOB",
                "RULE",
                "CURRENT",
                "ALTERNATIVE",
                "GAINED",
                "LOST",
                "USERS",
                "DEVICES",
            ],
            &rows,
        ));
        for k in &self.knobs {
            for a in &k.alternatives {
                if a.examples.is_empty() {
                    continue;
                }
                out.push_str(&format!(
                    "\n{} = {} ({}): first changes\n",
                    k.knob,
                    escape(&value_text(&a.value)),
                    k.rule
                ));
                let rows: Vec<Vec<String>> = a
                    .examples
                    .iter()
                    .map(|e| {
                        vec![
                            String::from(e.change.as_str()),
                            e.user.clone(),
                            e.device.clone(),
                            e.feature.as_str().to_owned(),
                        ]
                    })
                    .collect();
                out.push_str(&table(&["CHANGE", "USER", "DEVICE", "FEATURE"], &rows));
            }
        }
        let quiet: Vec<&str> = self
            .knobs
            .iter()
            .filter(|k| !k.matters())
            .map(|k| k.knob.as_str())
            .collect();
        if !quiet.is_empty() {
            out.push_str(&format!(
                "\nNo answer of this snapshot depends on: {}\n",
                quiet.join(", ")
            ));
        }
        trimmed(f, &out)
    }
}
