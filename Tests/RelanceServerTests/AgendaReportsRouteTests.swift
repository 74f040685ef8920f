import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RelanceCore
import RelancePlan
import RelanceServer
import RelanceStore
import Testing

@Suite("The agenda and the reports")
struct AgendaReportsRouteTests {
    /// The first call of the fixture's agenda whose contact name prints as is in HTML.
    static func firstCall(_ f: Fixture) throws -> (name: String, contact: String, ids: String) {
        let a = try f.workspace.agenda(date: Fixture.asOf, person: nil, scope: .everything)
        let call = try #require(a.calls.first { c in c.name.allSatisfy { $0.isLetter || $0 == " " || $0 == "-" } })
        return (call.name, call.contactKey, call.invoices.map(\.invoice).joined(separator: ","))
    }

    @Test("The agenda page lists the day's calls with their contact, time and outcome buttons; anonymous visitors are sent to sign in")
    func agendaPage() async throws {
        let f = try await Fixture()
        let call = try Self.firstCall(f)
        try await f.test { client in
            let anonymous = try await client.execute(uri: "/agenda", method: .get)
            #expect(anonymous.status == .seeOther || anonymous.status == .found)
            #expect(anonymous.headers[.location]?.hasPrefix("/signin") == true)
            let s = try await signIn(client, "carl")
            let r = try await client.execute(uri: "/agenda?date=2026-11-27", method: .get, headers: s.headers)
            #expect(r.status == .ok)
            let page = r.text
            #expect(page.contains("<h1>Agenda 2026-11-27</h1>"))
            #expect(page.contains(call.name))
            #expect(page.contains("name=\"invoices\" value=\"\(call.ids)\""))
            #expect(page.contains("value=\"no-answer\"") && page.contains("value=\"approval-given\""))
            #expect(page.contains("aria-current=\"page\">Agenda"))
            // The default day is the server's as-of day.
            let byDefault = try await client.execute(uri: "/agenda", method: .get, headers: s.headers)
            #expect(byDefault.text.contains("<h1>Agenda \(Fixture.asOf)</h1>"))
            let fr = try await client.execute(uri: "/agenda?lang=fr", method: .get, headers: s.headers)
            #expect(fr.text.contains("Pas de réponse"))
            let bad = try await client.execute(uri: "/agenda?date=2026-13-40", method: .get, headers: s.headers)
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("date: &#39;2026-13-40&#39;") || bad.text.contains("date: '2026-13-40'"))
        }
    }

    @Test("A read-only account sees the agenda without buttons and cannot post an outcome")
    func readOnly() async throws {
        let f = try await Fixture()
        let call = try Self.firstCall(f)
        try await f.test { client in
            let s = try await signIn(client, "rita")
            let page = try await client.execute(uri: "/agenda", method: .get, headers: s.headers)
            #expect(page.status == .ok && page.text.contains(call.name))
            #expect(!page.text.contains("action=\"/agenda/outcomes\""))
            let r = try await client.execute(uri: "/agenda/outcomes", method: .post, headers: s.formHeaders,
                                             body: form(["csrf": s.csrf, "invoices": call.ids, "outcome": "no-answer"]))
            #expect(r.status == .forbidden)
        }
        #expect(try f.store.followUps().isEmpty)
    }

    @Test("Outcome posts: without the CSRF token 403, a bad outcome or field 400, nothing written")
    func outcomeValidation() async throws {
        let f = try await Fixture()
        let call = try Self.firstCall(f)
        try await f.test { client in
            let s = try await signIn(client, "carl")
            let noToken = try await client.execute(uri: "/agenda/outcomes", method: .post, headers: s.formHeaders,
                                                   body: form(["invoices": call.ids, "outcome": "no-answer"]))
            #expect(noToken.status == .forbidden)
            for (fields, field) in [(["outcome": "maybe"], "outcome:"), (["outcome": "promise"], "on:"), (["outcome": "promise", "on": "soon"], "on:"),
                                    (["outcome": "dispute"], "outcome:"), (["outcome": "no-answer", "date": "2026-02-30"], "date:"),
                                    (["outcome": "no-answer", "invoices": "FA 1"], "invoices:"), (["outcome": "no-answer", "invoices": ""], "invoices:")] {
                var all = ["csrf": s.csrf, "invoices": call.ids]
                all.merge(fields) { _, new in new }
                let r = try await client.execute(uri: "/agenda/outcomes", method: .post, headers: s.formHeaders, body: form(all))
                #expect(r.status == .badRequest, "\(fields)")
                #expect(r.text.contains(field), "\(fields)")
            }
            let unknown = try await client.execute(uri: "/agenda/outcomes", method: .post, headers: s.formHeaders,
                                                   body: form(["csrf": s.csrf, "invoices": "FA-0000-00000", "outcome": "no-answer"]))
            #expect(unknown.status == .notFound)
        }
        #expect(try f.store.followUps().isEmpty)
    }

    @Test("A logged outcome is stored with its events and changes the agenda: the contact called is not proposed again that day")
    func outcomeChangesAgenda() async throws {
        let f = try await Fixture()
        let call = try Self.firstCall(f)
        let stampBefore = try f.store.changeStamp()
        try await f.test { client in
            let s = try await signIn(client, "carl")
            let r = try await client.execute(uri: "/agenda/outcomes", method: .post, headers: s.formHeaders, body: form([
                "csrf": s.csrf, "invoices": call.ids, "contact": call.contact, "date": "2026-11-27", "outcome": "no-answer"]))
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == "/agenda?date=2026-11-27&logged=1")
            let after = try await client.execute(uri: "/agenda?date=2026-11-27&logged=1", method: .get, headers: s.headers)
            #expect(after.text.contains("id=\"agenda-notice\""))
            #expect(!after.text.contains("name=\"invoices\" value=\"\(call.ids)\""))
        }
        let logged = try f.store.followUps()
        #expect(logged.count == 1 && logged.first?.person == "carl" && logged.first?.invoices.joined(separator: ",") == call.ids)
        #expect(try f.store.changeStamp() != stampBefore)
        let next = try f.workspace.agenda(date: Fixture.asOf, person: nil, scope: .everything)
        #expect(!next.calls.contains { $0.contactKey == call.contact })
    }

    @Test("The agenda API: JSON with the calls and their invoices; outcomes through the API with the same validation")
    func agendaAPI() async throws {
        let f = try await Fixture()
        let call = try Self.firstCall(f)
        try await f.test { client in
            let anonymous = try await client.execute(uri: "/api/v1/agenda", method: .get)
            #expect(anonymous.status == .unauthorized)
            let token = try await apiToken(client, "mia")
            let r = try await client.execute(uri: "/api/v1/agenda?date=2026-11-27", method: .get, headers: bearer(token))
            #expect(r.status == .ok)
            let json = try #require(try jsonObject(r) as? [String: Any])
            #expect(json["date"] as? String == "2026-11-27")
            let calls = try #require(json["calls"] as? [[String: Any]])
            #expect(calls.contains { $0["name"] as? String == call.name && $0["contactKey"] as? String == call.contact })
            let invoices = try #require(calls.first?["invoices"] as? [[String: Any]])
            #expect(invoices.first?["invoice"] is String && invoices.first?["question"] is String)
            // The time slot is an ISO 8601 instant.
            #expect(calls.compactMap { $0["slot"] as? String }.contains { $0.hasPrefix("2026-11-27T") })
            for key in ["letters", "salesRequests", "bills", "disputes", "deferred"] { #expect(json[key] is [Any], "\(key)") }
            let bad = try await client.execute(uri: "/api/v1/agenda?date=yesterday", method: .get, headers: bearer(token))
            #expect(bad.status == .badRequest)

            var headers = bearer(token)
            headers[.contentType] = "application/json"
            let ids = call.ids.split(separator: ",").map { "\"\($0)\"" }.joined(separator: ",")
            let wrong = try await client.execute(uri: "/api/v1/agenda/outcomes", method: .post, headers: headers,
                                                 body: ByteBuffer(string: #"{"invoices":[\#(ids)],"outcome":"promise"}"#))
            #expect(wrong.status == .badRequest && wrong.text.contains("on:"))
            let ok = try await client.execute(uri: "/api/v1/agenda/outcomes", method: .post, headers: headers, body: ByteBuffer(string:
                #"{"invoices":[\#(ids)],"outcome":"promise","on":"2026-12-04","contact":"\#(call.contact)","date":"2026-11-27"}"#))
            #expect(ok.status == .created)
            let answer = try #require(try jsonObject(ok) as? [String: Any])
            #expect(answer["outcome"] as? String == "promise" && (answer["states"] as? [String]) == ["promised"])
            let readOnly = try await apiToken(client, "rita")
            var roHeaders = bearer(readOnly)
            roHeaders[.contentType] = "application/json"
            let refused = try await client.execute(uri: "/api/v1/agenda/outcomes", method: .post, headers: roHeaders,
                                                   body: ByteBuffer(string: #"{"invoices":[\#(ids)],"outcome":"no-answer"}"#))
            #expect(refused.status == .forbidden)
        }
        #expect(try f.store.followUps().count == 1)
    }

    @Test("The agenda from the cached books equals the store's; a sales rep's agenda holds only its own invoices")
    func salesRepAgenda() async throws {
        let f = try await Fixture()
        let all = try f.workspace.agenda(date: Fixture.asOf, person: nil, scope: .everything)
        // Built from the cached books on the as-of day, it is the agenda `relance agenda` computes from the store.
        #expect(all == (try RelancePlan.agenda(in: f.store, date: Fixture.asOf)))
        let mine = try f.workspace.agenda(date: Fixture.asOf, person: nil, scope: Scope(salesRep: "Julien Perrin"))
        #expect(!mine.invoiceIDs.isEmpty && mine.invoiceIDs.count < all.invoiceIDs.count)
        for id in mine.invoiceIDs { #expect(try f.store.invoice(id)?.salesRep == "Julien Perrin", "\(id)") }
        try await f.test { client in
            let s = try await signIn(client, "sam")
            let page = try await client.execute(uri: "/agenda", method: .get, headers: s.headers)
            #expect(page.status == .ok)
            for id in all.invoiceIDs.subtracting(mine.invoiceIDs) { #expect(!page.text.contains(">\(id)</a>"), "\(id)") }
        }
    }

    @Test("The reports API: the KPIs by customer with amounts in minor units, the ranked bottlenecks, its filters checked")
    func reportsAPI() async throws {
        let f = try await Fixture()
        let groups = try f.store.groups().map(\.id)
        try await f.test { client in
            let anonymous = try await client.execute(uri: "/api/v1/reports", method: .get)
            #expect(anonymous.status == .unauthorized)
            let token = try await apiToken(client, "mia")
            let r = try await client.execute(uri: "/api/v1/reports", method: .get, headers: bearer(token))
            #expect(r.status == .ok)
            let json = try #require(try jsonObject(r) as? [String: Any])
            #expect(json["to"] as? String == Fixture.asOf.description)
            let kpis = try #require(json["kpis"] as? [[String: Any]])
            #expect(Set(kpis.compactMap { $0["key"] as? String }).isSubset(of: Set(groups)) && !kpis.isEmpty)
            let open = try #require(kpis.first?["open"] as? [String: Any])
            #expect(open["minorUnits"] is Int && open["currency"] as? String == "EUR")
            let departments = Set(try f.store.allGraphs().flatMap { $0.departments.map(\.id) })
            let bottlenecks = try #require(json["bottlenecks"] as? [[String: Any]])
            #expect(bottlenecks.allSatisfy { departments.contains($0["department"] as? String ?? "") })
            let one = try await client.execute(uri: "/api/v1/reports?customer=\(groups[0])", method: .get, headers: bearer(token))
            let oneKPIs = try #require((try jsonObject(one) as? [String: Any])?["kpis"] as? [[String: Any]])
            #expect(oneKPIs.allSatisfy { $0["key"] as? String == groups[0] })
            for bad in ["from=yesterday", "to=2099-01-01", "from=2026-11-20&to=2026-11-01", "customer=nobody"] {
                let b = try await client.execute(uri: "/api/v1/reports?\(bad)", method: .get, headers: bearer(token))
                #expect(b.status == .badRequest, "\(bad)")
            }
        }
    }

    @Test("The reports page: the KPI table by customer and the bottlenecks with their department ids; filters checked")
    func reportsPage() async throws {
        let f = try await Fixture()
        let customers = try f.workspace.customers(scope: .everything)
        try await f.test { client in
            let anonymous = try await client.execute(uri: "/reports", method: .get)
            #expect(anonymous.status == .seeOther || anonymous.status == .found)
            let s = try await signIn(client, "mia")
            let r = try await client.execute(uri: "/reports", method: .get, headers: s.headers)
            #expect(r.status == .ok)
            let page = r.text
            #expect(page.contains("id=\"kpi-table\"") && page.contains("<th class=\"num\">DSO count-back</th>"))
            for c in customers { #expect(page.contains("href=\"/customers/\(c.id)\"")) }
            #expect(page.contains("aria-current=\"page\">Reports"))
            // The bottlenecks name departments of the sample organisations by their ids.
            #expect(page.contains("id=\"bottleneck-table\""))
            let departments = try customers.flatMap { try f.store.graph($0.id)?.departments.map(\.id) ?? [] }
            #expect(departments.contains { page.contains("<code>\($0)</code>") })
            #expect(!page.contains("<code>?</code>"))
            let one = try #require(customers.first)
            let filtered = try await client.execute(uri: "/reports?customer=\(one.id)&from=2026-01-01&to=2026-11-27", method: .get, headers: s.headers)
            #expect(filtered.status == .ok)
            #expect(filtered.text.contains("2026-01-01 → 2026-11-27"))
            for c in customers where c.id != one.id { #expect(!filtered.text.contains("<td><a href=\"/customers/\(c.id)\"")) }
            for uri in ["/reports?from=2026-99-01", "/reports?to=2027-01-01", "/reports?from=2026-11-28&to=2026-11-27", "/reports?customer=nobody"] {
                let bad = try await client.execute(uri: uri, method: .get, headers: s.headers)
                #expect(bad.status == .badRequest, "\(uri)")
            }
        }
    }
}
