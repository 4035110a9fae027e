//! Who may do what: role-link and device tokens, and the admin token that creates workshops.
//!
//! Role links and device tokens are 256-bit random strings; the server stores only their
//! SHA-256, which is enough for values that cannot be guessed. The admin token may be chosen
//! by a person (`ATELIER_ADMIN_TOKEN`), so its stored form is an Argon2 hash.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;

/// A secret token as handed to a person. `Debug` never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(pub String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Generates a new unguessable token (32 random bytes, base64url).
pub fn new_token() -> Token {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    Token(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// SHA-256 of a token, in hex, as stored.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Letters and digits of join codes, without the look-alikes 0/O, 1/I/L.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Generates a 6-character join code, easy to read aloud and type on a phone.
pub fn new_join_code() -> String {
    let mut rng = rand::thread_rng();
    (0..6).map(|_| CODE_ALPHABET[(rng.next_u32() as usize) % CODE_ALPHABET.len()] as char).collect()
}

/// Normalises a join code as typed: upper case, without spaces or dashes.
pub fn normalize_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

pub fn hash_admin_token(token: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(token.as_bytes(), &salt).expect("argon2 hashing with default parameters").to_string()
}

pub fn verify_admin_token(token: &str, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default().verify_password(token.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// The admin token's Argon2 hash, with the SHA-256 of the last token that matched it.
///
/// Argon2 costs tens of milliseconds and about 19 MiB per check (the crate's default
/// parameters), so a correct token is checked once and then recognised by its SHA-256.
pub struct AdminToken {
    argon2_hash: String,
    verified_sha256: std::sync::Mutex<Option<String>>,
}

impl AdminToken {
    pub fn new(argon2_hash: String) -> AdminToken {
        AdminToken { argon2_hash, verified_sha256: std::sync::Mutex::new(None) }
    }

    /// Checks `token`, running Argon2 off the async workers when the token is new.
    pub async fn verify(&self, token: &str) -> bool {
        let digest = hash_token(token);
        if self.verified_sha256.lock().expect("admin token cache lock").as_deref() == Some(digest.as_str()) {
            return true;
        }
        let (candidate, stored) = (token.to_owned(), self.argon2_hash.clone());
        let valid = tokio::task::spawn_blocking(move || verify_admin_token(&candidate, &stored)).await.unwrap_or(false);
        if valid {
            *self.verified_sha256.lock().expect("admin token cache lock") = Some(digest);
        }
        valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hashed() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(hash_token(&a.0).len(), 64);
        assert_eq!(format!("{a:?}"), "Token(<redacted>)");
    }

    #[test]
    fn admin_token_verifies() {
        let hash = hash_admin_token("s3cret");
        assert!(verify_admin_token("s3cret", &hash));
        assert!(!verify_admin_token("other", &hash));
    }

    #[tokio::test]
    async fn admin_token_is_cached_after_success() {
        let admin = AdminToken::new(hash_admin_token("s3cret"));
        assert!(!admin.verify("other").await);
        assert!(admin.verify("s3cret").await);
        assert!(admin.verify("s3cret").await);
        assert!(!admin.verify("other").await);
    }

    #[test]
    fn join_code_normalises() {
        assert_eq!(normalize_code(" ab-c 12 "), "ABC12");
        assert_eq!(new_join_code().len(), 6);
    }
}
