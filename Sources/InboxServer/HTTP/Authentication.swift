import Foundation
import Hummingbird

extension InboxStore {
    /// The agent whose bearer token the request carries; 401 without a known one.
    func agent(authorizing request: Request) async throws -> AuthenticatedAgent {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError.unauthorized
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, let agent = try await authenticate(tokenHash: SQLiteInboxStore.sha256Hex(Data(token.utf8))) else {
            throw APIError.unauthorized
        }
        return agent
    }
}
