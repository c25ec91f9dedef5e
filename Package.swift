// swift-tools-version:6.1
import PackageDescription

/// `inbox`: a WhatsApp handoff inbox for clinics — a server, a sync protocol and a terminal client.
let package = Package(
    name: "inbox",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "inbox", targets: ["InboxCLI"]),
        .executable(name: "inbox-bench", targets: ["InboxBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Already under Hummingbird; named for the connection guard's channel handler.
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.26.0"),
        // The PostgreSQL adapter, for several server instances on one database.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // System C libraries, reached through module maps. Variadic C calls are wrapped in static inline shims.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CNcursesw", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "CUtf8proc", pkgConfig: "libutf8proc", providers: [.apt(["libutf8proc-dev"])]),
        .systemLibrary(name: "CFribidi", pkgConfig: "fribidi", providers: [.apt(["libfribidi-dev"])]),

        /// Domain values, state machines, protocol types, app state and reducer. No I/O.
        .target(name: "InboxModel"),
        /// A small blocking HTTP client over libcurl, shared by the sync client and the server's provider delivery.
        .target(name: "CurlHTTP", dependencies: ["CCurl"]),
        /// GRDB row mapping of domain values: the server's database and the client's mirror share these columns.
        .target(name: "InboxRecords", dependencies: [
            "InboxModel", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        /// The client's local SQLite mirror, the long-poll sync loop and the durable outbox.
        .target(name: "SyncEngine", dependencies: [
            "InboxModel", "InboxRecords", "CurlHTTP",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        /// Webhooks, the handoff state machine's owner, the sync endpoint, commands and provider delivery.
        .target(name: "InboxServer", dependencies: [
            "InboxModel", "InboxRecords", "CurlHTTP",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        /// Cell-grid rendering, widgets, keymap, themes and the thin ncurses painter.
        .target(name: "InboxTUI", dependencies: [
            "InboxModel", "SyncEngine", "CNcursesw", "CUtf8proc", "CFribidi",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        .executableTarget(name: "InboxCLI", dependencies: [
            "InboxModel", "SyncEngine", "InboxServer", "InboxTUI",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            // `inbox backup`/`restore` use SQLite's online backup through GRDB.
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .executableTarget(name: "InboxBench", dependencies: [
            "InboxModel", "SyncEngine", "InboxServer", "InboxTUI", "CurlHTTP",
            // Fresh scratch databases for the PostgreSQL runs.
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "InboxModelTests", dependencies: ["InboxModel"]),
        .testTarget(name: "InboxTUITests", dependencies: ["InboxTUI", "InboxModel"]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "InboxModel", "InboxRecords", "SyncEngine", "InboxServer", "CurlHTTP",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
    ]
)
