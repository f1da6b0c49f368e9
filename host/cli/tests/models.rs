//! Models that break naive code, signed and verified through the `model_signing` CLI:
//! empty files and directories, odd names, hidden and git paths, symlinks, single-file
//! models, a signature inside the model, ignore options, every hashing configuration,
//! option spellings, logging, `digest`, encrypted keys, empty and large models. Each
//! round trip is followed by tampering that must be detected.

mod common;

use std::fs;
use std::path::Path;

use common::*;

// ---------------------------------------------------------------------------------
// Plain shapes

#[test]
fn empty_files_round_trip_and_are_tamper_checked() {
    let t = tmp();
    let m = model(
        &t.path().join("m"),
        &[("empty.bin", ""), ("sub/empty", ""), ("data", "x")],
    );
    let sig = t.path().join("m.sig");
    sign_key(&m, &sig, &[]).signed();
    assert_eq!(resources(&sig), ["data", "empty.bin", "sub/empty"]);
    verify_key(&m, &sig, &[]).verified();

    fs::write(m.join("sub/empty"), "now something").unwrap();
    verify_key(&m, &sig, &[]).verify_failed(&["Hash mismatch for 'sub/empty'"]);
    fs::write(m.join("sub/empty"), "").unwrap();
    verify_key(&m, &sig, &[]).verified();

    fs::remove_file(m.join("empty.bin")).unwrap();
    verify_key(&m, &sig, &[]).verify_failed(&["Missing files in model 'm': empty.bin"]);
}

#[test]
fn empty_directories_are_invisible() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w.bin", "weights")]);
    fs::create_dir_all(m.join("empty/deeper")).unwrap();
    let sig = t.path().join("m.sig");
    sign_key(&m, &sig, &[]).signed();
    assert_eq!(resources(&sig), ["w.bin"]);

    // New empty directories, and removing the old ones, change nothing.
    fs::create_dir_all(m.join("added/a/b")).unwrap();
    fs::remove_dir_all(m.join("empty")).unwrap();
    verify_key(&m, &sig, &[]).verified();

    // A file in a new directory is an extra file.
    put(&m.join("added/a/b/f"), "f");
    verify_key(&m, &sig, &[]).verify_failed(&["Extra files found in model 'm': added/a/b/f"]);
}

#[test]
fn nested_directories_round_trip_and_name_the_changed_file() {
    let t = tmp();
    let m = model(
        &t.path().join("m"),
        &[
            ("a/b/c/d/e/f.txt", "deep"),
            ("a/f.txt", "shallow"),
            ("a/b/f.txt", "middle"),
            ("a.b", "dot"),
            ("a-b/x", "dash"),
        ],
    );
    let sig = t.path().join("m.sig");
    sign_key(&m, &sig, &[]).signed();
    // Sorted by path components, not by string ("a/..." before "a-b" and "a.b").
    assert_eq!(
        resources(&sig),
        ["a/b/c/d/e/f.txt", "a/b/f.txt", "a/f.txt", "a-b/x", "a.b"]
    );
    verify_key(&m, &sig, &[]).verified();
    fs::write(m.join("a/b/c/d/e/f.txt"), "DEEP").unwrap();
    verify_key(&m, &sig, &[]).verify_failed(&["Hash mismatch for 'a/b/c/d/e/f.txt'"]);
}

#[test]
fn unicode_and_space_names_round_trip() {
    let t = tmp();
    let m = model(
        &t.path().join("my model"),
        &[
            ("ünïcødé 名前.bin", "u"),
            ("with space/file name.txt", "s"),
            ("emoji 🎉/ok", "e"),
            ("colon:name", "c"),
        ],
    );
    let sig = t.path().join("sig with space.sig");
    sign_key(&m, &sig, &[]).signed();
    let names = resources(&sig);
    for n in [
        "ünïcødé 名前.bin",
        "with space/file name.txt",
        "emoji 🎉/ok",
        "colon:name",
    ] {
        assert!(names.iter().any(|r| r == n), "{n} not in {names:?}");
    }
    assert_eq!(payload(&sig)["subject"][0]["name"], "my model");
    verify_key(&m, &sig, &[]).verified();

    fs::write(m.join("ünïcødé 名前.bin"), "U").unwrap();
    verify_key(&m, &sig, &[]).verify_failed(&["Hash mismatch for 'ünïcødé 名前.bin'"]);
    fs::write(m.join("ünïcødé 名前.bin"), "u").unwrap();
    fs::rename(
        m.join("with space/file name.txt"),
        m.join("with space/file_name.txt"),
    )
    .unwrap();
    verify_key(&m, &sig, &[]).verify_failed(&[
        "Extra files found in model 'my model': with space/file_name.txt",
        "Missing files in model 'my model': with space/file name.txt",
    ]);
}

#[test]
fn hidden_files_and_directories_are_signed() {
    let t = tmp();
    let m = model(
        &t.path().join("m"),
        &[
            (".hidden", "h"),
            (".hdir/x", "x"),
            ("sub/.dotfile", "d"),
            ("visible", "v"),
        ],
    );
    let sig = t.path().join("m.sig");
    sign_key(&m, &sig, &[]).signed();
    assert_eq!(
        resources(&sig),
        [".hdir/x", ".hidden", "sub/.dotfile", "visible"]
    );
    verify_key(&m, &sig, &[]).verified();
    fs::write(m.join(".hdir/x"), "X").unwrap();
    verify_key(&m, &sig, &[]).verify_failed(&["Hash mismatch for '.hdir/x'"]);
    fs::write(m.join(".hdir/x"), "x").unwrap();
    put(&m.join(".new"), "n");
    verify_key(&m, &sig, &[]).verify_failed(&["Extra files found in model 'm': .new"]);
}

