import GRDB

/// The mirror's tables (documented for clinics in docs/mirror.md). Plain SQLite: `sqlite3 mirror.sqlite` works.
///
/// Synced tables hold the server's rows verbatim (no foreign keys: a batch may carry a message before the
/// conversation row whose later change moved it to a later batch). Local tables (`outbox`, `drafts`,
/// `sync_state`) are the client's own and survive a cursor reset.
enum MirrorSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE agents (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL
                );
                CREATE TABLE patients (
                    id INTEGER PRIMARY KEY,
                    channel_identity TEXT NOT NULL,
                    display_name TEXT NOT NULL,
                    phone TEXT NOT NULL,
                    language TEXT,
                    is_lead INTEGER NOT NULL,
                    external_record_id TEXT,
                    tags TEXT NOT NULL,              -- JSON array of strings
                    notes TEXT NOT NULL,
                    opted_out INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE TABLE conversations (
                    id INTEGER PRIMARY KEY,
                    patient_id INTEGER NOT NULL,
                    clinic_number TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    status TEXT NOT NULL,            -- bot | waiting | assigned | closed
                    assigned_agent_id INTEGER,
                    handoff_reason TEXT,
                    handoff_summary TEXT,
                    waiting_since INTEGER,
                    last_inbound_at INTEGER,
                    last_message_at INTEGER NOT NULL,
                    last_message_preview TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX conversations_by_status ON conversations(status, waiting_since, last_message_at);
                CREATE TABLE messages (
                    id INTEGER PRIMARY KEY,
                    conversation_id INTEGER NOT NULL,
                    direction TEXT NOT NULL,         -- inbound | outbound
                    author TEXT NOT NULL,            -- patient | bot | agent | system
                    agent_id INTEGER,
                    body TEXT NOT NULL,
                    media TEXT,                      -- JSON: {kind, fileName, mimeType, size, url}
                    provider_message_id TEXT,
                    client_key TEXT,
                    status TEXT NOT NULL,            -- pending | sent | delivered | read | failed
                    error TEXT,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
                -- Covers the queue's unread counts (inbound messages after the agent's horizon) without row lookups.
                CREATE INDEX messages_inbound ON messages(conversation_id, id) WHERE direction = 'inbound';
                CREATE TABLE read_horizons (
                    conversation_id INTEGER PRIMARY KEY,
                    message_id INTEGER NOT NULL
                );
                CREATE TABLE channels (
                    clinic_number TEXT PRIMARY KEY,
                    provider TEXT NOT NULL,
                    state TEXT NOT NULL,
                    detail TEXT,
                    updated_at INTEGER NOT NULL
                );
                -- Full-text search over message bodies, kept in step by triggers.
                CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='id');
                CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
                    INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
                END;
                CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
                    INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
                END;
                CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
                    INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
                    INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
                END;

                -- Local state: never touched by a cursor reset.
                CREATE TABLE sync_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    server TEXT NOT NULL,
                    agent_id INTEGER,
                    clinic TEXT,
                    cursor TEXT,
                    last_sync_at INTEGER
                );
                CREATE TABLE outbox (
                    key TEXT PRIMARY KEY,            -- the command's Idempotency-Key, reused on every retry
                    conversation_id INTEGER NOT NULL,
                    action TEXT NOT NULL,            -- reply | takeover | handback | close | transfer | read
                    request TEXT NOT NULL,           -- JSON request body
                    state TEXT NOT NULL,             -- pending | failed (refused; kept until retried or discarded)
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX outbox_pending ON outbox(state, created_at);
                CREATE TABLE drafts (
                    conversation_id INTEGER PRIMARY KEY,
                    body TEXT NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2: templates") { db in
            try db.execute(sql: """
                CREATE TABLE templates (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    language TEXT NOT NULL,
                    category TEXT NOT NULL,          -- utility | marketing | authentication
                    body TEXT NOT NULL,              -- with {{1}}…{{n}} parameters
                    updated_at INTEGER NOT NULL
                );
                """)
            // Rows synced before templates existed carry none: start over so the server sends them.
            try db.execute(sql: "UPDATE sync_state SET cursor = NULL")
        }
        migrator.registerMigration("v3: revoked agents") { db in
            // Revoked agents stay (history names them) but are no longer offered as transfer targets.
            try db.execute(sql: "ALTER TABLE agents ADD COLUMN active INTEGER NOT NULL DEFAULT 1")
        }
        migrator.registerMigration("v4: outbox and drafts belong to an agent on a server") { db in
            // Each queued command is sent only with the credentials of the agent who queued it: another agent
            // signing in on the same terminal holds it (neither sends nor drops it). Rows queued before this
            // migration belong to the binding they were queued under.
            try db.execute(sql: """
                ALTER TABLE outbox ADD COLUMN server TEXT;
                ALTER TABLE outbox ADD COLUMN agent_id INTEGER;
                ALTER TABLE outbox ADD COLUMN agent_name TEXT;
                UPDATE outbox SET server = (SELECT server FROM sync_state WHERE id = 1),
                    agent_id = (SELECT agent_id FROM sync_state WHERE id = 1),
                    agent_name = (SELECT a.name FROM agents a JOIN sync_state s ON s.agent_id = a.id WHERE s.id = 1);
                CREATE INDEX outbox_by_owner ON outbox(server, agent_id, state, created_at);
                CREATE TABLE owned_drafts (
                    server TEXT NOT NULL,
                    agent_id INTEGER NOT NULL,
                    conversation_id INTEGER NOT NULL,
                    body TEXT NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (server, agent_id, conversation_id)
                );
                INSERT INTO owned_drafts SELECT s.server, s.agent_id, d.conversation_id, d.body, d.updated_at
                    FROM drafts d JOIN sync_state s ON s.id = 1 WHERE s.agent_id IS NOT NULL;
                DROP TABLE drafts;
                ALTER TABLE owned_drafts RENAME TO drafts;
                -- A returning patient's earlier conversations, paged into the conversation pane.
                CREATE INDEX conversations_by_patient ON conversations(patient_id, id);
                """)
        }
        migrator.registerMigration("v5: appointments") { db in
            // The clinic's appointments, for the sidebar's "Next: Tue 10:30, Dr Rahman". Servers send them as they
            // are added or change, so no re-sync is needed.
            try db.execute(sql: """
                CREATE TABLE appointments (
                    id INTEGER PRIMARY KEY,
                    patient_id INTEGER NOT NULL,
                    clinic_number TEXT NOT NULL,
                    starts_at INTEGER NOT NULL,
                    utc_offset INTEGER NOT NULL,
                    doctor TEXT NOT NULL,
                    template TEXT NOT NULL,
                    language TEXT NOT NULL,
                    status TEXT NOT NULL,
                    reminder_message_id INTEGER,
                    external_id TEXT,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX appointments_by_patient ON appointments(patient_id, starts_at);
                """)
        }
        migrator.registerMigration("channel labels") { db in
            // The desk each clinic number serves ("Dental desk"), shown in the sidebar beside the number.
            try db.execute(sql: "ALTER TABLE channels ADD COLUMN label TEXT")
        }
        migrator.registerMigration("issue 10: canned replies") { db in
            try db.execute(sql: """
                -- The clinic's canned replies, for the composer's / picker. Removed ones are deleted on sync.
                CREATE TABLE canned_replies (
                    id INTEGER PRIMARY KEY,
                    shortcode TEXT NOT NULL,
                    body TEXT NOT NULL,              -- with {{name}}, {{first_name}}, {{clinic}}
                    removed INTEGER NOT NULL DEFAULT 0,
                    updated_at INTEGER NOT NULL
                );
                """)
            // Rows synced before canned replies existed carry none: start over so the server sends them.
            try db.execute(sql: "UPDATE sync_state SET cursor = NULL")
        }
        migrator.registerMigration("issue 10: snooze and versioned patient profiles") { db in
            try db.execute(sql: """
                -- Snoozed conversations leave the active tabs for the Snoozed tab until the server wakes them.
                ALTER TABLE conversations ADD COLUMN snoozed_until INTEGER;
                -- The profile version an edit is based on (compare-and-set on the server).
                ALTER TABLE patients ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
                """)
        }
        return migrator
    }

    /// The tables a cursor reset empties before the full re-sync.
    static let syncedTables = ["agents", "patients", "conversations", "messages", "read_horizons", "channels", "templates",
                               "appointments", "canned_replies"]
}
