#![no_main]
//! See `model_signing_fuzz::targets::pkcs11_uri`.

use libfuzzer_sys::fuzz_target;
use model_signing_fuzz::targets::pkcs11_uri;

fuzz_target!(|data: &[u8]| pkcs11_uri::run(data));
