#![no_main]
//! See `model_signing_fuzz::targets::certificate_chain`.

use libfuzzer_sys::fuzz_target;
use model_signing_fuzz::targets::certificate_chain;

fuzz_target!(|data: &[u8]| certificate_chain::run(data));
