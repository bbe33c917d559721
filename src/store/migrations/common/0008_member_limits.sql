-- Qiusuo schema v8: indexes for the per-member limits (service/limits.h), which count
-- a member's recent ideas and projects and their pending jobs on every create, and
-- for reading the queue a page at a time. Portable SQL.

CREATE INDEX ideas_author ON ideas(author_id, created_at);
CREATE INDEX projects_initiator ON projects(initiator_id, created_at);
CREATE INDEX jobs_owner_state ON jobs(owner_id, state);
CREATE INDEX jobs_state_id ON jobs(state, id);
