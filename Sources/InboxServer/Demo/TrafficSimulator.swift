import CurlHTTP
import Foundation
import InboxModel

/// Simulated patients writing to the clinic through the real Twilio webhook path, signed as Twilio signs.
/// English, Arabic and Hindi speakers; most talk to the bot, and every few seconds one asks for a human. A line
/// starting with "📎 " sends that file instead (served by `DemoTwilio`), so `o` has something to save.
public struct TrafficSimulator: Sendable {
    struct Patient {
        var name: String
        var phone: String
        var lines: [String]
    }

    static let patients: [Patient] = [
        Patient(name: "Sarah Mitchell", phone: "+14155550101", lines: ["Hello", "1", "Tomorrow 09:30 please", "Can I talk to a person about my bill?"]),
        Patient(name: "أحمد الراشد", phone: "+971501234567", lines: ["مرحبا", "أريد حجز موعد", "أريد التحدث مع موظف من فضلك"]),
        Patient(name: "प्रिया शर्मा", phone: "+919812345678", lines: ["नमस्ते", "4", "मुझे स्टाफ से बात करनी है"]),
        Patient(name: "James O'Connor", phone: "+447700900123", lines: ["Hi, is the clinic open on Saturday?", "human please"]),
        Patient(name: "Fatima Zahra", phone: "+212612345678", lines: ["Bonjour", "3", "📎 referral.pdf", "I need to speak to reception about my test results"]),
        Patient(name: "陈伟", phone: "+8613812345678", lines: ["你好", "2", "Can someone from staff call me? 🙏"]),
        Patient(name: "Olivia Brown 👩🏽‍⚕️", phone: "+61412345678", lines: ["Hey", "blorp", "???"]),
        Patient(name: "Rahul Verma", phone: "+919898989898", lines: ["Hi", "1", "Monday", "Talk to staff"]),
        Patient(name: "נועה כהן", phone: "+972521234567", lines: ["שלום", "I want to talk to a human"]),
        Patient(name: "Miguel Santos", phone: "+5511987654321", lines: ["Hola", "4", "Thanks!", "Actually I need a person to check my prescription"]),
    ]

    let webhookURL: String
    let clinicNumber: String
    let authToken: String
    /// Where the demo's Twilio stand-in serves patients' files.
    let mediaBaseURL: String

    public init(webhookURL: String, clinicNumber: String, authToken: String, mediaBaseURL: String) {
        self.webhookURL = webhookURL
        self.clinicNumber = clinicNumber
        self.authToken = authToken
        self.mediaBaseURL = mediaBaseURL
    }

    /// Plays every patient's script, interleaved, one message every `pace`; starts over with new message ids
    /// (and so new conversations once old ones are closed) until cancelled.
    public func run(pace: Duration = .milliseconds(1500), burst: Int = 8) async {
        var round = 0
        while !Task.isCancelled {
            var sent = 0
            let longest = Self.patients.map(\.lines.count).max() ?? 0
            for step in 0..<longest {
                for (index, patient) in Self.patients.enumerated() where step < patient.lines.count {
                    await send(patient, text: patient.lines[step], id: "SMdemo\(round)x\(index)x\(step)")
                    sent += 1
                    // The first few arrive at once so the queue is not empty when the screen opens.
                    if sent > burst { try? await Task.sleep(for: pace) }
                    if Task.isCancelled { return }
                }
            }
            round += 1
        }
    }

    private func send(_ patient: Patient, text: String, id: String) async {
        var parameters = [("MessageSid", id), ("AccountSid", "ACdemo"), ("From", "whatsapp:\(patient.phone)"),
                          ("To", "whatsapp:\(clinicNumber)"), ("ProfileName", patient.name),
                          ("WaId", String(patient.phone.dropFirst()))]
        if text.hasPrefix("📎 ") {
            parameters += [("Body", ""), ("NumMedia", "1"), ("MediaUrl0", "\(mediaBaseURL)/media/\(text.dropFirst(2))"),
                           ("MediaContentType0", "application/pdf")]
        } else {
            parameters += [("Body", text), ("NumMedia", "0")]
        }
        let signature = TwilioSignature(authToken: authToken).sign(url: webhookURL, parameters: parameters)
        _ = try? await HTTPClient.shared.send(HTTPClient.Request(
            method: "POST", url: webhookURL,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", signature)],
            body: Array(FormEncoding.encode(parameters).utf8)))
    }
}
