@testable import InboxModel
import Testing

@Suite("Handoff state machine")
struct HandoffStateMachineTests {
    let aisha: Int64 = 1
    let ben: Int64 = 2

    @Test func botHandsOffToTheQueue() throws {
        let waiting = try HandoffState(status: .bot).applying(.handOff(reason: "asked for staff", summary: "wants a refund", at: 100))
        #expect(waiting == HandoffState(status: .waiting, handoffReason: "asked for staff", handoffSummary: "wants a refund", waitingSince: 100))
        // A second hand-off while humans have it changes nothing.
        #expect(try waiting.applying(.handOff(reason: "again", summary: nil, at: 200)) == waiting)
    }

    @Test func takeOverFromBotOrQueueButNotFromAnotherAgent() throws {
        let fromBot = try HandoffState(status: .bot).applying(.takeOver(agentId: aisha))
        #expect(fromBot.status == .assigned && fromBot.assignedAgentId == aisha)
        let fromQueue = try HandoffState(status: .waiting, waitingSince: 5).applying(.takeOver(agentId: ben))
        #expect(fromQueue.assignedAgentId == ben)
        #expect(throws: TransitionError.heldBy(agentId: ben)) { try fromQueue.applying(.takeOver(agentId: aisha)) }
        #expect(try fromQueue.applying(.takeOver(agentId: ben)) == fromQueue, "taking over twice is harmless")
    }

    @Test func onlyTheHolderHandsBackClosesOrTransfers() throws {
        let held = HandoffState(status: .assigned, assignedAgentId: aisha)
        #expect(throws: TransitionError.heldBy(agentId: aisha)) { try held.applying(.handBack, by: ben) }
        #expect(throws: TransitionError.heldBy(agentId: aisha)) { try held.applying(.close, by: ben) }
        #expect(throws: TransitionError.heldBy(agentId: aisha)) { try held.applying(.transfer(toAgentId: ben), by: ben) }
        #expect(try held.applying(.handBack, by: aisha) == HandoffState(status: .bot))
        #expect(try held.applying(.transfer(toAgentId: ben), by: aisha).assignedAgentId == ben)
        #expect(try held.applying(.close, by: aisha).status == .closed)
    }

    @Test func closedIsFinal() {
        let closed = HandoffState(status: .closed)
        for event in [ConversationEvent.takeOver(agentId: 1), .handBack, .close, .transfer(toAgentId: 2),
                      .handOff(reason: "x", summary: nil, at: 0)] {
            #expect(throws: TransitionError.closed) { try closed.applying(event, by: 1) }
        }
    }
}

extension HandoffStateMachineTests {
    var sara: Int64 { 3 }  // an admin

    @Test func anAdminTakesOverTransfersHandsBackOrClosesAColleaguesConversation() throws {
        let held = HandoffState(status: .assigned, assignedAgentId: aisha, handoffReason: "asked for staff")
        let taken = try held.applying(.takeOver(agentId: sara), by: sara, actorIsAdmin: true)
        #expect(taken.status == .assigned && taken.assignedAgentId == sara && taken.handoffReason == "asked for staff")
        #expect(try held.applying(.transfer(toAgentId: ben), by: sara, actorIsAdmin: true).assignedAgentId == ben)
        #expect(try held.applying(.handBack, by: sara, actorIsAdmin: true) == HandoffState(status: .bot))
        #expect(try held.applying(.close, by: sara, actorIsAdmin: true).status == .closed)
        // The admin flag speaks for the actor only: it cannot take over on someone else's behalf.
        #expect(throws: TransitionError.heldBy(agentId: aisha)) {
            try held.applying(.takeOver(agentId: ben), by: sara, actorIsAdmin: true)
        }
        #expect(throws: TransitionError.heldBy(agentId: aisha)) { try held.applying(.takeOver(agentId: ben), by: ben) }
    }

    @Test func aClosedConversationIsReopenedByTheAgentWhoThenHoldsIt() throws {
        let closed = HandoffState(status: .closed, handoffReason: "billing", handoffSummary: "refund")
        let reopened = try closed.applying(.reopen(agentId: ben), by: ben)
        #expect(reopened == HandoffState(status: .assigned, assignedAgentId: ben, handoffReason: "billing",
                                         handoffSummary: "refund"))
        #expect(try reopened.applying(.reopen(agentId: ben), by: ben) == reopened, "reopening twice is harmless")
        #expect(throws: TransitionError.invalid("this conversation is not closed")) {
            try reopened.applying(.reopen(agentId: aisha), by: aisha)
        }
        #expect(throws: TransitionError.invalid("this conversation is not closed")) {
            try HandoffState(status: .waiting).applying(.reopen(agentId: aisha), by: aisha)
        }
    }
}

