//! The body of the `render` fuzz target, shared by `fuzz/` (through `#[path]`) and by
//! `tests/reliability.rs`, which replays the committed seeds and regressions: arbitrary names
//! and sizes through every text renderer of the command line.
//!
//! Input: `[repeat, user, device, feature, flags, names…]`. The names (the rest, split at NUL
//! bytes, lossily UTF-8) replace the names of the built-in Contoso sample: devices, UPNs,
//! collections, groups, role definitions and assignments, scripts, the hierarchy; `repeat`
//! from 0xF0 up stretches the first name. In the seeds' replay ([`render_names_full`], run by
//! `cargo test`) the stretch is 61,440-76,800 bytes, across the 65,536 at which tables used to
//! panic; under libFuzzer ([`render_names`]) it is 256-4,096 bytes, far wider than any column
//! the layout distinguishes (the panic came from a formatting width, which the layout no
//! longer uses): libFuzzer's schedule favours the rare stretched inputs, and at full length
//! their per-character passes under coverage instrumentation made an execution cost
//! milliseconds.
//! `flags` bit 0 turns colour on, bits 1-4 all set add `sensitivity`. Every input goes
//! through escaping, the table layout, `validate`'s text and a decision's text (`Display`)
//! carrying the names; one input in 16 (chosen by a hash of the whole input, so a corpus grown
//! from a few seeds does not skew it) also goes through every renderer that needs an engine
//! built from the renamed sample (`upload`, `report`, `diff`, `graph` in DOT, text and SVG,
//! `report --format html`, `check`, `visible`, `who`, `offboard`). That keeps an execution cheap enough for ten million runs; the replay
//! of the seeds ([`render_names_full`]) takes every renderer for every input. Asserted:
//! no renderer panics, no output carries a raw control, format or bidi character (line
//! breaks and, with colour, our own colour sequences aside), and escaping loses nothing.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use tenant_attach::{Engine, Feature, Snapshot};
use tenant_attach_cli::args::Format;
use tenant_attach_cli::output::Style;
use tenant_attach_cli::{access, commands, graph, render, report};

/// The shortest stretched first name in the seeds' replay (bytes, before rounding up to
/// whole repeats).
const STRETCH_FROM: usize = 61_440;
/// Bytes per step of `repeat` above 0xF0 under libFuzzer (0xFF reaches 4,096).
const FUZZ_STRETCH_STEP: usize = 256;
/// Bytes added per step of `repeat` above 0xF0 (0xF4 reaches 65,536).
const STRETCH_STEP: usize = 1_024;

fn base() -> &'static (Snapshot, Engine) {
    static BASE: OnceLock<(Snapshot, Engine)> = OnceLock::new();
    BASE.get_or_init(|| {
        let s = Snapshot::from_json(tenant_attach::sample::CONTOSO).expect("the sample loads");
        let e = Engine::new(s.clone()).expect("the sample is valid");
        (s, e)
    })
}

/// Our own colour sequences: the one escape text output may carry raw (with colour on).
const COLOURS: [&str; 6] = [
    "\u{1b}[0m",
    "\u{1b}[1m",
    "\u{1b}[2m",
    "\u{1b}[31m",
    "\u{1b}[32m",
    "\u{1b}[33m",
];

/// One pass over `text`: nothing hostile but line breaks and (with colour) our colour codes.
/// ASCII bytes are checked as bytes (hostile: C0 controls and DEL); anything else is decoded.
fn assert_safe(what: &str, text: &str, colour: bool) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        if b.is_ascii() {
            at += 1;
            if b == b'\n' || !b.is_ascii_control() {
                continue;
            }
            let rest = text.get(at - 1..).unwrap_or("");
            match COLOURS.iter().find(|k| colour && rest.starts_with(**k)) {
                Some(code) => at += code.len() - 1,
                None => panic!("{what}: raw U+{b:04X} in text output"),
            }
            continue;
        }
        let c = text
            .get(at..)
            .and_then(|r| r.chars().next())
            .unwrap_or(char::REPLACEMENT_CHARACTER);
        assert!(
            !render::is_hostile(c),
            "{what}: raw U+{:04X} in text output",
            u32::from(c)
        );
        at += c.len_utf8();
    }
}

/// Arbitrary names and sizes → the text renderers (the engine-backed ones on one input in 16):
/// no panic, nothing hostile printed raw.
#[allow(
    dead_code,
    reason = "the fuzz target calls this entry point, the seeds' replay the other"
)]
pub fn render_names(data: &[u8]) {
    // FNV-1a: a cheap, stable choice of the inputs that also build an engine.
    let hash = data.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    render(data, hash % 16 == 0, false);
}

