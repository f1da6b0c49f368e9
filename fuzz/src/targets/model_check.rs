//! `model_check`: comparing a model (a list of files) with a signed manifest, as the
//! wasm package and the CLI do (`model_check::ModelCheck`: plan, record, report).
//!
//! Input: a structure decoded with `arbitrary`: a hashing configuration, the model's
//! files (paths from a small alphabet, so that they collide and nest, or raw strings),
//! changes that turn the model into the one that was signed (a file dropped, changed,
//! added or renamed), ignore paths, the check options, and how many hashing jobs to
//! run before the report. The signed manifest is hashed from the signed model with
//! `FileHasher`, written with `build_statement` and read back with `parse_statement`,
//! as a verifier would get it.
//!
//! Properties (for models whose paths are canonical and for checks that run every job
//! without ignore rules): the verdict is exactly "the model's manifest equals the
//! signed one" (restricted to the signed files with `ignore_unsigned_files`); every
//! file given or signed is in the report once; a changed file lists its differences;
//! a report that verifies has no error and is complete.

use std::collections::{BTreeMap, BTreeSet};

use arbitrary::{Arbitrary, Unstructured};
use model_signing_core::manifest::check_resource_path;
use model_signing_core::model_check::{
    CheckOptions, ExpectedSerialization, FileStatus, InputFile, ModelCheck, ModelCheckError,
};
use model_signing_core::serialization::{FileHasher, Method, Serialization};
use model_signing_core::statement::{build_statement, parse_statement};
use model_signing_core::{Digest, HashAlgorithm, Manifest, ModelPath, ResourceKey};

use crate::trace;

/// Path components the fuzzer builds paths from.
const COMPONENTS: [&str; 10] = [
    "a",
    "b",
    "sub",
    "w.bin",
    "a b",
    "café",
    ".git",
    "model.sig",
    ".gitignore",
    "x:1:2",
];

/// Files per model, bytes per file, shards: small, so that a run stays fast.
const MAX_FILES: usize = 12;
const MAX_CONTENT: usize = 300;

#[derive(Debug)]
enum PathIn {
    /// Components from [`COMPONENTS`].
    Alphabet(Vec<u8>),
    /// Anything.
    Raw(String),
}

impl<'a> Arbitrary<'a> for PathIn {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(if u.ratio(1, 8)? {
            Self::Raw(u.arbitrary()?)
        } else {
            let n = u.int_in_range(1..=3)?;
            Self::Alphabet((0..n).map(|_| u.arbitrary()).collect::<Result<_, _>>()?)
        })
    }
}

impl PathIn {
    fn text(&self) -> String {
        match self {
            Self::Alphabet(parts) => parts
                .iter()
                .map(|&i| COMPONENTS[usize::from(i) % COMPONENTS.len()])
                .collect::<Vec<_>>()
                .join("/"),
            Self::Raw(s) => s.clone(),
        }
    }
}

#[derive(Debug, Arbitrary)]
struct FileIn {
    path: PathIn,
    content: Vec<u8>,
}

#[derive(Debug, Arbitrary)]
enum Change {
    Drop(u8),
    Modify { file: u8, at: u16, byte: u8 },
    Append { file: u8, byte: u8 },
    Add(FileIn),
    Rename { file: u8, to: PathIn },
}

#[derive(Debug, Arbitrary)]
struct Input {
    method_shards: bool,
    algorithm: u8,
    shard_size: u8,
    files: Vec<FileIn>,
    changes: Vec<Change>,
    recorded_ignores: Vec<PathIn>,
    ignore_paths: Vec<PathIn>,
    signature_path: Option<PathIn>,
    ignore_git_paths: bool,
    ignore_unsigned_files: bool,
    single_file: bool,
    expect_method: Option<bool>,
    expect_algorithm: Option<u8>,
    expect_shard_size: Option<u8>,
    unknown_sizes: bool,
    /// Run only this many hashing jobs (all if `None`).
    stop_after: Option<u8>,
}

