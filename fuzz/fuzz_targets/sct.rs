#![no_main]
//! See `model_signing_fuzz::targets::sct`.

use libfuzzer_sys::fuzz_target;
use model_signing_fuzz::targets::sct;

fuzz_target!(|data: &[u8]| sct::run(data));
