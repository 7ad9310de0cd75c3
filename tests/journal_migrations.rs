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
            assert_eq!(store.migration().unwrap(), 4);
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
        assert_eq!(store.migration().unwrap(), 4);
        assert_eq!(count(&path), 4);
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
        // Back to a file written before anchors existed.
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(
                "DROP TABLE journal_heads; DROP TABLE journal_due; DROP TABLE journal_snapshots;
                 DELETE FROM journal_migrations WHERE version >= 2;",
            )
            .unwrap();
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.migration().unwrap(), 4);
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
                supported: 4,
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

    #[test]
    #[cfg_attr(
        not(grassroots_pg),
        ignore = "PostgreSQL not available: set GRASSROOTS_POSTGRES_URL or install PostgreSQL"
    )]
    fn connecting_runs_each_migration_once_and_refuses_a_newer_schema() {
        let Some(url) = crate::support::stores::postgres_url() else {
            return;
        };
        let schema = format!(
            "migrations_{}",
            crate::support::stores::tenant("m")
                .as_str()
                .replace('-', "_")
        );
        let mut admin = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        admin
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap();
        let url = in_schema(&url, &schema);

        let store = PostgresStore::connect(&url).unwrap();
        assert_eq!(store.migration().unwrap(), 4);
        drop(store);
        let store = PostgresStore::connect(&url).unwrap();
        assert_eq!(store.migration().unwrap(), 4);
        drop(store);
        let applied: i64 = admin
            .query_one(
                &format!("SELECT count(*) FROM {schema}.journal_migrations"),
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(applied, 4);

        admin
            .batch_execute(&format!(
                "INSERT INTO {schema}.journal_migrations (version, name) VALUES (99, 'future')"
            ))
            .unwrap();
        match PostgresStore::connect(&url) {
            Err(JournalError::SchemaTooNew {
                found: 99,
                supported: 4,
            }) => {}
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
        admin
            .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .unwrap();
    }
}