// ---------------------------------------------------------------------------------
// Git paths

fn git_model(root: &Path) -> std::path::PathBuf {
    model(
        root,
        &[
            (".git/HEAD", "ref: refs/heads/main"),
            (".git/objects/ab/cdef", "blob"),
            (".gitignore", "*.tmp"),
            (".gitattributes", "*.bin filter=lfs"),
            (".github/workflows/ci.yml", "on: push"),
            (".gitmodules", "[submodule]"),
            ("sub/.git/x", "nested git"),
            ("sub/.gitignore", "nested ignore"),
            ("weights.bin", "w"),
        ],
    )
}

#[test]
fn top_level_git_paths_are_ignored_but_nested_ones_are_signed() {
    let t = tmp();
    let m = git_model(&t.path().join("m"));
    let sig = t.path().join("m.sig");
    sign_key(&m, &sig, &[]).signed();
    assert_eq!(
        resources(&sig),
        [".gitmodules", "sub/.git/x", "sub/.gitignore", "weights.bin"]
    );
    let ignored = recorded_ignores(&sig);
    for g in [".git", ".gitattributes", ".github", ".gitignore"] {
        assert!(
            ignored.iter().any(|i| i == g),
            "{g} not recorded in {ignored:?}"
        );
    }
    verify_key(&m, &sig, &[]).verified();

    // Top-level git paths may change freely.
    fs::write(m.join(".git/HEAD"), "ref: refs/heads/other").unwrap();
    put(&m.join(".git/new-object"), "o");
    fs::write(m.join(".gitignore"), "changed").unwrap();
    fs::remove_dir_all(m.join(".github")).unwrap();
    verify_key(&m, &sig, &[]).verified();

    // Nested ones may not.
    fs::write(m.join("sub/.git/x"), "changed").unwrap();
    verify_key(&m, &sig, &[]).verify_failed(&["Hash mismatch for 'sub/.git/x'"]);
    fs::write(m.join("sub/.git/x"), "nested git").unwrap();
    fs::write(m.join(".gitmodules"), "changed").unwrap();
    verify_key(&m, &sig, &[]).verify_failed(&["Hash mismatch for '.gitmodules'"]);
}

#[test]
fn no_ignore_git_paths_signs_them_and_verify_needs_it_too() {
    let t = tmp();
    let m = git_model(&t.path().join("m"));
    let sig = t.path().join("m.sig");
    sign_key(&m, &sig, &["--no-ignore-git-paths"]).signed();
    let names = resources(&sig);
    for n in [
        ".git/HEAD",
        ".git/objects/ab/cdef",
        ".gitattributes",
        ".github/workflows/ci.yml",
        ".gitignore",
    ] {
        assert!(names.iter().any(|r| r == n), "{n} not in {names:?}");
    }
    // Nothing is ignored, so the key is left out, as the reference does (FORMAT §3.2).
    assert_eq!(
        payload(&sig)["predicate"]["serialization"].get("ignore_paths"),
        None
    );
    verify_key(&m, &sig, &["--no-ignore-git-paths"]).verified();
    verify_key(&m, &sig, &["--no_ignore_git_paths"]).verified();
    // ignore_git_paths is not recorded in the signature (FORMAT P-10): a default verify
    // leaves the git files out and so misses them.
    verify_key(&m, &sig, &[]).verify_failed(&[
        "Missing files in model 'm'",
        ".gitattributes",
        ".git/HEAD",
    ]);

    fs::write(m.join(".git/HEAD"), "moved").unwrap();
    verify_key(&m, &sig, &["--no-ignore-git-paths"])
        .verify_failed(&["Hash mismatch for '.git/HEAD'"]);
}

// ---------------------------------------------------------------------------------
// Symlinks

#[test]
fn symlinks_are_refused_by_default_naming_the_link() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("target.bin", "t")]);
    symlink("target.bin", &m.join("link.bin"));
    let sig = t.path().join("m.sig");
    let msg = assert_sign_fails(
        &sig,
        &["link.bin", "symlink", "--allow-symlinks"],
        sign_with(&m, Path::new(P256), &sig, &[]),
    );
    assert!(!msg.contains("target.bin"), "{msg}");
}