/// Every text renderer for every input (the seeds' replay).
#[allow(
    dead_code,
    reason = "the seeds' replay calls this entry point, the fuzz target the other"
)]
pub fn render_names_full(data: &[u8]) {
    render(data, true, true);
}

fn render(data: &[u8], with_engine: bool, full_stretch: bool) {
    let [repeat, u, d, f, flags, rest @ ..] = data else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    // The first name is stretched on one input in 16 (`repeat` from 0xF0 up; lengths in the
    // module docs). The other names keep their length: scanning a stretched name in every
    // renderer is what makes an execution expensive.
    let stretch = repeat.checked_sub(0xF0).map_or(0, |k| {
        if full_stretch {
            STRETCH_FROM + usize::from(k) * STRETCH_STEP
        } else {
            (usize::from(k) + 1) * FUZZ_STRETCH_STEP
        }
    });
    let names: Vec<String> = text
        .split('\0')
        .enumerate()
        .map(|(i, n)| {
            if i == 0 && stretch > 0 {
                n.repeat(1 + stretch / n.len().max(1))
            } else {
                n.to_owned()
            }
        })
        .collect();
    // Escaping is checked on the names as given and on the first one doubled (a backslash at
    // the seam of two copies is the one thing stretching adds); a stretched copy would cost
    // four passes over tens of thousands of characters and reach nothing new.
    let given: Vec<&str> = text.split('\0').collect();
    let doubled = given.first().map(|n| n.repeat(2)).unwrap_or_default();
    for n in given.iter().copied().chain([doubled.as_str()]) {
        let e = render::escape(n);
        assert!(
            !e.chars().any(render::is_hostile),
            "escape left a hostile character"
        );
        assert_eq!(
            render::unescape(&e).as_deref(),
            Some(n),
            "escape is lossless"
        );
    }
    // Sizes: never a panic, whatever is asked.
    let size = |i: usize| -> usize {
        let mut b = [0u8; 8];
        for (j, slot) in b.iter_mut().enumerate() {
            *slot = rest.get(i * 8 + j).copied().unwrap_or(0);
        }
        usize::try_from(u64::from_le_bytes(b)).unwrap_or(usize::MAX)
    };
    let params = tenant_attach_synth::Params {
        devices: size(0),
        collections: size(1),
        users: size(2),
        seed: 1,
    };
    let _ = params.check();
    let _ = params.estimated_bytes();

    let (base, base_engine) = base();
    let mut s = base.clone();
    if names.is_empty() {
        return;
    }
    // The first name names the first device and the first user; stretched, it names the
    // device only, and only when an engine is built (one long cell in every table and line
    // that shows the device). Lowercasing and indexing a stretched UPN, or validating a
    // stretched name that no renderer then prints, reaches nothing the table and the
    // decision below do not, at several passes over tens of thousands of characters. The
    // other names cycle through the rest.
    let rest_names: &[String] = names.get(1..).filter(|r| !r.is_empty()).unwrap_or(&names);
    let mut next = rest_names.iter().cycle();
    let mut take = || next.next().cloned().unwrap_or_default();
    let first = given.first().map(|n| (*n).to_owned()).unwrap_or_default();
    let device_name = if with_engine {
        names.first().cloned().unwrap_or_default()
    } else {
        first.clone()
    };
    for (i, x) in s.devices.iter_mut().enumerate() {
        x.name = if i == 0 { device_name.clone() } else { take() };
    }
    for (i, x) in s.entra.users.iter_mut().enumerate() {
        x.upn = if i == 0 { first.clone() } else { take() };
    }
    for x in &mut s.collections {
        x.name = take();
    }
    for x in &mut s.entra.groups {
        x.name = take();
    }
    for x in &mut s.intune.role_definitions {
        x.name = take();
    }
    for x in &mut s.intune.role_assignments {
        x.name = take();
    }
    for x in s.configmgr.scripts.iter_mut().flatten() {
        x.name = take();
    }
    s.hierarchy.name = Some(take());

    let colour = flags & 1 == 1;
    let style = Style::fixed(Format::Text, colour);
    let diags = tenant_attach::validate(&s);
    // The renderers' own output is checked, before `render::finish` (the CLI's second net,
    // which leaves safe text as it is) could hide a name printed raw.
    let checked = |what: &str, out: String| assert_safe(what, &out, colour);
    checked(
        "validate",
        commands::validation_text("snapshot.json", &diags),
    );
    // Tables of any cell width, every name a cell.
    let rows: Vec<Vec<String>> = names.chunks(2).map(|pair| pair.to_vec()).collect();
    checked("table", render::table(&["A", "B"], &rows));
    // A decision's text (the library's `Display`) with the names as user, device and details.
    // The stretched first name goes in one field only (the user): in every field it would
    // make an execution cost milliseconds without reaching anything new.
    let short: &[String] = names.get(1..).filter(|r| !r.is_empty()).unwrap_or(&names);
    let pick = |i: usize| {
        if i == 0 {
            names.first().cloned().unwrap_or_default()
        } else {
            short.get(i % short.len()).cloned().unwrap_or_default()
        }
    };
    let decision = serde_json::json!({
        "allowed": flags & 2 == 2, "device": pick(1), "feature": "view",
        "grants": [{"detail": pick(2), "id": pick(3), "kind": "intune_assignment"}],
        "mode": "combined", "not_evaluated": [{"detail": pick(4), "rule": "R-G7"}],
        "policy": {pick(5): pick(6)},
        "reasons": [{"code": "configmgr_permission_missing", "detail": pick(7), "rule": "R-G4"},
                    {"code": "not_discovered", "detail": pick(8), "rule": "R-G2"}],
        "resource_id": 1, "user": pick(0), "user_id": pick(9)
    });
    if let Ok(d) = serde_json::from_value::<tenant_attach::Decision>(decision) {
        checked("decision", d.to_string());
    }
    if !with_engine {
        return;
    }
    let Ok(engine) = Engine::new(s) else {
        return;
    };
    checked("upload", commands::upload_text(&engine));
    checked(
        "report",
        report::report(
            &engine,
            report::Knobs::from(flags & 4 == 4),
            if flags & 8 == 8 {
                report::Fixes::Included
            } else {
                report::Fixes::Omitted
            },
            &style,
        ),
    );
    checked("diff", report::diff(base_engine, &engine, &style));
    let all: BTreeSet<_> = graph::neighbourhood(&engine, None, 0);
    if let Ok(dot) = graph::render(&engine, &all, Format::Dot) {
        checked("graph", dot);
    }
    if let Ok(text) = graph::render(&engine, &all, Format::Text) {
        checked("graph text", text);
    }
    // The SVG and the HTML page: names escaped for a terminal, then for markup.
    checked(
        "graph svg",
        tenant_attach_cli::svg::render(&engine, &all, Some(&pick(3)), true),
    );
    checked(
        "report html",
        report::html(
            &engine,
            report::Knobs::Omitted,
            report::Fixes::Omitted,
            &pick(4),
        ),
    );
    let users = engine.users();
    let (Some(user), Some(device)) = (
        users.get(usize::from(*u) % users.len().max(1)).copied(),
        engine
            .device_ixs()
            .nth(usize::from(*d) % engine.device_count().max(1)),
    ) else {
        return;
    };
    let feature = Feature::ALL[usize::from(*f) % Feature::ALL.len()];
    checked(
        "check",
        access::check(&engine.check(user, device, feature), &style),
    );
    checked("visible", access::visible(&engine, user, feature, &style));
    checked("who", access::who(&engine, device, feature, &style));
    checked("offboard", access::offboard(&engine, user, &style));
    // The costliest renderer (it re-evaluates every decision per knob value): 1 input in 16.
    if flags & 0x1e == 0x1e {
        checked(
            "sensitivity",
            tenant_attach_cli::sensitivity::render(&engine, None, &style),
        );
    }
}

/// The check itself must catch what it is there to catch.
#[test]
fn assert_safe_catches_raw_hostile_characters() {
    let caught = |text: &'static str, colour: bool| {
        std::panic::catch_unwind(|| assert_safe("t", text, colour)).is_err()
    };
    for raw in [
        "a\rb",
        "\u{1b}]0;x\u{7}",
        "x\u{202e}y",
        "\u{85}",
        "\u{7f}",
        "é\u{200b}",
    ] {
        assert!(caught(raw, false) && caught(raw, true), "{raw:?}");
    }
    assert!(
        caught("\u{1b}[31mred", false),
        "colour codes without colour"
    );
    for safe in ["plain\n", "\u{1b}[31mred\u{1b}[0m", "é ü \u{fffd}"] {
        assert!(!caught(safe, true), "{safe:?}");
    }
}
