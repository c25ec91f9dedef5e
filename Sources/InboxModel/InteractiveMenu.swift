/// A bot message's choices as WhatsApp shows them: a list (up to 10 rows behind a button) or reply buttons (up to
/// 3). The message body always carries the same choices as numbered text, which is what agents read, what
/// channels without interactive messages send, and what a patient may still type.
public struct InteractiveMenu: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case list, buttons }

    public struct Option: Codable, Sendable, Equatable {
        /// Comes back with the patient's tap (`Message.replyId`): matched instead of the title.
        public var id: String
        public var title: String

        public init(id: String, title: String) {
            self.id = id
            self.title = title
        }
    }

    public var kind: Kind
    /// The text above the choices.
    public var body: String
    /// The list's button ("Options"); unused for reply buttons.
    public var button: String
    public var options: [Option]

    public init(kind: Kind, body: String, button: String, options: [Option]) {
        self.kind = kind
        self.body = body
        self.button = button
        self.options = options
    }

    /// WhatsApp's limits: row titles 24 characters, button titles 20, the list's button 20.
    public static let maxRowTitle = 24, maxButtonTitle = 20

    /// The menu as a channel may send it: titles cut to WhatsApp's limits (ids never change).
    public var fitted: InteractiveMenu {
        var menu = self
        let limit = kind == .list ? Self.maxRowTitle : Self.maxButtonTitle
        menu.options = options.map { Option(id: $0.id, title: String($0.title.prefix(limit))) }
        menu.button = String(button.prefix(Self.maxButtonTitle))
        return menu
    }
}

/// The ids the built-in bot gives its choices.
public enum BotChoice: Equatable, Sendable {
    case menu(BotMenuOption)
    case slot(String)

    public var id: String {
        switch self {
        case .menu(let option): "menu:\(option.rawValue)"
        case .slot(let time): "slot:\(time)"
        }
    }

    public init?(replyId: String) {
        if replyId.hasPrefix("menu:"), let option = BotMenuOption(rawValue: String(replyId.dropFirst(5))) {
            self = .menu(option)
        } else if replyId.hasPrefix("slot:"), replyId.count > 5 {
            self = .slot(String(replyId.dropFirst(5)))
        } else {
            return nil
        }
    }
}
