import Foundation
import GRDB
import InboxModel
import InboxRecords

/// Appointments and their reminders. The rules (`AppointmentRules`) decide what is due, what the template says and
/// what an answer means; this stores it. SQLite's single writer makes each claim atomic: the reminder message, its
/// delivery and the appointment's move to `reminded` commit together or not at all, so a restart never sends one
/// twice.
extension SQLiteInboxStore {
    public func addAppointments(_ appointments: [NewAppointment], clinic: String) async throws -> [AppointmentImportResult.Line] {
        let now = clock()
        return try await write { db, touched in
            guard let clinicId = try Int64.fetchOne(db, sql: "SELECT id FROM clinics WHERE name = ?", arguments: [clinic]) else {
                throw StoreError.invalid("no clinic named \(clinic)")
            }
            let numbers = try String.fetchAll(db, sql: "SELECT number FROM numbers WHERE clinic_id = ? ORDER BY created_at, number",
                                              arguments: [clinicId])
            return try appointments.map { new -> AppointmentImportResult.Line in
                guard let number = new.clinicNumber ?? numbers.first else {
                    return .init(id: nil, created: false, error: "the clinic has no WhatsApp number (inbox number add)")
                }
                guard numbers.contains(number) else {
                    return .init(id: nil, created: false, error: "\(number) is not one of the clinic's numbers")
                }
                if let existing = try Int64.fetchOne(db, sql: "SELECT id FROM appointments WHERE clinic_id = ? AND source_key = ?",
                                                     arguments: [clinicId, new.sourceKey]) {
                    return .init(id: existing, created: false)
                }
                let patientId = try Self.appointmentPatient(db, clinicId: clinicId, phone: new.phone, name: new.name, now: now)
                try db.execute(sql: """
                    INSERT INTO appointments (clinic_id, patient_id, clinic_number, starts_at, utc_offset, doctor, template,
                        language, status, external_id, source_key, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?)
                    """, arguments: [clinicId, patientId, number, new.startsAt, new.utcOffset, new.doctor, new.template,
                                     new.language, new.externalId, new.sourceKey, now, now])
                let id = db.lastInsertedRowID
                try Self.recordChange(db, clinicId: clinicId, kind: .appointment, id: id)
                touched.insert(clinicId)
                return .init(id: id, created: true)
            }
        }
    }

    /// The clinic's patient with this WhatsApp number, added (as a registered patient: the clinic's system knows
    /// them) when new, and named when they had no name yet.
    private static func appointmentPatient(_ db: Database, clinicId: Int64, phone: String, name: String, now: Millis) throws -> Int64 {
        try findOrAddPatient(db, clinicId: clinicId, identity: "whatsapp:\(phone)", phone: phone, name: name,
                             isLead: false, now: now) { current in current.isEmpty && !name.isEmpty ? name : nil }
    }

