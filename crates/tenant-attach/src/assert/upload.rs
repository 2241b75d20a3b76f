//! The upload kinds' decisions: whether a device is uploaded, explained like a decision (the
//! collection path that brought it in, or the R-U reasons it is left out).

use super::Counterexample;
use crate::decision::{Grant, GrantKind, Reason};
use crate::devices::DeviceIx;
use crate::engine::Engine;
use crate::upload::NotUploaded;

/// Whether a device is uploaded, explained as an upload decision.
pub(crate) fn upload_decision(engine: &Engine, d: DeviceIx) -> Counterexample {
    let scope = engine.upload();
    let dev = engine.device(d);
    let name = dev.map(|d| d.name.clone()).unwrap_or_default();
    let uploaded = scope.is_uploaded(d);
    let (mut grants, mut reasons) = (Vec::new(), Vec::new());
    if uploaded {
        let via: Vec<&str> = scope
            .via(d)
            .iter()
            .filter_map(|c| engine.collections().id(*c))
            .collect();
        grants.push(Grant {
            detail: if via.is_empty() {
                format!("`{name}` is uploaded: all devices with a client are (R-U3)")
            } else {
                format!("`{name}` is uploaded through {}", via.join(" → "))
            },
            id: via
                .last()
                .map_or_else(|| String::from("all_devices"), |c| (*c).to_owned()),
            kind: GrantKind::Upload,
        });
    } else {
        for r in scope.reasons(d, dev.is_some_and(|d| d.client)) {
            reasons.push(Reason {
                code: r.reason_code(),
                detail: format!("`{name}` is not uploaded: {}", why(r)),
                rule: scope.rule(r),
            });
        }
    }
    Counterexample {
        allowed: uploaded,
        device: name,
        feature: None,
        grants,
        reasons,
        user: None,
    }
}

/// An upload reason in words.
fn why(r: NotUploaded) -> &'static str {
    match r {
        NotUploaded::NotAttached => "the hierarchy is not tenant-attached",
        NotUploaded::UploadUnsupportedCloud => {
            "the hierarchy's cloud or version cannot upload devices"
        }
        NotUploaded::NotUploadedNoClient => "it has no ConfigMgr client",
        NotUploaded::NotUploadedOutOfScope => {
            "it is in neither the upload collection nor one of its children"
        }
    }
}
