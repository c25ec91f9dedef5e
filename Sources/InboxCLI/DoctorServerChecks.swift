import Foundation
import GRDB
import InboxModel
import InboxServer

/// `inbox doctor --db` on the clinic's server: can each registered number send and have its webhooks verified?
struct ServerDoctor {
    let databasePath: String
    let publicURL: String?
    let environment: [String: String]

    private struct Number { var number: String; var provider: String; var providerRef: String? }

    func check(into report: DoctorReport) async {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            report.fail("database", "no database at \(databasePath) (`inbox serve --db` creates it)")
            return
        }
        DoctorFiles.checkOwnerOnly(database: databasePath, subject: "database file modes", into: report)
        DoctorFiles.checkDiskSpace(near: databasePath, subject: "disk space", into: report)
        // The same reading of the environment `inbox serve` does, so the doctor cannot disagree with the server.
        var configuration = ServerConfiguration()
        configuration.applyEnvironment(environment)
        if let numbers = readNumbers(into: report) {
            for number in numbers { checkCredentials(number, configuration, into: report) }
            let providers = Set(numbers.compactMap { ProviderKind(rawValue: $0.provider) })
            for provider in ProviderKind.allCases where providers.contains(provider) {
                checkWebhookSecrets(provider, configuration, into: report)
            }
        }
        if let publicURL { await checkPublicURL(publicURL, into: report) }
    }

    private func readNumbers(into report: DoctorReport) -> [Number]? {
        do {
            // Read-only: a doctor must not migrate, or write to, the database it examines.
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(5)
            let queue = try DatabaseQueue(path: databasePath, configuration: config)
            let numbers = try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT number, provider, provider_ref FROM numbers ORDER BY number").map {
                    Number(number: $0["number"], provider: $0["provider"], providerRef: $0["provider_ref"])
                }
            }
            try queue.close()
            if numbers.isEmpty {
                report.fail("numbers", "no WhatsApp number is registered: add one with `inbox number add`")
            }
            return numbers
        } catch {
            report.fail("numbers", "the registered numbers could not be read from \(databasePath) (\(error))")
            return nil
        }
    }

    /// Names the variables, never their values.
    private func checkCredentials(_ number: Number, _ configuration: ServerConfiguration, into report: DoctorReport) {
        let subject = "\(number.number) (\(number.provider))"
        var missing: [String] = []
        var notes: [String] = []
        switch ProviderKind(rawValue: number.provider) {
        case .twilio:
            if configuration.twilio.accountSid == nil { missing.append("TWILIO_ACCOUNT_SID") }
            if configuration.twilio.authToken == nil { missing.append("TWILIO_AUTH_TOKEN") }
        case .meta:
            if configuration.meta.accessToken == nil { missing.append("META_ACCESS_TOKEN") }
            if number.providerRef == nil { notes.append("it has no phone_number_id: register it again with --ref") }
        case .waha:
            if configuration.waha.baseURL == nil { missing.append("WAHA_BASE_URL") }
            if number.providerRef == nil { notes.append("it has no WAHA session: register it again with --ref") }
        case .gupshup:
            if configuration.gupshup.apiKey == nil { missing.append("GUPSHUP_API_KEY") }
            if number.providerRef == nil {
                notes.append("it has no Gupshup app name: register it again with --ref (its callbacks are refused)")
            }
        case nil:
            report.fail(subject, "the provider \(number.provider) is not one this inbox knows")
            return
        }
        if !missing.isEmpty {
            notes.insert("no provider credentials: " + missing.joined(separator: " and ")
                         + (missing.count == 1 ? " is" : " are") + " not set in the environment, so replies cannot be sent", at: 0)
        }
        if notes.isEmpty {
            report.pass(subject, "the provider's credentials are set")
        } else {
            report.fail(subject, notes.joined(separator: "; "))
        }
    }

    private func checkWebhookSecrets(_ provider: ProviderKind, _ configuration: ServerConfiguration, into report: DoctorReport) {
        let subject = "\(provider.rawValue) webhooks"
        switch provider {
        case .twilio:
            if configuration.twilio.authToken == nil {
                report.fail(subject, "TWILIO_AUTH_TOKEN is not set: Twilio's signatures cannot be verified, so every webhook is refused")
            } else {
                report.pass(subject, "signatures are verified with TWILIO_AUTH_TOKEN")
            }
        case .meta:
            let missing = [("META_APP_SECRET", configuration.meta.appSecret), ("META_VERIFY_TOKEN", configuration.meta.verifyToken)]
                .filter { $0.1 == nil }.map(\.0)
            if missing.isEmpty {
                report.pass(subject, "signatures are verified with META_APP_SECRET; subscription with META_VERIFY_TOKEN")
            } else {
                report.fail(subject, missing.joined(separator: " and ") + (missing.count == 1 ? " is" : " are")
                            + " not set: Meta's webhooks cannot be verified")
            }
        case .waha:
            if configuration.waha.hmacKey != nil {
                report.pass(subject, "signatures are verified with WAHA_HMAC_KEY")
            } else if configuration.waha.allowUnsigned {
                report.fail(subject, "INBOX_WAHA_ALLOW_UNSIGNED=1 accepts unsigned webhooks (for a lab only): set WAHA_HMAC_KEY")
            } else {
                report.fail(subject, "WAHA_HMAC_KEY is not set: WAHA's webhooks are refused as unsigned")
            }
        case .gupshup:
            // Nothing to configure: each number's callback URL carries its own token (`inbox number add` prints it).
            report.pass(subject, "callbacks are accepted only on each number's own callback URL (a secret token)")
        }
    }

    private func checkPublicURL(_ base: String, into report: DoctorReport) async {
        let url = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/healthz"
        switch await DoctorFiles.get(url) {
        case .unreachable(let reason):
            report.fail("public URL", "\(url) cannot be reached from this server (\(reason)): providers cannot deliver webhooks")
        case .answered(let response) where response.status != 200:
            report.fail("public URL", "\(url) answered HTTP \(response.status): does it lead to this inbox server?")
        case .answered:
            report.pass("public URL", "\(url) answers")
        }
    }
}
