//! The notice shown before Generate when the kit needs RSA keys and the page has no WebCrypto
//! (an insecure context: plain http from another machine). Pure text from the spec, so it is
//! unit-tested natively; the component asks the browser (`crate::webcrypto`) and passes the
//! answers in.

use certlab::Spec;

/// Seconds one RSA key of `bits` takes certlab in the worker, fastest and slowest seen, rounded
/// outward: `BENCH_RSA_COLUMNS=fallback,webcrypto tests/bench/rsa.mjs` (BENCHMARKS.md §2,
/// "Without WebCrypto"; headless Chromium on 2 shared cores, 22 keys per size: RSA-2048
/// 0.14–0.75 s, RSA-3072 0.29–2.9 s, RSA-4096 0.46–14.3 s). Prime search varies from key to key,
/// hence the wide ranges.
pub fn seconds(bits: u32) -> (f64, f64) {
    match bits {
        0..=2048 => (0.1, 1.0),
        2049..=3072 => (0.3, 3.0),
        _ => (0.5, 15.0),
    }
}

fn num(x: f64) -> String {
    if x < 1.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

fn span(lo: f64, hi: f64) -> String {
    if hi >= 120.0 {
        format!("about {} s–{:.0} min", num(lo), (hi / 60.0).ceil())
    } else {
        format!("about {}–{} s", num(lo), num(hi))
    }
}

/// "about 0.1–1 s" for one key of `bits` made by the worker.
pub fn estimate(bits: u32) -> String {
    let (lo, hi) = seconds(bits);
    span(lo, hi)
}

/// The RSA sizes of a spec's keys, one entry per key (devices count one each); empty when the
/// spec is refused (its errors are shown instead).
pub fn rsa_keys(spec: &Spec) -> Vec<u32> {
    certlab::plan(spec)
        .map(|p| {
            p.identities
                .iter()
                .filter_map(|i| i.key.rsa_bits().map(|b| b as u32))
                .collect()
        })
        .unwrap_or_default()
}

/// The notice, when the kit needs RSA keys and `webcrypto` (crypto.subtle) is missing;
/// `secure` is `window.isSecureContext`.
pub fn notice(spec: &Spec, webcrypto: bool, secure: bool) -> Option<String> {
    let keys = rsa_keys(spec);
    if webcrypto || keys.is_empty() {
        return None;
    }
    let why = if secure {
        "This browser offers no WebCrypto, so it cannot make RSA keys with its own fast code."
    } else {
        "No WebCrypto here: this page is not a secure context (it was opened over plain http \
         from another machine, not over https or on localhost), so the browser will not make RSA \
         keys with its own fast code."
    };
    let mut sizes: Vec<u32> = keys.clone();
    sizes.sort_unstable();
    sizes.dedup();
    let per_key = sizes
        .iter()
        .map(|b| format!("RSA-{b} {} a key", estimate(*b)))
        .collect::<Vec<_>>()
        .join(", ");
    let (lo, hi) = keys.iter().fold((0.0, 0.0), |(lo, hi), b| {
        let (l, h) = seconds(*b);
        (lo + l, hi + h)
    });
    let count = match keys.len() {
        1 => "its RSA key".to_string(),
        n => format!("its {n} RSA keys"),
    };
    Some(format!(
        "{why} certlab will make {count} itself, in the background worker (pure Rust, from the \
         browser's secure random numbers): measured on a busy 2-core machine, {per_key}; this kit \
         {} in all, longer on a phone. Cancel stops it at any time. ECDSA P-256 keys are made \
         instantly: choose ECDSA P-256 unless something needs RSA. For fast RSA keys, open this \
         page over https or on the machine that serves it (localhost).",
        span(lo, hi)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use certlab::{KeyAlgorithm, Preset};

    #[test]
    fn only_for_rsa_without_webcrypto() {
        let p256 = Preset::Dev.spec(KeyAlgorithm::EcdsaP256);
        let rsa = Preset::Mtls.spec(KeyAlgorithm::Rsa3072);
        assert_eq!(notice(&p256, false, false), None);
        assert_eq!(notice(&rsa, true, true), None);
        let text = notice(&rsa, false, false).unwrap();
        assert!(text.starts_with("No WebCrypto here: this page is not a secure context"));
        assert!(text.contains("its 4 RSA keys"), "{text}");
        assert!(
            text.contains(&format!("RSA-3072 {} a key", estimate(3072))),
            "{text}"
        );
        assert!(
            text.contains("ECDSA P-256 keys are made instantly"),
            "{text}"
        );
        assert!(text.contains("Cancel"), "{text}");
    }

    #[test]
    fn mixed_sizes_are_listed_once_each_and_summed() {
        let mut spec = Preset::Dev.spec(KeyAlgorithm::Rsa2048);
        spec.servers[0].key = KeyAlgorithm::Rsa4096;
        assert_eq!(rsa_keys(&spec), vec![2048, 4096]);
        let text = notice(&spec, false, true).unwrap();
        assert!(text.starts_with("This browser offers no WebCrypto"));
        assert!(
            text.contains("RSA-2048 about") && text.contains("RSA-4096 about"),
            "{text}"
        );
        let (a, b) = (seconds(2048), seconds(4096));
        assert!(text.contains(&span(a.0 + b.0, a.1 + b.1)), "{text}");
    }

    #[test]
    fn long_spans_read_in_minutes() {
        assert_eq!(span(0.1, 1.0), "about 0.1–1 s");
        assert_eq!(estimate(4096), "about 0.5–15 s");
        assert_eq!(span(30.0, 300.0), "about 30 s–5 min");
    }
}