#[test]
fn allowed_symlink_to_a_file_is_hashed_with_the_targets_content_under_its_own_name() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("dir/target.bin", "target content")]);
    symlink("dir/target.bin", &m.join("link.bin"));
    let sig = t.path().join("m.sig");
    sign_key(&m, &sig, &["--allow-symlinks"]).signed();
    assert_eq!(resources(&sig), ["dir/target.bin", "link.bin"]);
    assert_eq!(
        payload(&sig)["predicate"]["serialization"]["allow_symlinks"],
        true
    );
    let res = payload(&sig)["predicate"]["resources"].clone();
    assert_eq!(
        res[0]["digest"], res[1]["digest"],
        "the link hashes as its target"
    );

    // A plain copy of the target gives the same manifest, so the same digest.
    let copy = model(
        &t.path().join("copy/m"),
        &[
            ("dir/target.bin", "target content"),
            ("link.bin", "target content"),
        ],
    );
    let d1 = run(ms().arg("digest").arg(&m).arg("--allow-symlinks"));
    let d2 = run(ms().arg("digest").arg(&copy));
    assert_eq!(d1.code, Some(0), "{d1:?}");
    assert_eq!(d1.stdout, d2.stdout);

    // verify reads allow_symlinks from the signature.
    verify_key(&m, &sig, &[]).verified();
    verify_key(&m, &sig, &["--allow-symlinks"]).verified();

    // Changing the target changes both items.
    fs::write(m.join("dir/target.bin"), "other").unwrap();
    verify_key(&m, &sig, &[]).verify_failed(&[
        "Hash mismatch for 'dir/target.bin'",
        "Hash mismatch for 'link.bin'",
    ]);
    fs::write(m.join("dir/target.bin"), "target content").unwrap();
    // Repointing the link is a change of link.bin.
    put(&m.join("other.bin"), "other");
    fs::remove_file(m.join("link.bin")).unwrap();
    symlink("other.bin", &m.join("link.bin"));
    let other = m.join("other.bin");
    verify_key(&m, &sig, &["--ignore-paths", other.to_str().unwrap()])
        .verify_failed(&["Hash mismatch for 'link.bin'"]);
}

/// Signing with `--allow-symlinks` must fail naming `link` and holding `needles`.
fn assert_symlink_refused(t: &Path, m: &Path, needles: &[&str]) {
    let sig = t.join("m.sig");
    assert_sign_fails(
        &sig,
        needles,
        sign_with(m, Path::new(P256), &sig, &["--allow-symlinks"]),
    );
}

#[test]
fn symlink_out_of_the_model_is_an_error_even_when_allowed() {
    let t = tmp();
    put(&t.path().join("outside.bin"), "secret");
    let m = model(&t.path().join("m"), &[("w", "w")]);
    symlink("../outside.bin", &m.join("escape"));
    assert_symlink_refused(t.path(), &m, &["escape", "outside the model"]);
    // Absolute targets too.
    fs::remove_file(m.join("escape")).unwrap();
    symlink(t.path().join("outside.bin"), &m.join("abs-escape"));
    assert_symlink_refused(t.path(), &m, &["abs-escape", "outside the model"]);
}

#[test]
fn symlink_cycle_is_an_error() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    symlink("b", &m.join("a"));
    symlink("a", &m.join("b"));
    assert_symlink_refused(t.path(), &m, &["cycle"]);
}

#[test]
fn symlink_to_own_directory_is_an_error() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("sub/w", "w")]);
    symlink("..", &m.join("sub/up"));
    assert_symlink_refused(t.path(), &m, &["sub/up"]);
}

#[test]
fn symlink_to_a_directory_is_an_error() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("d/q", "q")]);
    symlink("d", &m.join("dlink"));
    assert_symlink_refused(t.path(), &m, &["dlink", "directory"]);
}

#[test]
fn broken_symlink_is_an_error() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    symlink("does-not-exist", &m.join("dangling"));
    assert_symlink_refused(t.path(), &m, &["dangling", "broken"]);
    // Also without --allow-symlinks: then it is refused as a symlink.
    let sig = t.path().join("m.sig");
    assert_sign_fails(
        &sig,
        &["dangling", "symlink"],
        sign_with(&m, Path::new(P256), &sig, &[]),
    );
}

#[test]
fn ignored_symlinks_are_fine() {
    let t = tmp();
    put(&t.path().join("outside"), "o");
    let m = model(&t.path().join("m"), &[("w", "w")]);
    symlink("nowhere", &m.join("dangling"));
    symlink("../outside", &m.join("escape"));
    fs::create_dir(m.join("links")).unwrap();
    symlink("../w", &m.join("links/w"));
    let sig = t.path().join("m.sig");
    let ignores = [m.join("dangling"), m.join("escape"), m.join("links")];
    let mut args = Vec::new();
    for i in &ignores {
        args.push("--ignore-paths");
        args.push(i.to_str().unwrap());
    }
    sign_key(&m, &sig, &args).signed();
    assert_eq!(resources(&sig), ["w"]);
    let recorded = recorded_ignores(&sig);
    for n in ["dangling", "escape", "links"] {
        assert!(recorded.iter().any(|r| r == n), "{n} not in {recorded:?}");
    }
    // The signature records them, so verify needs no options.
    verify_key(&m, &sig, &[]).verified();
    // A relative --ignore-paths is taken from the current directory.
    run(ms()
        .current_dir(t.path())
        .args([
            "sign",
            "key",
            "m",
            "--private-key",
            P256,
            "--signature",
            "rel.sig",
        ])
        .args([
            "--ignore-paths",
            "m/dangling",
            "--ignore-paths",
            "m/escape",
            "--ignore-paths",
            "m/links",
        ]))
    .signed();
    assert_eq!(resources(&t.path().join("rel.sig")), ["w"]);
}

// ---------------------------------------------------------------------------------
// Single-file models and signatures inside the model

