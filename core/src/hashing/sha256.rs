//! SHA-256 with its state in the open, so that several independent inputs (files or shards
//! of a model) can be advanced together.
//!
//! One SHA-256 stream is a chain of 64 dependent rounds per block: in wasm, where there is no
//! SHA instruction, it runs at the speed of scalar code whatever is done to it. Four streams
//! side by side, one per 32-bit lane of a SIMD128 register, do four blocks for the price
//! of about three (measured: 1.2-1.4x the bytes per second of one stream in V8).
//! [`update_lanes`] does that when built for `wasm32` with `simd128`; elsewhere it advances
//! the streams one after the other through `sha2`'s block function, which uses the SHA
//! extensions of the CPU when it has them (so native hashing loses nothing).

use sha2_content::block_api::compress256;

/// The initial hash value (FIPS 180-4, 5.3.3).
const H0: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// A streaming SHA-256 hasher.
#[derive(Clone, Debug)]
pub struct Sha256 {
    state: [u32; 8],
    /// A partial block waiting for more input.
    block: [u8; 64],
    filled: usize,
    /// Bytes fed so far.
    length: u64,
}

impl Default for Sha256 {
    fn default() -> Self {
        Self::new()
    }
}

/// Views whole 64-byte blocks of `data` (its length must be a multiple of 64).
fn as_blocks(data: &[u8]) -> &[[u8; 64]] {
    let (blocks, rest) = data.as_chunks::<64>();
    debug_assert!(rest.is_empty());
    blocks
}

impl Sha256 {
    /// A hasher with no input yet.
    pub const fn new() -> Self {
        Self {
            state: H0,
            block: [0; 64],
            filled: 0,
            length: 0,
        }
    }

    /// Completes the partial block from the front of `data`; returns what is left.
    fn top_up<'a>(&mut self, data: &'a [u8]) -> &'a [u8] {
        if self.filled == 0 {
            return data;
        }
        let take = (64 - self.filled).min(data.len());
        self.block[self.filled..self.filled + take].copy_from_slice(&data[..take]);
        self.filled += take;
        if self.filled == 64 {
            compress256(&mut self.state, core::slice::from_ref(&self.block));
            self.filled = 0;
        }
        &data[take..]
    }

    /// Keeps the tail of `data` (less than a block) for later.
    fn keep(&mut self, tail: &[u8]) {
        debug_assert!(self.filled == 0 && tail.len() < 64);
        self.block[..tail.len()].copy_from_slice(tail);
        self.filled = tail.len();
    }

    /// Feeds the next piece of input.
    pub fn update(&mut self, data: &[u8]) {
        self.length += data.len() as u64;
        let data = self.top_up(data);
        if data.is_empty() {
            return;
        }
        let whole = data.len() - data.len() % 64;
        compress256(&mut self.state, as_blocks(&data[..whole]));
        self.keep(&data[whole..]);
    }

    /// The digest of everything fed.
    pub fn finalize(mut self) -> [u8; 32] {
        let bits = self.length.wrapping_mul(8);
        let mut pad = [0u8; 128];
        pad[0] = 0x80;
        // One 0x80 byte, zeros, and the 8-byte length, ending on a block boundary.
        let pad_len = if self.filled < 56 { 64 } else { 128 } - self.filled;
        pad[pad_len - 8..pad_len].copy_from_slice(&bits.to_be_bytes());
        let length = self.length;
        self.update(&pad[..pad_len]);
        self.length = length;
        debug_assert_eq!(self.filled, 0);
        let mut out = [0u8; 32];
        for (o, w) in out.chunks_exact_mut(4).zip(self.state) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        out
    }
}

