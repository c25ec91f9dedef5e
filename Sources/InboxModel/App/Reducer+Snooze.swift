/// Snooze (`z`): the picker, the command, and the bell when a snoozed conversation comes back (by its time or
/// because the patient wrote) — the server decides both, this only notices the Snoozed count dropping.
extension AppState {
    mutating func openSnoozePicker() -> [Effect] {
        guard let target = commandTarget else { fail(describe(.noConversation)); return [] }
        guard target.conversation.status != .closed else { fail("\(target.name)'s conversation is closed: nothing to snooze"); return [] }
        overlay = .snooze(SnoozePicker(conversationId: target.conversation.id, patientName: target.name,
                                       snoozed: target.conversation.snoozedUntil != nil))
        return []
    }

    mutating func moveSnoozeSelection(_ picker: SnoozePicker, by delta: Int) {
        var picker = picker
        guard !picker.typing else { return }
        picker.selection = Self.clamp(picker.selection + delta, count: picker.options.count)
        overlay = .snooze(picker)
    }

    mutating func editSnoozeCustom(_ picker: SnoozePicker, _ command: EditCommand) {
        var picker = picker
        guard picker.typing else { return }
        picker.custom.apply(command, multiline: false)
        overlay = .snooze(picker)
    }

    mutating func submitSnoozePicker(_ picker: SnoozePicker) -> [Effect] {
        var picker = picker
        guard picker.options.indices.contains(picker.selection) else { return [] }
        let offset = settings.utcOffsetSeconds
        let until: Int64
        switch picker.options[picker.selection] {
        case .wakeNow:
            overlay = nil
            desk.ownWakes += 1
            inform("Waking \(picker.patientName)'s conversation…", about: picker.conversationId,
                   pending: PendingCommand(action: "unsnooze", conversationId: picker.conversationId,
                                           doneText: "\(picker.patientName) is back in the queue",
                                           failedText: "\(picker.patientName)'s snooze did not end"))
            return [.send(.unsnooze, conversationId: picker.conversationId)]
        case .choice(.custom) where !picker.typing:
            picker.typing = true
            overlay = .snooze(picker)
            return []
        case .choice(.custom):
            guard let typed = SnoozeChoice.parse(picker.custom.text, now: now, utcOffset: offset) else {
                fail("Type when it comes back: 2s, 30m, 2h, 3d, 1w, or a time like 14:30")
                return []
            }
            until = typed
        case .choice(let choice):
            guard let chosen = choice.until(now: now, utcOffset: offset) else { return [] }
            until = chosen
        }
        overlay = nil
        let when = Self.snoozeEnd(until, now: now, utcOffset: offset)
        inform("Snoozing \(picker.patientName) until \(when)…", about: picker.conversationId,
               pending: PendingCommand(action: "snooze", conversationId: picker.conversationId,
                                       doneText: "\(picker.patientName) is snoozed until \(when)",
                                       failedText: "\(picker.patientName) was not snoozed"))
        return saveDraftIfDirty() + [.send(.snooze(until: until), conversationId: picker.conversationId)]
    }

    /// A drop in the Snoozed count is a conversation coming back: it rings like a hand-off (unless I woke it).
    mutating func noteSnoozedCount(_ count: Int) -> [Effect] {
        defer { desk.lastSnoozedCount = count }
        guard let last = desk.lastSnoozedCount, count < last else { return [] }
        let woken = last - count
        let mine = min(desk.ownWakes, woken)
        desk.ownWakes -= mine
        guard woken > mine, settings.bell else { return [] }
        alerts.bellPending = true
        return ringBellIfDue()
    }

    /// "14:30", "Tue 09:00" within a week, "Dec 9 09:00" further, in the agent's own time zone.
    public static func snoozeEnd(_ until: Millis, now: Millis, utcOffset: Int) -> String {
        let day: Millis = 86_400_000
        let local = until + Millis(utcOffset) * 1000
        let minutes = (local % day) / 60_000
        var time = "\(minutes / 60 < 10 ? "0" : "")\(minutes / 60):\(minutes % 60 < 10 ? "0" : "")\(minutes % 60)"
        if until - now < 120_000 {
            let seconds = (local % 60_000) / 1000
            time += ":\(seconds < 10 ? "0" : "")\(seconds)"
        }
        let days = local / day - (now + Millis(utcOffset) * 1000) / day
        if days == 0 { return time }
        if days == 1 { return "tomorrow " + time }
        if days < 7 { return ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int((local / day) % 7)] + " " + time }
        return "in \(days) days, " + time
    }
}
