import InboxModel

/// The hand-off banner above a conversation's messages: why the AI handed it over and what the patient wants, so
/// the agent starts with the context instead of scrolling.
///
///      Handed off · Reason: Patient asked for staff
///      AI summary: Disputes the March invoice and wants…      (only when the bot or AI hook wrote a summary)
///      Patient: "Can someone from staff call me? 🙏"           (otherwise: the patient's last messages)
///
/// Text is laid out like the timeline (bidi per paragraph, right-to-left flush right) after a label that stays on
/// the left, so a right-to-left summary keeps its margin.
enum HandoffBanner {
    static func lines(_ detail: ConversationDetail, width: Int, maxTextLines: Int, reorder: Bool,
                      theme: Theme) -> [StyledLine] {
        let conversation = detail.conversation
        guard let reason = conversation.handoffReason, !reason.isEmpty else { return [] }
        var lines = [StyledLine([Span(" Handed off · Reason: ", theme.banner),
                                 Span(reason.replacingNewlinesWithSpaces(), theme.banner)],
                                background: theme.banner)]
        let maxTextLines = max(1, maxTextLines)
        if let summary = conversation.handoffSummary, !summary.allSatisfy(\.isWhitespace) {
            lines += labelled(" AI summary: ", summary.replacingNewlinesWithSpaces(), width: width,
                              maxLines: maxTextLines, reorder: reorder, theme: theme)
        } else {
            let said = detail.messages.filter { $0.author == .patient && !$0.body.allSatisfy(\.isWhitespace) }
            for message in said.suffix(maxTextLines) {
                lines += labelled(" Patient: ", message.body.replacingNewlinesWithSpaces(), width: width, maxLines: 1,
                                  reorder: reorder, theme: theme)
            }
        }
        return lines
    }

    /// `label` then `text` wrapped into at most `maxLines` lines beside it (continuation lines indented under the
    /// text); the last line ends with "…" when text was left out.
    static func labelled(_ label: String, _ text: String, width: Int, maxLines: Int, reorder: Bool,
                         theme: Theme) -> [StyledLine] {
        let labelWidth = TextLayout.width(label)
        let textWidth = width - labelWidth - 1  // one column of air on the right
        guard textWidth >= 4 else {
            return [StyledLine([Span(label, theme.banner), Span(text, theme.banner)], background: theme.banner)]
        }
        var laidOut = TextLayout.lines(text, width: textWidth, reorder: reorder)
        if laidOut.count > maxLines {
            laidOut = Array(laidOut.prefix(maxLines))
            // Cut the last shown line in logical order (its end is the text's end so far), then reorder it.
            let logical = TextLayout.wrap(text, width: textWidth)[maxLines - 1]
            let cut = TextLayout.truncate(logical + " …", width: textWidth)
            let last = laidOut[maxLines - 1]
            let glyphs = TextLayout.glyphs(cut)
            let direction: Bidi.Direction = last.isRightToLeft ? .rightToLeft : .leftToRight
            laidOut[maxLines - 1] = TextLayout.Line(
                glyphs: reorder && Graphemes.containsRTL(glyphs) ? Bidi.reorder(glyphs, direction: direction) : glyphs,
                isRightToLeft: last.isRightToLeft)
        }
        let indent = String(repeating: " ", count: labelWidth)
        return laidOut.enumerated().map { index, line in
            var body = Span(line, theme.banner)
            if line.isRightToLeft { body.text += " " }  // keeps the right margin when flush right
            return StyledLine([Span(index == 0 ? label : indent, theme.banner), body], background: theme.banner,
                              alignRight: line.isRightToLeft)
        }
    }
}
