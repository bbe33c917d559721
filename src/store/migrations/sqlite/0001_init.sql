-- Qiusuo schema v1: members, tokens, ideas, projects, memberships, tasks.
-- SQLite dialect (postgres/0001_init.sql is the same schema); lists are stored as
-- newline-separated text.

CREATE TABLE members (
  id            INTEGER PRIMARY KEY,
  handle        TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  emails        TEXT NOT NULL DEFAULT '',
  skills        TEXT NOT NULL DEFAULT '',
  interests     TEXT NOT NULL DEFAULT '',
  steward       INTEGER NOT NULL DEFAULT 0,
  password_hash TEXT NOT NULL,
  joined_at     BIGINT NOT NULL
);

CREATE TABLE tokens (
  id          INTEGER PRIMARY KEY,
  member_id   INTEGER NOT NULL REFERENCES members(id),
  token_hash  TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  revoked_at  BIGINT
);
CREATE INDEX tokens_member ON tokens(member_id);

CREATE TABLE signup_invites (
  code_hash   TEXT PRIMARY KEY,
  created_by  INTEGER NOT NULL REFERENCES members(id),
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL,
  used_by     INTEGER REFERENCES members(id)
);

CREATE TABLE ideas (
  id          INTEGER PRIMARY KEY,
  author_id   INTEGER NOT NULL REFERENCES members(id),
  title       TEXT NOT NULL,
  pitch       TEXT NOT NULL,
  created_at  BIGINT NOT NULL
);

-- target: 'idea' or 'project'
CREATE TABLE backings (
  target      TEXT NOT NULL,
  target_id   INTEGER NOT NULL,
  member_id   INTEGER NOT NULL REFERENCES members(id),
  created_at  BIGINT NOT NULL,
  PRIMARY KEY (target, target_id, member_id)
);

CREATE TABLE projects (
  id           INTEGER PRIMARY KEY,
  title        TEXT NOT NULL,
  pitch        TEXT NOT NULL,
  idea_id      INTEGER REFERENCES ideas(id),
  initiator_id INTEGER NOT NULL REFERENCES members(id),
  looking_for  TEXT NOT NULL DEFAULT '',
  created_at   BIGINT NOT NULL
);

CREATE TABLE memberships (
  project_id  INTEGER NOT NULL REFERENCES projects(id),
  member_id   INTEGER NOT NULL REFERENCES members(id),
  state       TEXT NOT NULL CHECK (state IN ('applied','invited','active','declined','withdrawn','left')),
  acted_by    INTEGER NOT NULL REFERENCES members(id),
  message     TEXT NOT NULL DEFAULT '',
  updated_at  BIGINT NOT NULL,
  PRIMARY KEY (project_id, member_id)
);
CREATE INDEX memberships_member ON memberships(member_id);

CREATE TABLE tasks (
  id           INTEGER PRIMARY KEY,
  project_id   INTEGER NOT NULL REFERENCES projects(id),
  title        TEXT NOT NULL,
  description  TEXT NOT NULL DEFAULT '',
  state        TEXT NOT NULL CHECK (state IN ('open','claimed','done')),
  holder_id    INTEGER REFERENCES members(id),
  created_by   INTEGER NOT NULL REFERENCES members(id),
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL,
  -- a claimed or done task always has a holder; an open one never does
  CHECK ((state = 'open') = (holder_id IS NULL))
);
CREATE INDEX tasks_project ON tasks(project_id);