@Suite("Delivery status precedence")
struct DeliveryStatusTests {
    @Test func laterReportsNeverGoBack() {
        #expect(DeliveryStatus.read.merged(with: .delivered) == .read)
        #expect(DeliveryStatus.read.merged(with: .sent) == .read)
        #expect(DeliveryStatus.sent.merged(with: .read) == .read, "read may come without delivered")
        #expect(DeliveryStatus.sent.merged(with: .failed) == .failed)
        #expect(DeliveryStatus.failed.merged(with: .delivered) == .delivered, "proof of arrival beats a failure report")
        #expect(DeliveryStatus.delivered.merged(with: .failed) == .delivered)
        #expect(DeliveryStatus.pending.merged(with: .sent) == .sent)
    }

    @Test func everyOrderOfTheSameReportsEndsTheSame() {
        let reports: [DeliveryStatus] = [.sent, .delivered, .read, .failed]
        func permutations(_ items: [DeliveryStatus]) -> [[DeliveryStatus]] {
            guard items.count > 1 else { return [items] }
            return items.indices.flatMap { index in
                var rest = items
                let first = rest.remove(at: index)
                return permutations(rest).map { [first] + $0 }
            }
        }
        let outcomes = Set(permutations(reports).map { $0.reduce(DeliveryStatus.pending) { $0.merged(with: $1) } })
        #expect(outcomes == [.read])
    }
}

@Suite("Clinic bot")
struct ClinicBotTests {
    let bot = ClinicBot()

    @Test func greetsThenAnswersTheMenu() {
        let (greeting, memory) = bot.respond(to: "Hello", memory: .init())
        #expect(greeting.reply?.contains("Book an appointment") == true)
        #expect(greeting.handOff == nil)
        let (booking, _) = bot.respond(to: "1", memory: memory)
        #expect(booking.reply?.contains("Which time") == true)
    }

    @Test func booksThroughItsFlow() {
        var memory = ClinicBot.Memory()
        memory.greeted = true
        let (ask, asking) = bot.respond(to: "I'd like to book a cleaning", memory: memory)
        #expect(ask.reply?.contains("Reply 1") == true)
        #expect(asking.awaiting == .bookingSlot)
        let (unclear, stillAsking) = bot.respond(to: "hmm", memory: asking)
        #expect(unclear.reply?.contains("Please reply 1") == true)
        #expect(unclear.handOff == nil)
        let (booked, done) = bot.respond(to: "2", memory: stillAsking)
        #expect(booked.reply == "You're booked for tomorrow at 14:00. Reply 4 to check it or 3 to cancel.")
        #expect(done.awaiting == nil && done.misunderstandings == 0)
    }

    @Test(arguments: [
        ("cancel my appointment", "cancelled"), ("Can I reschedule my appointment?", "move it"),
        ("what is the status of my appointment", "confirmed"), ("3", "cancelled"),
        ("أريد حجز موعد", "أي وقت يناسبك"), ("أريد إلغاء الموعد", "تم إلغاء موعدك"), ("मुझे अपॉइंटमेंट बुक करना है", "कौन सा समय"),
    ])
    func recognisesIntentsInEnglishArabicAndHindi(text: String, answer: String) {
        var memory = ClinicBot.Memory()
        memory.greeted = true
        #expect(bot.respond(to: text, memory: memory).0.reply?.contains(answer) == true, "\(text)")
    }

