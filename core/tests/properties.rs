//! Properties of the format core over random input: one meaning per path (equality
//! agrees with ordering, every spelling reads back to itself), the shard splitter covers
//! every byte exactly once and streaming never changes a digest, and a statement reads
//! back as the manifest that was written.

use std::cmp::Ordering;

use model_signing_core::hashing::{Digest, HashAlgorithm};
use model_signing_core::identifier::{ModelPath, ResourceKey};
use model_signing_core::manifest::Manifest;
use model_signing_core::serialization::{FileHasher, Serialization};
use model_signing_core::statement::{build_statement, parse_statement};
use proptest::prelude::*;

/// A component: mostly ordinary names, with the characters that make paths tricky
/// (dots, spaces, colons, non-ASCII, control characters).
fn component() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-c]{1,3}",
        "[a-c.]{1,4}",
        "[ a:é\u{1}-]{1,3}",
        Just("a".to_string()),
        Just("a.txt".to_string()),
    ]
}

/// Text that may or may not be a path: components joined by `/`, with the spellings a
/// signature must not use (leading `/`, `.`, `..`, empty components, `\`, NUL).
fn path_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            8 => component(),
            1 => Just(String::new()),
            1 => Just(".".to_string()),
            1 => Just("..".to_string()),
            1 => Just("a\\b".to_string()),
            1 => Just("a\0".to_string()),
        ],
        1..5,
    )
    .prop_flat_map(|parts| (Just(parts.join("/")), any::<bool>()))
    .prop_map(|(text, absolute)| if absolute { format!("/{text}") } else { text })
}

/// A valid path inside the model.
fn model_path() -> impl Strategy<Value = ModelPath> {
    prop::collection::vec(component(), 1..4).prop_filter_map("valid components", |parts| {
        ModelPath::from_components(parts.iter().map(String::as_str)).ok()
    })
}

proptest! {
    /// Equality and ordering agree, and ordering is by components: two paths are equal
    /// exactly when they compare equal, so a manifest can never hold two spellings of
    /// one file.
    #[test]
    fn path_equality_agrees_with_ordering(a in path_text(), b in path_text()) {
        if let (Ok(x), Ok(y)) = (ModelPath::parse(&a), ModelPath::parse(&b)) {
            prop_assert_eq!(x == y, x.cmp(&y) == Ordering::Equal);
            prop_assert_eq!(x == y, a == b);
            prop_assert_eq!(x.cmp(&y), x.components().cmp(y.components()));
            prop_assert_eq!(x.cmp(&y), y.cmp(&x).reverse());
        }
    }

    /// A parsed path is written back exactly as read, and is already in its normal
    /// form; what `parse` refuses is never a normal form.
    #[test]
    fn parse_is_the_normal_form(text in path_text()) {
        match ModelPath::parse(&text) {
            Ok(p) => {
                prop_assert_eq!(p.as_str(), text.as_str());
                prop_assert_eq!(ModelPath::normalize(&text), Some(p.clone()));
                let rebuilt = ModelPath::from_components(p.components()).unwrap();
                prop_assert_eq!(rebuilt, p);
            }
            Err(_) => {
                let normal = ModelPath::normalize(&text);
                prop_assert!(normal.as_ref().is_none_or(|n| n.as_str() != text), "{normal:?}");
            }
        }
    }

    /// The shard splitter covers `[0, len)` exactly once, in order, each shard at most
    /// the shard size, as many as `item_count` says.
    #[test]
    fn shards_cover_every_byte_once(len in 0u64..10_000_000, size in 1u64..3_000_000) {
        let ser = Serialization::shards(HashAlgorithm::Sha256, size).unwrap();
        let mut next = 0;
        let mut count = 0u64;
        for (start, end) in ser.ranges(len) {
            prop_assert_eq!(start, next);
            prop_assert!(end > start && end - start <= size);
            next = end;
            count += 1;
        }
        prop_assert_eq!(next, len);
        prop_assert_eq!(count, ser.item_count(len));
    }

    /// The same near the top of the offset range, where `start + size` overflows.
    #[test]
    fn shards_cover_huge_files(len in (u64::MAX - 1_000)..=u64::MAX, size in (u64::MAX / 4)..=u64::MAX) {
        let ser = Serialization::shards(HashAlgorithm::Sha256, size).unwrap();
        let ranges: Vec<(u64, u64)> = ser.ranges(len).collect();
        prop_assert_eq!(ranges.first().map(|r| r.0), Some(0));
        prop_assert_eq!(ranges.last().map(|r| r.1), Some(len));
        prop_assert!(ranges.windows(2).all(|w| w[0].1 == w[1].0));
        prop_assert_eq!(ranges.len() as u64, ser.item_count(len));
    }

    /// Streaming a file in any chunks gives the digests of hashing each range whole.
    #[test]
    fn streaming_never_changes_a_digest(
        data in prop::collection::vec(any::<u8>(), 0..3000),
        size in 1u64..700,
        cuts in prop::collection::vec(1usize..500, 1..8),
        algorithm in prop_oneof![Just(HashAlgorithm::Sha256), Just(HashAlgorithm::Blake2b), Just(HashAlgorithm::Blake3)],
        shards in any::<bool>(),
    ) {
        let ser = if shards {
            Serialization::shards(algorithm, size).unwrap()
        } else {
            Serialization::files(algorithm)
        };
        let path = ModelPath::new("w");
        let expected: Vec<(ResourceKey, Digest)> = ser
            .ranges(data.len() as u64)
            .map(|(s, e)| {
                (
                    ser.key(&path, s, e),
                    Digest::new(ser.item_algorithm_name(), algorithm.hash(&data[s as usize..e as usize])),
                )
            })
            .collect();
        let mut hasher = FileHasher::new(ser, path.clone(), Some(data.len() as u64));
        let mut rest = &data[..];
        for cut in cuts.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (now, later) = rest.split_at((*cut).min(rest.len()));
            hasher.update(now);
            rest = later;
        }
        prop_assert_eq!(hasher.finish().unwrap(), expected);
    }

    /// A statement reads back as the manifest, serialization and ignore list written.
    #[test]
    fn statement_round_trip(
        files in prop::collection::btree_map(model_path(), any::<[u8; 32]>(), 1..20),
        ignore in prop::collection::vec("[a-c]{1,3}", 0..3),
        allow_symlinks in any::<bool>(),
    ) {
        let ser = Serialization::files(HashAlgorithm::Sha256);
        let manifest: Manifest = files
            .iter()
            .map(|(p, d)| (ResourceKey::File(p.clone()), Digest::new("sha256", d.to_vec())))
            .collect();
        let payload = build_statement("model", &manifest, &ser, allow_symlinks, &ignore);
        let signed = parse_statement(&payload).unwrap();
        prop_assert_eq!(&signed.manifest, &manifest);
        prop_assert_eq!(signed.serialization.serialization, Ok(ser));
        prop_assert_eq!(signed.serialization.allow_symlinks, Some(allow_symlinks));
        let root = model_signing_core::encoding::hex(&manifest.root_digest());
        prop_assert_eq!(signed.root_digest.as_deref(), Some(root.as_str()));
    }
}
