-- Qiusuo schema v5: how many GPUs were busy, sampled once a minute by the scheduler,
-- for the cluster's utilization over the last day and week. Portable SQL.

CREATE TABLE gpu_samples (
  at     BIGINT PRIMARY KEY,  -- the minute, in Unix seconds
  busy   INTEGER NOT NULL CHECK (busy >= 0),
  total  INTEGER NOT NULL CHECK (total >= 0)
);
