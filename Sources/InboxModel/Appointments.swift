/// A clinic's appointment, as the clinic's own system hands it over (`inbox appointment import`/`add`, or
/// `POST /v1/admin/appointments`), reminded once and answered by the patient. Synced to agents so the patient's
/// sidebar can show the next one ("Next: Tue 10:30, Dr Rahman").
public enum AppointmentStatus: String, Codable, Sendable, CaseIterable {
    /// Imported; the reminder has not gone out yet.
    case scheduled
    /// The reminder is queued or sent; the patient has not answered yet.
    case reminded
    /// The patient answered "confirm".
    case confirmed
    /// The patient asked to move it: the conversation went to staff.
    case rescheduleRequested = "reschedule_requested"
    /// Cancelled by the clinic (`inbox appointment cancel`) or by the patient's answer. Never reminded.
    case cancelled

    /// Still expected to happen: shown as the patient's next appointment.
    public var isUpcoming: Bool { self != .cancelled }
}

public struct Appointment: Codable, Sendable, Equatable, Identifiable {
    public var id: Int64
    public var patientId: Int64
    /// The clinic's WhatsApp number (E.164) the reminder goes out from.
    public var clinicNumber: String
    public var startsAt: Millis
    /// The clinic's UTC offset at `startsAt`, in seconds: how the reminder writes the time for the patient.
    public var utcOffset: Int
    public var doctor: String
    /// The approved template the reminder sends (its name; the language below).
    public var template: String
    public var language: String
    public var status: AppointmentStatus
    /// The reminder in the conversation's timeline, once sent.
    public var reminderMessageId: Int64?
    /// The clinic system's own id for it, when it gave one (a re-import with the same id changes nothing).
    public var externalId: String?
    public var updatedAt: Millis

    public init(id: Int64, patientId: Int64, clinicNumber: String, startsAt: Millis, utcOffset: Int = 0, doctor: String,
                template: String, language: String, status: AppointmentStatus = .scheduled,
                reminderMessageId: Int64? = nil, externalId: String? = nil, updatedAt: Millis) {
        self.id = id
        self.patientId = patientId
        self.clinicNumber = clinicNumber
        self.startsAt = startsAt
        self.utcOffset = utcOffset
        self.doctor = doctor
        self.template = template
        self.language = language
        self.status = status
        self.reminderMessageId = reminderMessageId
        self.externalId = externalId
        self.updatedAt = updatedAt
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        patientId = try c.decode(Int64.self, forKey: .patientId)
        clinicNumber = try c.decode(String.self, forKey: .clinicNumber)
        startsAt = try c.decode(Millis.self, forKey: .startsAt)
        utcOffset = try c.decodeIfPresent(Int.self, forKey: .utcOffset) ?? 0
        doctor = try c.decode(String.self, forKey: .doctor)
        template = try c.decode(String.self, forKey: .template)
        language = try c.decode(String.self, forKey: .language)
        // A status this client does not know yet reads as scheduled rather than failing the whole batch.
        status = (try? c.decode(String.self, forKey: .status)).flatMap(AppointmentStatus.init(rawValue:)) ?? .scheduled
        reminderMessageId = try c.decodeIfPresent(Int64.self, forKey: .reminderMessageId)
        externalId = try c.decodeIfPresent(String.self, forKey: .externalId)
        updatedAt = try c.decode(Millis.self, forKey: .updatedAt)
    }
}

/// One appointment as an admin hands it over: a CSV line of `inbox appointment import`, `inbox appointment add`,
/// or an element of `POST /v1/admin/appointments`.
public struct AppointmentRequest: Codable, Sendable, Equatable {
    /// The patient's WhatsApp number, E.164.
    public var phone: String
    public var name: String
    /// `2026-12-08T10:30:00+04:00`, or `2026-12-08 10:30` in the clinic's time zone.
    public var time: String
    public var doctor: String
    /// The approved template the reminder sends (`appointment_reminder`).
    public var template: String
    public var language: String?
    /// Which of the clinic's numbers sends the reminder; the clinic's only (or first) number when absent.
    public var clinicNumber: String?
    public var externalId: String?

    public init(phone: String, name: String, time: String, doctor: String, template: String, language: String? = nil,
                clinicNumber: String? = nil, externalId: String? = nil) {
        self.phone = phone
        self.name = name
        self.time = time
        self.doctor = doctor
        self.template = template
        self.language = language
        self.clinicNumber = clinicNumber
        self.externalId = externalId
    }
}

/// What a store needs to keep an appointment: the request checked and its time resolved.
public struct NewAppointment: Sendable, Equatable {
    public var phone: String
    public var name: String
    public var startsAt: Millis
    public var utcOffset: Int
    public var doctor: String
    public var template: String
    public var language: String
    public var clinicNumber: String?
    public var externalId: String?

    public init(phone: String, name: String, startsAt: Millis, utcOffset: Int, doctor: String, template: String,
                language: String, clinicNumber: String? = nil, externalId: String? = nil) {
        self.phone = phone
        self.name = name
        self.startsAt = startsAt
        self.utcOffset = utcOffset
        self.doctor = doctor
        self.template = template
        self.language = language
        self.clinicNumber = clinicNumber
        self.externalId = externalId
    }

    /// Keys a re-import: the clinic system's id, else the patient, time and doctor.
    public var sourceKey: String {
        externalId.map { "id:\($0)" } ?? "\(phone)|\(startsAt)|\(doctor)"
    }
}

/// One line of `inbox appointment list` and of the admin endpoint's answers.
public struct AppointmentListing: Codable, Sendable, Equatable {
    public var appointment: Appointment
    public var clinic: String
    public var patientName: String
    public var phone: String
    /// Why the reminder could not go out (e.g. the template was removed), when it could not.
    public var reminderError: String?

    public init(appointment: Appointment, clinic: String, patientName: String, phone: String, reminderError: String? = nil) {
        self.appointment = appointment
        self.clinic = clinic
        self.patientName = patientName
        self.phone = phone
        self.reminderError = reminderError
    }
}

/// `POST /v1/admin/appointments`'s answer: every line's outcome, in order.
public struct AppointmentImportResult: Codable, Sendable, Equatable {
    public struct Line: Codable, Sendable, Equatable {
        /// The appointment's id, when the line was kept (new or already there).
        public var id: Int64?
        /// False when an equal appointment (same external id, or patient, time and doctor) was already there.
        public var created: Bool
        /// Why the line was refused.
        public var error: String?

        public init(id: Int64?, created: Bool, error: String? = nil) {
            self.id = id
            self.created = created
            self.error = error
        }
    }

    public var lines: [Line]

    public init(lines: [Line]) { self.lines = lines }
}
