//! Django's password hashes, so the platform's staff sign in with the passwords they have.
//!
//! Format (Django's `PBKDF2PasswordHasher`): `pbkdf2_sha256$<iterations>$<salt>$<hash>`, the
//! salt used as its UTF-8 bytes, the hash standard base64 with padding, as long as the digest
//! (32 bytes; 20 for `pbkdf2_sha1`). Django's unusable-password marker (`!` and random text)
//! never verifies; other algorithms (argon2, bcrypt) are reported as unsupported rather than
//! as a wrong password.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::pbkdf2;
use std::num::NonZeroU32;

/// Above this a stored hash is refused: one bad row must not make a sign-in take minutes.
const MAX_ITERATIONS: u32 = 10_000_000;

/// Iterations for hashes this program makes (Django 5.0's default).
pub const DEFAULT_ITERATIONS: u32 = 720_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    #[error("the account has no usable password")]
    Unusable,
    #[error("password hash algorithm {0:?} is not supported (pbkdf2_sha256 and pbkdf2_sha1 are)")]
    Unsupported(String),
    #[error("the stored password hash is malformed: {0}")]
    Malformed(&'static str),
}

/// Whether `password` matches the stored Django hash `encoded`, in constant time.
pub fn verify(password: &str, encoded: &str) -> Result<bool, HashError> {
    if encoded.is_empty() || encoded.starts_with('!') {
        return Err(HashError::Unusable);
    }
    let mut parts = encoded.splitn(4, '$');
    let (Some(algorithm), Some(iterations), Some(salt), Some(hash)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HashError::Unsupported(
            encoded
                .split('$')
                .next()
                .unwrap_or_default()
                .chars()
                .take(40)
                .collect(),
        ));
    };
    let (alg, len) = match algorithm {
        "pbkdf2_sha256" => (pbkdf2::PBKDF2_HMAC_SHA256, 32),
        "pbkdf2_sha1" => (pbkdf2::PBKDF2_HMAC_SHA1, 20),
        other => return Err(HashError::Unsupported(other.chars().take(40).collect())),
    };
    let iterations: u32 = iterations
        .parse()
        .map_err(|_| HashError::Malformed("the iteration count is not a number"))?;
    let iterations = NonZeroU32::new(iterations)
        .filter(|n| n.get() <= MAX_ITERATIONS)
        .ok_or(HashError::Malformed("the iteration count is out of range"))?;
    let expected = STANDARD
        .decode(hash)
        .map_err(|_| HashError::Malformed("the hash is not base64"))?;
    if expected.len() != len {
        return Err(HashError::Malformed("the hash has the wrong length"));
    }
    Ok(pbkdf2::verify(
        alg,
        iterations,
        salt.as_bytes(),
        password.as_bytes(),
        &expected,
    )
    .is_ok())
}

/// A Django `pbkdf2_sha256` hash of `password` with `salt` (letters and digits).
pub fn make(password: &str, salt: &str, iterations: u32) -> String {
    let n = NonZeroU32::new(iterations.max(1)).unwrap_or(NonZeroU32::MIN);
    let mut out = [0u8; 32];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        n,
        salt.as_bytes(),
        password.as_bytes(),
        &mut out,
    );
    format!("pbkdf2_sha256${}${salt}${}", n, STANDARD.encode(out))
}

/// A random 22-character salt of letters and digits, as Django makes them.
pub fn new_salt() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..22)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Known answers from Django's own test suite (tests/auth_tests/test_hashers.py).
    const DJANGO_SHA256: &str =
        "pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=";
    const DJANGO_SHA1: &str = "pbkdf2_sha1$390000$seasalt2$aDapRanzW8aHTz97v2TcfHzWD+I=";

    #[test]
    fn djangos_own_hashes_verify() {
        assert_eq!(verify("lètmein", DJANGO_SHA256), Ok(true));
        assert_eq!(verify("lètmeinz", DJANGO_SHA256), Ok(false));
        assert_eq!(verify("", DJANGO_SHA256), Ok(false));
        assert_eq!(verify("lètmein", DJANGO_SHA1), Ok(true));
        assert_eq!(verify("letmein", DJANGO_SHA1), Ok(false));
    }

    #[test]
    fn the_console_decoy_is_a_well_formed_hash() {
        // Checked for unknown usernames so a failed sign-in costs the same either way.
        let decoy = "pbkdf2_sha256$720000$unknownuser$D+oBWXO4TeJsBrJDlxtA1UB58xSeHxxBY8BNNosAi2k=";
        assert_eq!(verify("letmein", decoy), Ok(true));
    }

    #[test]
    fn made_hashes_are_djangos_format() {
        assert_eq!(
            make("lètmein", "seasalt", 390_000),
            DJANGO_SHA256,
            "same input, same string as Django"
        );
        let h = make("kenya-2026", &new_salt(), 1_000);
        assert_eq!(verify("kenya-2026", &h), Ok(true));
        assert_eq!(verify("kenya-2027", &h), Ok(false));
    }

    #[test]
    fn bad_hashes_are_named_not_panics() {
        assert_eq!(verify("x", ""), Err(HashError::Unusable));
        assert_eq!(verify("x", "!abcdef"), Err(HashError::Unusable));
        assert!(matches!(
            verify("x", "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA"),
            Err(HashError::Unsupported(a)) if a == "argon2"
        ));
        assert!(matches!(
            verify("x", "md5$salt$abc"),
            Err(HashError::Unsupported(_))
        ));
        for bad in [
            "pbkdf2_sha256$many$salt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=",
            "pbkdf2_sha256$0$salt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=",
            "pbkdf2_sha256$99999999999$salt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=",
            "pbkdf2_sha256$1000$salt$not base64!",
            "pbkdf2_sha256$1000$salt$aDapRanzW8aHTz97v2TcfHzWD+I=",
        ] {
            assert!(
                matches!(verify("x", bad), Err(HashError::Malformed(_))),
                "{bad}"
            );
        }
    }
}
