//! [`LiveMetrics`](super::LiveMetrics) on the SQL read stores: each
//! case's [`CaseFacts`] as a row of `grassroots_case_facts`, one typed
//! column per fact (the columns are documented on `LiveMetrics`).

use std::str::FromStr;

use chrono::TimeDelta;

use super::ProjectionError;
use crate::escalation::{MatterReport, Outcome, Referral};
use crate::journal::{from_micros, to_micros};
use crate::metrics::{AgreementOutcome, CaseFacts, CaseType, Exclusion};
use crate::org::{Capability, Need};
use crate::tier::Tier;

const TABLE: &str = "grassroots_case_facts";

/// The columns after the key, in the order every statement here uses.
const FACT_COLUMNS: [&str; 28] = [
    "case_type",
    "need",
    "received_at",
    "body",
    "tier",
    "exclusion",
    "responded",
    "resolved",
    "resolved_on_time",
    "overdue",
    "within_ceiling",
    "mediated",
    "agreement",
    "ratings",
    "satisfied",
    "ladder_started_at",
    "ladder_outcome",
    "ladder_outcome_tier",
    "ladder_referral",
    "ladder_ceiling",
    "ladder_escalations",
    "ladder_overrides",
    "time_at_grid",
    "time_at_estate",
    "time_at_community",
    "time_at_subdistrict",
    "time_at_district",
    "time_at_municipal",
];

/// Where the time columns start.
const TIME_AT: usize = 22;

/// `SELECT <facts> FROM grassroots_case_facts WHERE tenant = <1>` and, with
/// `one`, `AND stream_type = <2> AND case_id = <3>`; `$n` placeholders for
/// PostgreSQL, `?n` for SQLite.
fn select(dollar: bool, one: bool) -> String {
    let p = |n: usize| {
        if dollar {
            format!("${n}")
        } else {
            format!("?{n}")
        }
    };
    let mut query = format!(
        "SELECT {} FROM {TABLE} WHERE tenant = {}",
        FACT_COLUMNS.join(", "),
        p(1)
    );
    if one {
        query.push_str(&format!(
            " AND stream_type = {} AND case_id = {}",
            p(2),
            p(3)
        ));
    }
    query
}

/// The insert of one row, replacing the case's row if it has one.
fn upsert(dollar: bool) -> String {
    let p = |n: usize| {
        if dollar {
            format!("${n}")
        } else {
            format!("?{n}")
        }
    };
    let columns = ["tenant", "stream_type", "case_id"]
        .iter()
        .chain(&FACT_COLUMNS)
        .copied()
        .collect::<Vec<_>>();
    let values = (1..=columns.len()).map(p).collect::<Vec<_>>();
    let updates = FACT_COLUMNS
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect::<Vec<_>>();
    format!(
        "INSERT INTO {TABLE} ({}) VALUES ({}) ON CONFLICT (tenant, stream_type, case_id) DO UPDATE SET {}",
        columns.join(", "),
        values.join(", "),
        updates.join(", ")
    )
}

/// One case's facts as SQL values, in [`FACT_COLUMNS`]' order.
struct FactsRow {
    case_type: String,
    need: String,
    received_at: i64,
    body: Option<String>,
    tier: Option<&'static str>,
    excluded: Option<&'static str>,
    responded: bool,
    resolved: bool,
    resolved_on_time: Option<bool>,
    overdue: bool,
    within_ceiling: Option<bool>,
    mediated: bool,
    agreement: Option<&'static str>,
    ratings: i64,
    satisfied: i64,
    ladder_started_at: Option<&'static str>,
    ladder_outcome: &'static str,
    ladder_outcome_tier: Option<&'static str>,
    ladder_referral: Option<&'static str>,
    ladder_ceiling: Option<&'static str>,
    ladder_escalations: i64,
    ladder_overrides: i64,
    time_at: [Option<i64>; 6],
}

