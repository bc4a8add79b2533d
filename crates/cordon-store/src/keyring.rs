//! The hub's secret key and what is derived from it. The key lives in a file (`cordon.key`
//! beside the embedded database, created on first start with mode 0600) or in the
//! `CORDON_KEY` environment variable (64 hex digits), never in the database: a copy of the
//! database alone reveals nothing the key protects.
//!
//! Derived: the sealing key of personal data at rest ([`Keyring::seal`]: XChaCha20-Poly1305 with
//! a random nonce per value, bound to the record it belongs to), and the keyed hash
//! ([`Keyring::subject`]) by which persons and plates are indexed and named in the audit trail,
//! so that a person can be found without the identity number being stored.

use std::path::Path;

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::StoreError;

#[derive(Clone)]
pub struct Keyring {
    subject: [u8; 32],
    seal: [u8; 32],
    declaration: [u8; 32],
}

/// First byte of a sealed value: the format, so that a later key or cipher can be told apart.
/// Version 1 carries its whole 24-byte nonce; version 2 (written since migration 38) carries 8
/// random bytes, the other 16 being a keyed hash of the context (the record's id): a nonce
/// repeats only if one record is sealed twice with the same 64 random bits.
const SEALED_V1: u8 = 1;
const SEALED_V2: u8 = 2;
const NONCE_LEN: usize = 24;
const RANDOM_LEN: usize = 8;

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring(..)")
    }
}

fn derive(master: &[u8; 32], purpose: &str) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(master).expect("any key length");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

fn parse_hex(s: &str) -> Option<[u8; 32]> {
    let s = s.trim();
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

impl Keyring {
    pub fn from_master(master: &[u8; 32]) -> Keyring {
        Keyring {
            subject: derive(master, "cordon subject hash v1"),
            seal: derive(master, "cordon seal v1"),
            declaration: derive(master, "cordon declaration signing v1"),
        }
    }

    /// A fresh random key, for tests and benchmarks.
    pub fn random() -> Keyring {
        let mut master = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut master);
        Keyring::from_master(&master)
    }

    /// From `CORDON_KEY` (hex) if given, else from the file, which is created if absent.
    pub fn load_or_create(env: Option<&str>, file: &Path) -> Result<Keyring, StoreError> {
        let bad = |what: &str| StoreError::Config(format!("{what}: expected 64 hex digits"));
        if let Some(hex) = env {
            return parse_hex(hex)
                .map(|k| Keyring::from_master(&k))
                .ok_or_else(|| bad("CORDON_KEY"));
        }
        match std::fs::read_to_string(file) {
            Ok(text) => parse_hex(&text)
                .map(|k| Keyring::from_master(&k))
                .ok_or_else(|| bad(&format!("key file {}", file.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut master = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut master);
                write_new(file, &cordon_domain::audit::hex(&master)).map_err(|e| {
                    StoreError::Config(format!("cannot create key file {}: {e}", file.display()))
                })?;
                tracing::warn!(file = %file.display(), "created a new key file: back it up apart from the database");
                Ok(Keyring::from_master(&master))
            }
            Err(e) => Err(StoreError::Config(format!(
                "cannot read key file {}: {e}",
                file.display()
            ))),
        }
    }

    /// Encrypts `plain`, bound to `context` (a record's id): the sealed value opens only with
    /// the same key and the same context.
    pub fn seal(&self, context: &[u8], plain: &[u8]) -> Vec<u8> {
        // The thread's CSPRNG (ChaCha, seeded from the operating system and reseeded by it):
        // 64 random bits without a system call per record.
        let mut random = [0u8; RANDOM_LEN];
        rand::thread_rng().fill_bytes(&mut random);
        let body = self.encrypt(&self.nonce(context, &random), context, plain);
        [&[SEALED_V2][..], &random[..], &body[..]].concat()
    }

    /// [`Keyring::seal`] as the releases before migration 38 sealed (format 1, the whole
    /// random nonce stored): for tests that make a database as those releases left it.
    pub(crate) fn seal_v1(&self, context: &[u8], plain: &[u8]) -> Vec<u8> {
        use chacha20poly1305::aead::AeadCore;
        let nonce = chacha20poly1305::XChaCha20Poly1305::generate_nonce(&mut rand::thread_rng());
        let body = self.encrypt(&nonce, context, plain);
        [&[SEALED_V1][..], &nonce[..], &body[..]].concat()
    }

    /// XChaCha20-Poly1305 under the sealing key, `context` as associated data.
    fn encrypt(&self, nonce: &chacha20poly1305::XNonce, context: &[u8], plain: &[u8]) -> Vec<u8> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        chacha20poly1305::XChaCha20Poly1305::new((&self.seal).into())
            .encrypt(
                nonce,
                Payload {
                    msg: plain,
                    aad: context,
                },
            )
            .expect("XChaCha20-Poly1305 seals any length we store")
    }

    /// A version-2 nonce: a keyed hash of the context, then the random bytes.
    fn nonce(&self, context: &[u8], random: &[u8; RANDOM_LEN]) -> chacha20poly1305::XNonce {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.seal).expect("any key length");
        mac.update(b"nonce:");
        mac.update(context);
        let mut nonce = [0u8; NONCE_LEN];
        nonce[..NONCE_LEN - RANDOM_LEN]
            .copy_from_slice(&mac.finalize().into_bytes()[..NONCE_LEN - RANDOM_LEN]);
        nonce[NONCE_LEN - RANDOM_LEN..].copy_from_slice(random);
        nonce.into()
    }

    /// Decrypts a value from [`Keyring::seal`]; `Corrupt` if the key, the context or a byte differs.
    pub fn open(&self, context: &[u8], sealed: &[u8]) -> Result<Vec<u8>, StoreError> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        use chacha20poly1305::{XChaCha20Poly1305, XNonce};
        let bad = || {
            StoreError::Corrupt(
                "a sealed value does not open: wrong key file or altered data".into(),
            )
        };
        let (nonce, msg) = match sealed.first() {
            Some(&SEALED_V1) if sealed.len() > NONCE_LEN => (
                *XNonce::from_slice(&sealed[1..1 + NONCE_LEN]),
                &sealed[1 + NONCE_LEN..],
            ),
            Some(&SEALED_V2) if sealed.len() > RANDOM_LEN => {
                let random: &[u8; RANDOM_LEN] =
                    sealed[1..1 + RANDOM_LEN].try_into().expect("eight bytes");
                (self.nonce(context, random), &sealed[1 + RANDOM_LEN..])
            }
            _ => return Err(bad()),
        };
        let cipher = XChaCha20Poly1305::new((&self.seal).into());
        cipher
            .decrypt(&nonce, Payload { msg, aad: context })
            .map_err(|_| bad())
    }

    /// The Ed25519 key that signs drivers' pre-declarations; stations check them with its public
    /// half.
    pub fn declaration_key(&self) -> cordon_domain::declaration::SigningKey {
        cordon_domain::declaration::signing_key(&self.declaration)
    }

    /// The keyed hash of a person, by identity document.
    pub fn person(&self, document: &cordon_domain::identity::IdentityDocument) -> String {
        self.subject(&doc_key(document))
    }

    /// The keyed hash of a vehicle, by plate.
    pub fn plate(&self, plate: &cordon_domain::plate::Plate) -> String {
        self.subject(&format!("plate:{}", plate.as_str()))
    }

    /// The keyed hash (hex) of an identifier: `resident_id:110105...` or a plate.
    pub fn subject(&self, identifier: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.subject).expect("any key length");
        mac.update(identifier.as_bytes());
        cordon_domain::audit::hex(&mac.finalize().into_bytes())
    }

    /// An id made from `what` by this hub's key: the same every time it is asked for (so a list
    /// made again, or fetched again and pushed, writes nothing twice), and not guessable from
    /// `what` elsewhere.
    pub fn derived_id(&self, what: &str) -> uuid::Uuid {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.subject).expect("any key length");
        mac.update(b"id:");
        mac.update(what.as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&mac.finalize().into_bytes()[..16]);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

