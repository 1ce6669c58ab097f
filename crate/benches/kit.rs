//! How long a whole `mtls` kit takes, per key type, and the same work done by the openssl CLI.
//!
//! * group `certlab`: `certlab::generate(&Preset::Mtls.spec(alg))` (root + server + clients
//!   alice and bob, each leaf with PEM, DER, key, chains and both .p12 flavours, README.txt and
//!   manifest.json) plus `kit.zip("k")`.
//! * group `peer`: `scripts/openssl-kit.sh ALG DIR` (the same certificates, keys, chains and both
//!   .p12 flavours, plus a zip, made by ~40 openssl processes), timed around the process only.
//!
//! Run with `scripts/bench` (writes BENCHMARKS.md) or `cargo bench -p certlab --bench kit`.
//! Key generation dominates and RSA prime search varies a lot from run to run, so the RSA
//! benchmarks take 10 samples of one kit each (flat sampling) and the whole run stays under
//! about six minutes on two cores.

use certlab::{KeyAlgorithm, Preset};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Sample count and measurement time for one key type (certlab, openssl).
fn tune(group: &mut BenchmarkGroup<'_, WallTime>, alg: KeyAlgorithm, peer: bool) {
    let (samples, secs) = match (alg, peer) {
        // Milliseconds per kit in certlab: plenty of samples.
        (KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384 | KeyAlgorithm::Ed25519, false) => {
            (30, 3)
        }
        // ~0.4 s per kit (40 process starts).
        (KeyAlgorithm::EcdsaP256 | KeyAlgorithm::EcdsaP384 | KeyAlgorithm::Ed25519, true) => {
            (15, 4)
        }
        // Seconds per kit: criterion's minimum of 10 samples, one kit each; a short
        // measurement time only means criterion warns that it took longer.
        (KeyAlgorithm::Rsa2048, _) => (10, 8),
        (KeyAlgorithm::Rsa3072, _) => (10, 15),
        (KeyAlgorithm::Rsa4096, _) => (10, 30),
    };
    group
        .sample_size(samples)
        .measurement_time(Duration::from_secs(secs))
        .warm_up_time(Duration::from_millis(if alg.is_rsa() { 1 } else { 500 }));
}

fn certlab_kits(c: &mut Criterion) {
    let mut group = c.benchmark_group("certlab");
    group.sampling_mode(SamplingMode::Flat);
    for alg in KeyAlgorithm::ALL {
        let spec = Preset::Mtls.spec(alg);
        tune(&mut group, alg, false);
        group.bench_function(alg.id(), |b| {
            b.iter(|| {
                let kit = certlab::generate(black_box(&spec)).expect("kit");
                let zip = kit.zip("k").expect("zip");
                black_box((kit, zip))
            })
        });
    }
    group.finish();
}

fn openssl_works() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn peer_kits(c: &mut Criterion) {
    if !openssl_works() {
        eprintln!("peer: no openssl on PATH, skipping the openssl comparison");
        return;
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/openssl-kit.sh");
    let mut group = c.benchmark_group("peer");
    group.sampling_mode(SamplingMode::Flat);
    for alg in KeyAlgorithm::ALL {
        tune(&mut group, alg, true);
        group.bench_function(alg.id(), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let dir = tempfile::tempdir().expect("tempdir");
                    let out = dir.path().join("kit");
                    let start = Instant::now();
                    let status = Command::new("bash")
                        .arg(&script)
                        .arg(alg.id())
                        .arg(&out)
                        .status()
                        .expect("run scripts/openssl-kit.sh");
                    total += start.elapsed();
                    assert!(status.success(), "openssl-kit.sh {} failed", alg.id());
                }
                total
            })
        });
    }
    group.finish();
}

criterion_group!(benches, certlab_kits, peer_kits);
criterion_main!(benches);