#[test]
fn single_file_model_has_resource_dot() {
    let t = tmp();
    let m = model(
        &t.path().join("m"),
        &[("file.bin", "single"), ("other", "o")],
    );
    let file = m.join("file.bin");
    let sig = t.path().join("file.sig");
    sign_key(&file, &sig, &[]).signed();
    assert_eq!(resources(&sig), ["."]);
    assert_eq!(payload(&sig)["subject"][0]["name"], "file.bin");
    verify_key(&file, &sig, &[]).verified();
    // The directory is another model.
    verify_key(&m, &sig, &[]).verify_failed(&["Missing files in model 'm': ."]);
    fs::write(&file, "changed").unwrap();
    verify_key(&file, &sig, &[]).verify_failed(&["Hash mismatch for '.'"]);

    // Shards name the file '.' too.
    fs::write(&file, "0123456789").unwrap();
    sign_key(
        &file,
        &sig,
        &["--serialization", "shards", "--shard-size", "4"],
    )
    .signed();
    assert_eq!(resources(&sig), [".:0:4", ".:4:8", ".:8:10"]);
    verify_key(&file, &sig, &[]).verified();
}

#[test]
fn signature_inside_the_model_is_ignored_and_recorded() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w.bin", "w"), ("sub/c.json", "{}")]);
    // Default --signature model.sig, signing "." from inside the model.
    run(ms()
        .current_dir(&m)
        .args(["sign", "key", ".", "--private-key", P256]))
    .signed();
    let sig = m.join("model.sig");
    assert!(sig.is_file());
    assert_eq!(resources(&sig), ["sub/c.json", "w.bin"]);
    assert!(recorded_ignores(&sig).iter().any(|i| i == "model.sig"));
    assert_eq!(payload(&sig)["subject"][0]["name"], "m");
    assert_eq!(temp_files(&m), Vec::<String>::new());
    run(ms().current_dir(&m).args([
        "verify",
        "key",
        ".",
        "--public-key",
        P256_PUB,
        "--signature",
        "model.sig",
    ]))
    .verified();
    // From outside, naming it through the model directory.
    verify_key(&m, &sig, &[]).verified();
    // Signing again over the existing signature still leaves it out.
    run(ms()
        .current_dir(&m)
        .args(["sign", "key", ".", "--private-key", P256]))
    .signed();
    assert_eq!(resources(&sig), ["sub/c.json", "w.bin"]);
    verify_key(&m, &sig, &[]).verified();
    // Tampering is still detected.
    fs::write(m.join("w.bin"), "W").unwrap();
    verify_key(&m, &sig, &[]).verify_failed(&["Hash mismatch for 'w.bin'"]);
}

#[test]
fn signature_in_a_subdirectory_of_the_model_is_ignored() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w.bin", "w")]);
    fs::create_dir(m.join("sigs")).unwrap();
    let sig = m.join("sigs/model.sig");
    sign_key(&m, &sig, &[]).signed();
    assert_eq!(resources(&sig), ["w.bin"]);
    assert!(recorded_ignores(&sig).iter().any(|i| i == "sigs/model.sig"));
    verify_key(&m, &sig, &[]).verified();
}

// ---------------------------------------------------------------------------------
// Ignore options

#[test]
fn ignore_paths_of_a_file_and_of_a_directory() {
    let t = tmp();
    let m = model(
        &t.path().join("m"),
        &[
            ("keep.bin", "k"),
            ("scratch.log", "l"),
            ("cache/a", "a"),
            ("cache/deep/b", "b"),
            ("cache2/c", "c"),
        ],
    );
    let sig = t.path().join("m.sig");
    let log = m.join("scratch.log");
    let cache = m.join("cache");
    let args = [
        "--ignore-paths",
        log.to_str().unwrap(),
        "--ignore_paths",
        cache.to_str().unwrap(),
    ];
    sign_key(&m, &sig, &args).signed();
    // Whole components: cache2 is not under cache.
    assert_eq!(resources(&sig), ["cache2/c", "keep.bin"]);
    let recorded = recorded_ignores(&sig);
    assert!(recorded.iter().any(|r| r == "cache") && recorded.iter().any(|r| r == "scratch.log"));
    verify_key(&m, &sig, &[]).verified();

    // Ignored paths may change, vanish or grow.
    fs::write(&log, "more log").unwrap();
    put(&cache.join("new/file"), "n");
    fs::remove_file(cache.join("a")).unwrap();
    verify_key(&m, &sig, &[]).verified();
    fs::remove_dir_all(&cache).unwrap();
    verify_key(&m, &sig, &[]).verified();

    fs::write(m.join("cache2/c"), "C").unwrap();
    verify_key(&m, &sig, &[]).verify_failed(&["Hash mismatch for 'cache2/c'"]);
}

#[test]
fn ignore_unsigned_files_tolerates_extra_files_but_not_changes() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("a", "a"), ("sub/b", "b")]);
    let sig = t.path().join("m.sig");
    sign_key(&m, &sig, &[]).signed();
    put(&m.join("extra.txt"), "e");
    put(&m.join("sub/extra"), "e");
    verify_key(&m, &sig, &[])
        .verify_failed(&["Extra files found in model 'm': extra.txt, sub/extra"]);
    verify_key(&m, &sig, &["--ignore-unsigned-files"]).verified();
    verify_key(&m, &sig, &["--ignore_unsigned_files"]).verified();
    // The later flag wins.
    verify_key(
        &m,
        &sig,
        &["--ignore-unsigned-files", "--no-ignore-unsigned-files"],
    )
    .verify_failed(&["Extra files found"]);

    fs::write(m.join("sub/b"), "B").unwrap();
    verify_key(&m, &sig, &["--ignore-unsigned-files"])
        .verify_failed(&["Hash mismatch for 'sub/b'"]);
    fs::write(m.join("sub/b"), "b").unwrap();
    fs::remove_file(m.join("a")).unwrap();
    verify_key(&m, &sig, &["--ignore-unsigned-files"])
        .verify_failed(&["Missing files in model 'm': a"]);
}

