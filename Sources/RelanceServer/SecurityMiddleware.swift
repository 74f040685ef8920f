import Foundation
import HTTPTypes
import Logging
import Hummingbird
import NIOCore
import RelanceStore

/// Names of the cookies the workspace sets.
enum CookieName {
    static let session = "relance_session"
    /// Before sign-in: the double-submit token of the sign-in form.
    static let signInToken = "relance_signin"
    static let language = "relance_lang"
}

/// Signs requests in and guards them, in this order:
/// 1. the language (`?lang=`, then the language cookie, then `Accept-Language`);
/// 2. the account: an API bearer token (`Authorization: Bearer …`) or the session cookie; requests without one get
///    401 (API) or a redirect to the sign-in page (pages), except the public paths;
/// 3. for a state-changing request made with the session cookie, the synchroniser CSRF token (form field `csrf` or
///    header `X-CSRF-Token`) must match the session's; bearer-token requests carry no ambient credential and need none;
/// 4. read-only accounts may not change anything (403).
struct SecurityMiddleware: RouterMiddleware {
    typealias Context = WorkspaceContext
    let store: Store
    /// Largest body accepted, in bytes.
    let maxBody = 64 * 1024

    static func isPublic(_ method: HTTPRequest.Method, _ path: String) -> Bool {
        path == "/signin" || path == "/openapi.json" || path == "/favicon.ico" || path.hasPrefix("/static/") || path == "/health"
            || (method == .post && path == "/api/v1/tokens")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        var context = context
        let query = request.query
        let path = request.uri.path
        let chosen = query["lang"].flatMap(Language.init(rawValue:))
        context.language = chosen ?? request.cookies[CookieName.language].flatMap { Language(rawValue: $0.value) }
            ?? Language.preferred(acceptLanguage: request.headers[.acceptLanguage])

        let changes = request.method != .get && request.method != .head
        if changes {
            let type = request.headers[.contentType] ?? ""
            let buffer = try await request.collectBody(upTo: maxBody)
            if type.hasPrefix("application/x-www-form-urlencoded") {
                context.form = FormCoding.parse(String(buffer: buffer))
            } else {
                context.body = buffer
            }
        }

        if let auth = request.headers[.authorization], auth.lowercased().hasPrefix("bearer ") {
            let token = String(auth.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            guard let s = try store.session(tokenHash: Secrets.hash(token)), s.kind == .api else {
                throw ClientError(401, "the API token is unknown or expired")
            }
            context.session = s
        } else if let cookie = request.cookies[CookieName.session],
                  let s = try store.session(tokenHash: Secrets.hash(cookie.value)), s.kind == .web {
            context.session = s
            if changes {
                let sent = context.form["csrf"] ?? request.headers[HTTPField.Name("X-CSRF-Token")!] ?? ""
                guard let expected = s.csrf, Secrets.equal(sent, expected) else {
                    throw ClientError(403, "the form is out of date or did not come from this site (CSRF token missing or wrong): reload the page and try again")
                }
            }
        }

        if context.session == nil && !Self.isPublic(request.method, path) {
            if path.hasPrefix("/api/") { throw ClientError(401, "sign in first: send 'Authorization: Bearer TOKEN' (POST /api/v1/tokens gives one)") }
            if changes { throw ClientError(401, "your session has ended: sign in again") }
            let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            return Response.redirect(to: "/signin?next=" + FormCoding.encode(target), type: .normal)
        }
        if changes, let account = context.account, !account.role.canWrite, path != "/signout" {
            throw ClientError(403, "your account (\(account.name)) is read-only: it cannot change anything")
        }

        var response = try await next(request, context)
        if let chosen {
            response.setCookie(Cookie(name: CookieName.language, value: chosen.rawValue, maxAge: 365 * 86_400, path: "/", httpOnly: true, sameSite: .strict))
        }
        return response
    }
}

/// Turns errors into answers: JSON `{"error": {"status": …, "message": …}}` under `/api/`, an HTML page elsewhere.
/// Unexpected errors are logged and answered with 500 without details. Every answer gets the security headers.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = WorkspaceContext
    let pages: PageRenderer

    static let securityHeaders: HTTPFields = [
        HTTPField.Name("Content-Security-Policy")!: "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await answer(request, context: context, next: next)
        response.headers.append(contentsOf: Self.securityHeaders)
        return response
    }

    func answer(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let (status, message): (Int, String)
            switch error {
            case let e as ClientError: (status, message) = (e.status, e.message)
            case let e as HTTPError: (status, message) = (e.status.code, e.body ?? e.status.reasonPhrase)
            default:
                context.logger.error("request failed: \(error)")
                (status, message) = (500, "internal error: the server log has the details")
            }
            let code = HTTPResponse.Status(code: status)
            if request.uri.path.hasPrefix("/api/") || request.uri.path == "/openapi.json" {
                struct Body: Encodable { var error: Inner; struct Inner: Encodable { var status: Int; var message: String } }
                let data = try context.responseEncoder.encode(Body(error: .init(status: status, message: message)))
                return Response(status: code, headers: [.contentType: "application/json; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
            let page = pages.errorPage(status: status, message: message, context: context)
            return Response(status: code, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: page)))
        }
    }
}