fn algorithm(i: u8) -> HashAlgorithm {
    [
        HashAlgorithm::Sha256,
        HashAlgorithm::Blake2b,
        HashAlgorithm::Blake3,
    ][usize::from(i) % 3]
}

fn hash(
    serialization: Serialization,
    path: &ModelPath,
    content: &[u8],
    size: Option<u64>,
) -> Vec<(ResourceKey, Digest)> {
    let mut h = FileHasher::new(serialization, path.clone(), size);
    h.update(content);
    h.finish().expect("the length given is the content's")
}

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    check(input);
}

fn check(input: Input) {
    let serialization = if input.method_shards {
        Serialization::shards(
            algorithm(input.algorithm),
            u64::from(input.shard_size.max(1)),
        )
        .expect("a positive shard size")
    } else {
        Serialization::files(algorithm(input.algorithm))
    };
    let model: Vec<(String, Vec<u8>)> = input
        .files
        .iter()
        .take(MAX_FILES)
        .map(|f| {
            (
                f.path.text(),
                f.content.iter().copied().take(MAX_CONTENT).collect(),
            )
        })
        .collect();
    let clean_paths = input
        .files
        .iter()
        .take(MAX_FILES)
        .all(|f| matches!(f.path, PathIn::Alphabet(_)));

    // The model that was signed.
    let mut signed_model = model.clone();
    for change in input.changes.iter().take(4) {
        let n = signed_model.len();
        match change {
            Change::Drop(i) if n > 0 => {
                signed_model.remove(usize::from(*i) % n);
            }
            Change::Modify { file, at, byte } if n > 0 => {
                let c = &mut signed_model[usize::from(*file) % n].1;
                if !c.is_empty() {
                    let at = usize::from(*at) % c.len();
                    c[at] = *byte;
                }
            }
            Change::Append { file, byte } if n > 0 => {
                signed_model[usize::from(*file) % n].1.push(*byte)
            }
            Change::Add(f) => signed_model.push((
                f.path.text(),
                f.content.iter().copied().take(MAX_CONTENT).collect(),
            )),
            Change::Rename { file, to } if n > 0 => {
                signed_model[usize::from(*file) % n].0 = to.text()
            }
            _ => {}
        }
    }
    let single_file = input.single_file && model.len() == 1;
    let mut signed_manifest = Manifest::new();
    for (path, content) in &signed_model {
        // A signer cannot name a file outside the model: such a model is not signable.
        let path = if single_file {
            ModelPath::root()
        } else {
            match ModelPath::normalize(path) {
                Some(p) => p,
                None => return,
            }
        };
        signed_manifest.extend(hash(
            serialization,
            &path,
            content,
            Some(content.len() as u64),
        ));
    }
    let recorded: Vec<String> = input
        .recorded_ignores
        .iter()
        .take(4)
        .map(PathIn::text)
        .collect();
    let statement = build_statement("model", &signed_manifest, &serialization, false, &recorded);
    let signed = match parse_statement(&statement) {
        Ok(s) => s,
        Err(e) => {
            trace!("model_check: statement: {e}");
            return;
        }
    };
    assert_eq!(
        signed.manifest, signed_manifest,
        "the manifest changed through its statement"
    );

    let options = CheckOptions {
        ignore_paths: input
            .ignore_paths
            .iter()
            .take(4)
            .map(PathIn::text)
            .collect(),
        ignore_git_paths: input.ignore_git_paths,
        ignore_unsigned_files: input.ignore_unsigned_files,
        signature_path: input.signature_path.as_ref().map(PathIn::text),
        model_name: "model".into(),
        single_file,
        expected_serialization: ExpectedSerialization {
            method: input
                .expect_method
                .map(|s| if s { Method::Shards } else { Method::Files }),
            algorithm: input.expect_algorithm.map(algorithm),
            shard_size: input.expect_shard_size.map(|s| u64::from(s.max(1))),
        },
        model_roots: Vec::new(),
    };
    let files: Vec<InputFile> = model
        .iter()
        .map(|(path, content)| InputFile {
            path: path.clone(),
            size: (!input.unknown_sizes).then_some(content.len() as u64),
        })
        .collect();
    let no_rules = recorded.is_empty()
        && options.ignore_paths.is_empty()
        && options.signature_path.is_none()
        && options.expected_serialization == ExpectedSerialization::default()
        && !single_file
        && input.stop_after.is_none();
    let mut check = match ModelCheck::new(&signed, &files, options) {
        Ok(c) => c,
        Err(e) => {
            trace!("model_check: {e}");
            if let ModelCheckError::EmptySignature = e {
                assert!(signed.manifest.is_empty());
            }
            return;
        }
    };
    let jobs = check.jobs().to_vec();
    let limit = input.stop_after.map_or(usize::MAX, usize::from);
    for job in jobs.iter().take(limit) {
        let content = &model[job.index].1;
        let items = hash(check.serialization(), &job.path, content, job.size);
        let status = check
            .record(&job.path, items)
            .expect("a planned job records");
        assert_ne!(status, FileStatus::Pending);
        // The same job twice is refused.
        assert!(check.record(&job.path, Vec::new()).is_err());
    }
    let report = check.report();
    trace!(
        "model_check: verified={} error={:?}",
        report.verified,
        report.error
    );

    // Every file given or signed appears once.
    let reported: Vec<&str> = report.files.iter().map(|f| f.path.as_str()).collect();
    let unique: BTreeSet<&str> = reported.iter().copied().collect();
    assert_eq!(unique.len(), reported.len(), "a file is reported twice");
    for f in &report.files {
        if f.status == FileStatus::Changed {
            assert!(
                !f.differences.is_empty(),
                "a changed file without differences"
            );
        }
        assert_ne!(f.status, FileStatus::Pending);
    }
    assert_eq!(report.verified, report.error.is_none() && report.complete);
    if report.verified {
        assert!(report.complete);
    }

    // The oracle: hash the model independently and compare manifests.
    let canonical = clean_paths
        && model
            .iter()
            .all(|(p, _)| check_resource_path(p).is_ok_and(|c| !c.is_root()))
        && model.iter().map(|(p, _)| p).collect::<BTreeSet<_>>().len() == model.len()
        && signed_model
            .iter()
            .all(|(p, _)| check_resource_path(p).is_ok_and(|c| !c.is_root()));
    let git = |p: &str| {
        matches!(
            p.split('/').next(),
            Some(".git" | ".gitignore" | ".gitattributes" | ".github")
        )
    };
    let ignored_git = input.ignore_git_paths
        && (model.iter().any(|(p, _)| git(p)) || signed_model.iter().any(|(p, _)| git(p)));
    if !(canonical && no_rules && !ignored_git) {
        return;
    }
    let mut actual = Manifest::new();
    for (path, content) in &model {
        let Some(path) = ModelPath::normalize(path) else {
            return;
        };
        actual.extend(hash(
            serialization,
            &path,
            content,
            Some(content.len() as u64),
        ));
    }
    let expected: BTreeMap<_, _> = signed.manifest.iter().collect();
    let actual: BTreeMap<_, _> = actual.iter().collect();
    let should_verify = if input.ignore_unsigned_files {
        let signed_paths: BTreeSet<&ModelPath> = expected.keys().map(|k| k.path()).collect();
        let restricted: BTreeMap<_, _> = actual
            .iter()
            .filter(|(k, _)| signed_paths.contains(k.path()))
            .map(|(k, v)| (*k, *v))
            .collect();
        restricted == expected
    } else {
        actual == expected
    };
    assert_eq!(
        report.verified, should_verify,
        "verdict differs from comparing the manifests: {report:?}"
    );
}
