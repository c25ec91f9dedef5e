import GRDB

/// Statements of the hot paths (ingest, the change log, long-poll reads, token checks, the watchers' ticks),
/// compiled once per connection and kept in GRDB's statement cache. Compiling is the expensive part of these small
/// statements: GRDB's authorizer runs over every table and column a statement touches, and `perf` put it at 12 % of a
/// Meta ingest run, more than SQLite spent executing them.
extension Database {
    func executeCached(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }

    func rowCached(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    func rowsCached(_ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }

    func valueCached<Value: DatabaseValueConvertible & StatementColumnConvertible>(
        _ sql: String, _ arguments: StatementArguments = StatementArguments()) throws -> Value? {
        try Value.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }
}