/// `--ignore-unsigned-files` selects the signed files by name; a directory in the middle
/// of a signed path replaced by a symlink to the outside must not be read through (the
/// signed `sub/deeper/x.bin` would vouch for bytes outside the model, and the outside
/// file's digest would appear in the message).
#[test]
fn ignore_unsigned_files_never_reads_through_a_directory_symlink() {
    let t = tmp();
    let m = model(
        &t.path().join("m"),
        &[("a", "a"), ("sub/deeper/x.bin", "x")],
    );
    let sig = t.path().join("m.sig");
    sign_key(&m, &sig, &[]).signed();
    let outside = model(&t.path().join("outside"), &[("deeper/x.bin", "X")]);
    fs::remove_dir_all(m.join("sub")).unwrap();
    std::os::unix::fs::symlink(&outside, m.join("sub")).unwrap();
    for extra in [&["--ignore-unsigned-files"][..], &[]] {
        let e = verify_key(&m, &sig, extra).verify_failed(&["sub", "symlink"]);
        let outside_digest = model_signing_core::encoding::hex(
            &model_signing_core::HashAlgorithm::Sha256.hash(b"X"),
        );
        assert!(!e.contains(&outside_digest), "{e}");
    }
    // With symlinks allowed, a directory symlink is still not followed (as in a walk).
    verify_key(&m, &sig, &["--ignore-unsigned-files", "--allow-symlinks"])
        .verify_failed(&["sub", "points to a directory"]);
}

// ---------------------------------------------------------------------------------
// Hashing configurations

#[test]
fn every_hashing_configuration_round_trips() {
    let t = tmp();
    let m = model(
        &t.path().join("m"),
        &[
            ("big.bin", "0123456789abcdefghij"),
            ("seven.bin", "1234567"),
            ("empty", ""),
            ("sub/s", "xy"),
        ],
    );
    for alg in ["sha256", "blake2", "blake3"] {
        for (ser, shard) in [("files", None), ("shards", Some("7")), ("shards", None)] {
            let sig = t
                .path()
                .join(format!("{alg}-{ser}-{}.sig", shard.unwrap_or("default")));
            let mut args = vec!["--hash-algorithm", alg, "--serialization", ser];
            if let Some(s) = shard {
                args.extend(["--shard-size", s]);
            }
            let ctx = format!("{alg} {ser} {shard:?}");
            sign_key(&m, &sig, &args).signed();
            let p = payload(&sig);
            let s = &p["predicate"]["serialization"];
            let hash_type = if alg == "blake2" { "blake2b" } else { alg };
            assert_eq!(s["hash_type"], hash_type, "{ctx}");
            // BLAKE3 always hashes whole files, as the reference does (P-31).
            let sharded = ser == "shards" && alg != "blake3";
            assert_eq!(
                s["method"],
                if sharded { "shards" } else { "files" },
                "{ctx}"
            );
            let names = resources(&sig);
            if sharded && shard == Some("7") {
                assert_eq!(s["shard_size"], 7, "{ctx}");
                assert_eq!(
                    names,
                    [
                        "big.bin:0:7",
                        "big.bin:7:14",
                        "big.bin:14:20",
                        "seven.bin:0:7",
                        "sub/s:0:2"
                    ],
                    "{ctx}"
                );
            } else if sharded {
                assert_eq!(s["shard_size"], 1_000_000_000u64, "{ctx}");
            } else {
                assert_eq!(names, ["big.bin", "empty", "seven.bin", "sub/s"], "{ctx}");
            }
            let item_algorithm = if sharded {
                format!("{hash_type}-sharded-{}", shard.unwrap_or("1000000000"))
            } else {
                hash_type.to_string()
            };
            for r in p["predicate"]["resources"].as_array().unwrap() {
                assert_eq!(r["algorithm"], item_algorithm.as_str(), "{ctx}");
            }

            // verify reads the configuration from the signature...
            verify_key(&m, &sig, &[]).verified();
            // ...and accepts the same options when they agree with it.
            verify_key(&m, &sig, &["--hash-algorithm", alg]).verified();
            // ...including exactly the options it was signed with (BLAKE3 + shards too).
            verify_key(&m, &sig, &args).verified();
            // A disagreeing algorithm is refused, naming both.
            let other = if alg == "sha256" { "blake3" } else { "sha256" };
            verify_key(&m, &sig, &["--hash-algorithm", other]).verify_failed(&[
                "--hash-algorithm",
                other,
                alg,
            ]);

            fs::write(m.join("big.bin"), "0123456789abcdefghiJ").unwrap();
            let changed = if sharded && shard == Some("7") {
                "Hash mismatch for 'big.bin:14:20'"
            } else if sharded {
                "Hash mismatch for 'big.bin:0:20'"
            } else {
                "Hash mismatch for 'big.bin'"
            };
            verify_key(&m, &sig, &[]).verify_failed(&[changed]);
            fs::write(m.join("big.bin"), "0123456789abcdefghij").unwrap();
        }
    }
}