impl FactsRow {
    fn of(facts: &CaseFacts) -> Self {
        let (outcome, outcome_tier, referral) = match facts.ladder.outcome {
            Outcome::Open => ("open", None, None),
            Outcome::Resolved(tier) => ("resolved", Some(tier.as_str()), None),
            Outcome::ReferredOut(tier, to) => {
                ("referred_out", Some(tier.as_str()), Some(referral_name(to)))
            }
        };
        let time_at = Tier::ALL.map(|tier| {
            facts
                .ladder
                .time_per_tier
                .get(&tier)
                .map(|d| d.num_microseconds().unwrap_or(i64::MAX))
        });
        FactsRow {
            case_type: facts.case_type.as_str().to_owned(),
            need: facts.need.to_string(),
            received_at: to_micros(facts.received_at),
            body: facts.body.as_ref().map(|b| b.as_str().to_owned()),
            tier: facts.tier.map(Tier::as_str),
            excluded: facts.excluded.map(|e| match e {
                Exclusion::Withdrawn => "withdrawn",
                Exclusion::Duplicate => "duplicate",
                Exclusion::Returned => "returned",
            }),
            responded: facts.responded,
            resolved: facts.resolved,
            resolved_on_time: facts.resolved_on_time,
            overdue: facts.overdue,
            within_ceiling: facts.within_ceiling,
            mediated: facts.mediated,
            agreement: facts.agreement.map(|a| match a {
                AgreementOutcome::Pending => "pending",
                AgreementOutcome::Fulfilled => "fulfilled",
                AgreementOutcome::Breached => "breached",
            }),
            ratings: i64::from(facts.ratings),
            satisfied: i64::from(facts.satisfied),
            ladder_started_at: facts.ladder.started_at.map(Tier::as_str),
            ladder_outcome: outcome,
            ladder_outcome_tier: outcome_tier,
            ladder_referral: referral,
            ladder_ceiling: facts.ladder.ceiling.map(Tier::as_str),
            ladder_escalations: i64::from(facts.ladder.escalations),
            ladder_overrides: i64::from(facts.ladder.overrides),
            time_at,
        }
    }
}

fn referral_name(to: Referral) -> &'static str {
    match to {
        Referral::Arbitration => "arbitration",
        Referral::Litigation => "litigation",
        Referral::Administrative => "administrative",
    }
}

/// A [`Need`] from its display text (`mediation(labour)`, `legal_aid`).
fn parse_need(text: &str) -> Option<Need> {
    let inner = |prefix: &str| {
        text.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(')'))
    };
    if let Some(kind) = inner("mediation(") {
        return kind.parse().ok().map(Capability::Mediation);
    }
    if let Some(category) = inner("service(") {
        return category.parse().ok().map(Capability::Service);
    }
    [
        Capability::LegalConsultation,
        Capability::LegalAid,
        Capability::Arbitration,
        Capability::JudicialConfirmation,
        Capability::Supervision,
        Capability::EarlyWarning,
        Capability::MediatorTraining,
    ]
    .into_iter()
    .find(|c| c.to_string() == text)
}

/// A stored row's columns, read by index in [`FACT_COLUMNS`]' order.
trait Columns {
    fn text(&self, i: usize) -> Result<Option<String>, ProjectionError>;
    fn int(&self, i: usize) -> Result<Option<i64>, ProjectionError>;
    fn flag(&self, i: usize) -> Result<Option<i64>, ProjectionError>;
}

fn corrupt(column: usize) -> ProjectionError {
    ProjectionError::Corrupt {
        table: TABLE,
        column: FACT_COLUMNS[column],
    }
}

