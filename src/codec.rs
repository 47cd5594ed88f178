//! The binary encoding of partial files' bodies (`tcsim run --shard`):
//! little-endian fixed-width integers and floats (a float as its IEEE 754
//! bits, so every value reads back bit for bit, `-0.0` and NaN payloads
//! included), lengths before sequences, and sorted float sets as varint
//! deltas of their order keys.
//!
//! A [`Decoder`] never panics on any input: a length past the end, a count
//! too large for the bytes left or a value out of range is an error naming
//! what was being read, which the caller reports with the file's name.

/// Appends values to a byte buffer.
#[derive(Debug, Default)]
pub struct Encoder {
    buf: Vec<u8>,
}

impl Encoder {
    /// An empty buffer.
    pub fn new() -> Encoder {
        Encoder::default()
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// One byte.
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    /// A `bool` as one byte, 0 or 1.
    pub fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }

    /// Eight bytes, little-endian.
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// A count or index, as a `u64`.
    pub fn usize(&mut self, v: usize) {
        self.u64(v as u64);
    }

    /// A float's bits, little-endian.
    pub fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }

    /// A length, then each value.
    pub fn u64s(&mut self, v: &[u64]) {
        self.usize(v.len());
        for &x in v {
            self.u64(x);
        }
    }

    /// A length, then each value.
    pub fn f64s(&mut self, v: &[f64]) {
        self.usize(v.len());
        for &x in v {
            self.f64(x);
        }
    }

    /// A length, then the bytes.
    pub fn bytes(&mut self, v: &[u8]) {
        self.usize(v.len());
        self.buf.extend_from_slice(v);
    }

    /// A multiset of floats whose order does not matter (the values kept
    /// inside a bracket): sorted by [`f64::total_cmp`], then the count and
    /// each value's order key as a varint delta from the previous one.
    /// Values near each other share their high bits, so a delta takes 3 to
    /// 6 bytes instead of 8; a repeated value, one. `values` is sorted.
    pub fn f64_set(&mut self, values: &mut [f64]) {
        values.sort_unstable_by(f64::total_cmp);
        self.usize(values.len());
        let mut previous = 0u64;
        for (i, &x) in values.iter().enumerate() {
            let key = order_key(x);
            // The first key is written whole (a delta from 0 wraps).
            let delta = if i == 0 {
                key
            } else {
                key.wrapping_sub(previous)
            };
            self.varint(delta);
            previous = key;
        }
    }

    /// LEB128: seven bits a byte, low bits first.
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }
}

/// A float's bits mapped so that unsigned order is [`f64::total_cmp`]'s.
fn order_key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// The inverse of [`order_key`].
fn from_order_key(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 {
        key & !(1 << 63)
    } else {
        !key
    })
}

/// Reads what an [`Encoder`] wrote, in the same order.
pub struct Decoder<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// What went wrong while decoding: what was being read.
pub type DecodeError = String;

impl<'a> Decoder<'a> {
    /// Reads `bytes` from the start.
    pub fn new(bytes: &'a [u8]) -> Decoder<'a> {
        Decoder { bytes, at: 0 }
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], DecodeError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| format!("cut short at byte {} reading {what}", self.at))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    /// One byte.
    pub fn u8(&mut self, what: &str) -> Result<u8, DecodeError> {
        Ok(self.take(1, what)?[0])
    }

