//! Criterion benchmarks of the engine (see BENCHMARKS.md).
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tenant_attach::{Engine, sample};

fn load_sample(c: &mut Criterion) {
    c.bench_function("sample/load_validate_index", |b| {
        b.iter(|| Engine::from_json(black_box(sample::CONTOSO)))
    });
}

criterion_group!(benches, load_sample);
criterion_main!(benches);
