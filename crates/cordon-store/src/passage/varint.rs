//! The store's reading of the varints its compact forms are written in ([`super::compact`],
//! [`super::words`]; the varints themselves are [`cordon_domain::varint`]): a cut or altered
//! value is [`StoreError::Corrupt`].

pub(crate) use cordon_domain::varint::{put_v, put_z};

use crate::StoreError;

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: not a stored form"))
}

/// Reads a stored form; what is left is `.0`.
pub(crate) struct Reader<'b>(pub cordon_domain::varint::Reader<'b>);

impl<'b> Reader<'b> {
    pub fn new(stored: &'b [u8]) -> Self {
        Reader(cordon_domain::varint::Reader(stored))
    }

    /// The bytes not read yet.
    pub fn left(&self) -> usize {
        self.0 .0.len()
    }

    pub fn u8(&mut self) -> Result<u8, StoreError> {
        self.0.u8().ok_or_else(|| corrupt("cut short"))
    }

    pub fn bytes(&mut self, n: usize) -> Result<&'b [u8], StoreError> {
        self.0.bytes(n).ok_or_else(|| corrupt("cut short"))
    }

    pub fn v(&mut self) -> Result<u64, StoreError> {
        self.0.v().ok_or_else(|| corrupt("varint"))
    }

    pub fn z(&mut self) -> Result<i64, StoreError> {
        self.0.z().ok_or_else(|| corrupt("varint"))
    }

    /// A text written as its length (`v`) and its bytes.
    pub fn text(&mut self) -> Result<&'b str, StoreError> {
        self.0.text().ok_or_else(|| corrupt("text"))
    }

    pub fn at_end(&self) -> bool {
        self.0.at_end()
    }
}
