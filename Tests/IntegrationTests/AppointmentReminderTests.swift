import CurlHTTP
import Foundation
import InboxModel
@testable import InboxServer
import Testing

/// Appointment reminders end to end: the real `inbox appointment import`, a real server on 127.0.0.1 whose reminder
/// worker runs on a clock the test moves forward, the fake Meta receiving template sends, and patients answering
/// through signed Meta webhooks. Runs on SQLite, and on PostgreSQL with `INBOX_TEST_DATABASE=postgres`.
@Suite("Appointment reminders", .serialized)
struct AppointmentReminderTests {
    static let reminder = TemplateDefinition(
        name: "appointment_reminder", language: "en", category: .utility,
        body: "Hi {{1}}, a reminder of your appointment with {{2}} on {{3}} at {{4}}. Reply Confirm, Reschedule or Cancel.")

    struct Clinic {
        let server: TestServer
        let meta: FakeMeta
        let clock: ReminderClock
        let agent: NewAgent
        let admin: NewAgent

        /// Template sends that reached the fake Meta, by recipient.
        var reminders: [String] { meta.sent.compactMap { $0.message?.template == nil ? nil : $0.to } }

        func stop() async {
            await server.stop()
            await meta.stop()
        }

        func admin(_ method: String, _ path: String, body: Any? = nil, token: String? = nil) async throws -> HTTPClient.Response {
            var headers = [("Content-Type", "application/json")]
            if let bearer = token ?? Optional(admin.token), !bearer.isEmpty { headers.append(("Authorization", "Bearer \(bearer)")) }
            return try await HTTPClient.shared.send(HTTPClient.Request(
                method: method, url: server.baseURL + "/v1/admin/appointments" + path, headers: headers,
                body: body.map { Array(try! JSONSerialization.data(withJSONObject: $0)) }))
        }

        func appointments() async throws -> [AppointmentListing] {
            try await server.store.appointments(clinic: "Sunrise", from: 0)
        }

        func appointment(phone: String) async throws -> AppointmentListing? {
            try await appointments().first { $0.phone == phone }
        }

        /// The patient answers on WhatsApp (a signed Meta webhook).
        func patientWrites(_ waId: String, id: String, _ message: [String: Any]) async throws {
            let body = MetaPayload.webhook([MetaPayload.value(contacts: [MetaPayload.contact(waId, name: "Patient")],
                                                              messages: [message])])
            #expect(try await server.metaWebhook(body).status == 200)
        }

        /// Waits until the reminder worker has looked for due work at least twice more: the second look began after
        /// the first had committed whatever it queued.
        func workerRanAgain() async throws -> Bool {
            let seen = clock.passes
            await clock.advance(by: 1)
            return try await eventually { clock.passes >= seen + 2 }
        }
    }

    static func start() async throws -> Clinic {
        let meta = try await FakeMeta.start()
        let clock = ReminderClock()
        let server = try await TestServer.start {
            TestServer.providers(&$0, meta: meta)
            $0.reminders = ReminderWorker.Settings(clock: clock, timeZone: TimeZone(identifier: "Asia/Dubai")!)
        }
        let agent = try await server.addClinic("Sunrise", number: MetaPayload.clinicNumber, provider: .meta,
                                               providerRef: MetaPayload.phoneNumberId)[0]
        let admin = try await server.store.addAgent(name: "Omar", clinic: "Sunrise", role: .admin)
        try await server.store.saveTemplates([reminder], clinic: "Sunrise")
        return Clinic(server: server, meta: meta, clock: clock, agent: agent, admin: admin)
    }