    /// A `bool` (0 or 1).
    pub fn bool(&mut self, what: &str) -> Result<bool, DecodeError> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(format!("{what}: {b} is not 0 or 1")),
        }
    }

    /// Eight bytes, little-endian.
    pub fn u64(&mut self, what: &str) -> Result<u64, DecodeError> {
        let b = self.take(8, what)?;
        Ok(u64::from_le_bytes(b.try_into().expect("eight bytes")))
    }

    /// A count or index of at most `max`.
    pub fn usize(&mut self, max: usize, what: &str) -> Result<usize, DecodeError> {
        let v = self.u64(what)?;
        usize::try_from(v)
            .ok()
            .filter(|&v| v <= max)
            .ok_or_else(|| format!("{what}: {v} is more than {max}"))
    }

    /// A float from its bits.
    pub fn f64(&mut self, what: &str) -> Result<f64, DecodeError> {
        Ok(f64::from_bits(self.u64(what)?))
    }

    /// A length that `bytes_each` bytes per item must fit in what is left.
    fn len(&mut self, bytes_each: usize, what: &str) -> Result<usize, DecodeError> {
        let left = (self.bytes.len() - self.at) / bytes_each.max(1);
        self.usize(left, what)
    }

    /// A length, then each value.
    pub fn u64s(&mut self, what: &str) -> Result<Vec<u64>, DecodeError> {
        let n = self.len(8, what)?;
        (0..n).map(|_| self.u64(what)).collect()
    }

    /// A length, then each value.
    pub fn f64s(&mut self, what: &str) -> Result<Vec<f64>, DecodeError> {
        let n = self.len(8, what)?;
        (0..n).map(|_| self.f64(what)).collect()
    }

    /// [`Decoder::u64s`] of exactly `n` values.
    pub fn u64s_of(&mut self, n: usize, what: &str) -> Result<Vec<u64>, DecodeError> {
        let v = self.u64s(what)?;
        expect_len(v, n, what)
    }

    /// [`Decoder::f64s`] of exactly `n` values.
    pub fn f64s_of(&mut self, n: usize, what: &str) -> Result<Vec<f64>, DecodeError> {
        let v = self.f64s(what)?;
        expect_len(v, n, what)
    }

    /// A length, then the bytes.
    pub fn bytes(&mut self, what: &str) -> Result<&'a [u8], DecodeError> {
        let n = self.len(1, what)?;
        self.take(n, what)
    }

    /// What [`Encoder::f64_set`] wrote, ascending.
    pub fn f64_set(&mut self, what: &str) -> Result<Vec<f64>, DecodeError> {
        // At least one byte per value.
        let n = self.len(1, what)?;
        let mut out = Vec::with_capacity(n);
        let mut key = 0u64;
        for i in 0..n {
            let delta = self.varint(what)?;
            key = if i == 0 {
                delta
            } else {
                key.checked_add(delta)
                    .ok_or_else(|| format!("{what}: a value out of order"))?
            };
            out.push(from_order_key(key));
        }
        Ok(out)
    }

    fn varint(&mut self, what: &str) -> Result<u64, DecodeError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8(what)?;
            let bits = u64::from(b & 0x7f);
            if shift == 63 && bits > 1 {
                break;
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(format!("{what}: a varint longer than 64 bits"))
    }

    /// An error unless every byte was read.
    pub fn finish(&self, what: &str) -> Result<(), DecodeError> {
        match self.bytes.len() - self.at {
            0 => Ok(()),
            n => Err(format!("{n} bytes left over after {what}")),
        }
    }
}

fn expect_len<T>(v: Vec<T>, n: usize, what: &str) -> Result<Vec<T>, DecodeError> {
    match v.len() == n {
        true => Ok(v),
        false => Err(format!("{what}: {} values where {n} belong", v.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_reads_back_bit_for_bit() {
        let floats = [
            0.0,
            -0.0,
            1.5,
            -3.25e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            f64::from_bits(0x7ff8_0000_0000_0001),
        ];
        let mut e = Encoder::new();
        e.u8(7);
        e.bool(true);
        e.u64(u64::MAX);
        e.f64s(&floats);
        e.u64s(&[1, 2, 3]);
        e.bytes(b"abc");
        let mut set = floats.to_vec();
        set.extend([1.5, 1.5, 2.0, -0.0]);
        e.f64_set(&mut set);
        let bytes = e.into_bytes();
        let mut d = Decoder::new(&bytes);
        assert_eq!(d.u8("a").unwrap(), 7);
        assert!(d.bool("b").unwrap());
        assert_eq!(d.u64("c").unwrap(), u64::MAX);
        let back = d.f64s("d").unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back), bits(&floats));
        assert_eq!(d.u64s("e").unwrap(), [1, 2, 3]);
        assert_eq!(d.bytes("f").unwrap(), b"abc");
        assert_eq!(bits(&d.f64_set("g").unwrap()), bits(&set), "sorted");
        d.finish("all").unwrap();
    }

    #[test]
    fn a_truncated_or_oversized_body_is_an_error_not_a_panic() {
        let mut e = Encoder::new();
        e.f64s(&[1.0, 2.0]);
        let bytes = e.into_bytes();
        for cut in 0..bytes.len() {
            assert!(Decoder::new(&bytes[..cut]).f64s("x").is_err(), "{cut}");
        }
        let mut huge = Encoder::new();
        huge.u64(u64::MAX);
        assert!(Decoder::new(&huge.into_bytes()).f64_set("x").is_err());
        let endless = [0xffu8; 12];
        assert!(Decoder::new(&endless).varint("x").is_err());
    }
}
