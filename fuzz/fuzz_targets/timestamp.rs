#![no_main]
//! See `model_signing_fuzz::targets::timestamp`.

use libfuzzer_sys::fuzz_target;
use model_signing_fuzz::targets::timestamp;

fuzz_target!(|data: &[u8]| timestamp::run(data));