#[test]
fn verify_with_disagreeing_serialization_options_fails_clearly() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "0123456789")]);
    let sig = t.path().join("m.sig");
    sign_key(
        &m,
        &sig,
        &["--serialization", "shards", "--shard-size", "7"],
    )
    .signed();
    verify_key(
        &m,
        &sig,
        &["--serialization", "shards", "--shard-size", "7"],
    )
    .verified();
    verify_key(&m, &sig, &["--serialization", "files"])
        .verify_failed(&["--serialization files", "shards"]);
    verify_key(
        &m,
        &sig,
        &["--serialization", "shards", "--shard-size", "8"],
    )
    .verify_failed(&["--shard-size 8", "7"]);
    verify_key(&m, &sig, &["--hash-algorithm", "blake2"])
        .verify_failed(&["--hash-algorithm blake2", "sha256"]);
}

// ---------------------------------------------------------------------------------
// Option spellings, logging, digest

#[test]
fn underscore_spellings_are_accepted() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("t", "t")]);
    symlink("t", &m.join("l"));
    let sig = t.path().join("m.sig");
    let r = run(ms()
        .args(["sign", "key"])
        .arg(&m)
        .args([
            "--private_key",
            P256,
            "--allow_symlinks",
            "--log_level",
            "debug",
            "--hash_algorithm",
            "blake2",
        ])
        .arg("--signature")
        .arg(&sig));
    r.signed();
    assert!(
        r.stderr.contains("hashed"),
        "--log_level debug gives debug output: {r:?}"
    );
    run(ms()
        .args(["verify", "key"])
        .arg(&m)
        .args(["--public_key", P256_PUB, "--allow_symlinks"])
        .arg("--signature")
        .arg(&sig))
    .verified();
    put(&m.join("extra"), "e");
    run(ms()
        .args(["verify", "key"])
        .arg(&m)
        .args(["--public_key", P256_PUB, "--ignore_unsigned_files"])
        .arg("--signature")
        .arg(&sig))
    .verified();
    fs::remove_file(m.join("extra")).unwrap();

    // Certificate options: --signing_certificate, --certificate_chain.
    let csig = t.path().join("c.sig");
    run(ms()
        .args(["sign", "certificate"])
        .arg(&m)
        .args([
            "--private_key",
            CERT_KEY,
            "--signing_certificate",
            LEAF_CERT,
            "--certificate_chain",
            INT_CERT,
            "--allow_symlinks",
        ])
        .arg("--signature")
        .arg(&csig))
    .signed();
    let chain = bundle(&csig)["verificationMaterial"]["x509CertificateChain"]["certificates"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(chain, 2, "leaf and intermediate");
    run(ms()
        .args(["verify", "certificate"])
        .arg(&m)
        .args(["--certificate_chain", ROOT_CERT])
        .arg("--signature")
        .arg(&csig))
    .verified();
    // The = form.
    run(ms()
        .args(["verify", "key"])
        .arg(&m)
        .arg(format!("--public_key={P256_PUB}"))
        .arg(format!("--signature={}", sig.display())))
    .verified();
}

#[test]
fn log_level_from_environment_and_option() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    let sig = t.path().join("m.sig");
    let sign = sign_with(&m, Path::new(P256), &sig, &[]);
    // Default INFO: nothing on stderr.
    let quiet = run(&mut sign());
    quiet.signed();
    assert_eq!(quiet.stderr, "");

    let debug = run(sign().env("MODEL_SIGNING_LOG_LEVEL", "DEBUG"));
    debug.signed();
    assert!(debug.stderr.contains("hashed"), "{debug:?}");
    assert!(
        debug.stderr.contains(&format!("wrote {}", sig.display())),
        "{debug:?}"
    );
    // stderr is not a terminal here: no colour codes.
    assert!(
        !debug.stderr.contains('\u{1b}'),
        "ANSI escapes in piped output: {:?}",
        debug.stderr
    );

    // The option wins over the environment.
    let error = run(sign()
        .env("MODEL_SIGNING_LOG_LEVEL", "DEBUG")
        .args(["--log-level", "ERROR"]));
    error.signed();
    assert_eq!(error.stderr, "");
    // Before the subcommand too, and in any case.
    let r = run(ms()
        .args(["--log-level", "debug", "verify", "key"])
        .arg(&m)
        .args(["--public-key", P256_PUB, "--signature"])
        .arg(&sig));
    r.verified();
    assert!(r.stderr.contains("hashed"), "{r:?}");
    // An unknown level is a usage error.
    fs::remove_file(&sig).unwrap();
    let bad = run(sign().args(["--log-level", "LOUD"]));
    assert_eq!(bad.code, Some(2), "{bad:?}");
    assert!(bad.stderr.contains("LOUD"), "{bad:?}");
    assert!(!sig.exists());
}

