//! A criterion benchmark as an adopter writes it: a synthetic hierarchy from
//! `tenant-attach-synth`, the engine built once outside the timed closures, and only the public
//! API of `tenant-attach`. Small sizes, so that `cargo bench -p tenant-attach-testkit -- --test`
//! (each benchmark once) takes seconds.
//!
//! `cargo bench -p tenant-attach-testkit`

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use tenant_attach::{Engine, Feature};
use tenant_attach_synth::{Params, generate};

const PARAMS: Params = Params {
    devices: 2_000,
    collections: 200,
    users: 20,
    seed: 7,
};

#[expect(
    clippy::expect_used,
    reason = "benchmark setup: a refused synthetic hierarchy is a broken setup, not a result"
)]
fn benches(c: &mut Criterion) {
    let snapshot = generate(&PARAMS);
    let engine = Engine::new(snapshot.clone()).expect("the synthetic hierarchy is valid");
    // Handles come from the engine: a user by UPN, a device by resource id.
    let upn = snapshot
        .entra
        .users
        .first()
        .map(|u| u.upn.clone())
        .expect("the hierarchy has users");
    let user = engine.find_user(&upn).expect("a listed user is found");
    let rid = snapshot
        .devices
        .first()
        .map(|d| d.resource_id)
        .expect("the hierarchy has devices");
    let device = engine
        .device_by_resource_id(rid)
        .expect("a listed device is found");

    let mut g = c.benchmark_group("user");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    g.bench_function("engine_new", |b| {
        b.iter_batched(
            || snapshot.clone(),
            |s| Engine::new(s).map(|e| e.device_count()),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("allows", |b| {
        b.iter(|| engine.allows(black_box(user), black_box(device), Feature::View))
    });
    g.bench_function("check", |b| {
        b.iter(|| engine.check(black_box(user), black_box(device), Feature::RunScript))
    });
    g.bench_function("visible_view", |b| {
        b.iter(|| engine.visible(black_box(user), Feature::View).len())
    });
    g.bench_function("who_view", |b| {
        b.iter(|| engine.who(black_box(device), Feature::View).len())
    });
    g.bench_function("find_user", |b| {
        b.iter(|| engine.find_user(black_box(&upn)).is_ok())
    });
    g.finish();
}

criterion_group!(user, benches);
criterion_main!(user);
