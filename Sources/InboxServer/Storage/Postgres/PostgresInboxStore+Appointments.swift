import Foundation
import InboxModel
import InboxRecords
import PostgresNIO

/// Appointments and their reminders, as `SQLiteInboxStore+Appointments`, for several instances on one database.
///
/// `queueDueReminders` claims due appointments with `FOR UPDATE SKIP LOCKED` and, in the same transaction, queues
/// each reminder and moves the appointment to `reminded`: an instance that claims a row either commits all of it or
/// nothing, and another instance skips the locked row and then finds it no longer `scheduled`. No lease is needed, as
/// nothing outside the database happens inside the claim (the delivery worker sends the queued message later).
/// The reminder's conversation is opened under the patient's advisory lock, as ingest does, so a patient writing at
/// that moment lands in the same conversation.
extension PostgresInboxStore {
    public func addAppointments(_ appointments: [NewAppointment], clinic: String) async throws -> [AppointmentImportResult.Line] {
        let now = clock()
        return try await write { db in
            guard let clinicId = try await db.int("SELECT id FROM clinics WHERE name = \(clinic)") else {
                throw StoreError.invalid("no clinic named \(clinic)")
            }
            // One import at a time per clinic: two imports of one file add each appointment once.
            try await db.execute("SELECT pg_advisory_xact_lock(\(Self.advisoryKey("appointments \(clinicId)")))")
            let numbers = try await db.rows("""
                SELECT number FROM numbers WHERE clinic_id = \(clinicId) ORDER BY created_at, number
                """).map { try $0.string(0) }
            var lines: [AppointmentImportResult.Line] = []
            for new in appointments {
                guard let number = new.clinicNumber ?? numbers.first else {
                    lines.append(.init(id: nil, created: false, error: "the clinic has no WhatsApp number (inbox number add)"))
                    continue
                }
                guard numbers.contains(number) else {
                    lines.append(.init(id: nil, created: false, error: "\(number) is not one of the clinic's numbers"))
                    continue
                }
                if let existing = try await db.int("""
                    SELECT id FROM appointments WHERE clinic_id = \(clinicId) AND source_key = \(new.sourceKey.withoutNUL)
                    """) {
                    lines.append(.init(id: existing, created: false))
                    continue
                }
                let patientId = try await Self.appointmentPatient(db, clinicId: clinicId, number: number, phone: new.phone,
                                                                  name: new.name, now: now)
                guard let id = try await db.int("""
                    INSERT INTO appointments (clinic_id, patient_id, clinic_number, starts_at, utc_offset, doctor, template,
                        language, status, external_id, source_key, created_at, updated_at)
                    VALUES (\(clinicId), \(patientId), \(number), \(new.startsAt), \(Int64(new.utcOffset)), \(new.doctor.withoutNUL),
                            \(new.template.withoutNUL), \(new.language.withoutNUL), 'scheduled', \(new.externalId?.withoutNUL),
                            \(new.sourceKey.withoutNUL), \(now), \(now))
                    RETURNING id
                    """) else { throw StoreError.invalid("could not store the appointment") }
                db.recordChange(clinicId: clinicId, kind: .appointment, id: id)
                lines.append(.init(id: id, created: true))
            }
            return lines
        }
    }

    /// The clinic's patient with this WhatsApp number (under the patient's advisory lock, as ingest takes it), added
    /// as a registered patient when new and named when they had no name yet.
    private static func appointmentPatient(_ db: PostgresWrite, clinicId: Int64, number: String, phone: String, name: String,
                                           now: Millis) async throws -> Int64 {
        let identity = "whatsapp:\(phone)"
        try await db.execute("SELECT pg_advisory_xact_lock(\(patientLock(clinicNumber: number, channelIdentity: identity)))")
        return try await findOrAddPatient(db, clinicId: clinicId, identity: identity, phone: phone, name: name,
                                          isLead: false, now: now) { current in current.isEmpty && !name.isEmpty ? name : nil }
    }

    public func appointments(clinic: String?, from: Millis) async throws -> [AppointmentListing] {
        try await rows("""
            SELECT \(unescaped: Columns.list(Columns.appointment, alias: "a")), k.name, p.display_name, p.phone, a.reminder_error
            FROM appointments a JOIN clinics k ON k.id = a.clinic_id JOIN patients p ON p.id = a.patient_id
            WHERE (\(clinic)::text IS NULL OR k.name = \(clinic)) AND a.starts_at >= \(from) ORDER BY a.starts_at, a.id
            """).map { row in
            let n = Columns.appointment.count
            return AppointmentListing(appointment: try Self.appointment(row), clinic: try row.string(n),
                                      patientName: try row.text(n + 1), phone: try row.string(n + 2),
                                      reminderError: try row.optionalString(n + 3))
        }
    }

