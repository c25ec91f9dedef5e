import Foundation
import GRDB

/// The server's SQLite schema. Every row that clients see is recorded in `changes` in the same transaction that
/// writes it; `changes.seq` is the sync cursor.
enum ServerSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE server_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE clinics (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE numbers (
                    number TEXT PRIMARY KEY,         -- E.164
                    clinic_id INTEGER NOT NULL REFERENCES clinics(id),
                    provider TEXT NOT NULL,
                    provider_ref TEXT,               -- Meta phone_number_id, WAHA session name
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX numbers_by_ref ON numbers(provider, provider_ref);
                CREATE TABLE agents (
                    id INTEGER PRIMARY KEY,
                    clinic_id INTEGER NOT NULL REFERENCES clinics(id),
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE, -- SHA-256 of the bearer token; the token itself is never stored
                    created_at INTEGER NOT NULL,
                    UNIQUE (clinic_id, name)
                );
                CREATE TABLE patients (
                    id INTEGER PRIMARY KEY,
                    clinic_id INTEGER NOT NULL REFERENCES clinics(id),
                    channel_identity TEXT NOT NULL,
                    display_name TEXT NOT NULL,
                    phone TEXT NOT NULL,
                    language TEXT,
                    is_lead INTEGER NOT NULL,
                    external_record_id TEXT,
                    tags TEXT NOT NULL,
                    notes TEXT NOT NULL,
                    opted_out INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    UNIQUE (clinic_id, channel_identity)
                );
                CREATE TABLE conversations (
                    id INTEGER PRIMARY KEY,
                    clinic_id INTEGER NOT NULL REFERENCES clinics(id),
                    patient_id INTEGER NOT NULL REFERENCES patients(id),
                    clinic_number TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    status TEXT NOT NULL,
                    assigned_agent_id INTEGER,
                    handoff_reason TEXT,
                    handoff_summary TEXT,
                    waiting_since INTEGER,
                    last_inbound_at INTEGER,
                    last_message_at INTEGER NOT NULL,
                    last_message_preview TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    bot_memory TEXT                  -- the clinic bot's state for this conversation (JSON)
                );
                -- At most one open conversation per patient and clinic number.
                CREATE UNIQUE INDEX conversations_one_open ON conversations(patient_id, clinic_number)
                    WHERE status <> 'closed';
                CREATE TABLE messages (
                    id INTEGER PRIMARY KEY,
                    clinic_id INTEGER NOT NULL,
                    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
                    direction TEXT NOT NULL,
                    author TEXT NOT NULL,
                    agent_id INTEGER,
                    body TEXT NOT NULL,
                    media TEXT,
                    provider_message_id TEXT,
                    client_key TEXT,
                    status TEXT NOT NULL,
                    error TEXT,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
                -- Providers redeliver webhooks for days: their message id is the dedupe key.
                CREATE UNIQUE INDEX messages_by_provider_id ON messages(provider_message_id)
                    WHERE provider_message_id IS NOT NULL;
                CREATE TABLE read_horizons (
                    id INTEGER PRIMARY KEY,
                    clinic_id INTEGER NOT NULL,
                    agent_id INTEGER NOT NULL,
                    conversation_id INTEGER NOT NULL,
                    message_id INTEGER NOT NULL,
                    UNIQUE (agent_id, conversation_id)
                );
                CREATE TABLE channels (
                    id INTEGER PRIMARY KEY,
                    clinic_id INTEGER NOT NULL,
                    clinic_number TEXT NOT NULL UNIQUE,
                    provider TEXT NOT NULL,
                    state TEXT NOT NULL,
                    detail TEXT,
                    updated_at INTEGER NOT NULL
                );
                -- The change log: one row per entity, moved to a new seq each time the entity changes, so the log
                -- never grows past the number of entities and a cursor never becomes too old to serve.
                CREATE TABLE changes (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    clinic_id INTEGER NOT NULL,
                    kind TEXT NOT NULL,              -- agent | patient | conversation | message | read | channel
                    entity_id INTEGER NOT NULL,
                    UNIQUE (kind, entity_id)
                );
                CREATE INDEX changes_by_clinic ON changes(clinic_id, seq);
                -- Agent commands by idempotency key: a replay gets the stored answer.
                CREATE TABLE idempotency (
                    agent_id INTEGER NOT NULL,
                    key TEXT NOT NULL,
                    request_hash TEXT NOT NULL,
                    status INTEGER NOT NULL,
                    response BLOB NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (agent_id, key)
                );
                -- Outbound messages waiting to be handed to their provider.
                CREATE TABLE deliveries (
                    message_id INTEGER PRIMARY KEY REFERENCES messages(id),
                    clinic_id INTEGER NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    last_error TEXT
                );
                CREATE INDEX deliveries_due ON deliveries(next_attempt_at);
                -- Statuses for provider ids not known yet: a provider may report "delivered" before its answer to
                -- the send (which carries the id) has been recorded. Applied when the id arrives.
                CREATE TABLE early_statuses (
                    provider_message_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    error TEXT,
                    received_at INTEGER NOT NULL
                );
                CREATE INDEX early_statuses_by_id ON early_statuses(provider_message_id);
                """)
            // The epoch makes cursors from another database (a restore, a new server) unmistakable.
            try db.execute(sql: "INSERT INTO server_meta (key, value) VALUES ('epoch', ?)",
                           arguments: [String(UInt64.random(in: 1...UInt64(1) << 53), radix: 36)])
        }
        migrator.registerMigration("v2: clinic AI hook") { db in
            // The clinic's own AI: an HTTP endpoint that answers first instead of the built-in bot.
            try db.execute(sql: "ALTER TABLE clinics ADD COLUMN ai_hook_url TEXT")
        }
        migrator.registerMigration("v3: dead letters") { db in
            // Outbound messages that failed for good, kept for an admin to inspect and retry.
            try db.execute(sql: """
                CREATE TABLE dead_letters (
                    message_id INTEGER PRIMARY KEY REFERENCES messages(id),
                    clinic_id INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    failed_at INTEGER NOT NULL
                )
                """)
        }
        migrator.registerMigration("v4: templates") { db in
            try db.execute(sql: """
                -- The clinic's approved WhatsApp templates (templates.toml or `inbox template add`).
                CREATE TABLE templates (
                    id INTEGER PRIMARY KEY,
                    clinic_id INTEGER NOT NULL REFERENCES clinics(id),
                    name TEXT NOT NULL,
                    language TEXT NOT NULL,
                    category TEXT NOT NULL,          -- utility | marketing | authentication
                    body TEXT NOT NULL,              -- with {{1}}…{{n}} parameters
                    twilio_content_sid TEXT,         -- Twilio Content API id (HX…), when sent through Twilio
                    updated_at INTEGER NOT NULL,
                    UNIQUE (clinic_id, name, language)
                );
                -- For template sends: {name, language, parameters, twilioContentSid}, read by the delivery worker.
                ALTER TABLE messages ADD COLUMN template TEXT;
                """)
        }
        migrator.registerMigration("v5: media") { db in
            try db.execute(sql: """
                -- Attachments the server keeps a copy of: patients' files fetched from the provider, agents' files
                -- sent to patients. Files live under the media directory, named by their SHA-256.
                CREATE TABLE media (
                    message_id INTEGER PRIMARY KEY REFERENCES messages(id),
                    clinic_id INTEGER NOT NULL,
                    provider TEXT NOT NULL,
                    source TEXT,                     -- where to fetch it: provider URL or meta-media:<id>
                    state TEXT NOT NULL,             -- pending | stored | refused | failed
                    sha256 TEXT,
                    mime_type TEXT,
                    size INTEGER,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    error TEXT
                );
                CREATE INDEX media_due ON media(next_attempt_at) WHERE state = 'pending';
                -- Files agents uploaded (POST /v1/media), per clinic, before a command sends them.
                CREATE TABLE uploads (
                    clinic_id INTEGER NOT NULL,
                    sha256 TEXT NOT NULL,
                    mime_type TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (clinic_id, sha256)
                );
                """)
            // Signs the links Twilio fetches agents' attachments from (they cannot carry a bearer token).
            try db.execute(sql: "INSERT INTO server_meta (key, value) VALUES ('media_link_secret', ?)",
                           arguments: [Hashing.newToken()])
        }
        migrator.registerMigration("data correctness: scoped early statuses, provider time") { db in
            try db.execute(sql: """
                -- A parked status applies only to a message sent through the same provider and clinic number.
                ALTER TABLE early_statuses ADD COLUMN provider TEXT;
                ALTER TABLE early_statuses ADD COLUMN clinic_number TEXT;
                -- Serves the per-provider count bound (rowid order is arrival order).
                CREATE INDEX early_statuses_by_provider ON early_statuses(provider);
                -- Inbound messages are ordered and timed by receipt (created_at); the provider's own timestamp is
                -- kept beside it as information.
                ALTER TABLE messages ADD COLUMN provider_time INTEGER;
                """)
        }
        migrator.registerMigration("agents revocable; retention; erasure tombstones") { db in
            try db.execute(sql: """
                -- A revoked agent keeps its row (history names them) but loses its token: its hash is replaced by an
                -- unusable one, and active = 0 tells colleagues' clients it is gone.
                ALTER TABLE agents ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE agents ADD COLUMN revoked_at INTEGER;
                -- Idempotency records are pruned by age (INBOX_IDEMPOTENCY_RETENTION_HOURS).
                CREATE INDEX idempotency_by_age ON idempotency(created_at);
                -- A patient's erasure, as a tombstone in the change log: ids only, never what was erased. Mirrors
                -- delete the patient and these conversations with their messages when they receive it.
                CREATE TABLE erasures (
                    id INTEGER PRIMARY KEY,
                    clinic_id INTEGER NOT NULL,
                    patient_id INTEGER NOT NULL,
                    conversation_ids TEXT NOT NULL,  -- JSON array of ids
                    erased_at INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("marketing throttle") { db in
            try db.execute(sql: """
                -- The clinic's marketing limits per patient (`inbox clinic marketing-limit`); NULL: 1 a day, 4 in 30 days.
                ALTER TABLE clinics ADD COLUMN marketing_per_day INTEGER;
                ALTER TABLE clinics ADD COLUMN marketing_per_30_days INTEGER;
                -- Each marketing template a command accepted, by patient: what the throttle counts.
                CREATE TABLE marketing_sends (
                    message_id INTEGER PRIMARY KEY,
                    clinic_id INTEGER NOT NULL,
                    patient_id INTEGER NOT NULL,
                    sent_at INTEGER NOT NULL
                );
                CREATE INDEX marketing_sends_by_patient ON marketing_sends(patient_id, sent_at);
                """)
        }
        migrator.registerMigration("per-number bots, interactive messages") { db in
            try db.execute(sql: """
                -- A number's own bot (`inbox number set`), overriding the clinic's; NULL: the clinic's.
                ALTER TABLE numbers ADD COLUMN label TEXT;           -- the desk agents see, e.g. "Dental desk"
                ALTER TABLE numbers ADD COLUMN bot_greeting TEXT;
                ALTER TABLE numbers ADD COLUMN bot_menu TEXT;        -- comma-separated menu options
                ALTER TABLE numbers ADD COLUMN ai_hook_url TEXT;
                ALTER TABLE numbers ADD COLUMN handoff_words TEXT;   -- comma-separated
                -- A patient's tap: the id of the list row or reply button (the body is its title).
                ALTER TABLE messages ADD COLUMN reply_id TEXT;
                -- The bot's interactive menu as sent (InteractiveMenu JSON); the body is its numbered-text form.
                ALTER TABLE messages ADD COLUMN interactive TEXT;
                -- The number's desk, synced to agents with the channel.
                ALTER TABLE channels ADD COLUMN label TEXT;
                """)
        }
        migrator.registerMigration("appointments") { db in
            try db.execute(sql: """
                -- The clinic's appointments (`inbox appointment import`, POST /v1/admin/appointments): each is reminded
                -- once, by a template message queued in the same transaction that moves it from scheduled to reminded.
                CREATE TABLE appointments (
                    id INTEGER PRIMARY KEY,
                    clinic_id INTEGER NOT NULL REFERENCES clinics(id),
                    patient_id INTEGER NOT NULL,
                    clinic_number TEXT NOT NULL,     -- the number the reminder goes out from
                    starts_at INTEGER NOT NULL,
                    utc_offset INTEGER NOT NULL,     -- the clinic's offset at starts_at, seconds: how the time is written
                    doctor TEXT NOT NULL,
                    template TEXT NOT NULL,
                    language TEXT NOT NULL,
                    status TEXT NOT NULL,            -- scheduled | reminded | confirmed | reschedule_requested | cancelled
                    reminder_message_id INTEGER,
                    reminder_conversation_id INTEGER,
                    reminder_error TEXT,             -- why the reminder could not be queued (e.g. no such template)
                    external_id TEXT,
                    source_key TEXT NOT NULL,        -- external id, else phone|time|doctor: a re-import adds nothing
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    UNIQUE (clinic_id, source_key)
                );
                CREATE INDEX appointments_due ON appointments(starts_at) WHERE status = 'scheduled' AND reminder_error IS NULL;
                CREATE INDEX appointments_by_patient ON appointments(patient_id, starts_at);
                """)
        }
        migrator.registerMigration("issue 10: canned replies") { db in
            try db.execute(sql: """
                -- The clinic's canned replies (`inbox canned`), inserted with /shortcode in the composer. A removed
                -- one keeps its row (removed = 1) so syncing mirrors learn to delete it.
                CREATE TABLE canned_replies (
                    id INTEGER PRIMARY KEY,
                    clinic_id INTEGER NOT NULL REFERENCES clinics(id),
                    shortcode TEXT NOT NULL,
                    body TEXT NOT NULL,              -- with {{name}}, {{first_name}}, {{clinic}}
                    removed INTEGER NOT NULL DEFAULT 0,
                    updated_at INTEGER NOT NULL,
                    UNIQUE (clinic_id, shortcode)
                );
                """)
        }
        migrator.registerMigration("issue 10: snooze and versioned patient profiles") { db in
            try db.execute(sql: """
                -- Snoozed until then (`z`): the server wakes it when due (SnoozeWaker) or when the patient writes.
                ALTER TABLE conversations ADD COLUMN snoozed_until INTEGER;
                CREATE INDEX conversations_snoozed ON conversations(snoozed_until) WHERE snoozed_until IS NOT NULL;
                -- Profile edits compare-and-set on this: a concurrent edit is refused, never silently overwritten.
                ALTER TABLE patients ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
                """)
        }
        return migrator
    }
}
