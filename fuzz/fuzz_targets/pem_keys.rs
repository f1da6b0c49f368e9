#![no_main]
//! See `model_signing_fuzz::targets::pem_keys`.

use libfuzzer_sys::fuzz_target;
use model_signing_fuzz::targets::pem_keys;

fuzz_target!(|data: &[u8]| pem_keys::run(data));