    public func cancelAppointment(id: Int64, clinic: String?) async throws -> Appointment? {
        let now = clock()
        return try await write { db in
            guard let clinicId = try await db.int("""
                SELECT a.clinic_id FROM appointments a JOIN clinics k ON k.id = a.clinic_id
                WHERE a.id = \(id) AND (\(clinic)::text IS NULL OR k.name = \(clinic)) FOR UPDATE OF a
                """) else { return nil }
            if try await db.exists("""
                UPDATE appointments SET status = 'cancelled', updated_at = \(now) WHERE id = \(id) AND status <> 'cancelled' RETURNING id
                """) {
                db.recordChange(clinicId: clinicId, kind: .appointment, id: id)
            }
            return try await db.row("""
                SELECT \(unescaped: Columns.list(Columns.appointment)) FROM appointments WHERE id = \(id)
                """).map { try Self.appointment($0) }
        }
    }

    static func appointment(_ row: PGRow, _ o: Int = 0) throws -> Appointment {
        Appointment(id: try row.int(o), patientId: try row.int(o + 1), clinicNumber: try row.string(o + 2),
                    startsAt: try row.int(o + 3), utcOffset: Int(try row.int(o + 4)), doctor: try row.string(o + 5),
                    template: try row.string(o + 6), language: try row.string(o + 7),
                    status: AppointmentStatus(rawValue: try row.string(o + 8)) ?? .scheduled,
                    reminderMessageId: try row.optionalInt(o + 9), externalId: try row.optionalString(o + 10),
                    updatedAt: try row.int(o + 11))
    }

    public func queueDueReminders(now: Millis, lead: Millis, limit: Int) async throws -> [Int64] {
        let storeNow = clock()
        return try await write { db in
            let due = try await db.rows("""
                SELECT \(unescaped: Columns.list(Columns.appointment, alias: "a")), a.clinic_id, p.display_name,
                       p.channel_identity, n.provider
                FROM appointments a JOIN patients p ON p.id = a.patient_id JOIN numbers n ON n.number = a.clinic_number
                WHERE a.status = 'scheduled' AND a.reminder_error IS NULL AND a.starts_at > \(now)
                  AND a.starts_at <= \(AppointmentRules.dueCutoff(now: now, lead: lead))
                ORDER BY a.starts_at, a.id LIMIT \(Int64(limit))
                FOR UPDATE OF a SKIP LOCKED
                """)
            var queued: [Int64] = []
            for row in due {
                let appointment = try Self.appointment(row)
                let n = Columns.appointment.count
                let clinicId = try row.int(n)
                let patientName = try row.text(n + 1)
                let identity = try row.string(n + 2)
                let provider = ProviderKind(rawValue: try row.string(n + 3)) ?? .twilio
                guard let template = try await Self.reminderTemplate(db, clinicId: clinicId, appointment: appointment,
                                                                     patientName: patientName) else {
                    let reason = "no utility template \(appointment.template) (\(appointment.language)) with at most four parameters"
                    try await db.execute("""
                        UPDATE appointments SET reminder_error = \(reason), updated_at = \(storeNow) WHERE id = \(appointment.id)
                        """)
                    continue
                }
                try await db.execute("""
                    SELECT pg_advisory_xact_lock(\(Self.patientLock(clinicNumber: appointment.clinicNumber, channelIdentity: identity)))
                    """)
                let inbound = InboundMessage(provider: provider, clinicNumber: appointment.clinicNumber, channelIdentity: identity,
                                             phone: "", profileName: nil, providerMessageId: "", body: "", receivedAt: storeNow)
                var conversation = try await Self.openConversation(db, clinicId: clinicId, patientId: appointment.patientId,
                                                                   inbound: inbound, botAnswers: true)
                let message = Message(id: 0, conversationId: conversation.id, direction: .outbound, author: .bot,
                                      body: template.text, status: .pending, createdAt: storeNow)
                let delivery = String(decoding: try JSONEncoder().encode(template.delivery), as: UTF8.self)
                let messageId = try await Self.insertMessage(db, clinicId: clinicId, message, template: delivery)
                try await db.execute("""
                    INSERT INTO deliveries (message_id, clinic_id, next_attempt_at) VALUES (\(messageId), \(clinicId), \(storeNow))
                    """)
                let preview = ConversationPreview.text(body: template.text, media: nil)
                try await Self.updateConversation(db, clinicId: clinicId, &conversation) { conversation in
                    conversation.lastMessageAt = storeNow
                    conversation.lastMessagePreview = preview
                }
                try await db.execute("""
                    UPDATE appointments SET status = 'reminded', reminder_message_id = \(messageId),
                        reminder_conversation_id = \(conversation.id), updated_at = \(storeNow)
                    WHERE id = \(appointment.id)
                    """)
                db.recordChange(clinicId: clinicId, kind: .appointment, id: appointment.id)
                queued.append(messageId)
            }
            return queued
        }
    }

