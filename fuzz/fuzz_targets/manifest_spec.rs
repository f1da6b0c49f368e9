#![no_main]
//! See `model_signing_fuzz::targets::manifest_spec`. JSON input: structure-aware mutator.

use libfuzzer_sys::{fuzz_mutator, fuzz_target};
use model_signing_fuzz::{json_mutator, targets::manifest_spec};

fuzz_target!(|data: &[u8]| manifest_spec::run(data));

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    json_mutator::mutate(data, size, max_size, seed, libfuzzer_sys::fuzzer_mutate)
});
