#!/bin/sh
# Regenerates the X.509 test fixtures used by core/src/certificate.rs.
#
# Usage: tests/vectors/pki/make.sh   (needs the openssl CLI, 3.x)
#
# `openssl ca` is used instead of `openssl x509 -req` because it is the only 3.0 command
# that sets an arbitrary notBefore (-startdate), which the expiry fixtures need. Private
# keys live in a temporary directory and are discarded: the tests only verify, and
# re-running the script simply produces a new, equivalent set.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir "$work/new"
: >"$work/index.txt"
echo 01 >"$work/serial"
cat >"$work/ca.cnf" <<CNF
[ca]
default_ca = fixtures

[fixtures]
database = $work/index.txt
new_certs_dir = $work/new
serial = $work/serial
policy = any_name
unique_subject = no
copy_extensions = none
email_in_dn = no
default_md = sha256

[any_name]
commonName = supplied

[req]
distinguished_name = dn
prompt = no

[dn]
CN = unused
CNF

FOREVER=20991231235959Z

# key NAME TYPE: TYPE is p256, p384, p521 or rsa2048.
key() {
    case "$2" in
        p256) openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/$1.key" ;;
        p384) openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$work/$1.key" ;;
        p521) openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out "$work/$1.key" ;;
        rsa2048) openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/$1.key" ;;
    esac
}

# issue NAME KEYTYPE ISSUER START END SECTION [openssl ca options...]
# Writes NAME.pem with subject CN=pki-test-NAME (override with CN=...), signed by the
# key of ISSUER.pem, or self-signed when ISSUER is "self".
issue() {
    name=$1 type=$2 issuer=$3 start=$4 end=$5 section=$6
    shift 6
    cn=${CN:-pki-test-$name}
    key "$name" "$type"
    openssl req -new -config "$work/ca.cnf" -key "$work/$name.key" -subj "/CN=$cn" \
        -out "$work/$name.csr"
    if [ "$issuer" = self ]; then
        signer="-selfsign -keyfile $work/$name.key"
    else
        signer="-cert $here/$issuer.pem -keyfile $work/$issuer.key"
    fi
    # shellcheck disable=SC2086 # $signer is a list of options.
    openssl ca -batch -notext -config "$work/ca.cnf" -rand_serial $signer \
        -startdate "$start" -enddate "$end" \
        -extfile "$here/extensions.cnf" -extensions "$section" \
        -in "$work/$name.csr" -out "$here/$name.pem" "$@" 2>"$work/ca.log" \
        || { cat "$work/ca.log" >&2; exit 1; }
}

# The main chain: P-256 root -> P-384 intermediate -> P-256 leaf.
issue root p256 self 20000101000000Z $FOREVER root
issue int p384 root 20010101000000Z $FOREVER int
issue leaf p256 int 20200101000000Z $FOREVER leaf -md sha384

# Expired leaf: still verifies, because the chain is checked at the leaf's notBefore.
issue leaf-expired p256 int 20200101000000Z 20210101000000Z leaf -md sha384
# Leaf issued before the intermediate's notBefore: the intermediate is not yet valid.
issue leaf-early p256 int 20000601000000Z $FOREVER leaf -md sha384
# Intermediate that expired before its leaf was issued.
issue int-expired p384 root 20010101000000Z 20020101000000Z int
issue leaf-under-int-expired p256 int-expired 20200101000000Z $FOREVER leaf
# Root (the trust anchor) that expired before its leaf was issued.
issue root-old p256 self 20000101000000Z 20050101000000Z root
issue leaf-under-root-old p256 root-old 20100101000000Z $FOREVER leaf

