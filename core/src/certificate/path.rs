//! Path building: a depth-first search with backtracking from the leaf to a trust
//! anchor, bounded in length and in steps, checking every link.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use x509_cert::certificate::Version;

use super::parsed::{key_ids_match, Parsed};
use super::{
    check_validity, name_text, CertificateError, MAX_PATH_LEN, MAX_SEARCH_STEPS,
    MAX_SIGNATURE_CHECKS,
};
use crate::keys::{AlgorithmError, CryptoError, Scheme, VerifyingKey};
use crate::oids;

/// A failed branch of the search; the deepest one explains the failure best.
struct Failure {
    depth: usize,
    error: Box<CertificateError>,
}

impl Failure {
    fn new(depth: usize, error: CertificateError) -> Self {
        Self {
            depth,
            error: Box::new(error),
        }
    }

    fn rank(&self) -> (usize, bool) {
        // At equal depth, a same-named certificate that merely did not sign the child
        // is less interesting than a real issuer that failed a check.
        (
            self.depth,
            !matches!(*self.error, CertificateError::BadSignature { .. }),
        )
    }
}

/// Depth-first path building with backtracking, from the leaf (index 0) upwards.
pub(super) struct Search<'c, 'a> {
    certs: &'c [Parsed<'a>],
    time: u64,
    /// Whether a trusted certificate above the leaf ends the path even when it is not
    /// self-signed (OpenSSL's `X509_V_FLAG_PARTIAL_CHAIN`; see [`verify_path_at`]).
    partial_chain: bool,
    /// Signature results by (child, issuer), since backtracking revisits pairs.
    signatures: BTreeMap<(usize, usize), Result<(), CertificateError>>,
    self_signed: Vec<Option<bool>>,
    steps: usize,
    /// Signatures checked so far (cache misses).
    signature_checks: usize,
}

impl<'c, 'a> Search<'c, 'a> {
    pub(super) fn new(certs: &'c [Parsed<'a>], time: u64, partial_chain: bool) -> Self {
        Self {
            certs,
            time,
            partial_chain,
            signatures: BTreeMap::new(),
            self_signed: alloc::vec![None; certs.len()],
            steps: 0,
            signature_checks: 0,
        }
    }

    pub(super) fn run(mut self) -> Result<Vec<usize>, CertificateError> {
        let mut path = alloc::vec![0];
        self.extend(&mut path).map_err(|f| *f.error)?;
        Ok(path)
    }

    fn exhausted(&self) -> bool {
        self.steps > MAX_SEARCH_STEPS || self.signature_checks > MAX_SIGNATURE_CHECKS
    }

    /// Completes `path` (whose last element still needs an issuer) or explains why no
    /// completion exists. On success `path` holds the full path.
    fn extend(&mut self, path: &mut Vec<usize>) -> Result<(), Failure> {
        self.steps += 1;
        let depth = path.len();
        if self.exhausted() {
            let error = CertificateError::PathSearchLimit {
                steps: self.steps,
                signatures: self.signature_checks,
            };
            return Err(Failure::new(usize::MAX, error));
        }
        let current = path[depth - 1];
        let cert = &self.certs[current];
        if self.partial_chain && cert.trusted && depth > 1 {
            return Ok(());
        }
        if self.is_self_signed(current) {
            return if cert.trusted {
                Ok(())
            } else {
                let subject = cert.subject.clone();
                Err(Failure::new(
                    depth,
                    CertificateError::UntrustedSelfSigned { subject },
                ))
            };
        }
        if depth >= MAX_PATH_LEN {
            let error = CertificateError::PathTooLong { max: MAX_PATH_LEN };
            return Err(Failure::new(depth, error));
        }
        let mut candidates: Vec<usize> = (0..self.certs.len())
            .filter(|i| !path.contains(i))
            .filter(|&i| {
                let issuer = &self.certs[i];
                issuer.subject_name() == cert.issuer_name() && key_ids_match(cert, issuer)
            })
            .collect();
        candidates.sort_by_key(|&i| (!self.certs[i].trusted, i));
        if candidates.is_empty() {
            let subject = cert.subject.clone();
            let issuer = name_text(cert.issuer_name());
            // OpenSSL reports "unable to get issuer certificate" only for a trusted
            // certificate it reached as an issuer; the leaf, trusted or not, gets the
            // "local" variant.
            let error = if cert.trusted && depth > 1 {
                CertificateError::TrustedIssuerNotFound { subject, issuer }
            } else {
                CertificateError::IssuerNotFound { subject, issuer }
            };
            return Err(Failure::new(depth, error));
        }
        let mut best: Option<Failure> = None;
        for candidate in candidates {
            let failure = match self.check_issuer(path, candidate) {
                Err(error) => Failure::new(depth, error),
                Ok(()) => {
                    path.push(candidate);
                    match self.extend(path) {
                        Ok(()) => return Ok(()),
                        Err(failure) => {
                            path.pop();
                            failure
                        }
                    }
                }
            };
            if self.exhausted() {
                return Err(failure);
            }
            if best.as_ref().is_none_or(|b| failure.rank() > b.rank()) {
                best = Some(failure);
            }
        }
        Err(best.expect("there was at least one candidate"))
    }

    /// Whether `issuer` may be the next certificate of `path`.
    fn check_issuer(&mut self, path: &[usize], issuer: usize) -> Result<(), CertificateError> {
        let child = path[path.len() - 1];
        self.signature(child, issuer)?;
        let cert = &self.certs[issuer];
        let child_subject = || self.certs[child].subject.clone();
        let extensions = cert.extensions.as_ref().map_err(Clone::clone)?;
        check_validity(cert, self.time)?;
        let is_ca = match &extensions.basic_constraints {
            Some(bc) => bc.ca,
            // OpenSSL's exception for old self-signed v1 roots without extensions.
            None => cert.cert.tbs_certificate.version == Version::V1 && self.is_self_signed(issuer),
        };
        if !is_ca {
            return Err(CertificateError::IssuerNotCa {
                subject: cert.subject.clone(),
                child: child_subject(),
            });
        }
        if extensions
            .key_usage
            .as_ref()
            .is_some_and(|ku| !ku.key_cert_sign())
        {
            return Err(CertificateError::IssuerMissingKeyCertSign {
                subject: cert.subject.clone(),
                child: child_subject(),
            });
        }
        if let Some(limit) = extensions
            .basic_constraints
            .as_ref()
            .and_then(|bc| bc.path_len_constraint)
        {
            // Intermediates below this issuer: the path minus the leaf, not counting
            // self-issued ones (RFC 5280 §6.1.4 (l)).
            let found = path[1..]
                .iter()
                .filter(|&&i| !self.certs[i].self_issued())
                .count();
            if found > usize::from(limit) {
                return Err(CertificateError::PathLenExceeded {
                    subject: cert.subject.clone(),
                    limit,
                    found,
                });
            }
        }
        Ok(())
    }

    fn signature(&mut self, child: usize, issuer: usize) -> Result<(), CertificateError> {
        if let Some(known) = self.signatures.get(&(child, issuer)) {
            return known.clone();
        }
        if self.signature_checks >= MAX_SIGNATURE_CHECKS {
            self.signature_checks += 1;
            return Err(CertificateError::PathSearchLimit {
                steps: self.steps,
                signatures: self.signature_checks,
            });
        }
        self.signature_checks += 1;
        let result = verify_signature(&self.certs[child], &self.certs[issuer]);
        self.signatures.insert((child, issuer), result.clone());
        result
    }

    /// Self-issued, with consistent key identifiers, and signed by its own key. When the
    /// algorithm is not supported the signature cannot tell, and OpenSSL never checks a
    /// root's own signature anyway, so names and key identifiers decide.
    fn is_self_signed(&mut self, index: usize) -> bool {
        if let Some(known) = self.self_signed[index] {
            return known;
        }
        let cert = &self.certs[index];
        let result = cert.self_issued()
            && key_ids_match(cert, cert)
            && match self.signature(index, index) {
                Ok(()) => true,
                Err(e) => matches!(
                    e,
                    CertificateError::UnsupportedSignatureAlgorithm { .. }
                        | CertificateError::UnsupportedPssParameters { .. }
                ),
            };
        self.self_signed[index] = Some(result);
        result
    }
}

