import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RelanceCore
import RelanceImport
import RelanceSamples
import RelanceServer
import RelanceStore
import Testing

/// A workspace on a temporary database holding the sample customers, invoices and events, seen as of 2026-11-27,
/// with one account per role (password `correct horse 1` for all).
/// Unchecked: the router is built once in `init` and only read afterwards (Hummingbird does not mark it Sendable).
struct Fixture: @unchecked Sendable {
    static let asOf = CivilDate(year: 2026, month: 11, day: 27) ?? CivilDate(dayNumber: 0)
    static let password = "correct horse 1"
    let store: Store
    let workspace: Workspace
    let router: Router<WorkspaceContext>
    let directory: URL

    init(drawSVG: @escaping @Sendable (String) throws -> String = { "<svg data-dot-bytes=\"\($0.utf8.count)\"><!--\($0.replacing("--", with: "- -"))--></svg>" }) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("relance-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try Store.create(at: directory.appendingPathComponent("test.sqlite").path)
        try Fixture.load(into: store)
        let hasher = PasswordHasher(cost: 4)
        for (name, role, rep) in [("mia", AccountRole.manager, nil), ("carl", .collector, nil), ("rita", .readOnly, nil),
                                  ("sam", .salesRep, "Julien Perrin")] as [(String, AccountRole, String?)] {
            try store.addAccount(name: name, role: role, salesRep: rep, passwordHash: hasher.hash(Fixture.password))
        }
        workspace = Workspace(store: store, asOf: Fixture.asOf)
        router = WorkspaceServer.router(workspace: workspace, pages: try await PageRenderer.load(), hasher: hasher,
                                        throttle: LoginThrottle(limit: 3, window: 60), drawSVG: drawSVG)
    }

    /// The sample organisations, invoices and call outcomes, as `relance import` loads them.
    static func load(into store: Store) throws {
        try store.save(try Samples.organisationFiles.map { try OrganisationReader.read(contentsOf: $0) })
        let records = try InvoiceCSVReader.read(contentsOf: try #require(Samples.invoices))
        try store.importInvoices(records.map { r in
            InvoiceInput(invoice: Invoice(
                id: r.number, kind: r.kind, group: "", entity: r.entity, site: r.site, sentTo: r.sentTo, orderNumber: r.orderNumber,
                orderType: r.orderType, deliveryNote: r.deliveryNote, issueDate: r.issueDate, deliveryDate: r.deliveryDate,
                dueDate: r.dueDate ?? r.issueDate, dueDateGiven: r.dueDate != nil, amount: r.amount, method: r.method, salesRep: r.salesRep,
                credits: r.credits, discounted: r.discounted, payments: r.payments),
                givenDueDate: r.dueDate, receiptDate: r.receiptDate, place: "invoices.csv:\(r.line)")
        }, source: "invoices.csv", now: Date(timeIntervalSince1970: 1_795_780_800))
        var events = try EventFileReader.read(contentsOf: try #require(Samples.events)).map { EventInput(event: $0.event, place: "events.csv") }
        // Two blocks, so that the stuck list has something to rank and filter: a dispute and a suspension.
        let paris = TimeZone(identifier: "Europe/Paris") ?? .gmt
        for (invoice, state, day) in [("FA-2026-10455", CanonicalState.inDispute, 20), ("FA-2026-10377", .suspended, 18)] {
            let at = (CivilDate(year: 2026, month: 11, day: day) ?? asOf).start(in: paris).addingTimeInterval(10 * 3600)
            events.append(EventInput(event: InvoiceEvent(invoice: invoice, state: state, at: at, source: .call, reason: "test block"), place: "fixture"))
        }
        try store.appendEvents(events, source: "events.csv", now: Date(timeIntervalSince1970: 1_795_780_800))
    }

    /// Runs `body` with a test client of the router.
    func test<V: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> V) async throws -> V {
        try await Application(router: router).test(.router) { client in try await body(client) }
    }
}

/// A signed-in browser: its session cookie and the CSRF token of its pages.
struct BrowserSession: Sendable {
    var cookie: String
    var csrf: String
    var headers: HTTPFields { [.cookie: cookie] }
    /// For posting a form with this session.
    var formHeaders: HTTPFields { [.cookie: cookie, .contentType: "application/x-www-form-urlencoded"] }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// `name=value` of every cookie the response sets, by name.
    var cookies: [String: String] {
        var out: [String: String] = [:]
        for header in headers[values: .setCookie] {
            let pair = header.split(separator: ";").first.map(String.init) ?? ""
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { out[kv[0]] = kv[1] } else if kv.count == 1 { out[kv[0]] = "" }
        }
        return out
    }

    /// The whole `Set-Cookie` header of one cookie.
    func setCookie(_ name: String) -> String? { headers[values: .setCookie].first { $0.hasPrefix(name + "=") } }
}

/// The value of the first `name="…" value="…"` hidden field of a page.
func hiddenField(_ name: String, in page: String) -> String? {
    guard let r = page.range(of: "name=\"\(name)\" value=\"") else { return nil }
    let rest = page[r.upperBound...]
    return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
}

func form(_ fields: [String: String]) -> ByteBuffer {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return ByteBuffer(string: fields.sorted { $0.key < $1.key }
        .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&"))
}

let formHeaders: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

/// Signs in through the form as a browser does: GET the page (cookie and token), POST the form.
func signIn(_ client: any TestClientProtocol, _ name: String, password: String = Fixture.password) async throws -> BrowserSession {
    let answer = try await postSignIn(client, name, password: password)
    #expect(answer.status == .seeOther)
    let session = try #require(answer.cookies["relance_session"])
    let home = try await client.execute(uri: "/", method: .get, headers: [.cookie: "relance_session=\(session)"])
    #expect(home.status == .ok)
    return BrowserSession(cookie: "relance_session=\(session)", csrf: try #require(hiddenField("csrf", in: home.text)))
}

/// GETs the sign-in page and posts its form (with the page's token and cookie) as a browser does.
func postSignIn(_ client: any TestClientProtocol, _ name: String, password: String = Fixture.password, next: String = "/") async throws -> TestResponse {
    let page = try await client.execute(uri: "/signin", method: .get)
    var headers = formHeaders
    headers[.cookie] = "relance_signin=\(try #require(page.cookies["relance_signin"]))"
    return try await client.execute(uri: "/signin", method: .post, headers: headers, body: form([
        "csrf": try #require(hiddenField("csrf", in: page.text)), "name": name, "password": password, "next": next]))
}

/// An API token for an account.
func apiToken(_ client: any TestClientProtocol, _ name: String) async throws -> String {
    let answer = try await client.execute(uri: "/api/v1/tokens", method: .post, headers: [.contentType: "application/json"],
                                          body: ByteBuffer(string: #"{"name":"\#(name)","password":"\#(Fixture.password)"}"#))
    #expect(answer.status == .created)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.readableBytesView)) as? [String: Any])
    return try #require(json["token"] as? String)
}

func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

func jsonObject(_ r: TestResponse) throws -> Any { try JSONSerialization.jsonObject(with: Data(r.body.readableBytesView)) }
