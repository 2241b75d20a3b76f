//! tenant-attach and Cedar on the same requests: decisions per second, and `visible` against
//! Cedar deciding every device. `cargo bench --manifest-path peers/cedar/Cargo.toml`; M with
//! `TENANT_ATTACH_BENCH_M=1`, L with `TENANT_ATTACH_BENCH_L=1` (opt-in: Cedar's entity store
//! takes minutes and gigabytes to build). Each size prints how long the engine and Cedar's
//! store took to build on stderr. At L the `visible` pair is left out: Cedar deciding a million
//! devices once takes longer than criterion's ten samples can wait for.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tenant_attach::{Engine, Feature};
use tenant_attach_cedar::CedarWorld;
use tenant_attach_synth::{Params, Rng};

fn side_by_side(c: &mut Criterion) {
    let mut sizes = vec![(
        "S",
        Params {
            devices: 10_000,
            collections: 1_000,
            users: 100,
            seed: 1,
        },
    )];
    // M is opt-in: Cedar's entity store for 200,000 devices takes a while to build.
    if std::env::var_os("TENANT_ATTACH_BENCH_M").is_some() {
        sizes.push((
            "M",
            Params {
                devices: 200_000,
                collections: 20_000,
                users: 2_000,
                seed: 1,
            },
        ));
    }
    // L is opt-in too: 1,000,000 devices, a parent edge per membership.
    if std::env::var_os("TENANT_ATTACH_BENCH_L").is_some() {
        sizes.push((
            "L",
            Params {
                devices: 1_000_000,
                collections: 100_000,
                users: 10_000,
                seed: 1,
            },
        ));
    }
    for (name, params) in sizes {
        let started = std::time::Instant::now();
        let engine = Engine::new(tenant_attach_synth::generate(&params)).unwrap();
        eprintln!(
            "{name}: tenant-attach engine built in {:.2?}",
            started.elapsed()
        );
        let started = std::time::Instant::now();
        let cedar = CedarWorld::translate(&engine);
        eprintln!(
            "{name}: Cedar entity store and policies built in {:.2?}",
            started.elapsed()
        );
        let mut rng = Rng::new(42);
        let users = engine.users().to_vec();
        let devices: Vec<tenant_attach::DeviceIx> = engine.device_ixs().collect();
        type Request = (
            tenant_attach::UserIx,
            tenant_attach::DeviceIx,
            Feature,
            String,
            u32,
        );
        let requests: Vec<Request> = (0..4096)
            .map(|_| {
                let u = users[rng.below(users.len())];
                let d = devices[rng.below(devices.len())];
                let f = Feature::ALL[rng.below(Feature::ALL.len())];
                (
                    u,
                    d,
                    f,
                    engine.user(u).unwrap().id.clone(),
                    engine.device(d).unwrap().resource_id,
                )
            })
            .collect();
        let mut g = c.benchmark_group("decision");
        let mut i = 0usize;
        g.bench_function(BenchmarkId::new("tenant_attach", name), |b| {
            b.iter(|| {
                i = (i + 1) & 4095;
                let (u, d, f, _, _) = &requests[i];
                engine.allows(black_box(*u), black_box(*d), *f)
            })
        });
        let mut i = 0usize;
        g.bench_function(BenchmarkId::new("cedar", name), |b| {
            b.iter(|| {
                i = (i + 1) & 4095;
                let (_, _, f, user, rid) = &requests[i];
                cedar.allows(black_box(user), black_box(*rid), *f)
            })
        });
        g.finish();
        if name == "L" {
            continue;
        }

        let busiest = users
            .iter()
            .copied()
            .max_by_key(|u| engine.visible(*u, Feature::View).len())
            .unwrap();
        let busiest_id = engine.user(busiest).unwrap().id.clone();
        let rids: Vec<u32> = engine
            .device_ixs()
            .map(|d| engine.device(d).unwrap().resource_id)
            .collect();
        let mut g = c.benchmark_group("visible");
        g.sample_size(10);
        g.bench_function(BenchmarkId::new("tenant_attach", name), |b| {
            b.iter(|| engine.visible(black_box(busiest), Feature::View))
        });
        g.bench_function(BenchmarkId::new("cedar_every_device", name), |b| {
            b.iter(|| {
                rids.iter()
                    .filter(|r| cedar.allows(&busiest_id, **r, Feature::View))
                    .count()
            })
        });
        g.finish();
    }
}

criterion_group!(benches, side_by_side);
criterion_main!(benches);