# Issuer problems.
issue int-not-ca p256 root 20010101000000Z $FOREVER int_not_ca
issue leaf-under-int-not-ca p256 int-not-ca 20200101000000Z $FOREVER leaf
issue int-no-keycertsign p256 root 20010101000000Z $FOREVER int_no_keycertsign
issue leaf-under-int-no-keycertsign p256 int-no-keycertsign 20200101000000Z $FOREVER leaf
issue int-pathlen0 p256 root 20010101000000Z $FOREVER int_pathlen0
issue leaf-under-int-pathlen0 p256 int-pathlen0 20200101000000Z $FOREVER leaf
issue int-below-pathlen0 p256 int-pathlen0 20010101000000Z $FOREVER int
issue leaf-under-int-below-pathlen0 p256 int-below-pathlen0 20200101000000Z $FOREVER leaf
issue int-name-constraints p256 root 20010101000000Z $FOREVER int_name_constraints
issue leaf-under-int-name-constraints p256 int-name-constraints 20200101000000Z $FOREVER leaf
# Same subject as int.pem, different key: path building must pick the right one.
# (In a subshell: some shells keep an assignment made before a function call.)
(CN=pki-test-int issue int-twin p384 root 20010101000000Z $FOREVER int)

# Leaf problems (all issued by int).
issue leaf-no-aki p256 int 20200101000000Z $FOREVER leaf_no_aki -md sha384
issue leaf-unknown-critical p256 int 20200101000000Z $FOREVER leaf_unknown_critical -md sha384
issue leaf-no-signing-usage p256 int 20200101000000Z $FOREVER leaf_no_signing_usage -md sha384
issue leaf-eku-only p256 int 20200101000000Z $FOREVER leaf_eku_only -md sha384
issue leaf-no-usage p256 int 20200101000000Z $FOREVER leaf_no_usage -md sha384
issue leaf-rsa rsa2048 int 20200101000000Z $FOREVER leaf -md sha384
issue selfsigned-leaf p256 self 20200101000000Z $FOREVER selfsigned_leaf

# Other signature algorithms: ECDSA-SHA512 by P-256, ECDSA-SHA256 by P-521,
# RSA PKCS #1 v1.5 SHA-256/SHA-512 and RSASSA-PSS.
issue int-p521 p521 root 20010101000000Z $FOREVER int -md sha512
issue leaf-under-int-p521 p256 int-p521 20200101000000Z $FOREVER leaf -md sha256
issue root-rsa rsa2048 self 20000101000000Z $FOREVER root
issue leaf-under-root-rsa-sha512 p256 root-rsa 20200101000000Z $FOREVER leaf -md sha512
issue leaf-under-root-rsa-pss p256 root-rsa 20200101000000Z $FOREVER leaf -md sha384 \
    -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:48 -sigopt rsa_mgf1_md:sha384

# Look-alike flood (lookalike-flood.pem, leaf first): twelve CA certificates named
# pki-test-lookalike, without key identifiers, half with key A signed by key B and half
# the other way round, so each can follow any of the other half. None is self-signed
# and none leads to a root, so path building must give up within its step budget
# instead of trying the millions of orderings.
key lookalike-a p256
key lookalike-b p256
for k in a b; do
    openssl req -new -x509 -config "$work/ca.cnf" -key "$work/lookalike-$k.key" \
        -subj /CN=pki-test-lookalike -days 36500 -out "$work/lookalike-$k.pem"
    openssl req -new -config "$work/ca.cnf" -key "$work/lookalike-$k.key" \
        -subj /CN=pki-test-lookalike -out "$work/lookalike-$k.csr"
done
: >"$here/lookalike-flood.pem"
lookalike() { # lookalike CSR-KEY SIGNER-KEY SECTION
    openssl ca -batch -notext -config "$work/ca.cnf" -rand_serial \
        -cert "$work/lookalike-$2.pem" -keyfile "$work/lookalike-$2.key" \
        -startdate 20010101000000Z -enddate $FOREVER \
        -extfile "$here/extensions.cnf" -extensions "$3" \
        -in "$work/lookalike-$1.csr" -out "$work/lookalike.out" 2>"$work/ca.log" \
        || { cat "$work/ca.log" >&2; exit 1; }
    cat "$work/lookalike.out" >>"$here/lookalike-flood.pem"
}
lookalike a b leaf_no_aki
for i in 1 2 3 4 5 6; do
    lookalike a b lookalike
    lookalike b a lookalike
done

echo "fixtures written to $here"
