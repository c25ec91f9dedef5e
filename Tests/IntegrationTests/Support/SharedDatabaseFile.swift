import GRDB

/// The test's own connection to a SQLite file a running server also writes (its media fetcher, delivery worker…):
/// it waits for the server's write to finish instead of failing with "database is locked", GRDB's default.
func sharedDatabase(_ path: String) throws -> DatabaseQueue {
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    return try DatabaseQueue(path: path, configuration: configuration)
}
