import Foundation
import Hummingbird
import InboxModel
import Logging
import ServiceLifecycle

/// The server: webhooks in, sync and commands for agents, deliveries out.
public struct InboxServerApp: Sendable {
    public let store: any InboxStore
    public let notifier: any ChangeNotifier
    public let configuration: ServerConfiguration
    let logger: Logger
    /// Releases what the store holds open (PostgreSQL's pool and listener); nothing for SQLite.
    private let closeStore: @Sendable () async -> Void

    public init(store: any InboxStore, notifier: any ChangeNotifier, configuration: ServerConfiguration,
                logger: Logger = Logger(label: "inbox.server"), closeStore: @escaping @Sendable () async -> Void = {}) {
        self.store = store
        self.notifier = notifier
        self.configuration = configuration
        self.logger = logger
        self.closeStore = closeStore
    }

    /// Opens (creating if needed) the SQLite database at `path` with an in-process notifier.
    public static func sqlite(path: String, configuration: ServerConfiguration,
                              logger: Logger = Logger(label: "inbox.server")) throws -> InboxServerApp {
        let notifier = LocalChangeNotifier()
        var configuration = configuration
        if configuration.media.directory == nil {
            configuration.media.directory = MediaFiles.defaultDirectory(forDatabase: path)
        }
        return InboxServerApp(store: try SQLiteInboxStore(path: path, notifier: notifier, botAnswers: configuration.runBot,
                                                          optOutWords: configuration.optOutWords),
                              notifier: notifier,
                              configuration: configuration, logger: logger)
    }

    /// Connects to PostgreSQL at `url` (migrating it), with a notifier that wakes long-polls across instances.
    /// The store runs its pool from here on: call `close()` once the app has stopped serving.
    public static func postgres(url: String, configuration: ServerConfiguration,
                                logger: Logger = Logger(label: "inbox.server")) async throws -> InboxServerApp {
        let notifier = PostgresChangeNotifier()
        let store = try await PostgresInboxStore.open(url: url, notifier: notifier, botAnswers: configuration.runBot,
                                                      optOutWords: configuration.optOutWords, logger: logger)
        return InboxServerApp(store: store, notifier: notifier, configuration: configuration, logger: logger,
                              closeStore: { await store.close() })
    }

    /// Closes the store's connections (PostgreSQL); `run` may not be called afterwards.
    public func close() async {
        await closeStore()
    }

