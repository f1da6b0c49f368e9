//! Sign-then-verify over random model trees and hashing configurations: a signature
//! verifies the model it was made for, and any single-byte change, added file, removed
//! file or renamed file makes verification fail, naming the file.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::*;
use model_signing::{hashing, signing, verifying};
use model_signing_core::{HashAlgorithm, Serialization};
use proptest::prelude::*;

/// A relative file path of one to three short components.
fn file_name() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-d]{1,2}(\\.bin)?", 1..4).prop_map(|parts| parts.join("/"))
}

/// A model: paths to contents, with no path that is also another's directory.
fn tree() -> impl Strategy<Value = BTreeMap<String, Vec<u8>>> {
    prop::collection::btree_map(
        file_name(),
        prop::collection::vec(any::<u8>(), 0..300),
        1..8,
    )
    .prop_filter("a file cannot also be a directory", |files| {
        !files
            .keys()
            .any(|a| files.keys().any(|b| b.starts_with(&format!("{a}/"))))
    })
}

fn serialization() -> impl Strategy<Value = Serialization> {
    let algorithm = prop_oneof![
        Just(HashAlgorithm::Sha256),
        Just(HashAlgorithm::Blake2b),
        Just(HashAlgorithm::Blake3)
    ];
    (algorithm, prop::option::of(1u64..128)).prop_map(|(algorithm, shard)| match shard {
        Some(size) => Serialization::shards(algorithm, size).unwrap(),
        None => Serialization::files(algorithm),
    })
}

/// One change to a model.
#[derive(Clone, Debug)]
enum Change {
    /// Flip bits of one byte of the n-th file (an empty file gets a byte instead).
    Byte {
        file: usize,
        offset: usize,
        mask: u8,
    },
    /// A new file.
    Add,
    /// Remove the n-th file.
    Remove { file: usize },
    /// Rename the n-th file.
    Rename { file: usize },
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (any::<usize>(), any::<usize>(), 1u8..=255).prop_map(|(file, offset, mask)| Change::Byte {
            file,
            offset,
            mask
        }),
        Just(Change::Add),
        any::<usize>().prop_map(|file| Change::Remove { file }),
        any::<usize>().prop_map(|file| Change::Rename { file }),
    ]
}

fn write_tree(root: &Path, files: &BTreeMap<String, Vec<u8>>) {
    for (name, data) in files {
        let path = root.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, data).unwrap();
    }
}

/// Applies `change`; returns the name the failure must mention.
fn apply(root: &Path, files: &BTreeMap<String, Vec<u8>>, change: &Change) -> String {
    let names: Vec<&String> = files.keys().collect();
    match *change {
        Change::Byte { file, offset, mask } => {
            let name = names[file % names.len()];
            let mut data = files[name].clone();
            if data.is_empty() {
                data.push(mask);
            } else {
                let at = offset % data.len();
                data[at] ^= mask;
            }
            fs::write(root.join(name), data).unwrap();
            name.clone()
        }
        Change::Add => {
            fs::write(root.join("added.extra"), b"new").unwrap();
            "added.extra".into()
        }
        Change::Remove { file } => {
            let name = names[file % names.len()];
            fs::remove_file(root.join(name)).unwrap();
            name.clone()
        }
        Change::Rename { file } => {
            let name = names[file % names.len()];
            let to = format!("{name}.renamed");
            fs::rename(root.join(name), root.join(&to)).unwrap();
            name.clone()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_change_is_detected(files in tree(), ser in serialization(), change in change()) {
        let t = tmp();
        let m = t.path().join("model");
        fs::create_dir_all(&m).unwrap();
        write_tree(&m, &files);

        let outcome = signing::Config::new()
            .set_hashing_config(hashing::Config::new().use_serialization(ser))
            .use_elliptic_key_signer_pem(&fs::read(P256).unwrap(), None)
            .unwrap()
            .sign_to_bundle(&m)
            .unwrap();
        let verifier = verifying::Config::new()
            .use_elliptic_key_verifier_pem(&fs::read(P256_PUB).unwrap())
            .unwrap();
        let report = verifier.verify_bytes(&m, outcome.bundle_json.as_bytes()).unwrap();
        let items: usize = files
            .values()
            .map(|d| ser.item_count(d.len() as u64) as usize)
            .sum();
        prop_assert_eq!(report.items, items);

        let name = apply(&m, &files, &change);
        // An empty file has no shards: in shard mode, removing or renaming one changes
        // nothing a shard signature lists (as in the reference).
        let invisible = matches!(change, Change::Remove { .. } | Change::Rename { .. })
            && ser.shard_size().is_some()
            && files[&name].is_empty();
        let result = verifier.verify_bytes(&m, outcome.bundle_json.as_bytes());
        if invisible {
            prop_assert!(result.is_ok(), "{:?}", result.err());
        } else {
            let e = result.expect_err("the change must be detected").to_string();
            prop_assert!(e.contains(&name), "{change:?}: {e}");
        }
    }
}
