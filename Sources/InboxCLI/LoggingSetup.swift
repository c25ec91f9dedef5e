import Foundation
import Logging

/// Logs go to stderr at the level in INBOX_LOG_LEVEL (default `info`). Message text is never logged anywhere.
enum LoggingSetup {
    static func bootstrap(defaultLevel: Logger.Level = .info) {
        let level = ProcessInfo.processInfo.environment["INBOX_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? defaultLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
