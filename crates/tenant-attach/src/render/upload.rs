//! `upload` as text.

use std::fmt;

use super::trimmed;
use crate::answers::UploadStream;
use crate::text::{escape, plural, table};
use crate::upload::UPLOAD_DELAY_MINUTES_MAX;

impl fmt::Display for UploadStream<'_> {
    /// The upload setting, the uploaded devices with the collection path that brought each in,
    /// the others with the first reason, and the delay (R-U6), as `tenant-attach upload`
    /// prints it.
    ///
    /// ```
    /// use tenant_attach::{Engine, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let text = engine.upload_stream().to_string();
    /// assert!(text.starts_with("Upload setting: collection PS100020 (Tenant attach upload) and its child collections (R-U4)"));
    /// assert!(text.contains("\nUploaded: 16 devices\n"));
    /// assert!(text.ends_with("Changes reach the admin center within 25 minutes (R-U6)."));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let engine = self.engine;
        let scope = engine.upload();
        let ids = engine.collections();
        let setting = match &engine.snapshot().hierarchy.attach.upload.collection {
            Some(id) => {
                let name = engine
                    .find_collection(id)
                    .ok()
                    .and_then(|c| engine.collection(c))
                    .map_or("", |c| c.name.as_str());
                format!(
                    "collection {} ({}) and its child collections (R-U4)",
                    escape(id),
                    escape(name)
                )
            }
            None => String::from("all devices with a client (R-U3)"),
        };
        let mut out = format!("Upload setting: {setting}\n");
        if let Some(b) = scope.blocked() {
            out.push_str(&format!(
                "blocked: nothing is uploaded: {} ({})\n",
                b.reason().code(),
                b.rule()
            ));
        }
        let mut up = Vec::new();
        let mut down = Vec::new();
        for ix in engine.device_ixs() {
            let Some(d) = engine.device(ix) else { continue };
            if scope.is_uploaded(ix) {
                let via: Vec<String> = scope
                    .via(ix)
                    .iter()
                    .map(|c| {
                        let name = engine.collection(*c).map_or("", |c| c.name.as_str());
                        format!("{} ({name})", ids.id(*c).unwrap_or_default())
                    })
                    .collect();
                let via = if via.is_empty() {
                    String::from("all devices")
                } else {
                    via.join(" → ")
                };
                up.push(vec![d.resource_id.to_string(), d.name.clone(), via]);
            } else if let Some(reason) = scope.reasons(ix, d.client).first() {
                down.push(vec![
                    d.resource_id.to_string(),
                    d.name.clone(),
                    format!("{} ({})", reason.code(), scope.rule(*reason)),
                ]);
            }
        }
        out.push_str(&format!(
            "\nUploaded: {}\n",
            plural(up.len() as u64, "device", "devices")
        ));
        if !up.is_empty() {
            out.push_str(&table(&["RESOURCE ID", "NAME", "VIA"], &up));
        }
        out.push_str(&format!(
            "\nNot uploaded: {}\n",
            plural(down.len() as u64, "device", "devices")
        ));
        if !down.is_empty() {
            out.push_str(&table(&["RESOURCE ID", "NAME", "REASON"], &down));
        }
        out.push_str(&format!(
            "\nChanges reach the admin center within {UPLOAD_DELAY_MINUTES_MAX} minutes (R-U6).\n"
        ));
        trimmed(f, &out)
    }
}