    /// Serves until the task is cancelled (or, with `handleSignals`, until SIGINT/SIGTERM). Either way the stop
    /// is a graceful shutdown: held long-polls are answered, idle connections closed, then the listener ends.
    /// `onRunning` gets the bound port, useful when `configuration.port` is 0.
    public func run(handleSignals: Bool = false, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        ServerMetrics.bootstrap()
        let epoch = try await store.epoch()
        // Known only once the listener is bound (port 0 picks one).
        let publicURL = Locked("")
        let files = try MediaFiles(directory: configuration.media.directory ?? "inbox.media")
        let linkSecret = try await store.mediaLinkSecret()
        let mediaLink: @Sendable (Int64) -> String = { id in
            publicURL.value + "/media/\(id)/" + MediaRoutes.signature(messageId: id, secret: linkSecret)
        }
        let delivery = DeliveryWorker(store: store, senders: senders(publicURL: { publicURL.value }, files: files,
                                                                     mediaLink: mediaLink),
                                      policy: configuration.delivery, shutdownDrain: configuration.shutdownDrain, logger: logger)
        let fetcher = MediaFetcher(store: store, files: files, credentials: mediaCredentials,
                                   maxBytes: configuration.media.maxBytes, shutdownDrain: configuration.shutdownDrain,
                                   logger: logger)
        let bot = BotRunner(store: store, hookTimeout: configuration.aiHookTimeout) { await delivery.poke() }
        let reminders = ReminderWorker(store: store, settings: configuration.reminders, logger: logger) { await delivery.poke() }

        // HEAD is answered wherever GET is; other methods a path does not serve get 405 (`answerUnservedMethods`).
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        // Before the routes: a router's middleware wraps only the routes registered after it.
        router.add(middleware: NotFoundAsErrorBody())
        router.add(middleware: WebhookMetricsMiddleware())
        router.get("/healthz") { _, _ in "ok" }
        let metrics = MetricsRoutes(store: store, notifier: notifier)
        if configuration.metricsPort == nil { metrics.register(on: router) }
        let agentRoutes = router.agentRoutes(store: store)
        SyncRoutes(store: store, notifier: notifier, epoch: epoch, configuration: configuration,
                   onReply: { await delivery.poke() }).register(on: agentRoutes)
        PresenceRoutes(store: store, timeout: configuration.presenceTimeout).register(on: agentRoutes)
        MediaRoutes(store: store, files: files, maxBytes: configuration.media.maxBytes, linkSecret: linkSecret)
            .register(agentRoutes: agentRoutes, on: router)
        AppointmentRoutes(store: store, timeZone: configuration.reminders.timeZone, maxBytes: configuration.maxWebhookBytes,
                          onAdded: { await reminders.poke() }).register(on: agentRoutes)
        let followUp = InboundFollowUp(store: store, bot: bot, runBot: configuration.runBot,
                                       pokeFetcher: { await fetcher.poke() }, reminderClock: configuration.reminders.clock,
                                       logger: logger)
        let onInbound: @Sendable ([InboundFollowUp.Ingested]) async -> Void = { await followUp.handle($0) }
        TwilioRoutes(store: store, signature: configuration.twilio.authToken.map(TwilioSignature.init),
                     maxBytes: configuration.maxWebhookBytes,
                     onInbound: onInbound, logger: logger, publicURLProvider: { publicURL.value }).register(on: router)
        if (configuration.waha.hmacKey ?? "").isEmpty {
            if configuration.waha.allowUnsigned {
                logger.critical("""
                    INBOX_WAHA_ALLOW_UNSIGNED=1: WAHA webhooks are accepted UNSIGNED, so anyone who can reach this \
                    server can post patient messages and delivery statuses. For a lab only: set WAHA_HMAC_KEY (and \
                    hmac.key in WAHA's webhook config).
                    """)
            } else if configuration.waha.baseURL != nil {
                logger.warning("WAHA webhooks will be refused (403): set WAHA_HMAC_KEY (and hmac.key in WAHA's webhook config)")
            }
        }
        MetaRoutes(store: store, settings: configuration.meta, maxBytes: configuration.maxWebhookBytes,
                   onInbound: onInbound, logger: logger).register(on: router)
        WahaRoutes(store: store, settings: configuration.waha, maxBytes: configuration.maxWebhookBytes,
                   onInbound: onInbound, logger: logger).register(on: router)
        GupshupRoutes(store: store, maxBytes: configuration.maxWebhookBytes, tokenKey: linkSecret,
                      onInbound: onInbound, logger: logger).register(on: router)
        // Benchmarks only (`INBOX_BENCH_FLOOR=1`): not part of the API, so off by default.
        if BenchFloorRoute.enabled { BenchFloorRoute().register(on: router) }
        router.answerUnservedMethods()

        let configuration = self.configuration
        let app = Application(
            router: router,
            server: .http1(configuration: configuration.connections.http1Channel(logger: logger)),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "inbox"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                publicURL.value = configuration.resolvedPublicURL(boundPort: port)
                await onRunning(port)
            },
            logger: logger)
        // Shut down in reverse order: held long-polls are answered, the listener stops taking requests, then the
        // workers finish what is in flight (deliveries are recorded, not cut off mid-request).
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: delivery), .init(service: fetcher), .init(service: reminders),
            .init(service: app, successTerminationBehavior: .gracefullyShutdownGroup)]
        if let metricsPort = configuration.metricsPort {
            services.append(.init(service: metrics.application(host: configuration.metricsHost ?? configuration.host,
                                                               port: metricsPort, logger: logger)))
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: services + [
                       .init(service: LongPollReleaser(notifier: notifier), successTerminationBehavior: .ignore),
                       .init(service: AdministrationWatcher(store: store, notifier: notifier, logger: logger),
                             successTerminationBehavior: .ignore),
                       .init(service: PresenceSweeper(store: store, logger: logger), successTerminationBehavior: .ignore),
                       .init(service: SnoozeWaker(store: store, logger: logger), successTerminationBehavior: .ignore),
                       .init(service: Housekeeping(store: store, files: files, policy: configuration.retention, logger: logger),
                             successTerminationBehavior: .ignore)],
            gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [], logger: logger)
        // A stuck connection or provider cannot hold the process past the drain (and a little for the listener).
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdownDrain + .seconds(5)
        let group = ServiceGroup(configuration: groupConfiguration)
        // Unstructured on purpose: cancelling this task must become a graceful shutdown, not a cancellation that
        // tears connections down mid-response.
        let serving = Task { try await group.run() }
        try await withTaskCancellationHandler {
            try await serving.value
        } onCancel: {
            Task { await group.triggerGracefulShutdown() }
        }
    }

    private var mediaCredentials: MediaFetcher.Credentials {
        MediaFetcher.Credentials(twilioAccountSid: configuration.twilio.accountSid,
                                 twilioAuthToken: configuration.twilio.authToken,
                                 metaAccessToken: configuration.meta.accessToken,
                                 metaGraphBase: configuration.meta.graphBase, metaAPIVersion: configuration.meta.apiVersion,
                                 wahaAPIKey: configuration.waha.apiKey, wahaBaseURL: configuration.waha.baseURL)
    }

    private func senders(publicURL: @escaping @Sendable () -> String, files: MediaFiles,
                         mediaLink: @escaping @Sendable (Int64) -> String) -> [ProviderKind: any ProviderSender] {
        var senders: [ProviderKind: any ProviderSender] = [:]
        let twilio = configuration.twilio
        if let sid = twilio.accountSid, let token = twilio.authToken {
            senders[.twilio] = TwilioSender(accountSid: sid, authToken: token, apiBase: twilio.apiBase,
                                            statusCallbackProvider: { publicURL() + "/webhooks/twilio/status" },
                                            mediaLink: mediaLink, menuContentSid: { twilio.menuContentSid(for: $0) })
        }
        if let token = configuration.meta.accessToken {
            senders[.meta] = MetaSender(accessToken: token, graphBase: configuration.meta.graphBase,
                                        apiVersion: configuration.meta.apiVersion, files: files)
        }
        if let base = configuration.waha.baseURL {
            senders[.waha] = WahaSender(baseURL: base, apiKey: configuration.waha.apiKey, files: files)
        }
        if configuration.gupshup.apiKey != nil {
            senders[.gupshup] = GupshupSender(settings: configuration.gupshup, mediaLink: mediaLink)
        }
        return senders
    }
}

/// Held long-polls would keep a graceful shutdown waiting for up to a minute: at shutdown they are answered at once.
struct LongPollReleaser: Service {
    let notifier: any ChangeNotifier

    func run() async throws {
        try? await gracefulShutdown()
        notifier.releaseAll()
    }
}
