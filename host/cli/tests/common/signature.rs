//! What a signature file holds: its bundle JSON, the in-toto statement it signs, and the
//! resources and ignored paths the statement records.

use std::fs;
use std::path::Path;

use model_signing::model_signing_core::encoding::{b64decode, b64encode};

/// The bundle JSON of a signature file.
pub fn bundle(sig: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(sig).unwrap()).expect("bundle JSON")
}

/// The in-toto statement a signature file carries.
pub fn payload(sig: &Path) -> serde_json::Value {
    let b = bundle(sig);
    let text = b["dsseEnvelope"]["payload"].as_str().expect("payload");
    serde_json::from_slice(&b64decode(text).expect("base64 payload")).expect("payload JSON")
}

/// The payload of `b` re-encoded after `edit` changed it.
pub fn edit_payload(b: &mut serde_json::Value, edit: impl FnOnce(&mut serde_json::Value)) {
    let text = b["dsseEnvelope"]["payload"].as_str().unwrap();
    let mut p: serde_json::Value = serde_json::from_slice(&b64decode(text).unwrap()).unwrap();
    edit(&mut p);
    b["dsseEnvelope"]["payload"] = b64encode(serde_json::to_string(&p).unwrap().as_bytes()).into();
}

/// The resource names a signature lists, in order.
pub fn resources(sig: &Path) -> Vec<String> {
    payload(sig)["predicate"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

/// The `ignore_paths` a signature records.
pub fn recorded_ignores(sig: &Path) -> Vec<String> {
    payload(sig)["predicate"]["serialization"]["ignore_paths"]
        .as_array()
        .expect("ignore_paths")
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect()
}
