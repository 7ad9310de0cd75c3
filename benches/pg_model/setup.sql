-- The server's side of a batched append, without the crate: the rows the
-- store writes, in three tables that differ only in their indexes
-- (DESIGN.md, "Round 21"). Run by run.sh; safe to run again (it starts
-- from empty tables).
SET client_min_messages = warning;
DROP TABLE IF EXISTS model_text, model_key, model_bare;
DROP SEQUENCE IF EXISTS model_position_seq, model_stream_seq;
-- Positions a block of 1,024 at a time, as the store draws them.
CREATE SEQUENCE model_position_seq INCREMENT 1024;
CREATE SEQUENCE model_stream_seq;
-- Today's partition: the stream named by its type and id, three unique
-- indexes (position; stream id, version, type; event id).
CREATE TABLE model_text (
    position bigint NOT NULL, tenant text NOT NULL, stream_type text NOT NULL,
    stream_id text NOT NULL, version bigint NOT NULL, event_id text NOT NULL,
    event_type text NOT NULL, schema_version bigint NOT NULL, payload text NOT NULL,
    actor text NOT NULL, correlation text, occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL, hash bytea NOT NULL);
CREATE UNIQUE INDEX ON model_text (position);
CREATE UNIQUE INDEX ON model_text (stream_id, version, stream_type);
CREATE UNIQUE INDEX ON model_text (event_id);
-- The stream as an integer key (as SQLite's since its migration 6).
CREATE TABLE model_key (
    position bigint NOT NULL, tenant text NOT NULL, stream_key bigint NOT NULL,
    version bigint NOT NULL, event_id text NOT NULL,
    event_type text NOT NULL, schema_version bigint NOT NULL, payload text NOT NULL,
    actor text NOT NULL, correlation text, occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL, hash bytea NOT NULL);
CREATE UNIQUE INDEX ON model_key (position);
CREATE UNIQUE INDEX ON model_key (stream_key, version);
CREATE UNIQUE INDEX ON model_key (event_id);
-- Today's rows with no index at all: the heap and the log alone.
CREATE TABLE model_bare (LIKE model_text);
CHECKPOINT;
