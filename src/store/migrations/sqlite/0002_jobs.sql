-- Qiusuo schema v2: GPU jobs, their outcome notes, and open boosts.

CREATE TABLE jobs (
  id              INTEGER PRIMARY KEY,
  owner_id        INTEGER NOT NULL REFERENCES members(id),
  project_id      INTEGER NOT NULL REFERENCES projects(id),
  name            TEXT NOT NULL,
  gpus            INTEGER NOT NULL CHECK (gpus > 0),
  time_limit_s    BIGINT CHECK (time_limit_s IS NULL OR time_limit_s > 0),
  workdir         TEXT NOT NULL,
  env             TEXT NOT NULL DEFAULT '',  -- K=V lines
  argv            TEXT NOT NULL,             -- JSON array of strings
  state           TEXT NOT NULL CHECK (state IN ('pending','running','preempted','succeeded','failed','cancelled')),
  run             INTEGER NOT NULL DEFAULT 0,  -- the current run; equals the restart count
  gpu_ids         TEXT NOT NULL DEFAULT '',    -- "0,1" while running
  stopping        TEXT NOT NULL DEFAULT '' CHECK (stopping IN ('','preempt','cancel')),
  exit_code       INTEGER,
  reason          TEXT NOT NULL DEFAULT '',
  attained_gpu_s  BIGINT NOT NULL DEFAULT 0,
  submitted_at    BIGINT NOT NULL,
  started_at      BIGINT,   -- first start
  run_started_at  BIGINT,   -- start of the current run
  finished_at     BIGINT
);
CREATE INDEX jobs_state ON jobs(state);
CREATE INDEX jobs_project ON jobs(project_id);

CREATE TABLE job_notes (
  id          INTEGER PRIMARY KEY,
  job_id      INTEGER NOT NULL REFERENCES jobs(id),
  author_id   INTEGER NOT NULL REFERENCES members(id),
  outcome     TEXT NOT NULL CHECK (outcome IN ('success','failure','negative')),
  text        TEXT NOT NULL,
  created_at  BIGINT NOT NULL
);

-- Rule 5: boosts are open, expire by themselves and say why.
CREATE TABLE boosts (
  id          INTEGER PRIMARY KEY,
  project_id  INTEGER NOT NULL REFERENCES projects(id),
  factor      REAL NOT NULL CHECK (factor > 0),
  expires_at  BIGINT NOT NULL,
  reason      TEXT NOT NULL,
  granted_by  INTEGER NOT NULL REFERENCES members(id),
  created_at  BIGINT NOT NULL
);