    public func appointments(clinic: String?, from: Millis) async throws -> [AppointmentListing] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Columns.list(Columns.appointment, alias: "a")), k.name, p.display_name, p.phone, a.reminder_error
                FROM appointments a JOIN clinics k ON k.id = a.clinic_id JOIN patients p ON p.id = a.patient_id
                WHERE (? IS NULL OR k.name = ?) AND a.starts_at >= ? ORDER BY a.starts_at, a.id
                """, arguments: [clinic, clinic, from]).map { row in
                let n = Columns.appointment.count
                return AppointmentListing(appointment: Appointment(row: row), clinic: row[n], patientName: WholeText.read(row, n + 1),
                                          phone: row[n + 2], reminderError: row[n + 3])
            }
        }
    }

    public func cancelAppointment(id: Int64, clinic: String?) async throws -> Appointment? {
        let now = clock()
        return try await write { db, touched in
            guard let clinicId = try Int64.fetchOne(db, sql: """
                SELECT a.clinic_id FROM appointments a JOIN clinics k ON k.id = a.clinic_id WHERE a.id = ? AND (? IS NULL OR k.name = ?)
                """, arguments: [id, clinic, clinic]) else { return nil }
            try db.execute(sql: "UPDATE appointments SET status = 'cancelled', updated_at = ? WHERE id = ? AND status <> 'cancelled'",
                           arguments: [now, id])
            if db.changesCount > 0 {
                try Self.recordChange(db, clinicId: clinicId, kind: .appointment, id: id)
                touched.insert(clinicId)
            }
            return try Self.appointment(db, id: id)
        }
    }

    static func appointment(_ db: Database, id: Int64) throws -> Appointment? {
        try Row.fetchOne(db, sql: "SELECT \(Columns.list(Columns.appointment)) FROM appointments WHERE id = ?", arguments: [id])
            .map { Appointment(row: $0) }
    }

    public func queueDueReminders(now: Millis, lead: Millis, limit: Int) async throws -> [Int64] {
        let storeNow = clock()
        return try await write { db, touched in
            let due = try Row.fetchAll(db, sql: """
                SELECT \(Columns.list(Columns.appointment, alias: "a")), a.clinic_id, p.display_name, p.channel_identity, n.provider
                FROM appointments a JOIN patients p ON p.id = a.patient_id JOIN numbers n ON n.number = a.clinic_number
                WHERE a.status = 'scheduled' AND a.reminder_error IS NULL AND a.starts_at > ? AND a.starts_at <= ?
                ORDER BY a.starts_at, a.id LIMIT ?
                """, arguments: [now, AppointmentRules.dueCutoff(now: now, lead: lead), limit])
            var queued: [Int64] = []
            for row in due {
                let appointment = Appointment(row: row)
                let n = Columns.appointment.count
                let clinicId: Int64 = row[n]
                let patientName = WholeText.read(row, n + 1)
                let provider = ProviderKind(rawValue: row[n + 3]) ?? .twilio
                touched.insert(clinicId)
                guard let template = try Self.reminderTemplate(db, clinicId: clinicId, appointment: appointment, patientName: patientName)
                else {
                    try db.execute(sql: "UPDATE appointments SET reminder_error = ?, updated_at = ? WHERE id = ?",
                                   arguments: ["no utility template \(appointment.template) (\(appointment.language)) with at most four parameters",
                                               storeNow, appointment.id])
                    continue
                }
                let inbound = InboundMessage(provider: provider, clinicNumber: appointment.clinicNumber, channelIdentity: row[n + 2],
                                             phone: "", profileName: nil, providerMessageId: "", body: "", receivedAt: storeNow)
                var conversation = try Self.openConversation(db, clinicId: clinicId, patientId: appointment.patientId,
                                                             inbound: inbound, botAnswers: true)
                let message = Message(id: 0, conversationId: conversation.id, direction: .outbound, author: .bot,
                                      body: template.text, status: .pending, createdAt: storeNow)
                let messageId = try Self.insertMessage(db, clinicId: clinicId, message)
                try db.execute(sql: "UPDATE messages SET template = ? WHERE id = ?",
                               arguments: [String(decoding: try JSONEncoder().encode(template.delivery), as: UTF8.self), messageId])
                try db.execute(sql: "INSERT INTO deliveries (message_id, clinic_id, next_attempt_at) VALUES (?, ?, ?)",
                               arguments: [messageId, clinicId, storeNow])
                let preview = ConversationPreview.text(body: template.text, media: nil)
                try Self.updateConversation(db, clinicId: clinicId, &conversation) { conversation in
                    conversation.lastMessageAt = storeNow
                    conversation.lastMessagePreview = preview
                }
                try db.execute(sql: """
                    UPDATE appointments SET status = 'reminded', reminder_message_id = ?, reminder_conversation_id = ?, updated_at = ?
                    WHERE id = ?
                    """, arguments: [messageId, conversation.id, storeNow, appointment.id])
                try Self.recordChange(db, clinicId: clinicId, kind: .appointment, id: appointment.id)
                queued.append(messageId)
            }
            return queued
        }
    }

    /// The appointment's template (its language first, else another of the same name), filled in.
    private static func reminderTemplate(_ db: Database, clinicId: Int64, appointment: Appointment, patientName: String) throws
        -> (text: String, delivery: TemplateDelivery)? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT language, body, twilio_content_sid FROM templates
            WHERE clinic_id = ? AND name = ? AND category = 'utility' ORDER BY (language = ?) DESC, language LIMIT 1
            """, arguments: [clinicId, appointment.template, appointment.language]) else { return nil }
        let body: String = row[1]
        guard let parameters = AppointmentRules.reminderParameters(templateBody: body, patientName: patientName,
                                                                   appointment: appointment) else { return nil }
        return (TemplateBody.render(body, parameters),
                TemplateDelivery(name: appointment.template, language: row[0], parameters: parameters, twilioContentSid: row[2]))
    }

    public func nextReminderTime(lead: Millis) async throws -> Millis? {
        try await pool.read { db in
            let earliest = try Millis.fetchOne(db, sql: """
                SELECT MIN(starts_at) FROM appointments WHERE status = 'scheduled' AND reminder_error IS NULL
                """)
            return AppointmentRules.nextDue(earliestStart: earliest, lead: lead)
        }
    }

    public func possibleAppointmentAnswers(messageIds: [Int64], now: Millis) async throws -> Set<Int64> {
        guard !messageIds.isEmpty else { return [] }
        return try await pool.read { db in
            try Set(Int64.fetchAll(db, sql: """
                SELECT DISTINCT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id
                JOIN appointments a ON a.patient_id = c.patient_id
                WHERE m.id IN (SELECT value FROM json_each(?)) AND a.reminder_message_id IS NOT NULL AND a.starts_at > ?
                """, arguments: ["[" + messageIds.map(String.init).joined(separator: ",") + "]", now]))
        }
    }

    public func answerAppointment(messageId: Int64, replyId: String?, now: Millis) async throws -> AppointmentAnswerOutcome {
        let botAnswers = self.botAnswers
        let storeNow = clock()
        return try await write { db, touched in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT m.body, m.author, c.id, c.patient_id, c.clinic_id, m.reply_id
                FROM messages m JOIN conversations c ON c.id = m.conversation_id
                WHERE m.id = ?
                """, arguments: [messageId]), row[1] as String == AuthorKind.patient.rawValue else { return .notAnAnswer }
            let body = WholeText.read(row, 0)
            let conversationId: Int64 = row[2]
            let patientId: Int64 = row[3]
            let clinicId: Int64 = row[4]
            // The tapped button's id, as the webhook stored it (Meta's template button payload, Twilio's ButtonPayload).
            let tapped = (replyId ?? (row[5] as String?)).flatMap(AppointmentRules.answer(replyId:))
            let candidates = try Row.fetchAll(db, sql: """
                SELECT \(Columns.list(Columns.appointment)) FROM appointments
                WHERE patient_id = ? AND clinic_id = ? AND reminder_message_id IS NOT NULL AND starts_at > ?
                ORDER BY (status = 'reminded') DESC, starts_at, id
                """, arguments: [patientId, clinicId, now]).map { Appointment(row: $0) }
            let answer = tapped?.answer ?? AppointmentRules.answer(text: body)
            let target = candidates.first { appointment in
                AppointmentRules.answerable(appointment, now: now) && (tapped?.appointmentId.map { $0 == appointment.id } ?? true)
            }
            guard let answer, var appointment = target else {
                // Not an answer: with no bot on this server, a reminder's conversation still with the bot goes to staff.
                guard !botAnswers, !candidates.isEmpty, var conversation = try Self.loadConversation(db, id: conversationId),
                      conversation.status == .bot,
                      let next = try? HandoffState(conversation).applying(
                          .handOff(reason: AppointmentRules.unansweredReason, summary: nil, at: storeNow)) else { return .notAnAnswer }
                try Self.updateConversation(db, clinicId: clinicId, &conversation) { $0.apply(next) }
                touched.insert(clinicId)
                return .handedOff
            }
            appointment.status = AppointmentRules.status(after: answer)
            try db.execute(sql: "UPDATE appointments SET status = ?, updated_at = ? WHERE id = ?",
                           arguments: [appointment.status.rawValue, storeNow, appointment.id])
            try Self.recordChange(db, clinicId: clinicId, kind: .appointment, id: appointment.id)
            if let event = AppointmentRules.handOff(for: answer, appointment: appointment, now: storeNow),
               var conversation = try Self.loadConversation(db, id: conversationId),
               let next = try? HandoffState(conversation).applying(event), next != HandoffState(conversation) {
                try Self.updateConversation(db, clinicId: clinicId, &conversation) { conversation in
                    if let fresh = try? HandoffState(conversation).applying(event) { conversation.apply(fresh) }
                }
            }
            touched.insert(clinicId)
            return .answered(appointmentId: appointment.id, answer)
        }
    }
}
