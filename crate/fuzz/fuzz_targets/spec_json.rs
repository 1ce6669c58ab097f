//! A spec as JSON (what the CLI's `--spec` and the page accept): deserialise, plan and lint.
//! Issuing is left out on purpose (key generation would make every run take seconds).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(spec) = serde_json::from_slice::<certlab::Spec>(data) {
        let _ = certlab::plan(&spec);
        let _ = certlab::lint_spec(&spec);
    }
});
