import CurlHTTP
import Foundation
import InboxModel
import InboxTUI
import SyncEngine

/// `inbox doctor` on a reception PC: can this `inbox` reach its server, sign in, and keep its files private?
struct ClientDoctor {
    /// Beyond this, "5 minutes ago" and message order look wrong, and a clock this far off is worth fixing.
    static let maximumSkew: TimeInterval = 60

    let connection: ConnectionOptions
    let environment: [String: String]

    func check(into report: DoctorReport) async {
        checkCredentialsFile(into: report)
        let mirrorPath = connection.mirror ?? Mirror.defaultPath()
        checkMirror(at: mirrorPath, into: report)
        DoctorFiles.checkDiskSpace(near: mirrorPath, subject: "disk space", into: report)
        // `inbox` itself falls back to the config file's server and token last: so does the doctor.
        var config: Config?
        do {
            config = try Config.load(environment: environment)
        } catch {
            report.fail("config file", "\(error)")
        }
        let credentials: Credentials
        do {
            credentials = try connection.resolve(config: config)
        } catch {
            report.fail("server", "\(error)")
            return
        }
        let server = credentials.server.hasSuffix("/") ? String(credentials.server.dropLast()) : credentials.server
        guard case .answered(let health) = await checkReachable(server, into: report) else { return }
        checkClock(health, server: server, into: report)
        await checkToken(credentials.token, server: server, into: report)
    }

    private func checkCredentialsFile(into report: DoctorReport) {
        let path = Credentials.path(environment: environment)
        guard let mode = DoctorFiles.permissions(of: path) else {
            report.pass("credentials file", "none at \(path) (the server and token come from flags or the environment)")
            return
        }
        if mode & 0o077 != 0 {
            report.fail("credentials file", "\(path) is \(DoctorFiles.octal(mode)): others can read the token; run chmod 600 \(path)")
        } else {
            report.pass("credentials file", "\(path) is owner-only (\(DoctorFiles.octal(mode)))")
        }
    }

    private func checkMirror(at path: String, into report: DoctorReport) {
        guard FileManager.default.fileExists(atPath: path) else {
            report.pass("mirror", "\(path) does not exist yet (the first `inbox` run creates it owner-only)")
            return
        }
        DoctorFiles.checkOwnerOnly(database: path, subject: "mirror file modes", into: report)
    }

    private func checkReachable(_ server: String, into report: DoctorReport) async -> DoctorFiles.Fetched {
        let fetched = await DoctorFiles.get(server + "/healthz")
        switch fetched {
        case .unreachable(let reason):
            report.fail("server", "\(server) cannot be reached (\(reason)): is it running, and is the address right?")
        case .answered(let response) where response.status != 200:
            report.fail("server", "\(server)/healthz answered HTTP \(response.status): is this an inbox server?")
        case .answered:
            report.pass("server", "\(server) answers")
        }
        return fetched
    }

    private func checkClock(_ response: HTTPClient.Response, server: String, into report: DoctorReport) {
        guard let header = response.headers["date"], let serverTime = Self.httpDate(header) else {
            report.fail("clock", "\(server) sent no Date header, so the clocks cannot be compared")
            return
        }
        // The Date header has whole seconds: a skew under a second or two is the header's rounding, not the clock.
        let skew = Date().timeIntervalSince(serverTime)
        let words = String(format: "%.0f s", abs(skew)) + (skew > 0 ? " ahead of" : " behind")
        if abs(skew) > Self.maximumSkew {
            report.fail("clock", "this computer is \(words) the server: set the time (enable NTP) on the one that is wrong")
        } else {
            report.pass("clock", "within \(Int(Self.maximumSkew)) s of the server's")
        }
    }

    private func checkToken(_ token: String, server: String, into report: DoctorReport) async {
        switch await DoctorFiles.get(server + "/v1/me", headers: [("Authorization", "Bearer \(token)")]) {
        case .unreachable(let reason):
            report.fail("token", "could not be checked: \(reason)")
        case .answered(let response) where response.status == 401:
            report.fail("token", "the token was refused: ask your admin for a new one")
        case .answered(let response) where response.status != 200:
            report.fail("token", "\(server)/v1/me answered HTTP \(response.status)")
        case .answered(let response):
            let me = try? JSONDecoder().decode(WhoAmI.self, from: Data(response.body))
            report.pass("token", me.map { "accepted: signed in as \($0.agent.name) (\($0.clinic))" } ?? "accepted")
        }
    }

    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
