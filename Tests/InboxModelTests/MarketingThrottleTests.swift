@testable import InboxModel
import Testing

@Suite("Marketing throttle rule")
struct MarketingThrottleTests {
    let now: Millis = 1_000 * MarketingLimits.month
    let hour: Millis = 60 * 60 * 1000

    @Test func aSendInTheLast24HoursBlocksTheNextUntilItLeavesTheWindow() throws {
        let refusal = try #require(MarketingThrottle.refusal(limits: .standard, sentAt: [now - hour], now: now))
        #expect(refusal.status == 422 && refusal.body.error == "marketing_limit")
        #expect(refusal.body.message.contains("in the last 24 hours (the clinic allows 1)"))
        #expect(refusal.body.message.contains("next can go in 23 h"))
        // One millisecond past 24 hours it no longer counts for the day.
        #expect(MarketingThrottle.refusal(limits: .standard, sentAt: [now - MarketingLimits.day], now: now) == nil)
    }

    @Test func theThirtyDayLimitCountsOlderSendsAndNamesTheWait() throws {
        let days = (1...4).map { now - Millis($0) * 5 * 24 * hour }  // 5, 10, 15, 20 days ago
        let refusal = try #require(MarketingThrottle.refusal(limits: .standard, sentAt: days, now: now))
        #expect(refusal.body.message.contains("4 marketing templates in the last 30 days"))
        // The oldest (20 days ago) leaves the window in 10 days.
        #expect(refusal.body.message.contains("in 10 days"))
        #expect(MarketingThrottle.refusal(limits: .init(perDay: 1, perMonth: 5), sentAt: days, now: now) == nil)
    }

    @Test func whenBothLimitsAreReachedTheLongerWaitIsNamed() throws {
        let sends = [now - hour, now - 10 * 24 * hour]
        let refusal = try #require(MarketingThrottle.refusal(limits: .init(perDay: 1, perMonth: 2), sentAt: sends, now: now))
        #expect(refusal.body.message.contains("2 marketing templates in the last 30 days (the clinic allows 2)"))
        #expect(refusal.body.message.contains("in 20 days"))
    }

    @Test func zeroStopsMarketingAndBadLimitsAreNamed() {
        #expect(MarketingThrottle.refusal(limits: .init(perDay: 0, perMonth: 4), sentAt: [], now: now)?.body.message
                .contains("sends no marketing templates") == true)
        #expect(MarketingLimits(perDay: 3, perMonth: 2).problem != nil)
        #expect(MarketingLimits(perDay: -1, perMonth: 2).problem != nil)
        #expect(MarketingLimits.standard.problem == nil)
    }

    @Test func utilityTemplatesNeverReadTheThrottle() throws {
        // The rule is asked only for marketing: a utility template plans even with the patient far over the limit.
        var conversation = Conversation(id: 1, patientId: 1, clinicNumber: "+15550001111", provider: .meta, status: .bot,
                                        lastMessageAt: now, lastMessagePreview: "", version: 1, createdAt: now)
        conversation.lastInboundAt = now
        var facts = CommandFacts(conversation: conversation)
        facts.template = StoredTemplate(body: "See you {{1}}", category: .utility, twilioContentSid: nil)
        facts.marketingSentAt = Array(repeating: now - hour, count: 10)
        let agent = Agent(id: 7, name: "Aisha", role: .agent)
        let send = TemplateSend(name: "reminder", language: "en", parameters: ["Monday"])
        let plan = try CommandRules.plan(.sendTemplate(send), facts: facts, by: agent, key: "k", now: now)
        #expect(plan.messages.last?.marketing == false)
        facts.template?.category = .marketing
        #expect(throws: CommandRefusal.self) { try CommandRules.plan(.sendTemplate(send), facts: facts, by: agent, key: "k", now: now) }
        facts.marketingSentAt = []
        #expect(try CommandRules.plan(.sendTemplate(send), facts: facts, by: agent, key: "k", now: now).messages.last?.marketing == true)
    }
}
