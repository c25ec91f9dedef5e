import Foundation
import HTTPTypes
import Hummingbird
import InboxModel

/// An error answer in the API's one JSON shape (`ErrorBody`).
struct APIError: Error, HTTPResponseError {
    let status: HTTPResponse.Status
    let body: ErrorBody
    /// Sent with the answer, e.g. `Allow` with a 405.
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.body = ErrorBody(error: code, message: message)
        self.headers = headers
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = Response.json(status, (try? JSONEncoder().encode(body)).map(Array.init) ?? [])
        response.headers.append(contentsOf: headers)
        return response
    }

    static let unauthorized = APIError(.unauthorized, "unauthorized", "A valid bearer token is required.")
}

extension Response {
    static func json(_ status: HTTPResponse.Status, _ bytes: [UInt8]) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Twilio expects TwiML; an empty `<Response/>` tells it to send nothing back.
    static var emptyTwiML: Response {
        Response(status: .ok, headers: [.contentType: "text/xml"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>")))
    }
}

extension Request {
    /// The body, refused with 413 past `limit` bytes (checked against Content-Length first, then while reading).
    func bytes(upTo limit: Int) async throws -> [UInt8] {
        if let length = headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(.contentTooLarge, "too_large", "The body is larger than \(limit) bytes.")
        }
        do {
            var buffer = try await body.collect(upTo: limit)
            return buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "too_large", "The body is larger than \(limit) bytes.")
        }
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let twilioSignature = HTTPField.Name("X-Twilio-Signature")!
}