#[test]
fn digest_prints_the_root_digest_and_tracks_changes() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("a", "a"), ("sub/b", "b")]);
    let digest = |extra: &[&str]| {
        let r = run(ms().arg("digest").arg(&m).args(extra));
        assert_eq!(r.code, Some(0), "{r:?}");
        let d = r.stdout.strip_suffix('\n').expect("one line").to_string();
        let hex = d.strip_prefix("sha256:").expect("sha256: prefix");
        assert_eq!(hex.len(), 64, "{d}");
        assert!(
            hex.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{d}"
        );
        d
    };
    let d1 = digest(&[]);
    assert_eq!(digest(&[]), d1, "deterministic");

    // It equals the subject digest of a signature of the same model.
    let sig = t.path().join("m.sig");
    sign_key(&m, &sig, &[]).signed();
    assert_eq!(
        format!(
            "sha256:{}",
            payload(&sig)["subject"][0]["digest"]["sha256"]
                .as_str()
                .unwrap()
        ),
        d1
    );

    fs::write(m.join("sub/b"), "B").unwrap();
    let d2 = digest(&[]);
    assert_ne!(d1, d2);
    fs::write(m.join("sub/b"), "b").unwrap();
    assert_eq!(digest(&[]), d1);
    // The root digest hashes the item digests in path order, not the names (FORMAT
    // §2.6): a rename that keeps the order keeps it, one that reorders changes it.
    fs::rename(m.join("a"), m.join("a2")).unwrap();
    assert_eq!(digest(&[]), d1);
    fs::rename(m.join("a2"), m.join("z")).unwrap();
    assert_ne!(digest(&[]), d1);
    fs::rename(m.join("z"), m.join("a")).unwrap();

    // digest does not leave out a signature inside the model unless told to.
    put(&m.join("model.sig"), "sig");
    assert_ne!(digest(&[]), d1);
    let inner = m.join("model.sig");
    assert_eq!(digest(&["--ignore-paths", inner.to_str().unwrap()]), d1);
    // Other hashing options change it.
    assert_ne!(
        digest(&[
            "--ignore-paths",
            inner.to_str().unwrap(),
            "--hash-algorithm",
            "blake3"
        ]),
        d1
    );

    let missing = run(ms().arg("digest").arg(t.path().join("nope")));
    missing.failed_with("Computing digest failed: ", &["nope"]);
}

// ---------------------------------------------------------------------------------
// Encrypted keys

#[test]
fn encrypted_private_keys_sign_with_a_password() {
    let t = tmp();
    let dir = t.path();
    openssl(
        dir,
        &[
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-passout",
            "pass:s3cret",
            "-in",
            P256,
            "-out",
            "pkcs8.pem",
        ],
    );
    openssl(
        dir,
        &[
            "ec",
            "-aes256",
            "-passout",
            "pass:s3cret",
            "-in",
            P256,
            "-out",
            "legacy.pem",
        ],
    );
    assert!(fs::read_to_string(dir.join("pkcs8.pem"))
        .unwrap()
        .contains("BEGIN ENCRYPTED PRIVATE KEY"));
    assert!(fs::read_to_string(dir.join("legacy.pem"))
        .unwrap()
        .contains("Proc-Type: 4,ENCRYPTED"));
    let m = model(&dir.join("m"), &[("w", "w")]);
    for key in ["pkcs8.pem", "legacy.pem"] {
        let key = dir.join(key);
        let sig = dir.join("m.sig");
        sign_key_with(&m, &key, &sig, &["--password", "s3cret"]).signed();
        verify_key(&m, &sig, &[]).verified();
        fs::remove_file(&sig).unwrap();
        run(sign_with(&m, &key, &sig, &[])().env("MODEL_SIGNING_KEY_PASSWORD", "s3cret")).signed();
        verify_key(&m, &sig, &[]).verified();
    }
    // A P-521 key encrypted with 3DES, verified with its public key.
    openssl(
        dir,
        &[
            "ec",
            "-des3",
            "-passout",
            "pass:pw",
            "-in",
            P521,
            "-out",
            "p521-des3.pem",
        ],
    );
    let sig = dir.join("p521.sig");
    sign_key_with(&m, &dir.join("p521-des3.pem"), &sig, &["--password", "pw"]).signed();
    verify_key_with(&m, Path::new(P521_PUB), &sig, &[]).verified();
}

// ---------------------------------------------------------------------------------
// Empty and large models

#[test]
fn empty_models_are_refused() {
    let t = tmp();
    let sig = t.path().join("m.sig");
    let sign = |m: &Path| sign_with(m, Path::new(P256), &sig, &[]);
    // No files at all.
    let empty = t.path().join("empty");
    fs::create_dir(&empty).unwrap();
    assert_sign_fails(&sig, &["'", "empty", "no files to sign"], sign(&empty));
    // Only empty directories.
    let dirs = t.path().join("dirs");
    fs::create_dir_all(dirs.join("a/b")).unwrap();
    fs::create_dir_all(dirs.join("c")).unwrap();
    assert_sign_fails(&sig, &["dirs", "no files to sign"], sign(&dirs));
    // Only git paths.
    let git = model(
        &t.path().join("git"),
        &[(".git/HEAD", "h"), (".gitignore", "i")],
    );
    assert_sign_fails(&sig, &["git", "no files to sign"], sign(&git));
    // Everything ignored.
    let all = model(&t.path().join("all"), &[("a", "a"), ("b/c", "c")]);
    let a = all.join("a");
    let b = all.join("b");
    assert_sign_fails(
        &sig,
        &["all", "no files to sign"],
        sign_with(
            &all,
            Path::new(P256),
            &sig,
            &[
                "--ignore-paths",
                a.to_str().unwrap(),
                "--ignore-paths",
                b.to_str().unwrap(),
            ],
        ),
    );
    // The model directory itself ignored.
    let whole = model(&t.path().join("whole"), &[("a", "a")]);
    assert_sign_fails(
        &sig,
        &["no files to sign"],
        sign_with(
            &whole,
            Path::new(P256),
            &sig,
            &["--ignore-paths", whole.to_str().unwrap()],
        ),
    );
    // Only the signature itself, from inside the model.
    let only_sig = t.path().join("only-sig");
    fs::create_dir(&only_sig).unwrap();
    fs::write(only_sig.join("model.sig"), "old").unwrap();
    run(ms()
        .current_dir(&only_sig)
        .args(["sign", "key", ".", "--private-key", P256]))
    .sign_failed(&["no files to sign"]);
    assert_eq!(
        fs::read_to_string(only_sig.join("model.sig")).unwrap(),
        "old"
    );
    assert_eq!(temp_files(&only_sig), Vec::<String>::new());
    // An empty single file is a model with one (empty) file: it may be signed.
    put(&t.path().join("zero.bin"), "");
    sign_key(&t.path().join("zero.bin"), &sig, &[]).signed();
    verify_key(&t.path().join("zero.bin"), &sig, &[]).verified();
}