/// Reads one row back into [`CaseFacts`]; a value no projection writes is
/// [`ProjectionError::Corrupt`].
fn facts_from(row: &impl Columns) -> Result<CaseFacts, ProjectionError> {
    let text =
        |i: usize| -> Result<String, ProjectionError> { row.text(i)?.ok_or_else(|| corrupt(i)) };
    let int = |i: usize| -> Result<i64, ProjectionError> { row.int(i)?.ok_or_else(|| corrupt(i)) };
    let flag = |i: usize| -> Result<Option<bool>, ProjectionError> {
        match row.flag(i)? {
            None => Ok(None),
            Some(0) => Ok(Some(false)),
            Some(1) => Ok(Some(true)),
            Some(_) => Err(corrupt(i)),
        }
    };
    let required =
        |i: usize| -> Result<bool, ProjectionError> { flag(i)?.ok_or_else(|| corrupt(i)) };
    let tier = |i: usize| -> Result<Option<Tier>, ProjectionError> {
        row.text(i)?
            .map(|t| Tier::from_str(&t).map_err(|_| corrupt(i)))
            .transpose()
    };
    let count = |i: usize| -> Result<u32, ProjectionError> {
        u32::try_from(int(i)?).map_err(|_| corrupt(i))
    };
    let case_type = CaseType::from_str(&text(0)?).map_err(|_| corrupt(0))?;
    let need = parse_need(&text(1)?).ok_or_else(|| corrupt(1))?;
    let received_at = from_micros(int(2)?).ok_or_else(|| corrupt(2))?;
    let mut facts = CaseFacts::received(case_type, need, received_at);
    facts.body = row
        .text(3)?
        .map(|b| b.parse().map_err(|_| corrupt(3)))
        .transpose()?;
    facts.tier = tier(4)?;
    facts.excluded = match row.text(5)?.as_deref() {
        None => None,
        Some("withdrawn") => Some(Exclusion::Withdrawn),
        Some("duplicate") => Some(Exclusion::Duplicate),
        Some("returned") => Some(Exclusion::Returned),
        Some(_) => return Err(corrupt(5)),
    };
    facts.responded = required(6)?;
    facts.resolved = required(7)?;
    facts.resolved_on_time = flag(8)?;
    facts.overdue = required(9)?;
    facts.within_ceiling = flag(10)?;
    facts.mediated = required(11)?;
    facts.agreement = match row.text(12)?.as_deref() {
        None => None,
        Some("pending") => Some(AgreementOutcome::Pending),
        Some("fulfilled") => Some(AgreementOutcome::Fulfilled),
        Some("breached") => Some(AgreementOutcome::Breached),
        Some(_) => return Err(corrupt(12)),
    };
    facts.ratings = count(13)?;
    facts.satisfied = count(14)?;
    let outcome_tier = || -> Result<Tier, ProjectionError> { tier(17)?.ok_or_else(|| corrupt(17)) };
    let outcome = match text(16)?.as_str() {
        "open" => Outcome::Open,
        "resolved" => Outcome::Resolved(outcome_tier()?),
        "referred_out" => {
            let to = match row.text(18)?.as_deref() {
                Some("arbitration") => Referral::Arbitration,
                Some("litigation") => Referral::Litigation,
                Some("administrative") => Referral::Administrative,
                _ => return Err(corrupt(18)),
            };
            Outcome::ReferredOut(outcome_tier()?, to)
        }
        _ => return Err(corrupt(16)),
    };
    let mut ladder = MatterReport::from_history::<crate::escalation::LadderEvent>([]);
    ladder.started_at = tier(15)?;
    ladder.outcome = outcome;
    ladder.ceiling = tier(19)?;
    ladder.escalations = count(20)?;
    ladder.overrides = count(21)?;
    for (n, at) in Tier::ALL.into_iter().enumerate() {
        if let Some(micros) = row.int(TIME_AT + n)? {
            ladder
                .time_per_tier
                .insert(at, TimeDelta::microseconds(micros));
        }
    }
    facts.ladder = ladder;
    Ok(facts)
}

#[cfg(feature = "sqlite")]
pub(crate) use self::on_sqlite::SQLITE_FACTS;

#[cfg(feature = "sqlite")]
mod on_sqlite {
    use std::sync::LazyLock;

    use rusqlite::{Connection, Row, Transaction, params};

    use super::{Columns, FactsRow, TABLE, facts_from, select, upsert};
    use crate::id::TenantId;
    use crate::journal::read::metrics::{Incoming, LiveMetrics, MetricsQueries};
    use crate::journal::read::{CaseKey, Projection, ProjectionError, SqliteReadStore};
    use crate::journal::{EventStore, FeedRow, StoredEvent};
    use crate::metrics::{CaseFacts, GovernanceMetrics};

    fn sql(e: rusqlite::Error) -> ProjectionError {
        ProjectionError::backend("sqlite", e)
    }

