#![no_main]
//! See `model_signing_fuzz::targets::model_check`.

use libfuzzer_sys::fuzz_target;
use model_signing_fuzz::targets::model_check;

fuzz_target!(|data: &[u8]| model_check::run(data));
