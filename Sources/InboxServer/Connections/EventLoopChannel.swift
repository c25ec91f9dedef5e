import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Runs each connection's request handling on the NIO event loop that owns the connection's socket.
///
/// By default Hummingbird handles a connection in a task on Swift's global executor: every request read is a hop
/// from the event loop to a pool thread (a semaphore post and a futex wake-up), and every response written is a hop
/// back. A long-poll woken by a commit pays both for a few hundred bytes — with 1,000 agents those hops were the
/// largest item in the server's profile after HTTP itself. With the connection's task preferring its event loop,
/// the request arrives, is authenticated, parked, woken and answered on the thread that reads and writes its
/// socket. What is heavy stays off the loop because it already runs in tasks of its own: a sync page is read and
/// encoded in a `SharedAnswers` task, and GRDB and postgres-nio do their I/O on their own threads.
struct EventLoopHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let http1: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        http1.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await http1.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with each connection's handling on its own event loop (`EventLoopHTTP1Channel`).
    static func http1OnEventLoops(configuration: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            EventLoopHTTP1Channel(http1: HTTP1Channel(responder: responder, configuration: configuration))
        }
    }
}

/// A task executor that runs jobs on one event loop, in the order they are enqueued.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    private let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
