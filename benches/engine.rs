//! Criterion benchmarks over synthetic hierarchies (see BENCHMARKS.md).
//!
//! Sizes: S (10k devices, 1k collections, 100 users) and M (200k, 20k, 2k) always; L (1M,
//! 100k, 10k) only with `TENANT_ATTACH_BENCH_L=1`, so CI stays short.
//!
//! `cargo bench --bench engine` · `TENANT_ATTACH_BENCH_L=1 cargo bench --bench engine`

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "benchmark code: a panic reports a broken setup"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tenant_attach::snapshot::{ChildRelation, Upload};
use tenant_attach::{Engine, Feature, diff, sensitivity};
use tenant_attach_synth::{Params, Rng};

struct Size {
    name: &'static str,
    params: Params,
}

fn sizes() -> Vec<Size> {
    let mut v = vec![
        Size {
            name: "S",
            params: Params {
                devices: 10_000,
                collections: 1_000,
                users: 100,
                seed: 1,
            },
        },
        Size {
            name: "M",
            params: Params {
                devices: 200_000,
                collections: 20_000,
                users: 2_000,
                seed: 1,
            },
        },
    ];
    if std::env::var_os("TENANT_ATTACH_BENCH_L").is_some() {
        v.push(Size {
            name: "L",
            params: Params {
                devices: 1_000_000,
                collections: 100_000,
                users: 10_000,
                seed: 1,
            },
        });
    }
    v
}

fn text_of(p: &Params) -> String {
    let mut buf = Vec::new();
    tenant_attach_synth::write_json(p, &mut buf, |_, _, _| {}).unwrap();
    String::from_utf8(buf).unwrap()
}

/// A group for operations that take a good fraction of a second: few samples.
fn heavy<'a>(
    c: &'a mut Criterion,
    group: &str,
) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut g = c.benchmark_group(group.to_owned());
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    g
}

fn benches(c: &mut Criterion) {
    for size in sizes() {
        let text = text_of(&size.params);
        let engine = Engine::from_json(&text).unwrap();
        let snapshot = engine.snapshot().clone();

        let mut g = heavy(c, "load_validate_index");
        g.bench_function(BenchmarkId::from_parameter(size.name), |b| {
            b.iter(|| Engine::from_json(black_box(&text)).unwrap())
        });
        g.finish();

        let mut g = heavy(c, "membership");
        g.bench_function(BenchmarkId::from_parameter(size.name), |b| {
            b.iter(|| tenant_attach::collections::evaluate(black_box(&snapshot)).unwrap())
        });
        g.finish();

        let mut g = c.benchmark_group("upload");
        g.sample_size(20);
        let all = Upload::all_devices();
        let one = snapshot.hierarchy.attach.upload.clone();
        g.bench_function(BenchmarkId::new("all_devices", size.name), |b| {
            b.iter(|| engine.upload_with(black_box(&all), &ChildRelation::all()))
        });
        g.bench_function(
            BenchmarkId::new("collection_with_children", size.name),
            |b| b.iter(|| engine.upload_with(black_box(&one), &ChildRelation::all())),
        );
        g.finish();

        // Random (user, device, feature) triples, drawn once; the engine is warm.
        let mut rng = Rng::new(42);
        let users = engine.users().to_vec();
        let devices: Vec<tenant_attach::DeviceIx> = engine.device_ixs().collect();
        let triples: Vec<(tenant_attach::UserIx, tenant_attach::DeviceIx, Feature)> = (0..4096)
            .map(|_| {
                let u = users[rng.below(users.len())];
                let d = devices[rng.below(devices.len())];
                let f = Feature::ALL[rng.below(Feature::ALL.len())];
                (u, d, f)
            })
            .collect();
        let mut g = c.benchmark_group("check");
        let mut i = 0usize;
        g.bench_function(BenchmarkId::new("decide", size.name), |b| {
            b.iter(|| {
                i = (i + 1) & 4095;
                let (u, d, f) = triples[i];
                engine.allows(black_box(u), black_box(d), black_box(f))
            })
        });
        let mut i = 0usize;
        g.bench_function(BenchmarkId::new("explain", size.name), |b| {
            b.iter(|| {
                i = (i + 1) & 4095;
                let (u, d, f) = triples[i];
                engine.check(black_box(u), black_box(d), black_box(f))
            })
        });
        g.finish();

        // `visible` for the user who sees the most; `who` for an uploaded device.
        let busiest = users
            .iter()
            .copied()
            .max_by_key(|u| engine.visible(*u, Feature::View).len())
            .unwrap();
        let device = engine.upload().uploaded().iter().next().unwrap();
        let mut g = c.benchmark_group("queries");
        g.sample_size(20);
        g.bench_function(BenchmarkId::new("visible_one_user", size.name), |b| {
            b.iter(|| engine.visible(black_box(busiest), Feature::View))
        });
        g.bench_function(BenchmarkId::new("who_one_device", size.name), |b| {
            b.iter(|| engine.who(black_box(device), Feature::View))
        });
        g.finish();

        // `diff`: the same hierarchy with *Enforce Configuration Manager RBAC* cleared.
        let mut cleared = snapshot.clone();
        cleared.hierarchy.attach.enforce_configmgr_rbac = false;
        let other = Engine::new(cleared).unwrap();
        let mut g = heavy(c, "diff");
        g.bench_function(BenchmarkId::new("enforce_cleared", size.name), |b| {
            b.iter(|| diff(black_box(&engine), black_box(&other)))
        });
        g.finish();

        // `sensitivity`: every knob, every other value (rulebook 2).
        let mut g = heavy(c, "sensitivity");
        g.bench_function(BenchmarkId::new("all_knobs", size.name), |b| {
            b.iter(|| sensitivity(black_box(&engine), None))
        });
        g.finish();
    }
}

criterion_group!(engine_benches, benches);
criterion_main!(engine_benches);
