//! Verifying the audit chain and its signed checkpoints, streaming over rows in `seq` order.
//! The first problem stops verification and is diagnosed: which sequence number broke first
//! and how (modified, deleted, inserted, reordered, checkpoint signature invalid, ...).

use crate::chain::{seal, Hash32, GENESIS};
use crate::checkpoint::{signature_valid, Checkpoint};
use crate::event::AuditRow;
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ProblemKind {
    Modified,
    Deleted,
    Inserted,
    Reordered,
    CheckpointSignatureInvalid,
    CheckpointMismatch,
    MissingCheckpoint,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Modified => "modified",
            Self::Deleted => "deleted",
            Self::Inserted => "inserted",
            Self::Reordered => "reordered",
            Self::CheckpointSignatureInvalid => "checkpoint signature invalid",
            Self::CheckpointMismatch => "checkpoint mismatch",
            Self::MissingCheckpoint => "missing checkpoint",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct VerifyProblem {
    #[ts(type = "number")]
    pub seq: i64,
    pub kind: ProblemKind,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct VerifyReport {
    pub ok: bool,
    #[ts(type = "number")]
    pub rows_checked: u64,
    #[ts(type = "number")]
    pub checkpoints_checked: u64,
    #[ts(type = "number | null")]
    pub head_seq: Option<i64>,
    pub problem: Option<VerifyProblem>,
}

const RECENT: usize = 4096;

/// A row reduced to what the fast path of verification needs. Stores compute `self_ok`
/// (does the row's content hash to its stored hash, given its stored `prev_hash`) while
/// reading, without building an [`AuditRow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainLink {
    pub seq: i64,
    pub prev_hash: Hash32,
    pub hash: Hash32,
    pub self_ok: bool,
}

impl From<&AuditRow> for ChainLink {
    fn from(r: &AuditRow) -> Self {
        ChainLink {
            seq: r.seq,
            prev_hash: r.prev_hash,
            hash: r.hash,
            self_ok: seal(r.seq, &r.prev_hash, &r.content) == r.hash,
        }
    }
}

/// Streaming verifier. Feed rows in ascending `seq` order, then call [`ChainVerifier::finish`].
pub struct ChainVerifier {
    key: Option<VerifyingKey>,
    checkpoints: BTreeMap<i64, Checkpoint>,
    max_gap: i64,
    prev: (i64, Hash32),
    last_checkpoint: i64,
    recent: VecDeque<(Hash32, i64)>,
    rows: u64,
    checked_cps: u64,
    /// Every checkpoint's signature passed one batch check up front, so rows need not check
    /// them one by one (a failed batch leaves this false and each is checked as it comes).
    signatures_checked: bool,
    problem: Option<VerifyProblem>,
}

impl ChainVerifier {
    /// `start` is the verified row before the first one fed: `(0, GENESIS)` for a full check.
    /// `checkpoints` are those with seq in the verified range. `every` is the signing interval
    /// (0 disables the missing-checkpoint check): checkpoints sit at every multiple of it, so
    /// a longer stretch without one means checkpoints were removed.
    pub fn new(
        start: (i64, Hash32),
        key: Option<VerifyingKey>,
        checkpoints: Vec<Checkpoint>,
        every: i64,
    ) -> Self {
        let signatures_checked = key
            .as_ref()
            .is_some_and(|k| crate::checkpoint::signatures_valid(k, checkpoints.iter()));
        Self {
            key,
            signatures_checked,
            checkpoints: checkpoints.into_iter().map(|c| (c.seq, c)).collect(),
            max_gap: if every > 0 { every } else { i64::MAX },
            last_checkpoint: start.0,
            prev: start,
            recent: VecDeque::with_capacity(RECENT),
            rows: 0,
            checked_cps: 0,
            problem: None,
        }
    }

    pub fn full(key: Option<VerifyingKey>, checkpoints: Vec<Checkpoint>, every: i64) -> Self {
        Self::new((0, GENESIS), key, checkpoints, every)
    }

    pub fn failed(&self) -> bool {
        self.problem.is_some()
    }

    /// The last verified row.
    pub fn position(&self) -> (i64, Hash32) {
        self.prev
    }

    /// Fast path: accepts links while everything holds. Returns the index of the first link
    /// that needs diagnosis; the caller then feeds full rows from there with [`Self::feed`].
    pub fn feed_links(&mut self, links: &[ChainLink]) -> Option<usize> {
        for (i, l) in links.iter().enumerate() {
            if self.problem.is_some() {
                return None;
            }
            if l.seq != self.prev.0 + 1 || !l.self_ok || l.prev_hash != self.prev.1 {
                return Some(i);
            }
            if let Some(p) = self.check_checkpoint(l.seq, &l.hash) {
                self.problem = Some(p);
                return None;
            }
            self.accept(l.seq, l.hash);
        }
        None
    }

    /// Records rows `position+1..=to` as deleted if verification stopped short of `to` without
    /// another problem (rows missing at the end of a range).
    pub fn require_through(&mut self, to: i64) {
        let last = self.prev.0;
        if self.problem.is_none() && last < to {
            self.problem = Some(VerifyProblem {
                seq: last + 1,
                kind: ProblemKind::Deleted,
                detail: if last + 1 == to {
                    format!("row {to} is missing")
                } else {
                    format!("rows {} to {to} are missing", last + 1)
                },
            });
        }
    }

    fn accept(&mut self, seq: i64, hash: Hash32) {
        self.rows += 1;
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back((hash, seq));
        self.prev = (seq, hash);
    }

    /// Verifies a chunk. Later rows of the chunk serve as look-ahead when diagnosing.
    pub fn feed(&mut self, rows: &[AuditRow]) {
        for (i, r) in rows.iter().enumerate() {
            if self.problem.is_some() {
                return;
            }
            if let Some(p) = self.check_row(r, &rows[i + 1..]) {
                self.problem = Some(p);
                return;
            }
            self.accept(r.seq, r.hash);
        }
    }

    fn problem(seq: i64, kind: ProblemKind, detail: String) -> Option<VerifyProblem> {
        Some(VerifyProblem { seq, kind, detail })
    }

    fn check_row(&mut self, r: &AuditRow, ahead: &[AuditRow]) -> Option<VerifyProblem> {
        use ProblemKind::*;
        let (pseq, phash) = self.prev;
        let expected = pseq + 1;
        if r.seq < expected {
            return Self::problem(
                r.seq,
                Inserted,
                format!("a second row claims sequence number {}", r.seq),
            );
        }
        if r.seq > expected {
            let what = if r.seq == expected + 1 {
                format!("row {expected} is missing")
            } else {
                format!("rows {expected} to {} are missing", r.seq - 1)
            };
            return Self::problem(expected, Deleted, what);
        }
        let self_ok = seal(r.seq, &r.prev_hash, &r.content) == r.hash;
        let link_ok = r.prev_hash == phash;
        let in_recent = |h: &Hash32| self.recent.iter().rev().find(|(x, _)| x == h).map(|e| e.1);
        let ahead_has = |h: &Hash32| {
            ahead
                .iter()
                .take(RECENT)
                .find(|a| &a.hash == h)
                .map(|a| a.seq)
        };
        match (self_ok, link_ok) {
            (true, true) => self.check_checkpoint(r.seq, &r.hash),
            (false, true) => Self::problem(
                r.seq,
                Modified,
                format!(
                    "row {} does not match its hash: its content was changed",
                    r.seq
                ),
            ),
            (true, false) => {
                if let Some(a) = ahead_has(&r.prev_hash) {
                    Self::problem(
                        r.seq,
                        Reordered,
                        format!("row {} follows row {a}, which now comes after it", r.seq),
                    )
                } else if let Some(q) = in_recent(&r.prev_hash) {
                    Self::problem(
                        q + 1,
                        Inserted,
                        format!(
                            "row {} was sealed after row {q}: rows {} to {pseq} were inserted",
                            r.seq,
                            q + 1
                        ),
                    )
                } else {
                    Self::problem(pseq, Modified, format!("row {pseq} was rewritten (hash recomputed); row {} no longer links to it", r.seq))
                }
            }
            (false, false) => {
                if let Some(q) = in_recent(&r.prev_hash) {
                    if seal(q + 1, &r.prev_hash, &r.content) == r.hash {
                        return Self::problem(q + 1, Inserted, format!("row {} was sealed as row {}: rows {} to {pseq} were inserted before it", r.seq, q + 1, q + 1));
                    }
                }
                if let Some(a) = ahead_has(&r.prev_hash) {
                    return Self::problem(
                        r.seq,
                        Reordered,
                        format!(
                            "row {} was sealed after row {a}, which now comes after it",
                            r.seq
                        ),
                    );
                }
                if in_recent(&r.prev_hash).is_none() && r.prev_hash != GENESIS {
                    return Self::problem(r.seq, Deleted, format!("the row that row {} was sealed after is gone and later rows were renumbered", r.seq));
                }
                Self::problem(
                    r.seq,
                    Modified,
                    format!("row {} does not match its hash", r.seq),
                )
            }
        }
    }

    fn check_checkpoint(&mut self, seq: i64, hash: &Hash32) -> Option<VerifyProblem> {
        use ProblemKind::*;
        if let Some(cp) = self.checkpoints.get(&seq) {
            self.checked_cps += 1;
            if let Some(key) = self.key.as_ref().filter(|_| !self.signatures_checked) {
                if !signature_valid(key, cp) {
                    return Self::problem(
                        seq,
                        CheckpointSignatureInvalid,
                        format!(
                            "the checkpoint at row {} does not carry a valid signature of key {}",
                            seq,
                            crate::checkpoint::key_id(key)
                        ),
                    );
                }
            }
            if &cp.head_hash != hash {
                let from = self.last_checkpoint + 1;
                return Self::problem(from, CheckpointMismatch, format!("row {} differs from the signed checkpoint: rows {from} to {} were rewritten and rehashed", seq, seq));
            }
            self.last_checkpoint = seq;
        } else if self.key.is_some() && seq - self.last_checkpoint > self.max_gap {
            return Self::problem(
                seq,
                MissingCheckpoint,
                format!(
                    "no signed checkpoint between rows {} and {}: checkpoints were removed",
                    self.last_checkpoint + 1,
                    seq
                ),
            );
        }
        None
    }

    pub fn finish(self) -> VerifyReport {
        let mut problem = self.problem;
        if problem.is_none() {
            // A checkpoint beyond the last row means rows at the end were deleted.
            if let Some((&seq, _)) = self.checkpoints.range(self.prev.0 + 1..).next() {
                problem = Some(VerifyProblem {
                    seq: self.prev.0 + 1,
                    kind: ProblemKind::Deleted,
                    detail: format!(
                        "a checkpoint was signed at row {seq} but the chain ends at row {}",
                        self.prev.0
                    ),
                });
            }
        }
        VerifyReport {
            ok: problem.is_none(),
            rows_checked: self.rows,
            checkpoints_checked: self.checked_cps,
            head_seq: (self.prev.0 > 0).then_some(self.prev.0),
            problem,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::{link, tests::content};
    use crate::checkpoint::CheckpointSigner;

    fn chain(n: i64) -> Vec<AuditRow> {
        let cs: Vec<_> = (1..=n).map(content).collect();
        link((0, GENESIS), cs.iter())
            .into_iter()
            .zip(cs)
            .map(|((seq, prev_hash, hash), content)| AuditRow {
                seq,
                prev_hash,
                hash,
                content,
            })
            .collect()
    }

    fn run(rows: &[AuditRow], cps: Vec<Checkpoint>, key: Option<VerifyingKey>) -> VerifyReport {
        let mut v = ChainVerifier::full(key, cps, 0);
        v.feed(rows);
        v.finish()
    }

    fn rehash_from(rows: &mut [AuditRow], from_index: usize) {
        for i in from_index..rows.len() {
            let prev = if i == 0 { GENESIS } else { rows[i - 1].hash };
            rows[i].prev_hash = prev;
            rows[i].hash = seal(rows[i].seq, &prev, &rows[i].content);
        }
    }

    #[test]
    fn intact_chain_passes() {
        let r = run(&chain(50), vec![], None);
        assert!(r.ok);
        assert_eq!(r.rows_checked, 50);
        assert_eq!(r.head_seq, Some(50));
    }

    #[test]
    fn diagnoses_tampering() {
        let mut rows = chain(20);
        rows[9].content.description = "edited".into();
        let p = run(&rows, vec![], None).problem.unwrap();
        assert_eq!((p.seq, p.kind), (10, ProblemKind::Modified));

        let mut rows = chain(20);
        rows.remove(6);
        let p = run(&rows, vec![], None).problem.unwrap();
        assert_eq!((p.seq, p.kind), (7, ProblemKind::Deleted));

        let mut rows = chain(20);
        rows.swap(9, 10);
        rows[9].seq = 10;
        rows[10].seq = 11;
        let p = run(&rows, vec![], None).problem.unwrap();
        assert_eq!((p.seq, p.kind), (10, ProblemKind::Reordered));

        // A forged row 8 linked correctly, later rows renumbered.
        let mut rows = chain(20);
        let mut forged = rows[7].clone();
        forged.content.description = "forged".into();
        forged.hash = seal(8, &forged.prev_hash, &forged.content);
        rows.insert(7, forged);
        for (i, r) in rows.iter_mut().enumerate().skip(8) {
            r.seq = i as i64 + 1;
        }
        let p = run(&rows, vec![], None).problem.unwrap();
        assert_eq!((p.seq, p.kind), (8, ProblemKind::Inserted), "{p:?}");

        // Edited and that one row rehashed: the next row no longer links.
        let mut rows = chain(20);
        rows[4].content.description = "edited".into();
        rows[4].hash = seal(5, &rows[4].prev_hash, &rows[4].content);
        let p = run(&rows, vec![], None).problem.unwrap();
        assert_eq!((p.seq, p.kind), (5, ProblemKind::Modified));
    }

    #[test]
    fn checkpoints_catch_a_full_rehash() {
        let signer = CheckpointSigner::from_seed([9; 32]);
        let mut rows = chain(30);
        let cps = vec![
            signer.sign(10, rows[9].hash, crate::Timestamp(1)),
            signer.sign(20, rows[19].hash, crate::Timestamp(2)),
        ];
        assert!(run(&rows, cps.clone(), Some(signer.verifying_key())).ok);

        rows[14].content.description = "edited".into();
        rehash_from(&mut rows, 14);
        let p = run(&rows, cps.clone(), Some(signer.verifying_key()))
            .problem
            .unwrap();
        assert_eq!(
            (p.seq, p.kind),
            (11, ProblemKind::CheckpointMismatch),
            "{p:?}"
        );

        // The attacker also rewrites the checkpoint's hash: the signature no longer holds.
        let mut forged = cps.clone();
        forged[1].head_hash = rows[19].hash;
        let p = run(&rows, forged, Some(signer.verifying_key()))
            .problem
            .unwrap();
        assert_eq!(
            (p.seq, p.kind),
            (20, ProblemKind::CheckpointSignatureInvalid)
        );

        // Rows deleted at the end, behind the last checkpoint.
        let rows = chain(30);
        let p = run(&rows[..15], cps, Some(signer.verifying_key()))
            .problem
            .unwrap();
        assert_eq!((p.seq, p.kind), (16, ProblemKind::Deleted));
    }
}