    /// The table of [`LiveMetrics`] on SQLite.
    pub(crate) const SQLITE_FACTS: &str = "CREATE TABLE IF NOT EXISTS grassroots_case_facts (
    tenant              TEXT    NOT NULL,
    stream_type         TEXT    NOT NULL,
    case_id             TEXT    NOT NULL,
    case_type           TEXT    NOT NULL,
    need                TEXT    NOT NULL,
    received_at         INTEGER NOT NULL,
    body                TEXT,
    tier                TEXT,
    exclusion           TEXT CHECK (exclusion IN ('withdrawn', 'duplicate', 'returned')),
    responded           INTEGER NOT NULL CHECK (responded IN (0, 1)),
    resolved            INTEGER NOT NULL CHECK (resolved IN (0, 1)),
    resolved_on_time    INTEGER CHECK (resolved_on_time IN (0, 1)),
    overdue             INTEGER NOT NULL CHECK (overdue IN (0, 1)),
    within_ceiling      INTEGER CHECK (within_ceiling IN (0, 1)),
    mediated            INTEGER NOT NULL CHECK (mediated IN (0, 1)),
    agreement           TEXT CHECK (agreement IN ('pending', 'fulfilled', 'breached')),
    ratings             INTEGER NOT NULL CHECK (ratings >= 0),
    satisfied           INTEGER NOT NULL CHECK (satisfied >= 0),
    ladder_started_at   TEXT,
    ladder_outcome      TEXT    NOT NULL CHECK (ladder_outcome IN ('open', 'resolved', 'referred_out')),
    ladder_outcome_tier TEXT,
    ladder_referral     TEXT,
    ladder_ceiling      TEXT,
    ladder_escalations  INTEGER NOT NULL CHECK (ladder_escalations >= 0),
    ladder_overrides    INTEGER NOT NULL CHECK (ladder_overrides >= 0),
    time_at_grid        INTEGER,
    time_at_estate      INTEGER,
    time_at_community   INTEGER,
    time_at_subdistrict INTEGER,
    time_at_district    INTEGER,
    time_at_municipal   INTEGER,
    PRIMARY KEY (tenant, stream_type, case_id)
) STRICT, WITHOUT ROWID;";

    static UPSERT: LazyLock<String> = LazyLock::new(|| upsert(false));
    static SELECT_ALL: LazyLock<String> = LazyLock::new(|| select(false, false));
    static SELECT_ONE: LazyLock<String> = LazyLock::new(|| select(false, true));

    impl Columns for Row<'_> {
        fn text(&self, i: usize) -> Result<Option<String>, ProjectionError> {
            self.get(i).map_err(sql)
        }
        fn int(&self, i: usize) -> Result<Option<i64>, ProjectionError> {
            self.get(i).map_err(sql)
        }
        fn flag(&self, i: usize) -> Result<Option<i64>, ProjectionError> {
            self.get(i).map_err(sql)
        }
    }

    fn put(
        tx: &Transaction<'_>,
        tenant: &TenantId,
        key: &CaseKey,
        facts: &CaseFacts,
    ) -> Result<(), ProjectionError> {
        let r = FactsRow::of(facts);
        let [g, e, c, s, d, m] = r.time_at;
        tx.prepare_cached(&UPSERT)
            .map_err(sql)?
            .execute(params![
                tenant.as_str(),
                key.stream_type.as_str(),
                key.id.as_str(),
                r.case_type,
                r.need,
                r.received_at,
                r.body,
                r.tier,
                r.excluded,
                r.responded,
                r.resolved,
                r.resolved_on_time,
                r.overdue,
                r.within_ceiling,
                r.mediated,
                r.agreement,
                r.ratings,
                r.satisfied,
                r.ladder_started_at,
                r.ladder_outcome,
                r.ladder_outcome_tier,
                r.ladder_referral,
                r.ladder_ceiling,
                r.ladder_escalations,
                r.ladder_overrides,
                g,
                e,
                c,
                s,
                d,
                m,
            ])
            .map_err(sql)?;
        Ok(())
    }

    fn check(conn: &Connection, tenant: &TenantId) -> Result<(), ProjectionError> {
        SqliteReadStore::check_schema(conn, LiveMetrics::NAME, tenant, LiveMetrics::SCHEMA_VERSION)
    }

    impl Projection<SqliteReadStore> for LiveMetrics {
        fn name(&self) -> &str {
            Self::NAME
        }

        fn schema_version(&self) -> u32 {
            Self::SCHEMA_VERSION
        }

        fn reads_rows(&self) -> bool {
            true
        }

        fn setup(&mut self, tx: &mut Transaction<'_>) -> Result<(), ProjectionError> {
            self.follow_something()?;
            tx.execute_batch(SQLITE_FACTS).map_err(sql)
        }

        fn apply(
            &mut self,
            _: &mut Transaction<'_>,
            event: &StoredEvent,
            source: &dyn EventStore,
        ) -> Result<(), ProjectionError> {
            self.gather(Incoming::Stored(event), source)
        }

        fn apply_row(
            &mut self,
            _: &mut Transaction<'_>,
            row: &FeedRow,
            source: &dyn EventStore,
        ) -> Result<(), ProjectionError> {
            self.gather(Incoming::Row(row), source)
        }

        fn flush(&mut self, tx: &mut Transaction<'_>) -> Result<(), ProjectionError> {
            for (stream, facts) in self.take_pending() {
                let key = CaseKey {
                    stream_type: stream.stream_type,
                    id: stream.id,
                };
                match facts {
                    Some(facts) => put(tx, &stream.tenant, &key, &facts)?,
                    None => {
                        tx.prepare_cached(&format!(
                            "DELETE FROM {TABLE} WHERE tenant = ?1 AND stream_type = ?2 AND case_id = ?3"
                        ))
                        .map_err(sql)?
                        .execute(params![
                            stream.tenant.as_str(),
                            key.stream_type.as_str(),
                            key.id.as_str()
                        ])
                        .map_err(sql)?;
                    }
                }
            }
            Ok(())
        }

        fn discard(&mut self) {
            self.forget_pending();
        }

        fn clear(
            &mut self,
            tx: &mut Transaction<'_>,
            tenant: &TenantId,
        ) -> Result<(), ProjectionError> {
            self.forget_pending();
            tx.execute(
                &format!("DELETE FROM {TABLE} WHERE tenant = ?1"),
                params![tenant.as_str()],
            )
            .map_err(sql)?;
            Ok(())
        }
    }

    impl MetricsQueries for SqliteReadStore {
        fn case_facts(
            &self,
            tenant: &TenantId,
            key: &CaseKey,
        ) -> Result<Option<CaseFacts>, ProjectionError> {
            let conn = self.lock();
            check(&conn, tenant)?;
            let mut stmt = conn.prepare_cached(&SELECT_ONE).map_err(sql)?;
            let mut rows = stmt
                .query(params![
                    tenant.as_str(),
                    key.stream_type.as_str(),
                    key.id.as_str()
                ])
                .map_err(sql)?;
            rows.next().map_err(sql)?.map(facts_from).transpose()
        }

        fn governance_metrics(
            &self,
            tenant: &TenantId,
        ) -> Result<GovernanceMetrics, ProjectionError> {
            let conn = self.lock();
            check(&conn, tenant)?;
            let mut stmt = conn.prepare_cached(&SELECT_ALL).map_err(sql)?;
            let mut rows = stmt.query(params![tenant.as_str()]).map_err(sql)?;
            let mut metrics = GovernanceMetrics::new();
            while let Some(row) = rows.next().map_err(sql)? {
                metrics.observe(&facts_from(row)?);
            }
            Ok(metrics)
        }
    }
}

