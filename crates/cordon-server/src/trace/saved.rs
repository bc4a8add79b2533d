//! The trace index saved to a file and loaded from it at the next start, so that traces answer
//! within seconds of a restart instead of after a read of every passage in the store.
//!
//! The file is `CDNTRACE`, the hub's stamp (32 bytes: a hash of what its key makes of a fixed
//! identifier, so a file of another hub or another key is told apart without holding the key),
//! the index's bytes ([`TraceIndex::write_to`], which carry their format), and a CRC-32 of all
//! before it. It is written to a temporary file beside, synced, and renamed over the old one
//! (then the directory synced): a crash during a save leaves the previous file whole. A file
//! that is missing, of another hub, of another format, cut short or altered is ignored with a
//! warning, and the index is read from the store as before; [`crate::trace::live`] then checks
//! what it loaded against the store.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use cordon_trace::TraceIndex;
use sha2::{Digest, Sha256};

const MAGIC: &[u8; 8] = b"CDNTRACE";

/// Where the index is saved, and the stamp of the hub it belongs to.
#[derive(Debug, Clone)]
pub struct SavedIndex {
    path: PathBuf,
    stamp: [u8; 32],
}

/// Why a saved index was not used.
#[derive(Debug)]
pub enum Unusable {
    Missing,
    /// Another hub's or another key's.
    Foreign,
    /// Cut short, altered, or of another format.
    Damaged(io::Error),
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unusable::Missing => f.write_str("no saved trace index"),
            Unusable::Foreign => f.write_str("the saved trace index is another hub's"),
            Unusable::Damaged(e) => write!(f, "the saved trace index is damaged: {e}"),
        }
    }
}

/// Hashes what passes through it.
struct Crc<T> {
    inner: T,
    crc: crc32fast::Hasher,
}

impl<W: Write> Write for Crc<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.crc.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<R: Read> Read for Crc<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.crc.update(&buf[..n]);
        Ok(n)
    }
}

impl SavedIndex {
    /// The index saved at `path` for the hub whose key makes `key_mark` of a fixed identifier
    /// (its [`cordon_store::keyring::Keyring::subject`]).
    pub fn new(path: PathBuf, key_mark: &str) -> Self {
        let mut h = Sha256::new();
        h.update(b"cordon trace index\0");
        h.update(key_mark.as_bytes());
        Self {
            path,
            stamp: h.finalize().into(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `index` whole, or leaves the previous file as it was. Answers the file's bytes.
    pub fn save(&self, index: &TraceIndex) -> io::Result<u64> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        {
            let mut out = Crc {
                inner: BufWriter::with_capacity(1 << 20, tmp.as_file_mut()),
                crc: crc32fast::Hasher::new(),
            };
            out.write_all(MAGIC)?;
            out.write_all(&self.stamp)?;
            index.write_to(&mut out)?;
            let crc = out.crc.clone().finalize();
            out.inner.write_all(&crc.to_le_bytes())?;
            out.inner.flush()?;
        }
        tmp.as_file().sync_all()?;
        let bytes = tmp.as_file().metadata()?.len();
        tmp.persist(&self.path).map_err(|e| e.error)?;
        // The rename itself on disk.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(bytes)
    }

    /// The saved index, if the file is this hub's, of this format and whole.
    pub fn load(&self) -> Result<TraceIndex, Unusable> {
        let file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(Unusable::Missing),
            Err(e) => return Err(Unusable::Damaged(e)),
        };
        let mut input = Crc {
            inner: BufReader::with_capacity(1 << 20, file),
            crc: crc32fast::Hasher::new(),
        };
        let mut head = [0u8; 40];
        input.read_exact(&mut head).map_err(Unusable::Damaged)?;
        if &head[..8] != MAGIC {
            return Err(Unusable::Damaged(io::Error::new(
                io::ErrorKind::InvalidData,
                "not a trace index",
            )));
        }
        if head[8..] != self.stamp {
            return Err(Unusable::Foreign);
        }
        let index = TraceIndex::read_from(&mut input).map_err(Unusable::Damaged)?;
        let computed = input.crc.clone().finalize();
        let mut tail = [0u8; 4];
        input
            .inner
            .read_exact(&mut tail)
            .map_err(Unusable::Damaged)?;
        let mut more = [0u8; 1];
        let trailing = input.inner.read(&mut more).map_err(Unusable::Damaged)?;
        if u32::from_le_bytes(tail) != computed || trailing != 0 {
            return Err(Unusable::Damaged(io::Error::new(
                io::ErrorKind::InvalidData,
                "its checksum does not match",
            )));
        }
        Ok(index)
    }
}

#[cfg(test)]
mod tests;
