-- "My sign-ups" opens each hold at a link of its own, as it does each RSVP
-- (rsvp_link): the link a hold was made with is stored hashed and cannot
-- be shown again. Only hashes are stored; revoking the "my sign-ups" link
-- they were opened from (mine_id) deletes them.
CREATE TABLE hold_link (
	token_hash BLOB PRIMARY KEY CHECK (length(token_hash) = 32),
	hold_id    INTEGER NOT NULL REFERENCES drop_hold (id) ON DELETE CASCADE,
	made_at    INTEGER NOT NULL,
	mine_id    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX hold_link_hold ON hold_link (hold_id);
CREATE INDEX hold_link_mine ON hold_link (mine_id);

PRAGMA user_version = 19;
