-- The workshop event log. Portable SQL: the same migration runs on SQLite and PostgreSQL.
CREATE TABLE workshops (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- Every state change of a workshop, in order. The primary key makes a second writer of the
-- same sequence number fail instead of forking the history.
CREATE TABLE events (
    workshop_id TEXT NOT NULL REFERENCES workshops (id),
    seq BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (workshop_id, seq)
);

-- Answers to applied commands, so that a retried operation id gets the original answer.
CREATE TABLE operations (
    workshop_id TEXT NOT NULL REFERENCES workshops (id),
    op_id TEXT NOT NULL,
    response TEXT NOT NULL,
    PRIMARY KEY (workshop_id, op_id)
);

CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Server processes, so that a restarted node can tell its own leftovers from a live peer's.
CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    started_at_ms BIGINT NOT NULL
);
