import Foundation
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Keeps the number of open connections under a cap, so that idle sockets cannot use up the process's file
/// descriptors and starve the requests that matter. Refusing to accept at the cap (Hummingbird's own
/// `availableConnectionsDelegate`) would leave new clients, a receptionist's sync among them, waiting in the
/// kernel's backlog behind the idle ones; instead every connection is accepted, and one over the cap closes the
/// oldest connection that has no request in progress. Only when every connection is busy is the newcomer closed.
final class ConnectionRegistry: @unchecked Sendable {
    private struct Entry {
        let channel: any Channel
        let order: UInt64
        var requestsInProgress = 0
    }

    let limit: Int
    private let lock = NSLock()
    private var entries: [ObjectIdentifier: Entry] = [:]
    private var nextOrder: UInt64 = 0

    init(limit: Int) { self.limit = max(1, limit) }

    var openCount: Int { lock.withLock { entries.count } }

    /// Registers a new connection; returns false when it must be closed at once (everything open is busy).
    func opened(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let outcome: (accepted: Bool, evicted: (any Channel)?) = lock.withLock {
            nextOrder += 1
            guard entries.count >= limit else {
                entries[id] = Entry(channel: channel, order: nextOrder)
                return (true, nil)
            }
            guard let oldest = entries.filter({ $0.value.requestsInProgress == 0 }).min(by: { $0.value.order < $1.value.order })
            else { return (false, nil) }
            entries[oldest.key] = nil
            entries[id] = Entry(channel: channel, order: nextOrder)
            return (true, oldest.value.channel)
        }
        if let evicted = outcome.evicted {
            ServerMetrics.connectionClosedByGuard(reason: "evicted_idle")
            evicted.close(promise: nil)
        }
        if !outcome.accepted { ServerMetrics.connectionClosedByGuard(reason: "refused_busy") }
        ServerMetrics.connectionsOpen(openCount)
        return outcome.accepted
    }

    func requestStarted(_ channel: any Channel) {
        lock.withLock { entries[ObjectIdentifier(channel)]?.requestsInProgress += 1 }
    }

    func requestFinished(_ channel: any Channel) {
        lock.withLock {
            let id = ObjectIdentifier(channel)
            if let count = entries[id]?.requestsInProgress, count > 0 { entries[id]?.requestsInProgress = count - 1 }
        }
    }

    func closed(_ channel: any Channel) {
        let count: Int = lock.withLock {
            entries[ObjectIdentifier(channel)] = nil
            return entries.count
        }
        ServerMetrics.connectionsOpen(count)
    }
}

/// One per connection, after HTTP decoding: registers it with the `ConnectionRegistry` and enforces the read
/// deadlines. A new connection must deliver its first request head within `headerTimeout`; a request whose head
/// has arrived must deliver its whole body within `bodyTimeout` (a Content-Length larger than the body sent, or
/// a body trickled a byte at a time, is cut off). Between requests, Hummingbird's idle timeout applies.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let registry: ConnectionRegistry
    private let headerTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private var deadline: Scheduled<Void>?
    private var registered = false

    init(registry: ConnectionRegistry, headerTimeout: TimeAmount, bodyTimeout: TimeAmount) {
        self.registry = registry
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        registered = true
        guard registry.opened(context.channel) else {
            context.close(promise: nil)
            return
        }
        schedule(context, in: headerTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelDeadline()
        unregister(context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelDeadline()
        unregister(context)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            registry.requestStarted(context.channel)
            schedule(context, in: bodyTimeout)
        case .body:
            break
        case .end:
            cancelDeadline()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { registry.requestFinished(context.channel) }
        context.write(data, promise: promise)
    }

    private func schedule(_ context: ChannelHandlerContext, in delay: TimeAmount) {
        cancelDeadline()
        let channel = context.channel
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            // No response has started for a request still being read: closing loses nothing that was promised.
            channel.close(promise: nil)
        }
    }

    private func cancelDeadline() {
        deadline?.cancel()
        deadline = nil
    }

    private func unregister(_ context: ChannelHandlerContext) {
        guard registered else { return }
        registered = false
        registry.closed(context.channel)
    }
}

extension ServerConfiguration.ConnectionSettings {
    /// The HTTP/1 channel settings that apply these limits: Hummingbird's idle timeout, and a connection guard
    /// (one registry for the whole listener, one handler per connection).
    func http1Channel(logger: Logger) -> HTTP1Channel.Configuration {
        let cap = resolvedMaxConnections(openFileLimit: OpenFileLimit.current)
        logger.info("accepting up to \(cap) connections")
        let registry = ConnectionRegistry(limit: cap)
        let (header, body) = (Self.timeAmount(headerTimeout), Self.timeAmount(bodyTimeout))
        return HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuardHandler(registry: registry, headerTimeout: header, bodyTimeout: body)],
            idleTimeout: Self.timeAmount(idleTimeout))
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