#[test]
fn a_thousand_small_files() {
    let t = tmp();
    let m = t.path().join("m");
    for i in 0..1000 {
        put(
            &m.join(format!("d{}/f{i:04}.bin", i % 10)),
            format!("content {i}"),
        );
    }
    let sig = t.path().join("m.sig");
    sign_key(&m, &sig, &["--max-workers", "2"]).signed();
    let names = resources(&sig);
    assert_eq!(names.len(), 1000);
    assert_eq!(names[0], "d0/f0000.bin");
    assert_eq!(names[999], "d9/f0999.bin");
    verify_key(&m, &sig, &[]).verified();
    fs::write(m.join("d7/f0517.bin"), "changed").unwrap();
    verify_key(&m, &sig, &[]).verify_failed(&["Hash mismatch for 'd7/f0517.bin'"]);
    fs::write(m.join("d7/f0517.bin"), "content 517").unwrap();
    fs::remove_file(m.join("d3/f0003.bin")).unwrap();
    verify_key(&m, &sig, &[]).verify_failed(&["Missing files in model 'm': d3/f0003.bin"]);
}

#[test]
fn certificate_signature_round_trip() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w"), ("sub/x", "x")]);
    let sig = t.path().join("m.sig");
    sign_cert(&m, &sig, &[]).signed();
    verify_cert(&m, &sig, &[ROOT_CERT], &[]).verified();
    // Root and intermediate given together also work.
    verify_cert(&m, &sig, &[INT_CERT, ROOT_CERT], &[]).verified();
    fs::write(m.join("sub/x"), "X").unwrap();
    verify_cert(&m, &sig, &[ROOT_CERT], &[]).verify_failed(&["Hash mismatch for 'sub/x'"]);
}

#[test]
fn ignore_unsigned_files_with_shards_and_single_files() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("a", "0123456789"), ("sub/b", "b")]);
    let sig = t.path().join("m.sig");
    sign_key(
        &m,
        &sig,
        &["--serialization", "shards", "--shard-size", "4"],
    )
    .signed();
    put(&m.join("extra"), "e");
    verify_key(&m, &sig, &[]).verify_failed(&["Extra files found in model 'm': extra:0:1"]);
    verify_key(&m, &sig, &["--ignore-unsigned-files"]).verified();
    fs::write(m.join("a"), "0123456789X").unwrap();
    verify_key(&m, &sig, &["--ignore-unsigned-files"]).verify_failed(&["a:8:10", "a:8:11"]);

    let file = m.join("sub/b");
    let fsig = t.path().join("f.sig");
    sign_key(&file, &fsig, &[]).signed();
    verify_key(&file, &fsig, &["--ignore-unsigned-files"]).verified();
    fs::write(&file, "B").unwrap();
    verify_key(&file, &fsig, &["--ignore-unsigned-files"])
        .verify_failed(&["Hash mismatch for '.'"]);
}

#[test]
fn names_that_are_not_utf8_are_refused() {
    use std::os::unix::ffi::OsStrExt as _;
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    put(&m.join(std::ffi::OsStr::from_bytes(b"bad-\xff-name")), "x");
    let sig = t.path().join("m.sig");
    assert_sign_fails(
        &sig,
        &["bad-", "UTF-8"],
        sign_with(&m, Path::new(P256), &sig, &[]),
    );
}

#[test]
fn special_files_are_refused() {
    let t = tmp();
    let m = model(&t.path().join("m"), &[("w", "w")]);
    let fifo = m.join("pipe");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(ok.success());
    let sig = t.path().join("m.sig");
    assert_sign_fails(
        &sig,
        &["pipe", "special file"],
        sign_with(&m, Path::new(P256), &sig, &[]),
    );
    // Ignored, it is fine.
    sign_key(&m, &sig, &["--ignore-paths", fifo.to_str().unwrap()]).signed();
    verify_key(&m, &sig, &[]).verified();
}

#[test]
fn model_path_that_is_a_symlink() {
    let t = tmp();
    let real = model(&t.path().join("real"), &[("w", "w"), ("sub/x", "x")]);
    let link = t.path().join("link");
    symlink("real", &link);
    let sig = t.path().join("m.sig");
    assert_sign_fails(
        &sig,
        &["link", "symlink"],
        sign_with(&link, Path::new(P256), &sig, &[]),
    );
    sign_key(&link, &sig, &["--allow-symlinks"]).signed();
    assert_eq!(resources(&sig), ["sub/x", "w"]);
    verify_key(&link, &sig, &[]).verified();
    verify_key(&real, &sig, &[]).verified();
    fs::write(real.join("w"), "W").unwrap();
    verify_key(&link, &sig, &[]).verify_failed(&["Hash mismatch for 'w'"]);
}