    @Test func answersInTheLanguageThePatientWroteIn() {
        let (arabicMenu, arabic) = bot.respond(to: "مرحبا، القائمة من فضلك", memory: .init())
        #expect(arabicMenu.reply?.hasPrefix("مرحبًا! هذا مساعد العيادة") == true)
        #expect(BotLanguage.of(arabicMenu.reply ?? "") == .arabic)
        // A bare number has no language: the conversation's carries on.
        let (slots, asking) = bot.respond(to: "١", memory: arabic)
        #expect(slots.reply?.contains("أي وقت يناسبك غدًا") == true)
        let (booked, _) = bot.respond(to: "2", memory: asking)
        #expect(booked.reply == "تم حجز موعدك غدًا الساعة 14:00. أرسل 4 للاطلاع عليه أو 3 لإلغائه.")
        // Switching language switches the answer.
        let (english, _) = bot.respond(to: "cancel please", memory: asking)
        #expect(english.reply?.contains("cancelled") == true)
        let (hindi, _) = bot.respond(to: "नमस्ते", memory: .init())
        #expect(hindi.reply?.contains("क्लिनिक सहायक") == true)
    }

    @Test func aFileWithoutTextIsAcknowledgedNotMisunderstood() {
        var memory = ClinicBot.Memory()
        memory.greeted = true
        let (decision, after) = bot.respond(to: "", memory: memory)
        #expect(decision.reply?.contains("received your file") == true)
        #expect(after.misunderstandings == 0)
    }

    @Test func numbersCountOnlyAsTheWholeMessage() {
        #expect(ClinicBot.intent(of: "I have 10 questions about this") == nil)
        #expect(ClinicBot.intent(of: " 1. ") == .book)
        #expect(ClinicBot.intent(of: "this is it") == nil, "\"hi\" inside \"this\" is not a greeting")
    }

    @Test(arguments: ["I want to talk to staff", "human please", "أريد التحدث مع موظف", "मुझे स्टाफ से बात करनी है", "0"])
    func handsOffWhenAskedForAHuman(text: String) {
        let (decision, _) = bot.respond(to: text, memory: .init())
        #expect(decision.handOff?.reason == "Patient asked for staff")
    }

    @Test func handsOffAfterNotUnderstandingTwice() {
        var memory = ClinicBot.Memory()
        memory.greeted = true
        let (first, afterFirst) = bot.respond(to: "blorp", memory: memory)
        #expect(first.handOff == nil)
        let (second, _) = bot.respond(to: "zzz", memory: afterFirst)
        #expect(second.handOff?.reason == "Bot did not understand twice")
    }
}

@Suite struct TemplateBodyTests {
    @Test func parametersRenderInPlaceAndMissingOnesStayVisible() {
        let template = MessageTemplate(id: 1, name: "r", language: "en", category: .utility,
                                       body: "Hi {{1}}, see you {{2}}. Bye {{1}}!", updatedAt: 0)
        #expect(template.parameterCount == 2)
        #expect(template.render(["Ana", "Monday"]) == "Hi Ana, see you Monday. Bye Ana!")
        #expect(template.render(["Ana"]) == "Hi Ana, see you {{2}}. Bye Ana!")
        #expect(TemplateBody.render("{{ 1 }} and {{x}} and {{", ["A"]) == "A and {{x}} and {{")
    }

    @Test func bodiesAndParametersFollowWhatsAppsRules() {
        #expect(TemplateBody.problem(in: "Hello {{1}} {{2}}") == nil)
        #expect(TemplateBody.problem(in: "No parameters") == nil)
        #expect(TemplateBody.problem(in: "Gap {{1}} {{3}}") != nil)
        #expect(TemplateBody.problem(in: "  ") != nil)
        #expect(TemplateBody.problem(inParameter: "Monday 10:30") == nil)
        #expect(TemplateBody.problem(inParameter: "two\nlines") != nil)
        #expect(TemplateBody.problem(inParameter: "tab\there") != nil)
        #expect(TemplateBody.problem(inParameter: "wide     gap") != nil)
        #expect(TemplateBody.problem(inParameter: "") != nil)
    }
}
