//! Criterion benchmark of `fix` (issue 20) over synthetic hierarchies (see BENCHMARKS.md).
//!
//! Sizes: S and M always; L only with `TENANT_ATTACH_BENCH_L=1`, as `benches/engine.rs`.
//! The question: at S and M, the first user (by UPN) denied `view` on the first device (by
//! resource id) for whom `fix` finds a change set; at L, the CLI row's question
//! (`user000000@contoso.example` on `S2-WS-0000001`).
//!
//! `cargo bench --bench fix` · `TENANT_ATTACH_BENCH_L=1 cargo bench --bench fix -- /L`

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "benchmark code: a panic reports a broken setup"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tenant_attach::fix::{self, Options};
use tenant_attach::{Engine, Feature};
use tenant_attach_synth::Params;

fn sizes() -> Vec<(&'static str, Params)> {
    let p = |devices, collections, users| Params {
        devices,
        collections,
        users,
        seed: 1,
    };
    let mut v = vec![
        ("S", p(10_000, 1_000, 100)),
        ("M", p(200_000, 20_000, 2_000)),
    ];
    if std::env::var_os("TENANT_ATTACH_BENCH_L").is_some() {
        v.push(("L", p(1_000_000, 100_000, 10_000)));
    }
    v
}

fn benches(c: &mut Criterion) {
    for (name, params) in sizes() {
        let engine = Engine::new(tenant_attach_synth::generate(&params)).unwrap();
        let options = Options::default();
        // The CLI row's question at L (a search user after user costs seconds each there);
        // at S and M the first user denied `view` with a change set on the first device.
        let (user, device) = if name == "L" {
            (
                engine.find_user("user000000@contoso.example").unwrap(),
                engine.find_device("S2-WS-0000001").unwrap(),
            )
        } else {
            let device = engine.device_ixs().next().unwrap();
            let user = engine
                .users()
                .iter()
                .copied()
                .filter(|u| !engine.allows(*u, device, Feature::View))
                .find(|u| {
                    !fix::fix(&engine, *u, device, Feature::View, &options)
                        .fixes
                        .is_empty()
                })
                .unwrap();
            (user, device)
        };
        let mut g = c.benchmark_group("fix");
        g.sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(10));
        g.bench_function(BenchmarkId::new("view", name), |b| {
            b.iter(|| fix::fix(&engine, black_box(user), device, Feature::View, &options))
        });
        g.finish();
    }
}

criterion_group!(fix_benches, benches);
criterion_main!(fix_benches);
