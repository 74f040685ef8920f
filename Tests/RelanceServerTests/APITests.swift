import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RelanceCore
import RelanceServer
import RelanceStore
import Testing

@Suite("JSON API and its OpenAPI document")
struct APITests {
    @Test("A token from POST /api/v1/tokens opens the API; /me names its account")
    func tokens() async throws {
        let f = try await Fixture()
        try await f.test { client in
            let token = try await apiToken(client, "carl")
            let me = try #require(try jsonObject(try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer(token))) as? [String: Any])
            #expect(me["name"] as? String == "carl")
            #expect(me["role"] as? String == "collector")
            #expect(me["passwordHash"] == nil && me["password_hash"] == nil)
        }
    }

    @Test("Token requests: wrong password 401, not JSON 415, malformed or incomplete JSON 400")
    func tokenErrors() async throws {
        let f = try await Fixture()
        try await f.test { client in
            let json: HTTPFields = [.contentType: "application/json"]
            let cases: [(HTTPFields, String, HTTPResponse.Status, String)] = [
                (json, #"{"name":"mia","password":"wrong password"}"#, .unauthorized, "wrong name or password"),
                ([.contentType: "text/plain"], "mia", .unsupportedMediaType, "Content-Type: application/json"),
                (json, "{not json", .badRequest, "not valid JSON"),
                (json, #"{"name":"mia"}"#, .badRequest, "password: required"),
                (json, #"{"name":5,"password":"x"}"#, .badRequest, "name:"),
            ]
            for (headers, body, status, message) in cases {
                let r = try await client.execute(uri: "/api/v1/tokens", method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(r.status == status, "\(body)")
                let error = (try jsonObject(r) as? [String: Any])?["error"] as? [String: Any]
                #expect((error?["message"] as? String)?.contains(message) == true, "\(body): \(r.text)")
                #expect(error?["status"] as? Int == Int(status.code))
            }
        }
    }

    @Test("The API answers the same numbers as the workspace, with sorted keys")
    func reads() async throws {
        let f = try await Fixture()
        let overview = try f.workspace.overview(scope: .everything)
        let stuck = try f.workspace.stuck(scope: .everything, filter: StuckFilter())
        try await f.test { client in
            let token = try await apiToken(client, "mia")
            let r = try await client.execute(uri: "/api/v1/overview", method: .get, headers: bearer(token))
            #expect(r.status == .ok && r.headers[.contentType] == "application/json; charset=utf-8")
            #expect(try JSONDecoder().decode(OverviewData.self, from: Data(r.body.readableBytesView)) == overview)
            #expect(r.text.hasPrefix("{\"asOf\":\"2026-11-27\""))
            let s = try await client.execute(uri: "/api/v1/stuck", method: .get, headers: bearer(token))
            #expect(try JSONDecoder().decode([StuckRow].self, from: Data(s.body.readableBytesView)) == stuck)
            let c = try await client.execute(uri: "/api/v1/customers/metalux", method: .get, headers: bearer(token))
            let detail = try JSONDecoder().decode(CustomerDetail.self, from: Data(c.body.readableBytesView))
            #expect(detail == (try f.workspace.customer("metalux", scope: .everything).detail))
            let i = try await client.execute(uri: "/api/v1/invoices/FA-2026-10412", method: .get, headers: bearer(token))
            let invoice = try JSONDecoder().decode(InvoiceDetail.self, from: Data(i.body.readableBytesView))
            #expect(invoice.events.contains { $0.state == "scheduled" && $0.date == "2026-12-10" })
            let bad = try await client.execute(uri: "/api/v1/stuck?minProbability=-1", method: .get, headers: bearer(token))
            #expect(bad.status == .badRequest)
            #expect(try await client.execute(uri: "/api/v1/invoices/NOPE", method: .get, headers: bearer(token)).status == .notFound)
        }
    }

    @Test("Every /api/ route the router serves is in /openapi.json with its method, and nothing more")
    func openAPIMatchesRoutes() async throws {
        let f = try await Fixture()
        let served = Set(f.router.routes.map { "\($0.method.rawValue.lowercased()) \($0.path.description)" }
            .filter { $0.contains(" /api/") }
            .map { $0.replacing(/:([a-zA-Z]+)/) { "{\($0.1)}" } })
        #expect(served.count >= 8)
        try await f.test { client in
            let r = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(r.status == .ok)
            let doc = try #require(try jsonObject(r) as? [String: Any])
            #expect(doc["openapi"] as? String == "3.1.0")
            let paths = try #require(doc["paths"] as? [String: [String: Any]])
            let described = Set(paths.flatMap { path, ops in ops.keys.map { "\($0) \(path)" } })
            #expect(described == served)
            // Every $ref points at something the document defines.
            let text = r.text
            for m in text.matches(of: /"\$ref": "#\/components\/([a-zA-Z]+)\/([a-zA-Z]+)"/) {
                let section = (doc["components"] as? [String: Any])?[String(m.1)] as? [String: Any]
                #expect(section?[String(m.2)] != nil, "\(m.1)/\(m.2)")
            }
        }
    }
}

@Suite("Recording call outcomes")
struct EventLoggingTests {
    @Test("Logging an approval from the invoice page moves the invoice past the approval step")
    func formLogsAndPositionChanges() async throws {
        let f = try await Fixture()
        let before = try f.workspace.invoice("FA-2026-10398", scope: .everything)
        let approval = try #require(before.steps.first { $0.action == "approval" })
        #expect(approval.status != "done")
        try await f.test { client in
            let s = try await signIn(client, "carl")
            let headers = s.formHeaders
            let r = try await client.execute(uri: "/invoices/FA-2026-10398/events", method: .post, headers: headers, body: form([
                "csrf": s.csrf, "state": "approved", "department": approval.department ?? "", "date": "2026-11-27", "note": "Approved by phone"]))
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == "/invoices/FA-2026-10398?logged=1")
            let page = try await client.execute(uri: "/invoices/FA-2026-10398?logged=1", method: .get, headers: s.headers).text
            #expect(page.contains("Recorded."))
            #expect(page.contains("Approved by phone — by carl"))
        }
        let after = try f.workspace.invoice("FA-2026-10398", scope: .everything)
        #expect(after.steps.first { $0.id == approval.id }?.status == "done")
        #expect(after.events.count == before.events.count + 1)
        #expect(after.events.contains { $0.source == "call" && $0.state == "approved" && $0.day == "2026-11-27" })
    }

    @Test("A promise through the API changes the forecast and is answered with the new invoice")
    func apiPromise() async throws {
        let f = try await Fixture()
        let before = try f.workspace.invoice("FA-2026-10455", scope: .everything)
        try await f.test { client in
            let token = try await apiToken(client, "mia")
            var headers = bearer(token)
            headers[.contentType] = "application/json"
            let r = try await client.execute(uri: "/api/v1/invoices/FA-2026-10455/events", method: .post, headers: headers,
                                             body: ByteBuffer(string: #"{"state":"promised","promisedDate":"2026-12-04","date":"2026-11-27"}"#))
            #expect(r.status == .created)
            let detail = try JSONDecoder().decode(InvoiceDetail.self, from: Data(r.body.readableBytesView))
            #expect(detail.events.count == before.events.count + 1)
            #expect(detail.events.last?.date == "2026-12-04")
        }
    }

    @Test("Bad fields are refused with 400 naming the field, and nothing is recorded")
    func validation() async throws {
        let f = try await Fixture()
        let before = try f.store.events(of: "FA-2026-10398").count
        try await f.test { client in
            let s = try await signIn(client, "carl")
            let headers = s.formHeaders
            let cases: [([String: String], String, HTTPResponse.Status)] = [
                (["state": "paid"], "state:", .badRequest),
                (["state": "nonsense"], "state:", .badRequest),
                (["date": "27/11/2026"], "date:", .badRequest),
                (["date": "2031-01-01"], "future", .badRequest),
                (["date": "2020-01-01"], "before the invoice date", .badRequest),
                (["department": "chu-siege"], "department:", .badRequest),
                (["state": "promised"], "promisedDate:", .badRequest),
                (["note": String(repeating: "x", count: 501)], "note:", .badRequest),
            ]
            for (fields, message, status) in cases {
                var all = fields
                all["csrf"] = s.csrf
                let r = try await client.execute(uri: "/invoices/FA-2026-10398/events", method: .post, headers: headers, body: form(all))
                #expect(r.status == status, "\(fields)")
                #expect(r.text.contains(message), "\(fields): \(message)")
            }
            let unknown = try await client.execute(uri: "/invoices/FA-9999/events", method: .post, headers: headers, body: form(["csrf": s.csrf]))
            #expect(unknown.status == .notFound)
        }
        #expect(try f.store.events(of: "FA-2026-10398").count == before)
    }

    @Test("A sales rep records on its own invoices only")
    func salesRepWrites() async throws {
        let f = try await Fixture()
        try await f.test { client in
            let token = try await apiToken(client, "sam")
            var headers = bearer(token)
            headers[.contentType] = "application/json"
            let mine = try await client.execute(uri: "/api/v1/invoices/FA-2026-10412/events", method: .post, headers: headers,
                                                body: ByteBuffer(string: #"{"note":"Called, no answer","date":"2026-11-27"}"#))
            #expect(mine.status == .created)
            let theirs = try await client.execute(uri: "/api/v1/invoices/FA-2026-10455/events", method: .post, headers: headers,
                                                  body: ByteBuffer(string: #"{"note":"x"}"#))
            #expect(theirs.status == .notFound)
        }
        #expect(try f.store.events(of: "FA-2026-10455").allSatisfy { $0.source != .call || $0.note != "x — by sam" })
    }
}
