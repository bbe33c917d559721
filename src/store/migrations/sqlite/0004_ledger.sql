-- Qiusuo schema v4: the contribution ledger (rule 6), its signed checkpoints, and
-- reward rounds (rule 7).

-- One row per entry. `entry` holds the canonical bytes (ledger/ledger.h) that are
-- hashed and signed; the other columns repeat some of its fields for lookups.
CREATE TABLE ledger (
  seq          INTEGER PRIMARY KEY,
  entry        TEXT NOT NULL,
  leaf_hash    TEXT NOT NULL,
  contributor  TEXT NOT NULL,
  kind         TEXT NOT NULL,
  project_id   INTEGER,
  evidence     TEXT NOT NULL,
  at           BIGINT NOT NULL
);
CREATE INDEX ledger_contributor ON ledger(contributor);
CREATE INDEX ledger_project ON ledger(project_id);
CREATE INDEX ledger_evidence ON ledger(evidence);

-- Append-only for real: the database refuses to change or remove an entry.
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: record a correction instead'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: record a correction instead'); END;

CREATE TABLE ledger_checkpoints (
  tree_size  INTEGER PRIMARY KEY,
  root       TEXT NOT NULL,
  at         BIGINT NOT NULL,
  signature  TEXT NOT NULL
);
CREATE TRIGGER ledger_checkpoints_no_update BEFORE UPDATE ON ledger_checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER ledger_checkpoints_no_delete BEFORE DELETE ON ledger_checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;

CREATE TABLE reward_rounds (
  id           INTEGER PRIMARY KEY,
  title        TEXT NOT NULL,
  pool_minor   BIGINT NOT NULL CHECK (pool_minor > 0),  -- in the currency's minor unit
  currency     TEXT NOT NULL,
  period_from  BIGINT NOT NULL,
  period_to    BIGINT NOT NULL,
  alpha_milli  INTEGER NOT NULL CHECK (alpha_milli BETWEEN 0 AND 1000),  -- record's part
  weights      TEXT NOT NULL,  -- JSON: kind -> [per entry, per unit]
  state        TEXT NOT NULL CHECK (state IN ('open', 'closed')),
  opened_by    INTEGER NOT NULL REFERENCES members(id),
  created_at   BIGINT NOT NULL,
  closed_at    BIGINT,
  payout       TEXT NOT NULL DEFAULT ''  -- JSON, once closed
);

-- Peer allocation: each participant spreads up to 100 points, never to themselves.
CREATE TABLE reward_points (
  round_id    INTEGER NOT NULL REFERENCES reward_rounds(id),
  giver_id    INTEGER NOT NULL REFERENCES members(id),
  receiver_id INTEGER NOT NULL REFERENCES members(id),
  points      INTEGER NOT NULL CHECK (points > 0 AND points <= 100),
  note        TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (round_id, giver_id, receiver_id),
  CHECK (giver_id <> receiver_id)
);

-- Claims of external identities (emails seen in imported history): a code is sent to
-- the address; whoever brings it back proves the address is theirs.
CREATE TABLE identity_claims (
  email        TEXT NOT NULL,
  member_id    INTEGER NOT NULL REFERENCES members(id),
  code_hash    TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,
  confirmed_at BIGINT,
  PRIMARY KEY (email, member_id)
);