    /// `days` from now, on the hour, as the clinic's file writes it (Dubai time, no offset).
    static func clinicTime(daysAhead days: Double, from now: Millis) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Dubai")
        formatter.dateFormat = "yyyy-MM-dd HH:00"
        return formatter.string(from: Date(timeIntervalSince1970: Double(now) / 1000 + days * 86_400))
    }

    /// Everything the agent can see, appointments included, pulled until nothing is pending.
    static func everything(_ server: TestServer, token: String) async throws -> SyncBatch {
        var all = try await server.everything(token: token)
        var cursor: String?
        while true {
            let batch = try JSONDecoder().decode(SyncBatch.self, from: Data(try await server.sync(token: token, since: cursor).body))
            all.appointments += batch.appointments
            cursor = batch.cursor
            if !batch.more { return all }
        }
    }

    @Test("3 imported appointments, clock moved past their lead time: exactly 3 reminders, none again after a restart, none for a cancelled one")
    func remindedOnce() async throws {
        let clinic = try await Self.start()
        defer { Task { await clinic.stop() } }
        let now = clinic.clock.now()
        let csv = """
            phone,name,time,doctor,template,language,id
            +971501110001,Layla Haddad,\(Self.clinicTime(daysAhead: 3, from: now)),Dr Rahman,appointment_reminder,en,A-1
            +919800000002,Priya Sharma,\(Self.clinicTime(daysAhead: 3, from: now)),Dr Mehta,appointment_reminder,en,A-2
            "+15550000003","Sam ""Sammy"" Lee",\(Self.clinicTime(daysAhead: 3, from: now)),Dr Rahman,appointment_reminder,en,A-3
            +15550000004,Cancelled Patient,\(Self.clinicTime(daysAhead: 3, from: now)),Dr Rahman,appointment_reminder,en,A-4
            """
        let file = clinic.server.directory.appendingPathComponent("appointments.csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)
        let imported = try InboxProcess.run(["appointment", "import", file.path, "--clinic", "Sunrise",
                                             "--time-zone", "Asia/Dubai"] + clinic.server.databaseArguments)
        #expect(imported.contains("4 appointments added, 0 already there, 0 refused"))
        // The same file again adds nothing.
        let again = try InboxProcess.run(["appointment", "import", file.path, "--clinic", "Sunrise",
                                          "--time-zone", "Asia/Dubai"] + clinic.server.databaseArguments)
        #expect(again.contains("0 appointments added, 4 already there"))
        let cancelled = try #require(try await clinic.appointment(phone: "+15550000004"))
        let sam = try #require(try await clinic.appointment(phone: "+15550000003"))
        #expect(sam.patientName == "Sam \"Sammy\" Lee")
        #expect(try await clinic.admin("POST", "/\(cancelled.appointment.id)/cancel").status == 200)

        // Three days ahead: not due yet. The worker looks, and sends nothing.
        #expect(try await clinic.workerRanAgain())
        #expect(clinic.reminders.isEmpty)

        // 49 hours later the appointments are 23 hours away: inside the 24-hour lead.
        await clinic.clock.advance(by: 49 * 3_600_000)
        #expect(try await eventually { clinic.reminders.count >= 3 })
        #expect(try await clinic.workerRanAgain())
        #expect(clinic.reminders.sorted() == ["+15550000003", "+919800000002", "+971501110001"])

        // The template and its four parameters, with the time in the clinic's time zone.
        let layla = try #require(clinic.meta.sent.first { $0.to == "+971501110001" }?.message?.template)
        #expect(layla.name == "appointment_reminder")
        let parameters = layla.components?.first?.parameters.compactMap(\.text) ?? []
        #expect(parameters.count == 4)
        #expect(Array(parameters.prefix(2)) == ["Layla Haddad", "Dr Rahman"])
        #expect(parameters.last?.hasSuffix(":00") == true)

        // A restart: the new worker runs (a fresh appointment proves it) but the three are not reminded again.
        try await clinic.server.restart()
        await clinic.clock.advance(by: 3_600_000)
        let push = try await clinic.admin("POST", "", body: ["appointments": [[
            "phone": "+15550000005", "name": "After Restart", "time": Self.clinicTime(daysAhead: 2.5, from: now),
            "doctor": "Dr Rahman", "template": "appointment_reminder"]]])
        #expect(push.status == 200)
        #expect(try await eventually { clinic.reminders.contains("+15550000005") })
        #expect(try await clinic.workerRanAgain())
        #expect(clinic.reminders.sorted() == ["+15550000003", "+15550000005", "+919800000002", "+971501110001"])
        #expect(try await clinic.appointment(phone: "+15550000004")?.appointment.status == .cancelled)

        // The reminder is in the conversation's timeline, and the appointment syncs to agents.
        let batch = try await Self.everything(clinic.server, token: clinic.agent.token)
        let laylaPatient = try #require(batch.patients.first { $0.phone == "+971501110001" })
        let conversation = try #require(batch.conversations.first { $0.patientId == laylaPatient.id })
        let timeline = batch.messages.filter { $0.conversationId == conversation.id }
        #expect(timeline.contains { $0.author == .bot && $0.body.hasPrefix("Hi Layla Haddad, a reminder of your appointment with Dr Rahman") })
        let synced = batch.appointments.filter { $0.patientId == laylaPatient.id }
        #expect(synced.count == 1 && synced.first?.status == .reminded && synced.first?.doctor == "Dr Rahman")
        #expect(!batch.appointments.contains { $0.status == .cancelled && $0.reminderMessageId != nil })
    }

    @Test("answers: a Confirm button confirms; Hindi and Arabic words work; \"reschedule\" hands off to staff with a readable reason; \"cancel\" cancels")
    func answers() async throws {
        let clinic = try await Self.start()
        defer { Task { await clinic.stop() } }
        let now = clinic.clock.now()
        let people = [("+971501110001", "Layla"), ("+919800000002", "Priya"), ("+971502220003", "Omar"),
                      ("+15550000004", "Sam"), ("+15550000005", "Dana")]
        let push = try await clinic.admin("POST", "", body: ["appointments": people.map { phone, name in
            ["phone": phone, "name": name, "time": Self.clinicTime(daysAhead: 0.5, from: now), "doctor": "Dr Rahman",
             "template": "appointment_reminder", "externalId": "X-\(name)"] }])
        #expect(push.status == 200)
        #expect(try await eventually { clinic.reminders.count == people.count })
        let ids = Dictionary(uniqueKeysWithValues: try await clinic.appointments().map { ($0.phone, $0.appointment.id) })

        // A tap on the template's quick-reply button: matched by its payload (the id the reminder's button carries),
        // whatever its title says — here one in no language the words know.
        try await clinic.patientWrites("971501110001", id: "wamid.tap", MetaPayload.message(
            "wamid.tap", from: "971501110001", type: "button",
            ["button": ["text": "Sí, asistiré", "payload": "appt:\(ids["+971501110001"]!):confirm"]]))
        // Hindi: "yes, I will come"; Arabic: "I want to change the appointment"; English: "please cancel it".
        try await clinic.patientWrites("919800000002", id: "wamid.hi", MetaPayload.text("wamid.hi", from: "919800000002", "हाँ, मैं आऊंगी"))
        try await clinic.patientWrites("971502220003", id: "wamid.ar", MetaPayload.text("wamid.ar", from: "971502220003", "أريد تغيير الموعد"))
        try await clinic.patientWrites("15550000004", id: "wamid.en", MetaPayload.text("wamid.en", from: "15550000004", "Please cancel it."))
        // Arabic "confirmed" with diacritics and a different hamza.
        try await clinic.patientWrites("15550000005", id: "wamid.ar2", MetaPayload.text("wamid.ar2", from: "15550000005", "نَعَم أؤكد"))

        let expected: [String: AppointmentStatus] = ["+971501110001": .confirmed, "+919800000002": .confirmed,
                                                     "+971502220003": .rescheduleRequested, "+15550000004": .cancelled,
                                                     "+15550000005": .confirmed]
        #expect(try await eventually {
            let statuses = Dictionary(uniqueKeysWithValues: try await clinic.appointments().map { ($0.phone, $0.appointment.status) })
            return statuses == expected
        })

        // "Reschedule" went to staff: the conversation waits in the queue with a reason a receptionist can act on.
        let batch = try await clinic.server.everything(token: clinic.agent.token)
        let omar = try #require(batch.patients.first { $0.phone == "+971502220003" })
        let conversation = try #require(batch.conversations.last { $0.patientId == omar.id })
        #expect(conversation.status == .waiting)
        #expect(conversation.handoffReason?.hasPrefix("Wants to reschedule ") == true)
        #expect(conversation.handoffReason?.hasSuffix(", Dr Rahman") == true)
        // The others stay with the automation: nothing for staff to do.
        let layla = try #require(batch.patients.first { $0.phone == "+971501110001" })
        #expect(batch.conversations.last { $0.patientId == layla.id }?.status == .bot)

        // Something that is not an answer, with no bot on this server, reaches staff too.
        try await clinic.patientWrites("971501110001", id: "wamid.q", MetaPayload.text(
            "wamid.q", from: "971501110001", "Is there parking near the clinic? I am coming by car and it is usually busy."))
        #expect(try await eventually {
            let batch = try await clinic.server.everything(token: clinic.agent.token)
            let conversation = batch.conversations.last { $0.patientId == layla.id }
            return conversation?.status == .waiting && conversation?.handoffReason == AppointmentRules.unansweredReason
        })
        #expect(try await clinic.appointment(phone: "+971501110001")?.appointment.status == .confirmed)
    }

    @Test("one Meta POST with a reminded patient's answer and a stranger's question: the answer applies, and the batch's one read picks out only that patient's message, and none once the appointment has passed")
    func answerInsideABatch() async throws {
        let clinic = try await Self.start()
        defer { Task { await clinic.stop() } }
        let now = clinic.clock.now()
        let push = try await clinic.admin("POST", "", body: ["appointments": [[
            "phone": "+971501110001", "name": "Layla", "time": Self.clinicTime(daysAhead: 0.5, from: now),
            "doctor": "Dr Rahman", "template": "appointment_reminder", "externalId": "X-1"]]])
        #expect(push.status == 200)
        #expect(try await eventually { clinic.reminders.count == 1 })

        let body = MetaPayload.webhook([MetaPayload.value(
            contacts: [MetaPayload.contact("971501110001", name: "Layla"), MetaPayload.contact("15550000099", name: "Sam")],
            messages: [MetaPayload.text("wamid.stranger", from: "15550000099", "Do you open on Fridays?"),
                       MetaPayload.text("wamid.yes", from: "971501110001", "Yes, I confirm")])])
        #expect(try await clinic.server.metaWebhook(body).status == 200)
        #expect(try await eventually { try await clinic.appointment(phone: "+971501110001")?.appointment.status == .confirmed })

        let batch = try await clinic.server.everything(token: clinic.agent.token)
        let ids = Dictionary(uniqueKeysWithValues: batch.messages.compactMap { m in m.providerMessageId.map { ($0, m.id) } })
        let posted = [try #require(ids["wamid.stranger"]), try #require(ids["wamid.yes"])]
        #expect(try await clinic.server.store.possibleAppointmentAnswers(messageIds: posted, now: now) == [posted[1]])
        #expect(try await clinic.server.store.possibleAppointmentAnswers(messageIds: posted, now: now + 86_400_000).isEmpty)
    }

    @Test("the admin endpoint: 401 without a token, 403 for an agent's, bad lines refused one by one, another clinic's appointment is 404")
    func adminEndpoint() async throws {
        let clinic = try await Self.start()
        defer { Task { await clinic.stop() } }
        let one: [String: Any] = ["appointments": [["phone": "+971501110001", "name": "Layla", "time": "2030-01-08T10:30:00+04:00",
                                                    "doctor": "Dr Rahman", "template": "appointment_reminder"]]]
        #expect(try await clinic.admin("POST", "", body: one, token: "").status == 401)
        #expect(try await clinic.admin("POST", "", body: one, token: clinic.agent.token).status == 403)
        #expect(try await clinic.admin("GET", "", token: clinic.agent.token).status == 403)
        #expect(try await clinic.admin("POST", "", body: ["nope": 1]).status == 400)

        let mixed: [String: Any] = ["appointments": [
            ["phone": "+971501110001", "name": "Layla", "time": "2030-01-08T10:30:00+04:00", "doctor": "Dr Rahman",
             "template": "appointment_reminder"],
            ["phone": "0501110001", "name": "Bad phone", "time": "2030-01-08 10:30", "doctor": "Dr Rahman",
             "template": "appointment_reminder"],
            ["phone": "+971501110002", "name": "Bad time", "time": "2030-02-30 10:30", "doctor": "Dr Rahman",
             "template": "appointment_reminder"],
        ]]
        let answer = try await clinic.admin("POST", "", body: mixed)
        #expect(answer.status == 200)
        let lines = try JSONDecoder().decode(AppointmentImportResult.self, from: Data(answer.body)).lines
        #expect(lines.count == 3)
        #expect(lines[0].created && lines[0].id != nil)
        #expect(lines[1].error?.contains("E.164") == true && lines[2].error?.contains("time") == true)

        let listing = try await clinic.admin("GET", "")
        #expect(listing.status == 200, "\(String(decoding: listing.body, as: UTF8.self))")
        let listed = try JSONDecoder().decode(AppointmentList.self, from: Data(listing.body))
        #expect(listed.appointments.count == 1)
        let appointment = try #require(listed.appointments.first?.appointment)
        #expect(AppointmentRules.describe(appointment) == "Tue 8 Jan 10:30, Dr Rahman")

        // Another clinic's admin sees none of it and cannot cancel it.
        try await clinic.server.store.addNumber("+15550009999", clinic: "Elsewhere", provider: .twilio, providerRef: nil)
        let other = try await clinic.server.store.addAgent(name: "Zed", clinic: "Elsewhere", role: .admin)
        #expect(try await clinic.admin("POST", "/\(appointment.id)/cancel", token: other.token).status == 404)
        let theirs = try JSONDecoder().decode(AppointmentList.self, from: Data(try await clinic.admin("GET", "", token: other.token).body))
        #expect(theirs.appointments.isEmpty)
        #expect(try await clinic.admin("POST", "/999999/cancel").status == 404)
    }
}
