import Foundation
import Logging
import PostgresNIO

/// The server's PostgreSQL schema: the same tables and columns as `ServerSchema` (SQLite), under the same migration
/// names, recorded in `schema_migrations(identifier)` as GRDB records SQLite's in `grdb_migrations`.
///
/// Differences that PostgreSQL needs:
/// - Change sequence numbers are per clinic (`clinic_counters`), taken in the writing transaction, so a clinic's seqs
///   become visible in commit order (SQLite gets that from its single writer).
/// - Text that may hold U+0000 (message bodies, patients' names, previews) is BYTEA: PostgreSQL's TEXT cannot
///   carry U+0000, and SQLite's adapter keeps such text whole.
/// - Deliveries and media fetches carry a lease (`claimed_by`, `claimed_until`) so that several instances never work
///   on the same row at once.
/// - Administrative changes (agents, templates, erasures) move a global stamp, since per-clinic seqs cannot say
///   "something changed anywhere" with one number.
enum PostgresSchema {
    struct Migration {
        var identifier: String
        var statements: [String]
    }

    /// Applies what is missing, each migration in its own transaction under a transaction-scoped advisory lock, so
    /// instances starting at once apply each migration exactly once (the second waits, then sees it recorded).
    static func migrate(_ url: PostgresURL, logger: Logger) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: url.connectionConfiguration(applicationName: "inbox-migrations"), id: 0, logger: logger)
        do {
            try await migrate(connection, logger: logger)
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        try await locked(connection, logger: logger) {
            try await connection.query("CREATE TABLE IF NOT EXISTS schema_migrations (identifier TEXT PRIMARY KEY)",
                                       logger: logger)
        }
        for migration in migrations {
            try await locked(connection, logger: logger) {
                let done = try await connection.query("""
                    SELECT 1 FROM schema_migrations WHERE identifier = \(migration.identifier)
                    """, logger: logger).collect()
                guard done.isEmpty else { return }
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (identifier) VALUES (\(migration.identifier))",
                                           logger: logger)
            }
        }
    }

    /// One transaction holding the migration lock.
    private static func locked(_ connection: PostgresConnection, logger: Logger, _ body: () async throws -> Void) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await body()
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Even `CREATE TABLE IF NOT EXISTS` races between two first starts, so it too runs under the lock. The key is
    /// arbitrary but fixed ("inbox" in ASCII).
    static let lockKey: Int64 = 0x696E626F78

    static func randomSecret() -> String {
        (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    static var migrations: [Migration] {
        [
            Migration(identifier: "v1", statements: [
                "CREATE TABLE server_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                """
                CREATE TABLE clinics (
                    id BIGSERIAL PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    created_at BIGINT NOT NULL,
                    admin_stamp BIGINT NOT NULL DEFAULT 0   -- moves with the clinic's agents, templates, erasures
                )
                """,
                // The newest seq of each clinic's change log; its row lock orders the clinic's writers.
                "CREATE TABLE clinic_counters (clinic_id BIGINT PRIMARY KEY REFERENCES clinics(id), seq BIGINT NOT NULL)",
                // One row: the stamp `administrativeChanges` reports, moved under its row lock (commit order).
                "CREATE TABLE admin_counter (id INT PRIMARY KEY CHECK (id = 1), stamp BIGINT NOT NULL)",
                "INSERT INTO admin_counter (id, stamp) VALUES (1, 0)",
                """
                CREATE TABLE numbers (
                    number TEXT PRIMARY KEY,
                    clinic_id BIGINT NOT NULL REFERENCES clinics(id),
                    provider TEXT NOT NULL,
                    provider_ref TEXT,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX numbers_by_ref ON numbers(provider, provider_ref)",
                """
                CREATE TABLE agents (
                    id BIGSERIAL PRIMARY KEY,
                    clinic_id BIGINT NOT NULL REFERENCES clinics(id),
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    created_at BIGINT NOT NULL,
                    UNIQUE (clinic_id, name)
                )
                """,
                """
                CREATE TABLE patients (
                    id BIGSERIAL PRIMARY KEY,
                    clinic_id BIGINT NOT NULL REFERENCES clinics(id),
                    channel_identity TEXT NOT NULL,
                    display_name BYTEA NOT NULL,
                    phone TEXT NOT NULL,
                    language TEXT,
                    is_lead BOOLEAN NOT NULL,
                    external_record_id TEXT,
                    tags TEXT NOT NULL,
                    notes TEXT NOT NULL,
                    opted_out BOOLEAN NOT NULL,
                    updated_at BIGINT NOT NULL,
                    UNIQUE (clinic_id, channel_identity)
                )
                """,
                """
                CREATE TABLE conversations (
                    id BIGSERIAL PRIMARY KEY,
                    clinic_id BIGINT NOT NULL REFERENCES clinics(id),
                    patient_id BIGINT NOT NULL REFERENCES patients(id),
                    clinic_number TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    status TEXT NOT NULL,
                    assigned_agent_id BIGINT,
                    handoff_reason TEXT,
                    handoff_summary TEXT,
                    waiting_since BIGINT,
                    last_inbound_at BIGINT,
                    last_message_at BIGINT NOT NULL,
                    last_message_preview BYTEA NOT NULL,
                    version BIGINT NOT NULL,
                    created_at BIGINT NOT NULL,
                    bot_memory TEXT
                )
                """,
                """
                CREATE UNIQUE INDEX conversations_one_open ON conversations(patient_id, clinic_number)
                    WHERE status <> 'closed'
                """,
                """
                CREATE TABLE messages (
                    id BIGSERIAL PRIMARY KEY,
                    clinic_id BIGINT NOT NULL,
                    conversation_id BIGINT NOT NULL REFERENCES conversations(id),
                    direction TEXT NOT NULL,
                    author TEXT NOT NULL,
                    agent_id BIGINT,
                    body BYTEA NOT NULL,
                    media TEXT,
                    provider_message_id TEXT,
                    client_key TEXT,
                    status TEXT NOT NULL,
                    error TEXT,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX messages_by_conversation ON messages(conversation_id, id)",
                """
                CREATE UNIQUE INDEX messages_by_provider_id ON messages(provider_message_id)
                    WHERE provider_message_id IS NOT NULL
                """,
                """
                CREATE TABLE read_horizons (
                    id BIGSERIAL PRIMARY KEY,
                    clinic_id BIGINT NOT NULL,
                    agent_id BIGINT NOT NULL,
                    conversation_id BIGINT NOT NULL,
                    message_id BIGINT NOT NULL,
                    UNIQUE (agent_id, conversation_id)
                )
                """,
                """
                CREATE TABLE channels (
                    id BIGSERIAL PRIMARY KEY,
                    clinic_id BIGINT NOT NULL,
                    clinic_number TEXT NOT NULL UNIQUE,
                    provider TEXT NOT NULL,
                    state TEXT NOT NULL,
                    detail TEXT,
                    updated_at BIGINT NOT NULL
                )
                """,
                // The change log: one row per entity, moved to the clinic's next seq each time the entity changes.
                """
                CREATE TABLE changes (
                    clinic_id BIGINT NOT NULL,
                    seq BIGINT NOT NULL,
                    kind TEXT NOT NULL,
                    entity_id BIGINT NOT NULL,
                    PRIMARY KEY (clinic_id, seq),
                    UNIQUE (clinic_id, kind, entity_id)
                )
                """,
                "CREATE INDEX changes_by_entity ON changes(kind, entity_id)",
                """
                CREATE TABLE idempotency (
                    agent_id BIGINT NOT NULL,
                    key TEXT NOT NULL,
                    request_hash TEXT NOT NULL,
                    status INT NOT NULL,
                    response BYTEA NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (agent_id, key)
                )
                """,
                """
                CREATE TABLE deliveries (
                    message_id BIGINT PRIMARY KEY REFERENCES messages(id),
                    clinic_id BIGINT NOT NULL,
                    attempts INT NOT NULL DEFAULT 0,
                    next_attempt_at BIGINT NOT NULL,
                    last_error TEXT,
                    claimed_by TEXT,                   -- the instance sending it now
                    claimed_until BIGINT               -- its lease: after this, another instance may send it
                )
                """,
                "CREATE INDEX deliveries_due ON deliveries(next_attempt_at)",
                """
                CREATE TABLE early_statuses (
                    id BIGSERIAL PRIMARY KEY,          -- arrival order (SQLite's rowid)
                    provider_message_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    error TEXT,
                    received_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX early_statuses_by_id ON early_statuses(provider_message_id)",
                "INSERT INTO server_meta (key, value) VALUES ('epoch', '\(String(UInt64.random(in: 1...UInt64(1) << 53), radix: 36))')",
            ]),
            Migration(identifier: "v2: clinic AI hook", statements: [
                "ALTER TABLE clinics ADD COLUMN ai_hook_url TEXT",
            ]),
            Migration(identifier: "v3: dead letters", statements: [
                """
                CREATE TABLE dead_letters (
                    message_id BIGINT PRIMARY KEY REFERENCES messages(id),
                    clinic_id BIGINT NOT NULL,
                    reason TEXT NOT NULL,
                    failed_at BIGINT NOT NULL
                )
                """,
            ]),
            Migration(identifier: "v4: templates", statements: [
                """
                CREATE TABLE templates (
                    id BIGSERIAL PRIMARY KEY,
                    clinic_id BIGINT NOT NULL REFERENCES clinics(id),
                    name TEXT NOT NULL,
                    language TEXT NOT NULL,
                    category TEXT NOT NULL,
                    body TEXT NOT NULL,
                    twilio_content_sid TEXT,
                    updated_at BIGINT NOT NULL,
                    UNIQUE (clinic_id, name, language)
                )
                """,
                "ALTER TABLE messages ADD COLUMN template TEXT",
            ]),
            Migration(identifier: "v5: media", statements: [
                """
                CREATE TABLE media (
                    message_id BIGINT PRIMARY KEY REFERENCES messages(id),
                    clinic_id BIGINT NOT NULL,
                    provider TEXT NOT NULL,
                    source TEXT,
                    state TEXT NOT NULL,
                    sha256 TEXT,
                    mime_type TEXT,
                    size BIGINT,
                    attempts INT NOT NULL DEFAULT 0,
                    next_attempt_at BIGINT NOT NULL,
                    error TEXT,
                    claimed_by TEXT,
                    claimed_until BIGINT
                )
                """,
                "CREATE INDEX media_due ON media(next_attempt_at) WHERE state = 'pending'",
                "CREATE INDEX media_by_sha256 ON media(sha256)",
                """
                CREATE TABLE uploads (
                    clinic_id BIGINT NOT NULL,
                    sha256 TEXT NOT NULL,
                    mime_type TEXT NOT NULL,
                    size BIGINT NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (clinic_id, sha256)
                )
                """,
                "INSERT INTO server_meta (key, value) VALUES ('media_link_secret', '\(randomSecret())')",
            ]),
            Migration(identifier: "data correctness: scoped early statuses, provider time", statements: [
                "ALTER TABLE early_statuses ADD COLUMN provider TEXT",
                "ALTER TABLE early_statuses ADD COLUMN clinic_number TEXT",
                "CREATE INDEX early_statuses_by_provider ON early_statuses(provider, id)",
                "ALTER TABLE messages ADD COLUMN provider_time BIGINT",
            ]),
            Migration(identifier: "agents revocable; retention; erasure tombstones", statements: [
                "ALTER TABLE agents ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE",
                "ALTER TABLE agents ADD COLUMN revoked_at BIGINT",
                "CREATE INDEX idempotency_by_age ON idempotency(created_at)",
                """
                CREATE TABLE erasures (
                    id BIGSERIAL PRIMARY KEY,
                    clinic_id BIGINT NOT NULL,
                    patient_id BIGINT NOT NULL,
                    conversation_ids TEXT NOT NULL,
                    erased_at BIGINT NOT NULL
                )
                """,
            ]),
            Migration(identifier: "marketing throttle", statements: [
                "ALTER TABLE clinics ADD COLUMN marketing_per_day BIGINT",
                "ALTER TABLE clinics ADD COLUMN marketing_per_30_days BIGINT",
                """
                CREATE TABLE marketing_sends (
                    message_id BIGINT PRIMARY KEY,
                    clinic_id BIGINT NOT NULL,
                    patient_id BIGINT NOT NULL,
                    sent_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX marketing_sends_by_patient ON marketing_sends(patient_id, sent_at)",
            ]),
            Migration(identifier: "per-number bots, interactive messages", statements: [
                "ALTER TABLE numbers ADD COLUMN label TEXT",
                "ALTER TABLE numbers ADD COLUMN bot_greeting TEXT",
                "ALTER TABLE numbers ADD COLUMN bot_menu TEXT",
                "ALTER TABLE numbers ADD COLUMN ai_hook_url TEXT",
                "ALTER TABLE numbers ADD COLUMN handoff_words TEXT",
                "ALTER TABLE messages ADD COLUMN reply_id TEXT",
                "ALTER TABLE messages ADD COLUMN interactive TEXT",
                "ALTER TABLE channels ADD COLUMN label TEXT",
            ]),
            Migration(identifier: "appointments", statements: [
                """
                CREATE TABLE appointments (
                    id BIGSERIAL PRIMARY KEY,
                    clinic_id BIGINT NOT NULL REFERENCES clinics(id),
                    patient_id BIGINT NOT NULL,
                    clinic_number TEXT NOT NULL,
                    starts_at BIGINT NOT NULL,
                    utc_offset BIGINT NOT NULL,
                    doctor TEXT NOT NULL,
                    template TEXT NOT NULL,
                    language TEXT NOT NULL,
                    status TEXT NOT NULL,
                    reminder_message_id BIGINT,
                    reminder_conversation_id BIGINT,
                    reminder_error TEXT,
                    external_id TEXT,
                    source_key TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    UNIQUE (clinic_id, source_key)
                )
                """,
                "CREATE INDEX appointments_due ON appointments(starts_at) WHERE status = 'scheduled' AND reminder_error IS NULL",
                "CREATE INDEX appointments_by_patient ON appointments(patient_id, starts_at)",
            ]),
            // Presence is not data: UNLOGGED (not in the WAL, not replicated, emptied by a crash — clients report
            // again within a heartbeat), one row per agent, nothing about patients but a conversation id.
            Migration(identifier: "presence: unlogged per-agent reports", statements: [
                """
                CREATE UNLOGGED TABLE presence (
                    agent_id BIGINT PRIMARY KEY,
                    clinic_id BIGINT NOT NULL,
                    state TEXT NOT NULL,
                    conversation_id BIGINT,
                    typing BOOLEAN NOT NULL,
                    expires_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX presence_by_clinic ON presence(clinic_id)",
                "CREATE INDEX presence_by_expiry ON presence(expires_at)",
            ]),
            Migration(identifier: "issue 10: canned replies", statements: [
                """
                CREATE TABLE canned_replies (
                    id BIGSERIAL PRIMARY KEY,
                    clinic_id BIGINT NOT NULL REFERENCES clinics(id),
                    shortcode TEXT NOT NULL,
                    body TEXT NOT NULL,
                    removed BOOLEAN NOT NULL DEFAULT FALSE,
                    updated_at BIGINT NOT NULL,
                    UNIQUE (clinic_id, shortcode)
                )
                """,
            ]),
            Migration(identifier: "issue 10: snooze and versioned patient profiles", statements: [
                "ALTER TABLE conversations ADD COLUMN snoozed_until BIGINT",
                "CREATE INDEX conversations_snoozed ON conversations(snoozed_until) WHERE snoozed_until IS NOT NULL",
                "ALTER TABLE patients ADD COLUMN version BIGINT NOT NULL DEFAULT 1",
            ]),
        ]
    }
}
