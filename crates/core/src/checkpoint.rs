//! Signed checkpoints over the chain head. The Ed25519 key lives outside the database (a key
//! file named by configuration, or the OS keychain at the edges), so someone who rewrites the
//! SQLite file and recomputes every hash still cannot produce a valid checkpoint.

use crate::chain::Hash32;
use crate::{CoreError, Timestamp};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use std::path::Path;

const DOMAIN: &[u8] = b"gurumisha.checkpoint.v1";

/// A signed statement "the chain's row `seq` hashed to `head_hash`".
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub seq: i64,
    pub head_hash: Hash32,
    pub signed_at: Timestamp,
    pub key_id: String,
    pub signature: [u8; 64],
}

fn message(seq: i64, head: &Hash32, at: Timestamp) -> Vec<u8> {
    let mut m = Vec::with_capacity(DOMAIN.len() + 48);
    m.extend_from_slice(DOMAIN);
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(head);
    m.extend_from_slice(&at.micros().to_be_bytes());
    m
}

/// Short, stable identifier of a public key (first 8 bytes of it, hex).
pub fn key_id(vk: &VerifyingKey) -> String {
    hex::encode(&vk.as_bytes()[..8])
}

pub struct CheckpointSigner {
    key: SigningKey,
    id: String,
}

impl std::fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the key.
        f.debug_struct("CheckpointSigner")
            .field("key_id", &self.id)
            .finish()
    }
}

impl CheckpointSigner {
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let key = SigningKey::from_bytes(&seed);
        let id = key_id(&key.verifying_key());
        Self { key, id }
    }

    pub fn generate() -> Self {
        let mut seed = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
        Self::from_seed(seed)
    }

    /// Loads a key file (64 hex characters), creating it with mode 0600 if it does not exist.
    pub fn load_or_create(path: &Path) -> Result<Self, CoreError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(text.trim())
                .map_err(|e| CoreError::Key(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let signer = Self::generate();
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| CoreError::Key(format!("{}: {e}", dir.display())))?;
                }
                write_private(path, &hex::encode(signer.key.to_bytes()))
                    .map_err(|e| CoreError::Key(format!("{}: {e}", path.display())))?;
                tracing::info!(path = %path.display(), key_id = %signer.id, "created audit signing key");
                Ok(signer)
            }
            Err(e) => Err(CoreError::Key(format!("{}: {e}", path.display()))),
        }
    }

    pub fn from_hex(text: &str) -> Result<Self, String> {
        let bytes = hex::decode(text).map_err(|_| "the key is not hex".to_owned())?;
        let seed: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "the key must be 32 bytes (64 hex characters)".to_owned())?;
        Ok(Self::from_seed(seed))
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    pub fn key_id(&self) -> &str {
        &self.id
    }

    pub fn sign(&self, seq: i64, head_hash: Hash32, at: Timestamp) -> Checkpoint {
        let signature = self.key.sign(&message(seq, &head_hash, at)).to_bytes();
        Checkpoint {
            seq,
            head_hash,
            signed_at: at,
            key_id: self.id.clone(),
            signature,
        }
    }
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

/// Checks every checkpoint's signature at once (Ed25519 batch verification, about twice as
/// fast per signature as one by one). True only if all are valid; on false, check them one by
/// one with [`signature_valid`] to find which.
pub fn signatures_valid<'a>(
    vk: &VerifyingKey,
    cps: impl ExactSizeIterator<Item = &'a Checkpoint>,
) -> bool {
    let n = cps.len();
    if n == 0 {
        return true;
    }
    let mut messages = Vec::with_capacity(n);
    let mut signatures = Vec::with_capacity(n);
    for cp in cps {
        messages.push(message(cp.seq, &cp.head_hash, cp.signed_at));
        signatures.push(Signature::from_bytes(&cp.signature));
    }
    let refs: Vec<&[u8]> = messages.iter().map(|m| m.as_ref()).collect();
    let keys = vec![*vk; n];
    ed25519_dalek::verify_batch(&refs, &signatures, &keys).is_ok()
}