/// Checks the signature of `child` with the key of `issuer`.
fn verify_signature(child: &Parsed<'_>, issuer: &Parsed<'_>) -> Result<(), CertificateError> {
    let algorithm = &child.cert.signature_algorithm;
    if *algorithm != child.cert.tbs_certificate.signature {
        return Err(CertificateError::SignatureAlgorithmMismatch {
            subject: child.subject.clone(),
        });
    }
    let subject = || child.subject.clone();
    let scheme = Scheme::from_x509(algorithm).map_err(|e| match e {
        AlgorithmError::InvalidPssParameters(reason) => CertificateError::InvalidPssParameters {
            subject: subject(),
            reason,
        },
        AlgorithmError::UnsupportedPss(detail) => CertificateError::UnsupportedPssParameters {
            subject: subject(),
            detail,
        },
        _ => CertificateError::UnsupportedSignatureAlgorithm {
            subject: subject(),
            oid: algorithm.oid,
        },
    })?;
    // The issuer's key must be of the algorithm's family before it is decoded; an
    // `id-RSASSA-PSS` key may only make PSS signatures (RFC 4055).
    let key_oid = issuer
        .cert
        .tbs_certificate
        .subject_public_key_info
        .algorithm
        .oid;
    let fits = match scheme {
        Scheme::Ecdsa(_) => key_oid == oids::EC_PUBLIC_KEY,
        Scheme::RsaPkcs1(_) => key_oid == oids::RSA_ENCRYPTION,
        Scheme::RsaPss { .. } => key_oid == oids::RSA_ENCRYPTION || key_oid == oids::RSASSA_PSS,
        Scheme::Ed25519 => key_oid == oids::ED25519,
    };
    if !fits {
        return Err(CertificateError::IssuerKeyMismatch {
            subject: subject(),
            issuer: issuer.subject.clone(),
            algorithm: algorithm.oid,
        });
    }
    let key = VerifyingKey::from_spki_der(&issuer.spki_der()).map_err(|e| match e {
        CryptoError::InvalidEcKey(reason) => CertificateError::InvalidIssuerKey {
            issuer: issuer.subject.clone(),
            reason,
        },
        _ => CertificateError::InvalidIssuerRsaKey {
            issuer: issuer.subject.clone(),
        },
    })?;
    let bad = || CertificateError::BadSignature {
        subject: subject(),
        issuer: issuer.subject.clone(),
    };
    let signature = child.cert.signature.as_bytes().ok_or_else(bad)?;
    key.verify(scheme, child.tbs, signature).map_err(|_| bad())
}
