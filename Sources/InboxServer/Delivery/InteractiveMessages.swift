import InboxModel

/// The bot's choices (`InteractiveMenu`) in each provider's interactive format. Twilio and WAHA send the message
/// body, which carries the same choices as numbered text.
extension MetaSender {
    /// Cloud API `interactive`: a list (`action.button`, one section of rows) or reply buttons; each tap comes back
    /// as `interactive.list_reply` / `button_reply` with the option's id.
    static func interactive(_ menu: InteractiveMenu) -> [String: Any] {
        switch menu.kind {
        case .list:
            return ["type": "list", "body": ["text": menu.body],
                    "action": ["button": menu.button,
                               "sections": [["rows": menu.options.map { ["id": $0.id, "title": $0.title] }]]]]
        case .buttons:
            return ["type": "button", "body": ["text": menu.body],
                    "action": ["buttons": menu.options.prefix(3).map {
                        ["type": "reply", "reply": ["id": $0.id, "title": $0.title]]
                    }]]
        }
    }
}

extension GupshupSender {
    /// Gupshup's `list` message, for buttons too: a tapped row comes back as `list_reply` with the row's own
    /// `postbackText` (the option's id), while a quick-reply button comes back with only the message's id.
    static func list(_ menu: InteractiveMenu, messageId: Int64) -> [String: Any] {
        ["type": "list", "title": menu.button, "body": menu.body, "msgid": "inbox-\(messageId)",
         "globalButtons": [["type": "text", "title": menu.button]],
         "items": [["options": menu.options.map {
             ["type": "text", "title": $0.title, "description": "", "postbackText": $0.id]
         }]]]
    }
}