#[cfg(feature = "postgres")]
pub(crate) use self::on_postgres::POSTGRES_FACTS;

#[cfg(feature = "postgres")]
mod on_postgres {
    use std::sync::LazyLock;

    use postgres::{Row, Transaction};

    use super::{Columns, FactsRow, TABLE, facts_from, select, upsert};
    use crate::id::TenantId;
    use crate::journal::read::metrics::{Incoming, LiveMetrics, MetricsQueries};
    use crate::journal::read::{CaseKey, PostgresReadStore, Projection, ProjectionError};
    use crate::journal::{EventStore, FeedRow, StoredEvent};
    use crate::metrics::{CaseFacts, GovernanceMetrics};

    fn pg(e: postgres::Error) -> ProjectionError {
        ProjectionError::backend("postgres", e)
    }

    /// The table of [`LiveMetrics`] on PostgreSQL: the SQLite columns,
    /// with flags as `int` and times, durations and counts as `bigint`.
    pub(crate) const POSTGRES_FACTS: &str = "CREATE TABLE IF NOT EXISTS grassroots_case_facts (
    tenant              text   NOT NULL,
    stream_type         text   NOT NULL,
    case_id             text   NOT NULL,
    case_type           text   NOT NULL,
    need                text   NOT NULL,
    received_at         bigint NOT NULL,
    body                text,
    tier                text,
    exclusion           text CHECK (exclusion IN ('withdrawn', 'duplicate', 'returned')),
    responded           int    NOT NULL CHECK (responded IN (0, 1)),
    resolved            int    NOT NULL CHECK (resolved IN (0, 1)),
    resolved_on_time    int CHECK (resolved_on_time IN (0, 1)),
    overdue             int    NOT NULL CHECK (overdue IN (0, 1)),
    within_ceiling      int CHECK (within_ceiling IN (0, 1)),
    mediated            int    NOT NULL CHECK (mediated IN (0, 1)),
    agreement           text CHECK (agreement IN ('pending', 'fulfilled', 'breached')),
    ratings             bigint NOT NULL CHECK (ratings >= 0),
    satisfied           bigint NOT NULL CHECK (satisfied >= 0),
    ladder_started_at   text,
    ladder_outcome      text   NOT NULL CHECK (ladder_outcome IN ('open', 'resolved', 'referred_out')),
    ladder_outcome_tier text,
    ladder_referral     text,
    ladder_ceiling      text,
    ladder_escalations  bigint NOT NULL CHECK (ladder_escalations >= 0),
    ladder_overrides    bigint NOT NULL CHECK (ladder_overrides >= 0),
    time_at_grid        bigint,
    time_at_estate      bigint,
    time_at_community   bigint,
    time_at_subdistrict bigint,
    time_at_district    bigint,
    time_at_municipal   bigint,
    PRIMARY KEY (tenant, stream_type, case_id)
);";

    static UPSERT: LazyLock<String> = LazyLock::new(|| upsert(true));
    static SELECT_ALL: LazyLock<String> = LazyLock::new(|| select(true, false));
    static SELECT_ONE: LazyLock<String> = LazyLock::new(|| select(true, true));

    impl Columns for Row {
        fn text(&self, i: usize) -> Result<Option<String>, ProjectionError> {
            self.try_get(i).map_err(pg)
        }
        fn int(&self, i: usize) -> Result<Option<i64>, ProjectionError> {
            self.try_get(i).map_err(pg)
        }
        fn flag(&self, i: usize) -> Result<Option<i64>, ProjectionError> {
            let flag: Option<i32> = self.try_get(i).map_err(pg)?;
            Ok(flag.map(i64::from))
        }
    }

    fn flag(b: bool) -> i32 {
        i32::from(b)
    }

    fn put(
        tx: &mut Transaction<'_>,
        tenant: &TenantId,
        key: &CaseKey,
        facts: &CaseFacts,
    ) -> Result<(), ProjectionError> {
        let r = FactsRow::of(facts);
        let [g, e, c, s, d, m] = r.time_at;
        tx.execute(
            UPSERT.as_str(),
            &[
                &tenant.as_str(),
                &key.stream_type.as_str(),
                &key.id.as_str(),
                &r.case_type,
                &r.need,
                &r.received_at,
                &r.body,
                &r.tier,
                &r.excluded,
                &flag(r.responded),
                &flag(r.resolved),
                &r.resolved_on_time.map(flag),
                &flag(r.overdue),
                &r.within_ceiling.map(flag),
                &flag(r.mediated),
                &r.agreement,
                &r.ratings,
                &r.satisfied,
                &r.ladder_started_at,
                &r.ladder_outcome,
                &r.ladder_outcome_tier,
                &r.ladder_referral,
                &r.ladder_ceiling,
                &r.ladder_escalations,
                &r.ladder_overrides,
                &g,
                &e,
                &c,
                &s,
                &d,
                &m,
            ],
        )
        .map_err(pg)?;
        Ok(())
    }

    impl Projection<PostgresReadStore> for LiveMetrics {
        fn name(&self) -> &str {
            Self::NAME
        }

        fn schema_version(&self) -> u32 {
            Self::SCHEMA_VERSION
        }

        fn reads_rows(&self) -> bool {
            true
        }

        fn setup(&mut self, tx: &mut Transaction<'_>) -> Result<(), ProjectionError> {
            self.follow_something()?;
            crate::journal::read::postgres::create(tx, &[POSTGRES_FACTS])
        }

        fn apply(
            &mut self,
            _: &mut Transaction<'_>,
            event: &StoredEvent,
            source: &dyn EventStore,
        ) -> Result<(), ProjectionError> {
            self.gather(Incoming::Stored(event), source)
        }

        fn apply_row(
            &mut self,
            _: &mut Transaction<'_>,
            row: &FeedRow,
            source: &dyn EventStore,
        ) -> Result<(), ProjectionError> {
            self.gather(Incoming::Row(row), source)
        }

        fn flush(&mut self, tx: &mut Transaction<'_>) -> Result<(), ProjectionError> {
            for (stream, facts) in self.take_pending() {
                let key = CaseKey {
                    stream_type: stream.stream_type,
                    id: stream.id,
                };
                match facts {
                    Some(facts) => put(tx, &stream.tenant, &key, &facts)?,
                    None => {
                        tx.execute(
                            &format!(
                                "DELETE FROM {TABLE} WHERE tenant = $1 AND stream_type = $2 AND case_id = $3"
                            ),
                            &[
                                &stream.tenant.as_str(),
                                &key.stream_type.as_str(),
                                &key.id.as_str(),
                            ],
                        )
                        .map_err(pg)?;
                    }
                }
            }
            Ok(())
        }

        fn discard(&mut self) {
            self.forget_pending();
        }

        fn clear(
            &mut self,
            tx: &mut Transaction<'_>,
            tenant: &TenantId,
        ) -> Result<(), ProjectionError> {
            self.forget_pending();
            tx.execute(
                &format!("DELETE FROM {TABLE} WHERE tenant = $1"),
                &[&tenant.as_str()],
            )
            .map_err(pg)?;
            Ok(())
        }
    }

    impl MetricsQueries for PostgresReadStore {
        fn case_facts(
            &self,
            tenant: &TenantId,
            key: &CaseKey,
        ) -> Result<Option<CaseFacts>, ProjectionError> {
            let mut client = self.lock();
            PostgresReadStore::check_schema(
                &mut client,
                LiveMetrics::NAME,
                tenant,
                LiveMetrics::SCHEMA_VERSION,
            )?;
            let rows = client
                .query(
                    SELECT_ONE.as_str(),
                    &[
                        &tenant.as_str(),
                        &key.stream_type.as_str(),
                        &key.id.as_str(),
                    ],
                )
                .map_err(pg)?;
            rows.first().map(facts_from).transpose()
        }

        fn governance_metrics(
            &self,
            tenant: &TenantId,
        ) -> Result<GovernanceMetrics, ProjectionError> {
            let mut client = self.lock();
            PostgresReadStore::check_schema(
                &mut client,
                LiveMetrics::NAME,
                tenant,
                LiveMetrics::SCHEMA_VERSION,
            )?;
            let mut metrics = GovernanceMetrics::new();
            let rows = client
                .query(SELECT_ALL.as_str(), &[&tenant.as_str()])
                .map_err(pg)?;
            for row in &rows {
                metrics.observe(&facts_from(row)?);
            }
            Ok(metrics)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matter::{DisputeKind, ServiceCategory};

    #[test]
    fn every_need_reads_back_from_its_text() {
        let needs = [
            Capability::Mediation(DisputeKind::Labour),
            Capability::Mediation(DisputeKind::Custom(crate::vocabulary::Name::from_static(
                "tenancy",
            ))),
            Capability::Service(ServiceCategory::from_static("renovation_filing")),
            Capability::LegalConsultation,
            Capability::LegalAid,
            Capability::Arbitration,
            Capability::JudicialConfirmation,
            Capability::Supervision,
            Capability::EarlyWarning,
            Capability::MediatorTraining,
        ];
        for need in needs {
            assert_eq!(parse_need(&need.to_string()), Some(need), "{need}");
        }
        assert_eq!(parse_need("mediation(Labour)"), None);
        assert_eq!(parse_need("nothing"), None);
    }

    #[test]
    fn the_statements_name_every_column_once() {
        let upsert = upsert(true);
        assert!(upsert.contains("$31)"), "{upsert}");
        assert!(!upsert.contains("$32"), "{upsert}");
        for column in FACT_COLUMNS {
            assert!(upsert.contains(&format!("{column} = excluded.{column}")));
        }
        assert_eq!(
            Tier::ALL
                .map(|t| format!("time_at_{}", t.as_str()))
                .as_slice(),
            &FACT_COLUMNS[TIME_AT..]
        );
    }
}