/// Checks a checkpoint's signature with the given public key.
pub fn signature_valid(vk: &VerifyingKey, cp: &Checkpoint) -> bool {
    let sig = Signature::from_bytes(&cp.signature);
    vk.verify(&message(cp.seq, &cp.head_hash, cp.signed_at), &sig)
        .is_ok()
}

/// When to sign: every `every` rows, checked after each committed batch.
#[derive(Debug)]
pub struct CheckpointPolicy {
    pub signer: CheckpointSigner,
    pub every: i64,
}

impl CheckpointPolicy {
    /// A checkpoint is due if the batch `first..=last` crossed a multiple of `every`.
    pub fn due(&self, first_seq: i64, last_seq: i64) -> bool {
        self.every > 0 && (first_seq - 1) / self.every != last_seq / self.every
    }

    /// Signs a checkpoint at every multiple of `every` among freshly linked rows
    /// (`(seq, prev_hash, hash)` as returned by [`crate::chain::link`]), so checkpoints sit at
    /// exactly every N-th row however the rows were batched. Stores call this inside the
    /// transaction that appends the rows and insert what it returns.
    pub fn sign_linked(&self, linked: &[(i64, Hash32, Hash32)], at: Timestamp) -> Vec<Checkpoint> {
        if self.every <= 0 {
            return Vec::new();
        }
        linked
            .iter()
            .filter(|(seq, _, _)| seq % self.every == 0)
            .map(|(seq, _, hash)| self.signer.sign(*seq, *hash, at))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_check_fails_if_any_signature_is_bad() {
        let s = CheckpointSigner::from_seed([7; 32]);
        let mut cps: Vec<_> = (1..=50)
            .map(|i| s.sign(i * 1000, [i as u8; 32], Timestamp(i)))
            .collect();
        assert!(signatures_valid(&s.verifying_key(), cps.iter()));
        assert!(signatures_valid(&s.verifying_key(), [].iter()));
        cps[37].head_hash = [0; 32];
        assert!(!signatures_valid(&s.verifying_key(), cps.iter()));
        let other = CheckpointSigner::from_seed([8; 32]);
        assert!(!signatures_valid(&other.verifying_key(), cps[..3].iter()));
    }

    #[test]
    fn sign_and_verify() {
        let s = CheckpointSigner::from_seed([7; 32]);
        let cp = s.sign(1000, [3; 32], Timestamp(42));
        assert!(signature_valid(&s.verifying_key(), &cp));
        let mut forged = cp.clone();
        forged.head_hash = [4; 32];
        assert!(!signature_valid(&s.verifying_key(), &forged));
        let other = CheckpointSigner::from_seed([8; 32]);
        assert!(!signature_valid(&other.verifying_key(), &cp));
    }

    #[test]
    fn due_when_crossing_a_multiple() {
        let p = CheckpointPolicy {
            signer: CheckpointSigner::from_seed([1; 32]),
            every: 100,
        };
        assert!(!p.due(1, 99));
        assert!(p.due(1, 100));
        assert!(p.due(95, 105));
        assert!(!p.due(101, 150));
        assert!(p.due(100, 100));
    }

    #[test]
    fn signs_each_multiple_in_a_batch() {
        let p = CheckpointPolicy {
            signer: CheckpointSigner::from_seed([1; 32]),
            every: 10,
        };
        let linked: Vec<_> = (5..=31).map(|s| (s, [0u8; 32], [s as u8; 32])).collect();
        let cps = p.sign_linked(&linked, Timestamp(1));
        assert_eq!(
            cps.iter().map(|c| c.seq).collect::<Vec<_>>(),
            vec![10, 20, 30]
        );
        assert_eq!(cps[1].head_hash, [20u8; 32]);
    }

    #[test]
    fn key_file_is_created_once_and_private() {
        let dir = std::env::temp_dir().join(format!("gurumisha-key-{}", uuid::Uuid::new_v4()));
        let path = dir.join("k");
        let a = CheckpointSigner::load_or_create(&path).unwrap();
        let b = CheckpointSigner::load_or_create(&path).unwrap();
        assert_eq!(a.key_id(), b.key_id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
