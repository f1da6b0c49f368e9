//! `sct`: signed certificate timestamps.
//!
//! Input: a mode byte, then the bytes. Even mode: a TLS `SignedCertificateTimestampList`
//! for [`parse_sct_list`]. Odd mode: a leaf certificate (DER) for
//! [`precertificate_tbs`] and `verify_embedded_scts`, with the leaf's path completed by
//! each Fulcio chain of the production and staging roots.
//!
//! Properties: a list that parses is written back byte for byte (the parser is strict,
//! so it reads exactly one encoding); the precertificate of a certificate that `x509-cert`
//! reads is that certificate's TBS with the SCT extension removed (as decoded values); SCTs
//! that verify are over a precertificate of a test vector (anything else is a forgery).

use der::Decode;
use model_signing_core::oids;
use model_signing_core::sigstore::sct::{
    parse_sct_list, precertificate_tbs, verify_embedded_scts, Sct,
};
use x509_cert::{Certificate, TbsCertificate};

use crate::known::{forgery, precertificates};
use crate::trace;
use crate::vectors::roots;

/// Runs the target on one input.
pub fn run(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        sct_list(rest);
    } else {
        leaf(rest);
    }
}

fn sct_list(tls: &[u8]) {
    let scts = match parse_sct_list(tls) {
        Ok(s) => s,
        Err(e) => {
            trace!("sct: list: {e}");
            return;
        }
    };
    assert_eq!(
        encode(&scts),
        tls,
        "an SCT list does not encode back to its bytes"
    );
}

/// The TLS encoding of a list.
fn encode(scts: &[Sct]) -> Vec<u8> {
    let mut body = Vec::new();
    for s in scts {
        let mut one = vec![0u8];
        one.extend_from_slice(&s.log_id);
        one.extend_from_slice(&s.timestamp_ms.to_be_bytes());
        one.extend_from_slice(&(s.extensions.len() as u16).to_be_bytes());
        one.extend_from_slice(&s.extensions);
        one.push(s.hash_algorithm);
        one.push(s.signature_algorithm);
        one.extend_from_slice(&(s.signature.len() as u16).to_be_bytes());
        one.extend_from_slice(&s.signature);
        body.extend_from_slice(&(one.len() as u16).to_be_bytes());
        body.extend_from_slice(&one);
    }
    let mut out = (body.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out
}

fn leaf(der: &[u8]) {
    let tbs = match precertificate_tbs(der) {
        Ok(t) => t,
        Err(e) => {
            trace!("sct: precertificate: {e}");
            return;
        }
    };
    if let Ok(cert) = Certificate::from_der(der) {
        // Compared as decoded values, not bytes: `x509-cert` reads a DEFAULT value that
        // is written out (a `critical FALSE`, a `version v1`), which DER forbids, and
        // writes it back without it, while the precertificate keeps the bytes as the CA
        // signed them (as it must: regression inputs precert-explicit-*).
        let mut expected = cert.tbs_certificate.clone();
        if let Some(exts) = &mut expected.extensions {
            exts.retain(|e| e.extn_id != oids::SCT_LIST);
        }
        let precert = TbsCertificate::from_der(&tbs)
            .unwrap_or_else(|e| panic!("the precertificate of a certificate does not parse: {e}"));
        assert_eq!(
            precert, expected,
            "the precertificate is not the TBS without the SCT extension"
        );
    }
    for root in &roots()[..2] {
        for ca in &root.certificate_authorities {
            let mut path = vec![der.to_vec()];
            path.extend(ca.chain.iter().cloned());
            match verify_embedded_scts(&path, root) {
                Ok(n) => {
                    trace!("sct: {n} verified");
                    if !precertificates().contains(&tbs) {
                        forgery("an SCT");
                    }
                }
                Err(e) => trace!("sct: {e}"),
            }
        }
    }
}
