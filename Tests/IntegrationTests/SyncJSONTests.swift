import Foundation
import Hummingbird
import InboxModel
@testable import InboxServer
import SyncEngine
import Testing

/// The hand-written JSON of sync pages, against Foundation's: the server's writer must say what `JSONEncoder`
/// says, and the client's reader must read what `JSONDecoder` reads — or decline, never differ.
@Suite("Sync JSON: the page writer and the batch reader against JSONEncoder and JSONDecoder")
struct SyncJSONTests {
    static let seeds: Range<UInt64> = 0..<200

    /// Object keys sorted at every level: two texts of the same document compare equal.
    static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let fields): .object(fields.map { ($0.0, normalized($0.1)) }.sorted { $0.0 < $1.0 })
        case .array(let values): .array(values.map(normalized))
        default: value
        }
    }

    @Test("the writer's page is JSONEncoder's document (same keys, same values, nil fields left out)")
    func writerMatchesEncoder() throws {
        for seed in Self.seeds {
            var random = HostileBatches(seed: seed)
            let batch = random.batch()
            let fast = try SyncPageWriter.encode(batch)
            let slow = Array(try JSONEncoder().encode(batch))
            #expect(Self.normalized(JSONValue.parse(fast)) == Self.normalized(JSONValue.parse(slow)), "seed \(seed)")
            let decoded = try JSONDecoder().decode(SyncBatch.self, from: Data(fast))
            #expect(decoded == (try JSONDecoder().decode(SyncBatch.self, from: Data(slow))), "seed \(seed)")
            #expect(decoded.messages == batch.messages && decoded.conversations == batch.conversations
                    && decoded.patients == batch.patients && decoded.agents == batch.agents, "seed \(seed)")
        }
    }

    @Test("the presence roster is spliced into the writer's page as into JSONEncoder's")
    func splicedPresence() throws {
        var random = HostileBatches(seed: 7)
        var batch = random.batch()
        batch.presence = nil
        let roster = PresenceRoster(agents: [AgentPresence(agentId: 3, state: .online, conversationId: 9, typing: true)])
        let spliced = try SyncRoutes.splice(presence: roster, into: ByteBuffer(bytes: try SyncPageWriter.encode(batch)))
        let decoded = try JSONDecoder().decode(SyncBatch.self, from: Data(spliced.readableBytesView))
        batch.presence = roster
        #expect(decoded == (try JSONDecoder().decode(SyncBatch.self, from: JSONEncoder().encode(batch))))
        let empty = try SyncRoutes.splice(presence: roster, into: ByteBuffer(bytes: try SyncPageWriter.encode(SyncBatch(cursor: "e.1"))))
        #expect(try JSONDecoder().decode(SyncBatch.self, from: Data(empty.readableBytesView)).presence == roster)
    }

    @Test("the reader reads JSONEncoder's pages (plain, sorted and pretty, slashes unescaped) and the writer's as JSONDecoder does")
    func readerMatchesDecoder() throws {
        let sortedPretty = JSONEncoder()
        sortedPretty.outputFormatting = [.sortedKeys, .prettyPrinted]
        let slashes = JSONEncoder()
        slashes.outputFormatting = .withoutEscapingSlashes
        for seed in Self.seeds {
            var random = HostileBatches(seed: seed)
            let batch = random.batch()
            let texts = [Array(try JSONEncoder().encode(batch)), Array(try sortedPretty.encode(batch)),
                         Array(try slashes.encode(batch)), try SyncPageWriter.encode(batch)]
            for (variant, bytes) in texts.enumerated() {
                let expected = try JSONDecoder().decode(SyncBatch.self, from: Data(bytes))
                let fast = SyncBatchReader.decode(bytes)
                #expect(fast != nil, "seed \(seed), variant \(variant): declined")
                #expect(fast == expected, "seed \(seed), variant \(variant)")
            }
        }
    }

    @Test("another backend's text of the same page: keys reordered, whitespace, \\u escapes and surrogate pairs, unknown keys, nulls")
    func readerMatchesDecoderOnRewrittenText() throws {
        for seed in Self.seeds {
            var random = HostileBatches(seed: seed)
            let batch = random.batch()
            var rewriter = JSONRewriter(random: HostileBatches(seed: seed &* 31 &+ 1))
            let text = rewriter.write(JSONValue.parse(Array(try JSONEncoder().encode(batch))))
            let bytes = Array(text.utf8)
            let expected = try JSONDecoder().decode(SyncBatch.self, from: Data(bytes))
            let fast = SyncBatchReader.decode(bytes)
            #expect(fast != nil, "seed \(seed): declined")
            #expect(fast == expected, "seed \(seed)")
        }
    }

    static let message = #"{"id":7,"conversationId":3,"direction":"inbound","author":"patient","body":"hi","status":"delivered","createdAt":5}"#

    static func page(messages: String = message, extra: String = "") -> String {
        #"{"cursor":"e.1","more":false\#(extra),"messages":[\#(messages)]}"#
    }

    /// Documents the reader must read, and exactly as JSONDecoder does.
    static let accepted: [String] = [
        #"{"cursor":"c"}"#,
        #" {"cursor" : "c" , "agents":null,"patients":null,"conversations":null,"messages":null,"readHorizons":null,"#
            + #""channels":null,"templates":null,"cannedReplies":null,"erasures":null,"appointments":null,"presence":null,"#
            + #""remaining":null,"more":null} "#,
        page(extra: #","remaining":12"#),
        page(messages: message.replacingOccurrences(of: #""body":"hi""#, with: #""body":"a\u0000b\"\\\/\b\f\n\r\t\ud83d\ude00\u0645""#)),
        page(messages: message.replacingOccurrences(of: #""body""#, with: #""\u0062ody""#)),
        page(messages: message.replacingOccurrences(of: #""id":7"#, with: #""id":-9223372036854775808,"agentId":9223372036854775807"#)),
        page(messages: message.replacingOccurrences(of: #""status""#, with: #""agentId":null,"media":null,"error":null,"replyId":null,"status""#)),
        page(messages: message.replacingOccurrences(of: #""status""#, with: #""media":{"kind":"image","state":"archived","size":3},"status""#)),
        page(messages: message.replacingOccurrences(of: #""status""#, with: #""media":{"kind":"image","state":5},"status""#)),
        page(messages: message.replacingOccurrences(of: #""status""#, with: #""media":{"kind":"image","state":{"a":[1,2.5e-3]}},"status""#)),
        page(messages: message.replacingOccurrences(of: #""status""#, with: #""x":{"ключ":[true,false,null,-0.5,"\u00e9"]},"status""#)),
        #"{"cursor":"c","agents":[{"id":1,"name":"A","role":"admin","active":null},{"id":2,"name":"B","role":"agent"}]}"#,
        #"{"cursor":"c","patients":[{"id":1,"channelIdentity":"w:+1","displayName":"P","phone":"+1","isLead":true,"#
            + #""tags":["a","\u0627"],"notes":"","optedOut":false,"updatedAt":1,"version":null,"language":null}]}"#,
        #"{"cursor":"c","readHorizons":[{"conversationId":1,"agentId":2,"messageId":3}],"erasures":[{"patientId":1,"#
            + #""conversationIds":[2,3],"erasedAt":4}],"cannedReplies":[{"id":1,"shortcode":"hi","body":"Hello","removed":false,"updatedAt":2}]}"#,
    ]

    @Test("edge cases the reader reads as JSONDecoder does: nulls, escapes, escaped keys, extremes, unknown attachment states")
    func acceptedEdgeCases() throws {
        for (index, text) in Self.accepted.enumerated() {
            let bytes = Array(text.utf8)
            let expected = try JSONDecoder().decode(SyncBatch.self, from: Data(bytes))
            let fast = SyncBatchReader.decode(bytes)
            #expect(fast != nil, "case \(index): declined")
            #expect(fast == expected, "case \(index)")
        }
    }

    /// Documents the reader declines (JSONDecoder then decides: some it reads, most it refuses).
    static let declined: [(String, [UInt8])] = [
        ("lone high surrogate", bytes(page(messages: message.replacingOccurrences(of: "hi", with: #"a\ud800b"#)))),
        ("lone low surrogate", bytes(page(messages: message.replacingOccurrences(of: "hi", with: #"\udc00"#)))),
        ("high surrogate, then not a low one", bytes(page(messages: message.replacingOccurrences(of: "hi", with: #"\ud83d\u0041"#)))),
        ("lone surrogate in an unknown key's value", bytes(page(extra: #","x":"\ud800""#))),
        ("integer written with a fraction", bytes(page(messages: message.replacingOccurrences(of: #""id":7"#, with: #""id":7.0"#)))),
        ("integer written with an exponent", bytes(page(messages: message.replacingOccurrences(of: #""id":7"#, with: #""id":7e0"#)))),
        ("minus zero", bytes(page(messages: message.replacingOccurrences(of: #""id":7"#, with: #""id":-0"#)))),
        ("leading zero", bytes(page(messages: message.replacingOccurrences(of: #""id":7"#, with: #""id":07"#)))),
        ("past Int64", bytes(page(messages: message.replacingOccurrences(of: #""id":7"#, with: #""id":9223372036854775808"#)))),
        ("duplicate key", bytes(page(messages: message.replacingOccurrences(of: #""body":"hi""#, with: #""body":"hi","body":"ho""#)))),
        ("unknown enum value", bytes(page(messages: message.replacingOccurrences(of: "inbound", with: "sideways")))),
        ("missing field", bytes(page(messages: message.replacingOccurrences(of: #","status":"delivered""#, with: "")))),
        ("null for a required field", bytes(page(messages: message.replacingOccurrences(of: #""hi""#, with: "null")))),
        ("number for a string", bytes(page(messages: message.replacingOccurrences(of: #""hi""#, with: "12")))),
        ("non-ASCII key (U+212A KELVIN SIGN)", bytes(page(messages: message.replacingOccurrences(of: #""status""#, with: #""clientKey":"k","client\#u{212A}ey""#)))),
        ("raw control character in a string", bytes(page(messages: message.replacingOccurrences(of: "hi", with: "h\ti")))),
        ("invalid escape", bytes(page(messages: message.replacingOccurrences(of: "hi", with: #"\x41"#)))),
        ("truncated", Array(bytes(page()).dropLast(3))),
        ("trailing garbage", bytes(page() + "x")),
        ("two documents", bytes(page() + page())),
        ("top-level array", bytes("[" + page() + "]")),
        ("byte order mark", [0xEF, 0xBB, 0xBF] + bytes(page())),
        ("invalid UTF-8", Array(bytes(page()).map { $0 == UInt8(ascii: "h") ? 0xFF : $0 })),
        ("overlong UTF-8 in an unknown key's value", bytes(#"{"cursor":"c","x":"#) + [0x22, 0xC0, 0xAF, 0x22] + bytes("}")),
        ("deep nesting", bytes(page(extra: #","x":"# + String(repeating: "[", count: 200) + String(repeating: "]", count: 200)))),
        ("trailing comma", bytes(page(messages: message + ","))),
        ("empty", []),
    ]

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test("the reader declines what it is not sure to read as JSONDecoder does; the client then uses JSONDecoder")
    func declinedEdgeCases() {
        for (name, bytes) in Self.declined {
            #expect(SyncBatchReader.decode(bytes) == nil, "\(name)")
        }
    }

    @Test("a real server's answers with hostile patient text are read by the fast reader, as JSONDecoder reads them")
    func realServerAnswers() async throws {
        let server = try await TestServer.start()
        defer { Task { await server.stop() } }
        let agent = try await server.addClinic("Sunrise", number: "+15550001111")[0]
        var random = HostileBatches(seed: 99)
        var sent: [String] = []
        for index in 0..<20 {
            let body = "\(index) " + String(random.text().prefix(1_000))
            sent.append(body)
            let form = TestServer.inbound(sid: "SMjson\(index)", from: "+1555765\(4000 + index % 3)", to: "+15550001111",
                                          body: body, name: random.text(maxPieces: 2))
            #expect(try await server.twilioWebhook(form).status == 200)
        }
        let response = try await server.sync(token: agent.token)
        let expected = try JSONDecoder().decode(SyncBatch.self, from: Data(response.body))
        let fast = SyncBatchReader.decode(response.body)
        #expect(fast != nil)
        #expect(fast == expected)
        #expect(expected.messages.filter { $0.direction == .inbound }.count == sent.count)
    }
}
