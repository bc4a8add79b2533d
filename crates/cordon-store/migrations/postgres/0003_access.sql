-- PostgreSQL. Accounts, sessions and the audit trail.
CREATE TABLE accounts (
    id                  BIGSERIAL PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE,
    role                TEXT NOT NULL,
    scope               TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    disabled            BOOLEAN NOT NULL DEFAULT FALSE,
    failed_signins      INTEGER NOT NULL DEFAULT 0,
    locked_until        BIGINT NOT NULL DEFAULT 0,
    created_by          TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL
);

-- A session is known by the SHA-256 of its token: a copy of the table signs nobody in.
CREATE TABLE sessions (
    token_hash  BYTEA PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id),
    csrf        TEXT NOT NULL,
    address     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    ended_at    BIGINT
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Append-only and hash-chained (see cordon_domain::audit). Subjects are keyed hashes.
CREATE TABLE audit_log (
    seq        BIGINT PRIMARY KEY,
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    role       TEXT NOT NULL,
    scope      TEXT NOT NULL,
    address    TEXT NOT NULL,
    action     TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    target     TEXT NOT NULL,
    subjects   TEXT NOT NULL,
    persons    BIGINT NOT NULL,
    prev_hash  BYTEA NOT NULL,
    hash       BYTEA NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