/// Feeds `data[i]` to `hashers[i]` for every `i`, with the blocks that several of them have
/// at the same time going through the 4-lane compression where there is one.
///
/// The result is exactly that of calling [`Sha256::update`] on each; only the speed differs.
/// It pays when the inputs are of similar length (equal-sized chunks of several files).
///
/// # Panics
/// If `hashers` and `data` differ in length.
pub fn update_lanes(hashers: &mut [&mut Sha256], data: &[&[u8]]) {
    assert_eq!(hashers.len(), data.len(), "one input per hasher");
    let mut rest: alloc::vec::Vec<&[u8]> = alloc::vec::Vec::with_capacity(data.len());
    for (h, d) in hashers.iter_mut().zip(data) {
        h.length += d.len() as u64;
        rest.push(h.top_up(d));
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    simd::compress_common(hashers, &mut rest);
    for (h, d) in hashers.iter_mut().zip(rest) {
        // top_up leaves a partial block only when it used up the input.
        if !d.is_empty() {
            let whole = d.len() - d.len() % 64;
            compress256(&mut h.state, as_blocks(&d[..whole]));
            h.keep(&d[whole..]);
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    //! The 4-lane SHA-256 compression function on wasm32 SIMD128.

    use core::arch::wasm32::*;

    use super::Sha256;

    /// Lanes of the compression function: 32-bit words in a 128-bit register.
    const LANES: usize = 4;

    /// Round constants (FIPS 180-4, 4.2.2).
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];

    /// The round constants, each in all four lanes (a load instead of a load and a splat).
    const KV: [v128; 64] = {
        let mut out = [u32x4(0, 0, 0, 0); 64];
        let mut i = 0;
        while i < 64 {
            out[i] = u32x4(K[i], K[i], K[i], K[i]);
            i += 1;
        }
        out
    };

    /// Below this many lanes with blocks to do, one stream at a time is faster. Measured in
    /// V8 on x86-64, a 4-lane block costs about three scalar ones (SHA-256's rotations are
    /// not byte multiples, so each is two shifts and an or, and vector shifts are the
    /// bottleneck): four lanes hash 1.2-1.4x the bytes of one stream, three a little more
    /// than one, two would lose.
    const MIN_LANES: usize = 3;

    /// Runs the blocks that at least [`MIN_LANES`] of the inputs have in common through
    /// the 4-lane function, advancing `rest` past them.
    pub(super) fn compress_common(hashers: &mut [&mut Sha256], rest: &mut [&[u8]]) {
        loop {
            let mut lanes = [0usize; LANES];
            let mut n = 0;
            let mut blocks = usize::MAX;
            for (i, d) in rest.iter().enumerate() {
                if d.len() >= 64 && n < LANES {
                    lanes[n] = i;
                    n += 1;
                    blocks = blocks.min(d.len() / 64);
                }
            }
            if n < MIN_LANES {
                return;
            }
            // A missing fourth lane repeats the first one's input into a throw-away state.
            let mut states: [[u32; 8]; LANES] = [hashers[lanes[0]].state; LANES];
            let mut inputs: [&[u8]; LANES] = [rest[lanes[0]]; LANES];
            for k in 0..n {
                states[k] = hashers[lanes[k]].state;
                inputs[k] = rest[lanes[k]];
            }
            compress4(&mut states, inputs, blocks);
            for k in 0..n {
                hashers[lanes[k]].state = states[k];
                rest[lanes[k]] = &rest[lanes[k]][blocks * 64..];
            }
        }
    }

    #[inline(always)]
    fn rotr<const R: u32, const L: u32>(x: v128) -> v128 {
        v128_or(u32x4_shr(x, R), u32x4_shl(x, L))
    }

    /// Words 4k..4k+3 of each lane's block at `offset`, big-endian, one register per word.
    #[inline(always)]
    fn words(inputs: &[&[u8]; LANES], offset: usize, k: usize) -> [v128; 4] {
        let row = |d: &[u8]| {
            let at = offset + 16 * k;
            let d: &[u8; 16] = d[at..at + 16].try_into().expect("a whole block");
            // SAFETY: `d` is 16 readable bytes; v128_load has no alignment requirement.
            #[allow(unsafe_code)]
            let v = unsafe { v128_load(d.as_ptr().cast()) };
            i8x16_shuffle::<3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12>(v, v)
        };
        let (r0, r1, r2, r3) = (
            row(inputs[0]),
            row(inputs[1]),
            row(inputs[2]),
            row(inputs[3]),
        );
        // Transpose: rows are lanes, columns are words.
        let t0 = i32x4_shuffle::<0, 4, 1, 5>(r0, r1);
        let t1 = i32x4_shuffle::<0, 4, 1, 5>(r2, r3);
        let t2 = i32x4_shuffle::<2, 6, 3, 7>(r0, r1);
        let t3 = i32x4_shuffle::<2, 6, 3, 7>(r2, r3);
        [
            i32x4_shuffle::<0, 1, 4, 5>(t0, t1),
            i32x4_shuffle::<2, 3, 6, 7>(t0, t1),
            i32x4_shuffle::<0, 1, 4, 5>(t2, t3),
            i32x4_shuffle::<2, 3, 6, 7>(t2, t3),
        ]
    }

    /// Compresses `blocks` consecutive blocks of each of four inputs into four states.
    fn compress4(states: &mut [[u32; 8]; LANES], inputs: [&[u8]; LANES], blocks: usize) {
        // The state transposed: word j of every lane in one register.
        let mut s = [u32x4_splat(0); 8];
        for (j, r) in s.iter_mut().enumerate() {
            *r = u32x4(states[0][j], states[1][j], states[2][j], states[3][j]);
        }
        for b in 0..blocks {
            let offset = b * 64;
            let mut w = [u32x4_splat(0); 16];
            for k in 0..4 {
                w[4 * k..4 * k + 4].copy_from_slice(&words(&inputs, offset, k));
            }
            let [mut a, mut b_, mut c, mut d, mut e, mut f, mut g, mut h] = s;
            // Every index below is a constant once the macros are expanded, so that the
            // schedule and the working variables stay in locals (registers), not in memory.
            macro_rules! round {
                ($a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident, $i:literal, $k:expr) => {
                    let s1 = v128_xor(
                        v128_xor(rotr::<6, 26>($e), rotr::<11, 21>($e)),
                        rotr::<25, 7>($e),
                    );
                    let ch = v128_xor(v128_and($e, $f), v128_andnot($g, $e));
                    let t1 = i32x4_add(
                        i32x4_add($h, s1),
                        i32x4_add(ch, i32x4_add(w[$i], KV[$k + $i])),
                    );
                    let s0 = v128_xor(
                        v128_xor(rotr::<2, 30>($a), rotr::<13, 19>($a)),
                        rotr::<22, 10>($a),
                    );
                    let maj = v128_xor(v128_and($a, v128_xor($b, $c)), v128_and($b, $c));
                    $d = i32x4_add($d, t1);
                    $h = i32x4_add(t1, i32x4_add(s0, maj));
                };
            }
            macro_rules! schedule {
                ($i:literal) => {
                    let w15 = w[($i + 1) & 15];
                    let w2 = w[($i + 14) & 15];
                    let s0 = v128_xor(
                        v128_xor(rotr::<7, 25>(w15), rotr::<18, 14>(w15)),
                        u32x4_shr(w15, 3),
                    );
                    let s1 = v128_xor(
                        v128_xor(rotr::<17, 15>(w2), rotr::<19, 13>(w2)),
                        u32x4_shr(w2, 10),
                    );
                    w[$i] = i32x4_add(i32x4_add(w[$i], s0), i32x4_add(w[($i + 9) & 15], s1));
                };
            }
            for group in 0..4 {
                let k = 16 * group;
                if group > 0 {
                    schedule!(0);
                    schedule!(1);
                    schedule!(2);
                    schedule!(3);
                    schedule!(4);
                    schedule!(5);
                    schedule!(6);
                    schedule!(7);
                    schedule!(8);
                    schedule!(9);
                    schedule!(10);
                    schedule!(11);
                    schedule!(12);
                    schedule!(13);
                    schedule!(14);
                    schedule!(15);
                }
                round!(a, b_, c, d, e, f, g, h, 0, k);
                round!(h, a, b_, c, d, e, f, g, 1, k);
                round!(g, h, a, b_, c, d, e, f, 2, k);
                round!(f, g, h, a, b_, c, d, e, 3, k);
                round!(e, f, g, h, a, b_, c, d, 4, k);
                round!(d, e, f, g, h, a, b_, c, 5, k);
                round!(c, d, e, f, g, h, a, b_, 6, k);
                round!(b_, c, d, e, f, g, h, a, 7, k);
                round!(a, b_, c, d, e, f, g, h, 8, k);
                round!(h, a, b_, c, d, e, f, g, 9, k);
                round!(g, h, a, b_, c, d, e, f, 10, k);
                round!(f, g, h, a, b_, c, d, e, 11, k);
                round!(e, f, g, h, a, b_, c, d, 12, k);
                round!(d, e, f, g, h, a, b_, c, 13, k);
                round!(c, d, e, f, g, h, a, b_, 14, k);
                round!(b_, c, d, e, f, g, h, a, 15, k);
            }
            for (r, v) in s.iter_mut().zip([a, b_, c, d, e, f, g, h]) {
                *r = i32x4_add(*r, v);
            }
        }
        for (j, r) in s.iter().enumerate() {
            states[0][j] = u32x4_extract_lane::<0>(*r);
            states[1][j] = u32x4_extract_lane::<1>(*r);
            states[2][j] = u32x4_extract_lane::<2>(*r);
            states[3][j] = u32x4_extract_lane::<3>(*r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use sha2_content::Digest as _;

    fn data(len: usize, seed: u32) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect()
    }

    fn reference(d: &[u8]) -> [u8; 32] {
        sha2_content::Sha256::digest(d).into()
    }

    #[test]
    fn equals_sha2_for_every_length_and_split() {
        for len in [0usize, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 1000] {
            let d = data(len, len as u32);
            for split in [1usize, 7, 64, 100] {
                let mut h = Sha256::new();
                for c in d.chunks(split) {
                    h.update(c);
                }
                assert_eq!(h.finalize(), reference(&d), "len {len} split {split}");
            }
        }
    }

    #[test]
    fn lanes_equal_one_at_a_time() {
        // Lane counts around the SIMD threshold, lanes moving at different speeds, and
        // partial blocks carried between calls.
        for lanes in 1..=6usize {
            let inputs: Vec<Vec<u8>> = (0..lanes)
                .map(|i| data(700 + 97 * i * (i % 3), i as u32 + 9))
                .collect();
            for chunk in [1usize, 63, 64, 130, 256, 4096] {
                let mut hashers: Vec<Sha256> = (0..lanes).map(|_| Sha256::new()).collect();
                let mut cursors = alloc::vec![0usize; lanes];
                while cursors.iter().zip(&inputs).any(|(c, d)| *c < d.len()) {
                    let pieces: Vec<&[u8]> = inputs
                        .iter()
                        .zip(&mut cursors)
                        .enumerate()
                        .map(|(i, (d, c))| {
                            let end = (*c + chunk + 3 * i).min(d.len());
                            let piece = &d[*c..end];
                            *c = end;
                            piece
                        })
                        .collect();
                    let mut refs: Vec<&mut Sha256> = hashers.iter_mut().collect();
                    update_lanes(&mut refs, &pieces);
                }
                for (h, d) in hashers.into_iter().zip(&inputs) {
                    assert_eq!(h.finalize(), reference(d), "lanes {lanes} chunk {chunk}");
                }
            }
        }
    }
}
