//! Migrations: numbered, run once when a store is opened, and a database
//! migrated by a newer library is refused rather than misread.

mod support {
    pub mod stores;
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use grassroots::journal::{EventStore, JournalError, NewEvent, SqliteStore, StreamKey};

    fn count(path: &std::path::Path) -> i64 {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row("SELECT count(*) FROM journal_migrations", [], |row| {
                row.get(0)
            })
            .unwrap()
    }

    #[test]
    fn opening_a_file_runs_each_migration_once_and_keeps_the_events() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        let key = StreamKey::new(
            "longgang".parse().unwrap(),
            "ticket".parse().unwrap(),
            "T-1".parse().unwrap(),
        );
        {
            let store = SqliteStore::open(&path).unwrap();
            assert_eq!(store.migration().unwrap(), 6);
            let at = chrono::DateTime::from_timestamp(1_772_000_000, 0).unwrap();
            let event = NewEvent::new(
                "e-1".parse().unwrap(),
                "Opened",
                serde_json::json!("Opened"),
                "gw-7".parse().unwrap(),
                at,
            );
            store.append(&key, 0, &[event]).unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.migration().unwrap(), 6);
        assert_eq!(count(&path), 6);
        assert_eq!(store.stream_version(&key).unwrap(), 1);
    }

    #[test]
    fn migration_2_anchors_every_existing_stream_at_its_head() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        let at = chrono::DateTime::from_timestamp(1_772_000_000, 0).unwrap();
        let keys: Vec<StreamKey> = (1..=3)
            .map(|n| {
                StreamKey::new(
                    "longgang".parse().unwrap(),
                    "ticket".parse().unwrap(),
                    format!("T-{n}").parse().unwrap(),
                )
            })
            .collect();
        {
            let store = SqliteStore::open(&path).unwrap();
            for (n, key) in keys.iter().enumerate() {
                let events: Vec<NewEvent> = (0..=n)
                    .map(|i| {
                        NewEvent::new(
                            format!("e-{n}-{i}").parse().unwrap(),
                            "Noted",
                            serde_json::json!(i),
                            "gw-7".parse().unwrap(),
                            at,
                        )
                    })
                    .collect();
                store.append(key, 0, &events).unwrap();
            }
        }
        // Back to a file written before anchors existed: migration 1's
        // events table (each row naming its stream by text) and nothing
        // after it.
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(
                "CREATE TABLE old_rows AS
                 SELECT e.position, e.tenant, s.stream_type, s.stream_id, e.version, e.event_id,
                     e.event_type, e.schema_version, e.payload, e.actor, e.correlation,
                     e.occurred_at, e.recorded_at, e.hash
                 FROM journal_events AS e JOIN journal_streams AS s USING (stream_key);
                 DROP TABLE journal_events; DROP TABLE journal_streams;
                 DROP TABLE journal_heads; DROP TABLE journal_due; DROP TABLE journal_snapshots;
                 CREATE TABLE journal_events (
                     position       INTEGER PRIMARY KEY AUTOINCREMENT,
                     tenant         TEXT    NOT NULL,
                     stream_type    TEXT    NOT NULL,
                     stream_id      TEXT    NOT NULL,
                     version        INTEGER NOT NULL CHECK (version >= 1),
                     event_id       TEXT    NOT NULL,
                     event_type     TEXT    NOT NULL,
                     schema_version INTEGER NOT NULL,
                     payload        TEXT    NOT NULL,
                     actor          TEXT    NOT NULL,
                     correlation    TEXT,
                     occurred_at    INTEGER NOT NULL,
                     recorded_at    INTEGER NOT NULL,
                     hash           BLOB    NOT NULL,
                     UNIQUE (tenant, stream_type, stream_id, version),
                     UNIQUE (tenant, event_id)
                 ) STRICT;
                 CREATE INDEX journal_events_by_tenant ON journal_events (tenant, position);
                 INSERT INTO journal_events SELECT * FROM old_rows ORDER BY position;
                 DROP TABLE old_rows;
                 DELETE FROM journal_migrations WHERE version >= 2;",
            )
            .unwrap();
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.migration().unwrap(), 6);
        for (n, key) in keys.iter().enumerate() {
            let verified = grassroots::journal::verify_anchored(&store, key).unwrap();
            let anchor = store.anchor(key).unwrap().unwrap();
            assert_eq!(anchor.version, n as u64 + 1);
            assert_eq!(anchor.hash, verified.head);
        }
    }

    #[test]
    fn a_file_migrated_by_a_newer_library_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        drop(SqliteStore::open(&path).unwrap());
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute(
                "INSERT INTO journal_migrations (version, name, applied_at) VALUES (99, 'future', 0)",
                [],
            )
            .unwrap();
        match SqliteStore::open(&path) {
            Err(JournalError::SchemaTooNew {
                found: 99,
                supported: 6,
            }) => {}
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use grassroots::journal::{JournalError, PostgresStore};

    /// `url` with its search path set to `schema`, so this test migrates a
    /// schema of its own and leaves the shared one alone.
    fn in_schema(url: &str, schema: &str) -> String {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}options=-csearch_path%3D{schema}")
        } else {
            format!("{url} options='-c search_path={schema}'")
        }
    }

    /// A schema of its own (named after `test`), and the URL that uses it.
    fn fresh_schema(admin: &mut ::postgres::Client, url: &str, test: &str) -> (String, String) {
        let schema = format!(
            "migrations_{}",
            crate::support::stores::tenant(test)
                .as_str()
                .replace('-', "_")
        );
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap();
        let url = in_schema(url, &schema);
        (schema, url)
    }

    #[test]
    #[cfg_attr(
        not(grassroots_pg),
        ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
    )]
    fn connecting_runs_each_migration_once_and_refuses_a_newer_schema() {
        let Some(url) = crate::support::stores::postgres_url() else {
            return;
        };
        let mut admin = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        let (schema, url) = fresh_schema(&mut admin, &url, "m");

        let store = PostgresStore::connect(&url).unwrap();
        assert_eq!(store.migration().unwrap(), 6);
        drop(store);
        let store = PostgresStore::connect(&url).unwrap();
        assert_eq!(store.migration().unwrap(), 6);
        drop(store);
        let applied: i64 = admin
            .query_one(
                &format!("SELECT count(*) FROM {schema}.journal_migrations"),
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(applied, 6);

        admin
            .batch_execute(&format!(
                "INSERT INTO {schema}.journal_migrations (version, name) VALUES (99, 'future')"
            ))
            .unwrap();
        match PostgresStore::connect(&url) {
            Err(JournalError::SchemaTooNew {
                found: 99,
                supported: 6,
            }) => {}
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
        admin
            .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .unwrap();
    }

    /// The unique indexes on `table` (a partition), as their column lists.
    fn unique_indexes(admin: &mut ::postgres::Client, schema: &str, table: &str) -> Vec<String> {
        let mut found: Vec<String> = admin
            .query(
                "SELECT string_agg(a.attname, ',' ORDER BY k.ord)
                 FROM pg_index AS i
                 JOIN pg_class AS c ON c.oid = i.indrelid
                 JOIN pg_namespace AS n ON n.oid = c.relnamespace
                 CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum = k.attnum
                 WHERE n.nspname = $1 AND c.relname = $2 AND i.indisunique
                 GROUP BY i.indexrelid",
                &[&schema, &table],
            )
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect();
        found.sort();
        found
    }

    /// Migration 5 turns the payload into text and moves the unique rules
    /// from the parent table (each led by the tenant) into each partition
    /// (without it). A database written at migration 4 keeps its events,
    /// chains and anchors, and still refuses a duplicate event id and a
    /// second writer at the same version.
    #[test]
    #[cfg_attr(
        not(grassroots_pg),
        ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
    )]
    fn migration_5_keeps_the_events_and_moves_the_unique_rules_into_each_partition() {
        use grassroots::journal::{EventStore, NewEvent, StreamKey};

        let Some(url) = crate::support::stores::postgres_url() else {
            return;
        };
        let mut admin = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        let (schema, url) = fresh_schema(&mut admin, &url, "m5");
        let at = chrono::DateTime::from_timestamp(1_772_000_000, 0).unwrap();
        let event = |id: &str, n: u64| {
            NewEvent::new(
                id.parse().unwrap(),
                "Noted",
                serde_json::json!({"Noted": {"n": n, "by": "网格员", "at": [1.5, 1e300]}}),
                "gw-7".parse().unwrap(),
                at,
            )
        };
        let keys: Vec<StreamKey> = ["longgang", "futian"]
            .iter()
            .map(|tenant| {
                StreamKey::new(
                    tenant.parse().unwrap(),
                    "ticket".parse().unwrap(),
                    "T-1".parse().unwrap(),
                )
            })
            .collect();
        let written: Vec<NewEvent> = (1..=3).map(|n| event(&format!("e-{n}"), n)).collect();
        {
            let store = PostgresStore::connect(&url).unwrap();
            for key in &keys {
                store.append(key, 0, &written).unwrap();
            }
        }
        // Back to the shape migration 4 left: `jsonb` payloads, the unique
        // rules on the parent, led by the tenant.
        let partitions: Vec<String> = admin
            .query(
                &format!("SELECT partition FROM {schema}.journal_tenants ORDER BY tenant"),
                &[],
            )
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect();
        assert_eq!(partitions.len(), 2);
        let mut back = format!(
            "SET search_path = {schema};
             ALTER TABLE journal_events ALTER COLUMN payload TYPE jsonb USING payload::jsonb;"
        );
        for part in &partitions {
            for index in ["position", "version", "event_id"] {
                back.push_str(&format!("DROP INDEX {part}_{index};"));
            }
        }
        back.push_str(
            "ALTER TABLE journal_events ADD PRIMARY KEY (tenant, position),
                 ADD UNIQUE (tenant, stream_type, stream_id, version),
                 ADD UNIQUE (tenant, event_id);
             ALTER SEQUENCE journal_position_seq INCREMENT BY 1;
             DELETE FROM journal_migrations WHERE version >= 5;
             RESET search_path;",
        );
        admin.batch_execute(&back).unwrap();
        for part in &partitions {
            assert_eq!(
                unique_indexes(&mut admin, &schema, part),
                [
                    "tenant,event_id",
                    "tenant,position",
                    "tenant,stream_type,stream_id,version"
                ]
            );
        }

        let store = PostgresStore::connect(&url).unwrap();
        assert_eq!(store.migration().unwrap(), 6);
        let payload_type: String = admin
            .query_one(
                "SELECT data_type FROM information_schema.columns
                 WHERE table_schema = $1 AND table_name = 'journal_events'
                   AND column_name = 'payload'",
                &[&schema],
            )
            .unwrap()
            .get(0);
        assert_eq!(payload_type, "text");
        let on_parent: i64 = admin
            .query_one(
                &format!(
                    "SELECT count(*) FROM pg_constraint
                     WHERE conrelid = '{schema}.journal_events'::regclass AND contype IN ('p', 'u')"
                ),
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(on_parent, 0);
        for part in &partitions {
            assert_eq!(
                unique_indexes(&mut admin, &schema, part),
                ["event_id", "position", "stream_id,version,stream_type"]
            );
        }
        for key in &keys {
            // Read back as written (the payloads went through `jsonb` and
            // back to text), the chain and the anchor intact.
            let rows = store.read_stream(key, 0).unwrap();
            assert_eq!(rows.len(), 3);
            for (row, new) in rows.iter().zip(&written) {
                assert!(new.matches(row), "{row:?}");
            }
            let verified = grassroots::journal::verify_anchored(&store, key).unwrap();
            assert_eq!(verified.version, 3);
            // The unique rules hold per partition: a taken id is refused,
            // typed, and nothing is written...
            match store.append(key, 3, &[event("e-4", 4), event("e-2", 5)]) {
                Err(JournalError::DuplicateEventId { event_id, .. }) => {
                    assert_eq!(event_id.as_str(), "e-2");
                }
                other => panic!("expected a duplicate event id, got {other:?}"),
            }
            assert_eq!(store.stream_version(key).unwrap(), 3);
            // ...and the same version cannot be written twice.
            admin
                .batch_execute(&format!(
                    "SET search_path = {schema}; BEGIN;
                     INSERT INTO journal_events (position, tenant, stream_type, stream_id,
                         version, event_id, event_type, schema_version, payload, actor,
                         correlation, occurred_at, recorded_at, hash)
                     SELECT position + 1000, tenant, stream_type, stream_id, version,
                         'other', event_type, schema_version, payload, actor, correlation,
                         occurred_at, recorded_at, hash
                     FROM journal_events WHERE tenant = '{}' AND version = 3;",
                    key.tenant.as_str()
                ))
                .expect_err("a second row at version 3 is refused");
            admin.batch_execute("ROLLBACK; RESET search_path").unwrap();
            store.append(key, 3, &[event("e-4", 4)]).unwrap();
        }
        // A tenant's first append after the migration makes its partition
        // with the same indexes.
        let late = StreamKey::new(
            "nanshan".parse().unwrap(),
            "ticket".parse().unwrap(),
            "T-1".parse().unwrap(),
        );
        store.append(&late, 0, &written).unwrap();
        let part: String = admin
            .query_one(
                &format!("SELECT partition FROM {schema}.journal_tenants WHERE tenant = 'nanshan'"),
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(
            unique_indexes(&mut admin, &schema, &part),
            ["event_id", "position", "stream_id,version,stream_type"]
        );
        drop(store);
        admin
            .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .unwrap();
    }

    /// Migration 6 steps the position sequence by a block of 1,024 (an
    /// append draws one `nextval` a block) and orders each partition's
    /// stream index by version before type. A database written at
    /// migration 5, its sequence stepping by one, keeps its events; the
    /// next append is placed after every position drawn before, so a
    /// reader caught up to the old head reads it next; the stream's
    /// uniqueness and reads hold with the new index.
    #[test]
    #[cfg_attr(
        not(grassroots_pg),
        ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
    )]
    fn migration_6_draws_positions_a_block_at_a_time_after_the_old_ones() {
        use grassroots::journal::{EventStore, NewEvent, StreamKey};

        let Some(url) = crate::support::stores::postgres_url() else {
            return;
        };
        let mut admin = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        let (schema, url) = fresh_schema(&mut admin, &url, "m6");
        let at = chrono::DateTime::from_timestamp(1_772_000_000, 0).unwrap();
        let event = |id: &str, n: u64| {
            NewEvent::new(
                id.parse().unwrap(),
                "Noted",
                serde_json::json!({"Noted": {"n": n, "by": "网格员"}}),
                "gw-7".parse().unwrap(),
                at,
            )
        };
        let keys: Vec<StreamKey> = ["longgang", "futian"]
            .iter()
            .map(|tenant| {
                StreamKey::new(
                    tenant.parse().unwrap(),
                    "ticket".parse().unwrap(),
                    "T-1".parse().unwrap(),
                )
            })
            .collect();
        let written: Vec<NewEvent> = (1..=3).map(|n| event(&format!("e-{n}"), n)).collect();
        {
            let store = PostgresStore::connect(&url).unwrap();
            for key in &keys {
                store.append(key, 0, &written).unwrap();
            }
        }
        // Back to the shape migration 5 left: a sequence stepping by one
        // (an older library has drawn up to 5,000 with it), the stream's
        // index by type before version.
        let partitions: Vec<String> = admin
            .query(
                &format!("SELECT partition FROM {schema}.journal_tenants ORDER BY tenant"),
                &[],
            )
            .unwrap()
            .iter()
            .map(|row| row.get(0))
            .collect();
        assert_eq!(partitions.len(), 2);
        let mut back = format!(
            "SET search_path = {schema};
             ALTER SEQUENCE journal_position_seq INCREMENT BY 1;
             SELECT setval('journal_position_seq', 5000);"
        );
        for part in &partitions {
            back.push_str(&format!(
                "DROP INDEX {part}_version;
                 CREATE UNIQUE INDEX {part}_version ON {part} (stream_id, stream_type, version);"
            ));
        }
        back.push_str("DELETE FROM journal_migrations WHERE version = 6; RESET search_path;");
        admin.batch_execute(&back).unwrap();
        for part in &partitions {
            assert_eq!(
                unique_indexes(&mut admin, &schema, part),
                ["event_id", "position", "stream_id,stream_type,version"]
            );
        }

        let store = PostgresStore::connect(&url).unwrap();
        assert_eq!(store.migration().unwrap(), 6);
        let step: i64 = admin
            .query_one(
                "SELECT increment_by FROM pg_sequences
                 WHERE schemaname = $1 AND sequencename = 'journal_position_seq'",
                &[&schema],
            )
            .unwrap()
            .get(0);
        assert_eq!(step, 1024);
        for part in &partitions {
            assert_eq!(
                unique_indexes(&mut admin, &schema, part),
                ["event_id", "position", "stream_id,version,stream_type"]
            );
            let named: i64 = admin
                .query_one(
                    "SELECT count(*) FROM pg_indexes
                     WHERE schemaname = $1 AND tablename = $2 AND indexname = $2 || '_version'",
                    &[&schema, part],
                )
                .unwrap()
                .get(0);
            assert_eq!(named, 1);
        }
        for key in &keys {
            let rows = store.read_stream(key, 0).unwrap();
            assert_eq!(rows.len(), 3);
            for (row, new) in rows.iter().zip(&written) {
                assert!(new.matches(row), "{row:?}");
            }
            assert_eq!(
                grassroots::journal::verify_anchored(&store, key)
                    .unwrap()
                    .version,
                3
            );
            // A reader caught up to the old head reads the next append,
            // placed after everything drawn before the migration.
            let head = store.read_all(&key.tenant, 0, 100).unwrap()[2].position;
            let more = [event("e-4", 4), event("e-5", 5)];
            let appended = store.append(key, 3, &more).unwrap();
            assert!(appended.positions.start > 5000, "{appended:?}");
            assert_eq!(appended.positions.end - appended.positions.start, 2);
            let next = store.read_all(&key.tenant, head, 100).unwrap();
            assert_eq!(next.len(), 2);
            assert_eq!(
                next.iter().map(|row| row.version).collect::<Vec<_>>(),
                [4, 5]
            );
            assert!(
                next.iter()
                    .all(|row| appended.positions.contains(&row.position))
            );
            // The stream's rules hold with the reordered index: a stale
            // writer is refused, typed, and a second row at a taken version
            // cannot be written behind the store's back.
            match store.append(key, 3, &[event("e-6", 6)]) {
                Err(JournalError::VersionConflict { actual: 5, .. }) => {}
                other => panic!("expected a version conflict, got {other:?}"),
            }
            admin
                .batch_execute(&format!(
                    "SET search_path = {schema}; BEGIN;
                     INSERT INTO journal_events (position, tenant, stream_type, stream_id,
                         version, event_id, event_type, schema_version, payload, actor,
                         correlation, occurred_at, recorded_at, hash)
                     SELECT position + 100000, tenant, stream_type, stream_id, version,
                         'other', event_type, schema_version, payload, actor, correlation,
                         occurred_at, recorded_at, hash
                     FROM journal_events WHERE tenant = '{}' AND version = 5;",
                    key.tenant.as_str()
                ))
                .expect_err("a second row at version 5 is refused");
            admin.batch_execute("ROLLBACK; RESET search_path").unwrap();
            assert_eq!(store.stream_version(key).unwrap(), 5);
        }
        drop(store);
        admin
            .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .unwrap();
    }
}
