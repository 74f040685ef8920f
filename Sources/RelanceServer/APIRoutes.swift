import Foundation
import Hummingbird
import NIOCore
import RelanceStore

/// The JSON API under `/api/v1`, over the same data and actions as the pages. ``OpenAPIDocument`` describes it; a
/// test checks that both list the same routes.
struct APIRoutes {
    let workspace: Workspace
    let pages: PageRoutes
    static let tokenLifetime: TimeInterval = 30 * 86_400

    func add(to router: Router<WorkspaceContext>) {
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        let api = router.group("/api/v1")
        api.post("/tokens") { req, ctx in try createToken(req, ctx) }
        api.get("/me") { _, ctx in try json(try ctx.requireAccount(), ctx) }
        api.get("/overview") { _, ctx in try json(try workspace.overview(scope: Scope(try ctx.requireAccount())), ctx) }
        api.get("/customers") { _, ctx in try json(try workspace.customers(scope: Scope(try ctx.requireAccount())), ctx) }
        api.get("/customers/:id") { _, ctx in
            try json(try workspace.customer(ctx.parameters.get("id") ?? "", scope: Scope(try ctx.requireAccount())).detail, ctx)
        }
        api.get("/invoices/:id") { _, ctx in
            try json(try workspace.invoice(ctx.parameters.get("id") ?? "", scope: Scope(try ctx.requireAccount())), ctx)
        }
        api.post("/invoices/:id/events") { req, ctx in try logEvent(req, ctx) }
        api.get("/stuck") { req, ctx in
            let q = req.query
            let filter = try StuckFilter.validated(customer: q["customer"], minProbability: q["minProbability"], minAmount: q["minAmount"])
            return try json(try workspace.stuck(scope: Scope(try ctx.requireAccount()), filter: filter), ctx)
        }
        addAgenda(to: api)
    }

    func json(_ value: some Encodable, _ ctx: WorkspaceContext, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: try ctx.responseEncoder.encode(value))))
    }

    /// The JSON body of a request, decoded, or 400/415 with what is wrong.
    func body<T: Decodable>(_ type: T.Type, _ req: Request, _ ctx: WorkspaceContext) throws -> T {
        guard (req.headers[.contentType] ?? "").hasPrefix("application/json") else {
            throw ClientError(415, "send a JSON body with 'Content-Type: application/json'")
        }
        guard let buffer = ctx.body else { throw ClientError.badRequest("the request has no body") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.typeMismatch(_, c), let DecodingError.valueNotFound(_, c) {
            throw ClientError.badRequest("\(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)")
        } catch let DecodingError.keyNotFound(key, _) {
            throw ClientError.badRequest("\(key.stringValue): required")
        } catch {
            throw ClientError.badRequest("the body is not valid JSON")
        }
    }

    struct TokenRequest: Decodable { var name: String; var password: String; var label: String? }
    struct TokenAnswer: Encodable { var token: String; var expiresAt: String; var account: Account }

    func createToken(_ req: Request, _ ctx: WorkspaceContext) throws -> Response {
        let r = try body(TokenRequest.self, req, ctx)
        guard r.label.map({ $0.count <= 100 }) ?? true else { throw ClientError.badRequest("label: at most 100 characters") }
        switch try pages.authenticate(name: r.name, password: r.password) {
        case .throttled: throw ClientError(429, "too many failed attempts for '\(r.name)': wait a few minutes")
        case .refused: throw ClientError(401, "wrong name or password")
        case .accepted(let account):
            let token = Secrets.token()
            let expires = Date().addingTimeInterval(Self.tokenLifetime)
            try workspace.store.addSession(tokenHash: Secrets.hash(token), account: account.id, kind: .api, csrf: nil, label: r.label, expiresAt: expires)
            return try json(TokenAnswer(token: token, expiresAt: ISO8601DateFormatter().string(from: expires), account: account), ctx, status: .created)
        }
    }

    struct EventRequest: Decodable { var state: String?; var department: String?; var date: String?; var promisedDate: String?; var note: String? }

    func logEvent(_ req: Request, _ ctx: WorkspaceContext) throws -> Response {
        let account = try ctx.requireAccount()
        let r = try body(EventRequest.self, req, ctx)
        let entry = try EventEntry.validated(state: r.state, department: r.department, date: r.date, promised: r.promisedDate, note: r.note)
        let detail = try workspace.record(entry, invoice: ctx.parameters.get("id") ?? "", by: account)
        return try json(detail, ctx, status: .created)
    }
}
