import GRDB
import InboxModel

extension Columns {
    /// The appointment columns the server syncs and the mirror keeps (the server's table has a few more).
    public static let appointment = ["id", "patient_id", "clinic_number", "starts_at", "utc_offset", "doctor", "template",
                                     "language", "status", "reminder_message_id", "external_id", "updated_at"]
}

extension Appointment {
    public init(row: Row, offset o: Int = 0) {
        self.init(id: row[o], patientId: row[o + 1], clinicNumber: row[o + 2], startsAt: row[o + 3],
                  utcOffset: row[o + 4], doctor: row[o + 5], template: row[o + 6], language: row[o + 7],
                  status: .decode(row[o + 8], or: .scheduled), reminderMessageId: row[o + 9], externalId: row[o + 10],
                  updatedAt: row[o + 11])
    }

    public var databaseValues: [(any DatabaseValueConvertible)?] {
        [id, patientId, clinicNumber, startsAt, utcOffset, doctor, template, language, status.rawValue, reminderMessageId,
         externalId, updatedAt]
    }
}
