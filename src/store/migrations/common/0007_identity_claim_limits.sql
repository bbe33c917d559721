-- Qiusuo schema v7: limits on proving an address (issue 14). A code dies after a few
-- wrong tries (attempts), and claim mails are counted per (address, member) over a
-- window of a day (mails since window_from), for a rate per member and per address.
-- Portable SQL.

ALTER TABLE identity_claims ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE identity_claims ADD COLUMN mails INTEGER NOT NULL DEFAULT 0;
ALTER TABLE identity_claims ADD COLUMN window_from BIGINT NOT NULL DEFAULT 0;
CREATE INDEX identity_claims_member ON identity_claims(member_id, window_from);
