import Foundation
import InboxModel

extension InteractiveMenu {
    /// As the server keeps it on the message (`messages.interactive`).
    public var encoded: String {
        (try? JSONEncoder().encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    public static func decoded(_ text: String?) -> InteractiveMenu? {
        text.flatMap { try? JSONDecoder().decode(InteractiveMenu.self, from: Data($0.utf8)) }
    }
}
