//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes), always on a blocking
//! thread so that a sign-in never stalls the lanes' requests. An unknown user name is checked
//! against a fixed hash, so the answer takes as long as for a real account.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use cordon_domain::FieldError;

/// Shortest password accepted.
pub const MIN_LENGTH: usize = 10;
/// Longest password accepted (hashing cost grows with length only slightly, but a limit keeps
/// bodies small).
pub const MAX_LENGTH: usize = 256;

/// Checks a new password's length; says nothing about its value.
pub fn check_new(password: &str, field: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if (MIN_LENGTH..=MAX_LENGTH).contains(&n) {
        Ok(())
    } else {
        Err(FieldError::new(
            "weak_password",
            field,
            format!("a password has {MIN_LENGTH} to {MAX_LENGTH} characters"),
        ))
    }
}

/// The argon2id PHC string of a password (blocking: call from a blocking thread).
pub fn hash_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password with default parameters")
        .to_string()
}

/// Whether `password` matches `phc`; a malformed stored hash never matches.
pub fn verify_blocking(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_blocking("cordon decoy password, never matched"))
}

pub async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .expect("hashing does not panic")
}

/// Verifies against the stored hash, or against a decoy when there is no account, taking the
/// same time either way; the decoy never matches.
pub async fn verify(password: String, phc: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match phc {
        Some(phc) => verify_blocking(&password, &phc),
        None => {
            verify_blocking(&password, decoy());
            false
        }
    })
    .await
    .expect("verifying does not panic")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash_blocking("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_blocking("correct horse battery", &h));
        assert!(!verify_blocking("correct horse batterz", &h));
        assert!(!verify_blocking("correct horse battery", "not a hash"));
        assert!(check_new("short", "password").is_err());
        assert!(check_new("long enough now", "password").is_ok());
    }
}
