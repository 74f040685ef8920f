import Foundation
import Hummingbird
import NIOCore
import Logging
import RelanceCore
import RelanceRender
import RelanceStore

/// The web workspace: builds the router (pages, API, security) and the application that serves it.
public enum WorkspaceServer {
    /// The router with every page and API route behind the error and security middleware.
    /// - Parameters:
    ///   - hasher: bcrypt with its cost (12 in production; tests use the minimum, 4).
    ///   - drawSVG: how DOT becomes SVG (Graphviz by default; tests can simulate its absence).
    public static func router(workspace: Workspace, pages: PageRenderer, hasher: PasswordHasher = PasswordHasher(),
                              throttle: LoginThrottle = LoginThrottle(),
                              drawSVG: @escaping @Sendable (String) throws -> String = Graphviz.svg(fromDOT:)) -> Router<WorkspaceContext> {
        let router = Router(context: WorkspaceContext.self)
        router.add(middleware: ErrorMiddleware(pages: pages))
        router.add(middleware: SecurityMiddleware(store: workspace.store))
        let pageRoutes = PageRoutes(workspace: workspace, pages: pages, hasher: hasher, throttle: throttle, drawSVG: drawSVG)
        pageRoutes.add(to: router)
        APIRoutes(workspace: workspace, pages: pageRoutes).add(to: router)
        return router
    }

    /// The application bound to `host:port` (127.0.0.1 unless told otherwise).
    public static func application(workspace: Workspace, host: String = "127.0.0.1", port: Int = 8080,
                                   onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws -> some ApplicationProtocol {
        let pages = try await PageRenderer.load()
        var logger = Logger(label: "relance.serve")
        logger.logLevel = .notice
        return Application(router: router(workspace: workspace, pages: pages),
                           configuration: .init(address: .hostname(host, port: port), serverName: "relance"),
                           onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
                           logger: logger)
    }

    /// Builds the application and serves until SIGINT or SIGTERM.
    public static func run(workspace: Workspace, host: String, port: Int, onRunning: @escaping @Sendable (Int) async -> Void) async throws {
        let app = try await application(workspace: workspace, host: host, port: port, onRunning: onRunning)
        Task.detached(priority: .utility) { try? workspace.warm() }
        try await app.runService()
    }
}
