#![no_main]
//! See `model_signing_fuzz::targets::checkpoint`.

use libfuzzer_sys::fuzz_target;
use model_signing_fuzz::targets::checkpoint;

fuzz_target!(|data: &[u8]| checkpoint::run(data));
