import Foundation
import InboxModel
import Logging
import ServiceLifecycle

/// Sends appointment reminders: at each appointment's lead time it queues the reminder template for the delivery
/// worker, through `InboxStore.queueDueReminders`, which claims and marks the appointment in the same transaction.
/// So each appointment is reminded once, across restarts and across instances on one PostgreSQL; a cancelled one
/// is never due.
public actor ReminderWorker: Service {
    public struct Settings: Sendable {
        /// How long before the appointment the reminder goes out. `INBOX_REMINDER_LEAD_HOURS` (default 24).
        public var lead: Millis = AppointmentRules.defaultLead
        /// What the worker takes as now; tests move it forward instead of waiting a day.
        public var clock = ReminderClock()
        /// The clinic's time zone: an imported time without an offset is wall-clock time here. `INBOX_TIME_ZONE`.
        public var timeZone = TimeZone.current

        public init(lead: Millis = AppointmentRules.defaultLead, clock: ReminderClock = ReminderClock(),
                    timeZone: TimeZone = .current) {
            self.lead = lead
            self.clock = clock
            self.timeZone = timeZone
        }
    }

    private let store: any InboxStore
    private let settings: Settings
    private let logger: Logger
    private let stopping = Locked(false)
    private let onQueued: @Sendable () async -> Void

    /// `onQueued` is told when reminders were queued, so delivery starts at once.
    public init(store: any InboxStore, settings: Settings, logger: Logger = Logger(label: "inbox.reminders"),
                onQueued: @escaping @Sendable () async -> Void) {
        self.store = store
        self.settings = settings
        self.logger = logger
        self.onQueued = onQueued
    }

    /// Appointments were added: look now rather than at the next timer.
    public func poke() async {
        await settings.clock.doorbell.ring()
    }

    public func run() async {
        let clock = settings.clock
        let loop = DueWorkLoop(doorbell: clock.doorbell, logger: logger, name: "reminders", stopping: stopping,
                               now: { clock.now() })
        // Nothing is in flight outside the database: a pass either committed its reminders or did not.
        await loop.serve(drain: .seconds(1)) { await self.work(loop) }
    }

    private func work(_ loop: DueWorkLoop) async {
        let lead = settings.lead
        let clock = settings.clock
        await loop.run(
            due: {
                defer { clock.passCompleted() }
                let queued = try await store.queueDueReminders(now: clock.now(), lead: lead, limit: 64)
                if !queued.isEmpty {
                    // Ids and counts only: reminders name patients and doctors.
                    logger.info("queued \(queued.count) appointment reminder(s)")
                    await onQueued()
                }
                return queued
            },
            nextDue: { try await store.nextReminderTime(lead: lead) },
            perform: { _ in })
    }
}

/// The reminder worker's clock, and a count of its passes. The server's is the system clock; a test moves one
/// forward (`advance`), which wakes the worker at once, and reads `passes` to know the worker has looked again.
public final class ReminderClock: Sendable {
    private let offset = Locked<Millis>(0)
    private let completed = Locked(0)
    let doorbell = Doorbell()

    public init() {}

    public func now() -> Millis { Millis(Date().timeIntervalSince1970 * 1000) + offset.value }

    /// Moves the clock forward and wakes the worker.
    public func advance(by millis: Millis) async {
        offset.value += millis
        await doorbell.ring()
    }

    /// How many times the worker has looked for due reminders (each look ends with this counted).
    public var passes: Int { completed.value }

    func passCompleted() { completed.value += 1 }
}
