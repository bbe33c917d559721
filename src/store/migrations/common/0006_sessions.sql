-- Qiusuo schema v6: sessions that expire, clients a member signed in from, and
-- password reset codes. Portable SQL.

-- A token from signing in is a session (idle and absolute expiry); one made with
-- `qiusuo token create` is an API token (idle expiry only). Tokens signed in before
-- this version were all named "login".
ALTER TABLE tokens ADD COLUMN session INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN last_used_at BIGINT NOT NULL DEFAULT 0;
UPDATE tokens SET session = 1 WHERE name = 'login';
UPDATE tokens SET last_used_at = created_at;

-- A client (browser or CLI config) that signed in as a member with the right
-- password: the right password from it gets through a sign-in brake that strangers
-- tripped. Stored as the SHA-256 of the client's secret.
CREATE TABLE known_clients (
  client_hash   TEXT PRIMARY KEY,
  member_id     BIGINT NOT NULL REFERENCES members(id),
  created_at    BIGINT NOT NULL,
  last_seen_at  BIGINT NOT NULL
);
CREATE INDEX known_clients_member ON known_clients(member_id);

-- At most one live reset code per member, stored as the SHA-256 of the code; used
-- once, then deleted. issued_by: the steward who issued it, NULL when it was mailed.
CREATE TABLE password_resets (
  member_id   BIGINT PRIMARY KEY REFERENCES members(id),
  code_hash   TEXT NOT NULL,
  issued_by   BIGINT REFERENCES members(id),
  created_at  BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL
);
