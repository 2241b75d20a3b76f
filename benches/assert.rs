//! Criterion benchmark of `tenant_attach::assert` (see BENCHMARKS.md): a file of 100
//! assertions, 20 of them quantified (`never`, `only`, `count`) over collections of 10,000 or
//! more devices, on the synthetic M hierarchy (and L with `TENANT_ATTACH_BENCH_L=1`).
//!
//! `cargo bench --bench assert` · `TENANT_ATTACH_BENCH_L=1 cargo bench --bench assert -- /L`
//!
//! With `TENANT_ATTACH_ASSERT_FILE=DIR`, the generated files are also written to
//! `DIR/assertions-M.json` (and `-L`), for timing the command line against `stats`.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "benchmark code: a panic reports a broken setup"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use tenant_attach::assert::{self, Assertions};
use tenant_attach::{Engine, Feature};
use tenant_attach_synth::{Params, Rng};

fn sizes() -> Vec<(&'static str, Params)> {
    let mut v = vec![(
        "M",
        Params {
            devices: 200_000,
            collections: 20_000,
            users: 2_000,
            seed: 1,
        },
    )];
    if std::env::var_os("TENANT_ATTACH_BENCH_L").is_some() {
        v.push((
            "L",
            Params {
                devices: 1_000_000,
                collections: 100_000,
                users: 10_000,
                seed: 1,
            },
        ));
    }
    v
}

/// 100 assertions over `engine`, drawn deterministically: 20 quantified over the collections
/// of 10,000+ devices (in id order, reused round-robin), then 80 others: explicit triples,
/// upload checks, `never` and `count` on single devices and small collections.
fn file_for(engine: &Engine) -> Value {
    let graph = engine.collections();
    let big: Vec<&str> = graph
        .in_id_order()
        .filter(|c| graph.members(*c).len() >= 10_000)
        .filter_map(|c| graph.id(c))
        .collect();
    let small: Vec<&str> = graph
        .in_id_order()
        .filter(|c| (1..1_000).contains(&graph.members(*c).len()))
        .filter_map(|c| graph.id(c))
        .collect();
    assert!(!big.is_empty(), "no collection of 10,000 devices");
    let groups: Vec<&str> = engine
        .snapshot()
        .entra
        .groups
        .iter()
        .filter(|g| !g.members.is_empty())
        .map(|g| g.id.as_str())
        .collect();
    let users: Vec<&str> = engine
        .users()
        .iter()
        .filter_map(|u| engine.user(*u).map(|u| u.upn.as_str()))
        .collect();
    let devices: Vec<u32> = engine.resource_ids().to_vec();
    let mut rng = Rng::new(7);
    let feature = |i: usize| Feature::ALL[i % Feature::ALL.len()].as_str();
    let mut out = Vec::with_capacity(100);
    for i in 0..20 {
        let target = json!({"collection": big[i % big.len()]});
        let group = json!({"group": groups[rng.below(groups.len())]});
        let f = feature(i);
        let body = match i % 5 {
            0 => json!({"never": {"subject": group, "feature": f, "target": target}}),
            1 => json!({"only": {"feature": f, "target": target, "at_most": group}}),
            2 => json!({"only": {"feature": f, "target": target, "at_least": group}}),
            3 => json!({"count": {"feature": f, "target": target, "users_at_most": 50}}),
            _ => {
                json!({"count": {"subject": group, "feature": f, "target": target, "devices_at_least": 1000}})
            }
        };
        out.push((format!("quantified {i}"), body));
    }
    for i in 0..80 {
        let user = users[rng.below(users.len())];
        let device = devices[rng.below(devices.len())].to_string();
        let f = feature(i);
        let body = match i % 8 {
            0 | 1 => {
                let triples: Vec<Value> = (0..5)
                    .map(|k| json!({"user": users[rng.below(users.len())], "device": devices[rng.below(devices.len())].to_string(), "feature": feature(i + k)}))
                    .collect();
                if i % 8 == 0 {
                    json!({"allowed": triples})
                } else {
                    json!({"denied": triples})
                }
            }
            2 => json!({"uploaded": {"collection": small[rng.below(small.len())]}}),
            3 => json!({"not_uploaded": {"device": device}}),
            4 => {
                json!({"never": {"subject": {"user": user}, "feature": f, "target": {"device": device}}})
            }
            5 => {
                json!({"only": {"feature": f, "target": {"device": device}, "at_most": {"group": groups[rng.below(groups.len())]}}})
            }
            6 => {
                json!({"count": {"feature": f, "target": {"collection": small[rng.below(small.len())]}, "users_at_least": 1}})
            }
            _ => {
                json!({"never": {"subject": {"cloud_only": true}, "feature": f, "target": {"collection": small[rng.below(small.len())]}}})
            }
        };
        out.push((format!("other {i}"), body));
    }
    let assertions: Vec<Value> = out
        .into_iter()
        .map(|(name, mut body)| {
            body["name"] = Value::String(name);
            body
        })
        .collect();
    json!({"schema": "tenant-attach.assertions/1", "assertions": assertions})
}

fn benches(c: &mut Criterion) {
    for (name, params) in sizes() {
        let mut buf = Vec::new();
        tenant_attach_synth::write_json(&params, &mut buf, |_, _, _| {}).unwrap();
        let engine = Engine::from_json(std::str::from_utf8(&buf).unwrap()).unwrap();
        drop(buf);
        let value = file_for(&engine);
        if let Some(dir) = std::env::var_os("TENANT_ATTACH_ASSERT_FILE") {
            let path = std::path::Path::new(&dir).join(format!("assertions-{name}.json"));
            std::fs::write(path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
        }
        let file = Assertions::from_json(&value.to_string()).unwrap();
        let mut g = c.benchmark_group("assert");
        g.sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(10));
        g.bench_function(BenchmarkId::new("100_assertions", name), |b| {
            b.iter(|| assert::assert(black_box(&engine), black_box(&file)).unwrap())
        });
        g.finish();
    }
}

criterion_group!(assert_benches, benches);
criterion_main!(assert_benches);
