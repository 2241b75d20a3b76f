//! `validate` as text.

use std::fmt;

use crate::error::{Diagnostics, Severity};
use crate::text::{escape, plural};

/// [`Diagnostics`] with the name of what was validated: the text `tenant-attach validate`
/// prints, its last line `FILE: valid: …` (see [`Diagnostics::titled`]).
#[derive(Debug, Clone, Copy)]
pub struct Titled<'a> {
    diagnostics: &'a Diagnostics,
    label: &'a str,
}

impl Diagnostics {
    /// The text of these diagnostics with the verdict line naming `label` (a file name), as
    /// `tenant-attach validate` prints it.
    ///
    /// ```
    /// let s = tenant_attach::Snapshot::from_json(tenant_attach::sample::CONTOSO)?;
    /// let d = tenant_attach::validate(&s);
    /// assert!(d.titled("contoso.json").to_string().ends_with("contoso.json: valid: 0 errors, 0 warnings"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn titled<'a>(&'a self, label: &'a str) -> Titled<'a> {
        Titled {
            diagnostics: self,
            label,
        }
    }

    /// Writes one line per diagnostic, then the verdict, after `prefix` (`FILE: ` or nothing).
    fn write_text(&self, f: &mut fmt::Formatter<'_>, prefix: &str) -> fmt::Result {
        for d in self.all() {
            let kind = match d.severity() {
                Severity::InputError => "input error",
                Severity::ConfigurationError => "configuration error",
                Severity::Warning => "warning",
            };
            writeln!(f, "{kind} {d}")?;
        }
        let errors = self.errors().count() as u64;
        let warnings = self.warnings().count() as u64;
        write!(
            f,
            "{prefix}{}: {}, {}",
            if errors == 0 { "valid" } else { "not valid" },
            plural(errors, "error", "errors"),
            plural(warnings, "warning", "warnings")
        )
    }
}

impl fmt::Display for Diagnostics {
    /// One line per diagnostic (`KIND [RULE] PATH: MESSAGE`, path and message escaped), then
    /// the verdict: `valid` or `not valid`, with the counts. Empty diagnostics say the
    /// snapshot is valid.
    ///
    /// ```
    /// use tenant_attach::{Diagnostics, LoadError, Snapshot};
    /// assert_eq!(Diagnostics::default().to_string(), "valid: 0 errors, 0 warnings");
    /// let e = Snapshot::from_json("{").err().ok_or("parsed")?;
    /// let text = Diagnostics::from_load_error(&e).to_string();
    /// assert!(text.starts_with("input error [schema] $:"));
    /// assert!(text.ends_with("not valid: 1 error, 0 warnings"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_text(f, "")
    }
}

impl fmt::Display for Titled<'_> {
    /// [`Diagnostics`]' text, the verdict line starting with the label.
    ///
    /// ```
    /// let d = tenant_attach::Diagnostics::default();
    /// assert_eq!(d.titled("a.json").to_string(), "a.json: valid: 0 errors, 0 warnings");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.diagnostics
            .write_text(f, &format!("{}: ", escape(self.label)))
    }
}
