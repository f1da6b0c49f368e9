//! RFC 6962 / RFC 9162 Merkle tree hashing and inclusion proofs (§2.1.3.2).

use sha2::{Digest as _, Sha256};

/// A SHA-256 tree node.
pub type Hash = [u8; 32];

/// Why an inclusion proof was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MerkleError {
    /// The leaf index is not inside the tree.
    #[error("the leaf index {index} is not inside a tree of size {size}")]
    IndexOutOfRange {
        /// The index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// The proof has the wrong number of hashes for this index and size.
    #[error("the inclusion proof has {found} hashes, but index {index} in a tree of size {size} needs {expected}")]
    WrongProofLength {
        /// Hashes given.
        found: usize,
        /// Hashes needed.
        expected: usize,
        /// The index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// The proof leads to another root.
    #[error(
        "the inclusion proof does not lead to the root hash: the entry is not in the log's tree"
    )]
    RootMismatch,
}

/// `SHA-256(0x00 ‖ data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// `SHA-256(0x01 ‖ left ‖ right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Checks that `leaf` is at `index` in the tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), MerkleError> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    // The path has one hash per level below the point where the paths to the leaf and to
    // the last leaf split ("inner"), plus one per left sibling above it ("border").
    let inner = (64 - (index ^ (size - 1)).leading_zeros()) as usize;
    let border = (index >> inner).count_ones() as usize;
    if proof.len() != inner + border {
        return Err(MerkleError::WrongProofLength {
            found: proof.len(),
            expected: inner + border,
            index,
            size,
        });
    }
    let mut r = *leaf;
    for (level, p) in proof[..inner].iter().enumerate() {
        r = if (index >> level) & 1 == 0 {
            node_hash(&r, p)
        } else {
            node_hash(p, &r)
        };
    }
    for p in &proof[inner..] {
        r = node_hash(p, &r);
    }
    if &r == root {
        Ok(())
    } else {
        Err(MerkleError::RootMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// Root of leaves[lo..hi] by the RFC 6962 definition (split at the largest power of
    /// two below the size).
    fn root(leaves: &[Hash]) -> Hash {
        if leaves.len() == 1 {
            return leaves[0];
        }
        let k = split(leaves.len());
        node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
    }

    /// The largest power of two below `n`.
    fn split(n: usize) -> usize {
        1 << (usize::BITS - 1 - (n - 1).leading_zeros())
    }

    fn path(index: usize, leaves: &[Hash]) -> Vec<Hash> {
        if leaves.len() == 1 {
            return Vec::new();
        }
        let k = split(leaves.len());
        if index < k {
            let mut p = path(index, &leaves[..k]);
            p.push(root(&leaves[k..]));
            p
        } else {
            let mut p = path(index - k, &leaves[k..]);
            p.push(root(&leaves[..k]));
            p
        }
    }

    #[test]
    fn every_index_of_small_trees() {
        for size in 1..=20usize {
            let leaves: Vec<Hash> = (0..size).map(|i| leaf_hash(&[i as u8])).collect();
            let r = root(&leaves);
            for i in 0..size {
                let p = path(i, &leaves);
                verify_inclusion(i as u64, size as u64, &leaves[i], &p, &r).unwrap();
                if !p.is_empty() {
                    let mut bad = p.clone();
                    bad[0][0] ^= 1;
                    assert_eq!(
                        verify_inclusion(i as u64, size as u64, &leaves[i], &bad, &r),
                        Err(MerkleError::RootMismatch)
                    );
                }
                // Another leaf at the same place does not verify.
                assert_eq!(
                    verify_inclusion(i as u64, size as u64, &leaf_hash(b"x"), &p, &r),
                    Err(MerkleError::RootMismatch)
                );
            }
            assert!(matches!(
                verify_inclusion(size as u64, size as u64, &leaves[0], &[], &r),
                Err(MerkleError::IndexOutOfRange { .. })
            ));
        }
    }
}