/// The identifier of a person that the keyed hash is taken of: `resident_id:110105...`.
pub(crate) fn doc_key(document: &cordon_domain::identity::IdentityDocument) -> String {
    format!("{}:{}", document.kind().as_str(), document.expose_number())
}

fn write_new(file: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(file)?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_context() {
        let k = Keyring::random();
        let sealed = k.seal(b"passage 1", "张三 13812345678".as_bytes());
        assert!(!String::from_utf8_lossy(&sealed).contains("138"));
        assert_eq!(
            k.open(b"passage 1", &sealed).unwrap(),
            "张三 13812345678".as_bytes()
        );
        assert!(k.open(b"passage 2", &sealed).is_err());
        assert!(Keyring::random().open(b"passage 1", &sealed).is_err());
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert!(k.open(b"passage 1", &altered).is_err());
        assert!(k.open(b"passage 1", &sealed[..10]).is_err());
        assert_ne!(
            k.seal(b"c", b"same"),
            k.seal(b"c", b"same"),
            "random nonces"
        );
    }

    /// Version 2 costs 25 bytes beyond the plain text; a value sealed as version 1 (its whole
    /// nonce stored) still opens, and only with its key and context.
    #[test]
    fn both_forms_open() {
        let k = Keyring::random();
        assert_eq!(k.seal(b"c", b"plain").len(), 1 + 8 + 16 + 5);
        let v1 = k.seal_v1(b"c", b"plain");
        assert_eq!(v1.len(), 1 + 24 + 16 + 5);
        assert_eq!(k.open(b"c", &v1).unwrap(), b"plain");
        assert!(k.open(b"d", &v1).is_err());
        assert!(Keyring::random().open(b"c", &v1).is_err());
        let mut other = v1.clone();
        other[0] = SEALED_V2;
        assert!(k.open(b"c", &other).is_err());
        assert!(k.open(b"c", &[SEALED_V2]).is_err());
        assert!(k.open(b"c", &[]).is_err());
    }

    #[test]
    fn the_key_file_is_created_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("cordon-key-{}", std::process::id()));
        let file = dir.join("cordon.key");
        let _ = std::fs::remove_file(&file);
        let a = Keyring::load_or_create(None, &file).unwrap();
        let b = Keyring::load_or_create(None, &file).unwrap();
        assert_eq!(a.subject("x"), b.subject("x"));
        assert_ne!(a.subject("x"), Keyring::random().subject("x"));
        assert_eq!(a.subject("x").len(), 64);
        std::fs::write(&file, "not a key").unwrap();
        assert!(Keyring::load_or_create(None, &file).is_err());
        assert!(Keyring::load_or_create(Some("12"), &file).is_err());
        let hex = "00".repeat(32);
        assert!(Keyring::load_or_create(Some(&hex), &file).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