    /// The appointment's template (its language first, else another of the same name), filled in.
    private static func reminderTemplate(_ db: PostgresWrite, clinicId: Int64, appointment: Appointment,
                                         patientName: String) async throws -> (text: String, delivery: TemplateDelivery)? {
        guard let row = try await db.row("""
            SELECT language, body, twilio_content_sid FROM templates
            WHERE clinic_id = \(clinicId) AND name = \(appointment.template) AND category = 'utility'
            ORDER BY (language = \(appointment.language)) DESC, language LIMIT 1
            """) else { return nil }
        let body = try row.string(1)
        guard let parameters = AppointmentRules.reminderParameters(templateBody: body, patientName: patientName,
                                                                   appointment: appointment) else { return nil }
        return (TemplateBody.render(body, parameters),
                TemplateDelivery(name: appointment.template, language: try row.string(0), parameters: parameters,
                                 twilioContentSid: try row.optionalString(2)))
    }

    public func nextReminderTime(lead: Millis) async throws -> Millis? {
        let earliest = try await rows("""
            SELECT MIN(starts_at) FROM appointments WHERE status = 'scheduled' AND reminder_error IS NULL
            """).first?.optionalInt(0)
        return AppointmentRules.nextDue(earliestStart: earliest, lead: lead)
    }

    public func possibleAppointmentAnswers(messageIds: [Int64], now: Millis) async throws -> Set<Int64> {
        guard !messageIds.isEmpty else { return [] }
        return Set(try await rows("""
            SELECT DISTINCT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id
            JOIN appointments a ON a.patient_id = c.patient_id
            WHERE m.id = ANY(\(messageIds)::int8[]) AND a.reminder_message_id IS NOT NULL AND a.starts_at > \(now)
            """).map { try $0.int(0) })
    }

    public func answerAppointment(messageId: Int64, replyId: String?, now: Millis) async throws -> AppointmentAnswerOutcome {
        let botAnswers = self.botAnswers
        let storeNow = clock()
        return try await write { db in
            guard let row = try await db.row("""
                SELECT m.body, m.author, c.id, c.patient_id, c.clinic_id, m.reply_id
                FROM messages m JOIN conversations c ON c.id = m.conversation_id
                WHERE m.id = \(messageId)
                """), try row.string(1) == AuthorKind.patient.rawValue else { return .notAnAnswer }
            let body = try row.text(0)
            let conversationId = try row.int(2)
            let patientId = try row.int(3)
            let clinicId = try row.int(4)
            // The tapped button's id, as the webhook stored it (Meta's template button payload, Twilio's ButtonPayload).
            let tapped = try (replyId ?? row.optionalString(5)).flatMap(AppointmentRules.answer(replyId:))
            let candidates = try await db.rows("""
                SELECT \(unescaped: Columns.list(Columns.appointment)) FROM appointments
                WHERE patient_id = \(patientId) AND clinic_id = \(clinicId) AND reminder_message_id IS NOT NULL
                  AND starts_at > \(now)
                ORDER BY (status = 'reminded') DESC, starts_at, id
                FOR UPDATE
                """).map { try Self.appointment($0) }
            let answer = tapped?.answer ?? AppointmentRules.answer(text: body)
            let target = candidates.first { appointment in
                AppointmentRules.answerable(appointment, now: now) && (tapped?.appointmentId.map { $0 == appointment.id } ?? true)
            }
            guard let answer, var appointment = target else {
                // Not an answer: with no bot on this server, a reminder's conversation still with the bot goes to staff.
                guard !botAnswers, !candidates.isEmpty,
                      var conversation = try await Self.loadConversation(db, id: conversationId), conversation.status == .bot,
                      let next = try? HandoffState(conversation).applying(
                          .handOff(reason: AppointmentRules.unansweredReason, summary: nil, at: storeNow)) else { return .notAnAnswer }
                try await Self.updateConversation(db, clinicId: clinicId, &conversation) { $0.apply(next) }
                return .handedOff
            }
            appointment.status = AppointmentRules.status(after: answer)
            try await db.execute("""
                UPDATE appointments SET status = \(appointment.status.rawValue), updated_at = \(storeNow) WHERE id = \(appointment.id)
                """)
            db.recordChange(clinicId: clinicId, kind: .appointment, id: appointment.id)
            if let event = AppointmentRules.handOff(for: answer, appointment: appointment, now: storeNow),
               var conversation = try await Self.loadConversation(db, id: conversationId),
               let next = try? HandoffState(conversation).applying(event), next != HandoffState(conversation) {
                try await Self.updateConversation(db, clinicId: clinicId, &conversation) { conversation in
                    if let fresh = try? HandoffState(conversation).applying(event) { conversation.apply(fresh) }
                }
            }
            return .answered(appointmentId: appointment.id, answer)
        }
    }
}
