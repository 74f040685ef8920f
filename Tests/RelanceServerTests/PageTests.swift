import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RelanceRender
import RelanceServer
import RelanceStore
import Testing

@Suite("HTML pages")
struct PageTests {
    @Test("The overview shows the portfolio's open and overdue amounts, the stuck count and one bar per forecast week")
    func overview() async throws {
        let f = try await Fixture()
        let o = try f.workspace.overview(scope: .everything)
        #expect(o.openCount > 0 && !o.weeks.isEmpty)
        try await f.test { client in
            let s = try await signIn(client, "mia")
            let r = try await client.execute(uri: "/", method: .get, headers: s.headers)
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "text/html; charset=utf-8")
            let page = r.text
            #expect(page.contains("id=\"kpi-open\">") && page.contains("\(o.openCount) open invoices"))
            #expect(page.contains(">\(o.stuckCount)</span>"))
            #expect(page.components(separatedBy: "<rect class=\"bar\"").count - 1 == o.weeks.count)
            #expect(page.components(separatedBy: "<line class=\"band\"").count - 1 == o.weeks.count)
            for c in o.customers { #expect(page.contains("href=\"/customers/\(c.id)\"")) }
            #expect(page.contains("aria-current=\"page\">Overview"))
        }
    }

    @Test("The overview's amounts are grouped as each language writes them")
    func amountsByLanguage() async throws {
        let f = try await Fixture()
        let o = try f.workspace.overview(scope: .everything)
        // The open total is above 1,000 EUR, so it has a group separator.
        #expect(o.open.minor > 100_000)
        let whole = String(o.open.minor / 100)
        let grouped: @Sendable (String) -> String = { sep in
            var out = ""
            for (i, ch) in whole.reversed().enumerated() { if i > 0 && i % 3 == 0 { out += sep }; out.append(ch) }
            return String(out.reversed())
        }
        try await f.test { client in
            let s = try await signIn(client, "mia")
            let en = try await client.execute(uri: "/", method: .get, headers: s.headers).text
            #expect(en.contains(grouped(",") + "." + String(format: "%02d", o.open.minor % 100) + " EUR"))
            let fr = try await client.execute(uri: "/?lang=fr", method: .get, headers: s.headers).text
            #expect(fr.contains(grouped("\u{202F}") + "," + String(format: "%02d", o.open.minor % 100) + "\u{202F}EUR"))
        }
    }

    @Test("French: chosen with ?lang=fr (kept in a cookie) or from Accept-Language")
    func french() async throws {
        let f = try await Fixture()
        try await f.test { client in
            let s = try await signIn(client, "mia")
            let switched = try await client.execute(uri: "/stuck?lang=fr", method: .get, headers: s.headers)
            #expect(switched.text.contains("<h1>Factures bloquées</h1>"))
            #expect(switched.text.contains("<html lang=\"fr\">"))
            #expect(switched.cookies["relance_lang"] == "fr")
            let kept = try await client.execute(uri: "/stuck", method: .get, headers: [.cookie: s.cookie + "; relance_lang=fr"])
            #expect(kept.text.contains("Factures bloquées"))
            let browser = try await client.execute(uri: "/signin", method: .get, headers: [.acceptLanguage: "fr-FR,fr;q=0.9,en;q=0.8"])
            #expect(browser.text.contains("Mot de passe"))
            let english = try await client.execute(uri: "/signin", method: .get, headers: [.acceptLanguage: "de-DE,en;q=0.5"])
            #expect(english.text.contains("Password"))
        }
        #expect(Language.preferred(acceptLanguage: "en;q=0.3, fr-CA;q=0.8") == .fr)
        #expect(Language.preferred(acceptLanguage: nil) == .en)
    }

    @Test("Every string exists in both languages and every key a template uses exists")
    func strings() throws {
        #expect(Set(UIStrings.en.keys) == Set(UIStrings.fr.keys))
        let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/RelanceServer/Templates")
        let names = try FileManager.default.contentsOfDirectory(atPath: templates.path).filter { $0.hasSuffix(".mustache") }
        #expect(names.count >= 8)
        for name in names {
            let text = try String(contentsOf: templates.appendingPathComponent(name), encoding: .utf8)
            for match in text.matches(of: /\{\{t\.([a-zA-Z_]+)\}\}/) {
                #expect(UIStrings.en[String(match.1)] != nil, "\(name): t.\(match.1)")
            }
        }
    }

    @Test("The customers page lists each customer with its totals")
    func customers() async throws {
        let f = try await Fixture()
        let list = try f.workspace.customers(scope: .everything)
        try await f.test { client in
            let s = try await signIn(client, "carl")
            let page = try await client.execute(uri: "/customers", method: .get, headers: s.headers).text
            for c in list { #expect(page.contains("<a href=\"/customers/\(c.id)\">")) }
            #expect(list.map(\.id).sorted() == ["chu-armor", "maisonvert", "metalux"])
        }
    }

    @Test("A customer page draws the organisation with each open invoice on its department, coloured by risk")
    func customerGraph() async throws {
        let f = try await Fixture()
        let (detail, _) = try f.workspace.customer("metalux", scope: .everything)
        #expect(!detail.invoices.isEmpty)
        try await f.test { client in
            let s = try await signIn(client, "carl")
            let r = try await client.execute(uri: "/customers/metalux", method: .get, headers: s.headers)
            #expect(r.status == .ok)
            // The fixture's drawer returns the DOT inside the SVG, so the page shows what Graphviz was given.
            let page = r.text
            #expect(page.contains("<div class=\"org\"><svg"))
            for inv in detail.invoices where inv.department != nil {
                #expect(page.contains("&quot;\(inv.department ?? "")&quot; -&gt; &quot;inv:\(inv.id)&quot;") || page.contains("\"\(inv.department ?? "")\" -> \"inv:\(inv.id)\""),
                        "\(inv.id) hung on \(inv.department ?? "")")
                #expect(page.contains("/invoices/\(inv.id)"))
            }
            #expect(page.contains("risk blocked") || page.contains("risk high") || page.contains("risk medium") || page.contains("risk low"))
        }
    }

    @Test("Without Graphviz the customer page shows the organisation as text and says why")
    func customerWithoutGraphviz() async throws {
        let f = try await Fixture(drawSVG: { _ in throw Graphviz.Failure.notInstalled })
        try await f.test { client in
            let s = try await signIn(client, "carl")
            let r = try await client.execute(uri: "/customers/metalux", method: .get, headers: s.headers)
            #expect(r.status == .ok)
            #expect(r.text.contains("Graphviz is not installed"))
            #expect(r.text.contains("<pre class=\"org-text\">"))
            #expect(!r.text.contains("<div class=\"org\"><svg"))
        }
    }

    @Test("Unknown or malformed customer and invoice ids answer 404 pages")
    func notFound() async throws {
        let f = try await Fixture()
        try await f.test { client in
            let s = try await signIn(client, "carl")
            for path in ["/customers/nobody", "/invoices/FA-0000", "/invoices/..%2Fetc", "/customers/%3Cscript%3E"] {
                let r = try await client.execute(uri: path, method: .get, headers: s.headers)
                #expect(r.status == .notFound, "\(path)")
                #expect(r.text.contains("Something is wrong (404)"))
                #expect(!r.text.contains("<script>"))
            }
        }
    }

    @Test("An invoice page shows its route with each step's status, its events and its forecast")
    func invoice() async throws {
        let f = try await Fixture()
        let d = try f.workspace.invoice("FA-2026-10398", scope: .everything)
        try await f.test { client in
            let s = try await signIn(client, "carl")
            let page = try await client.execute(uri: "/invoices/FA-2026-10398", method: .get, headers: s.headers).text
            #expect(page.contains("<h1>Invoice FA-2026-10398"))
            #expect(page.components(separatedBy: "<li class=\"step ").count - 1 == d.steps.count)
            #expect(d.steps.contains { $0.status == "done" } && d.steps.contains { $0.status != "done" })
            #expect(page.contains("Receipt posted on 27/10 (MIGO)"))
            let fc = try #require(d.forecast)
            #expect(page.contains("<td>\(fc.p10)</td><td>\(fc.p50)</td><td>\(fc.p90)</td>"))
            #expect(page.contains("id=\"log-form\""))
            #expect(page.contains("<option value=\"approved\">"))
        }
    }

    @Test("The stuck list filters by customer, certainty and amount, and rejects bad filters with 400")
    func stuck() async throws {
        let f = try await Fixture()
        let all = try f.workspace.stuck(scope: .everything, filter: StuckFilter())
        #expect(!all.isEmpty)
        let big = try f.workspace.stuck(scope: .everything, filter: StuckFilter(minimumAmountMinor: 1_000_000))
        #expect(!big.isEmpty && big.allSatisfy { $0.open.minor >= 1_000_000 } && big.count < all.count)
        try await f.test { client in
            let s = try await signIn(client, "carl")
            let page = try await client.execute(uri: "/stuck", method: .get, headers: s.headers).text
            for row in all { #expect(page.contains("href=\"/invoices/\(row.invoice)\"")) }
            let filtered = try await client.execute(uri: "/stuck?minAmount=10000", method: .get, headers: s.headers).text
            for row in all { #expect(filtered.contains("href=\"/invoices/\(row.invoice)\"") == (row.open.minor >= 1_000_000)) }
            let onlyOne = try await client.execute(uri: "/stuck?customer=metalux", method: .get, headers: s.headers).text
            for row in all { #expect(onlyOne.contains("href=\"/invoices/\(row.invoice)\"") == (row.customer == "metalux")) }
            for (query, field) in [("minProbability=150", "minProbability"), ("minProbability=abc", "minProbability"),
                                   ("minAmount=-5", "minAmount"), ("customer=%3Cx%3E", "customer")] {
                let r = try await client.execute(uri: "/stuck?\(query)", method: .get, headers: s.headers)
                #expect(r.status == .badRequest, "\(query)")
                #expect(r.text.contains(field + ":"))
            }
        }
    }

    @Test("The stylesheet and the health check need no account")
    func publicAssets() async throws {
        let f = try await Fixture()
        try await f.test { client in
            let css = try await client.execute(uri: "/static/app.css", method: .get)
            #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8" && css.text.contains("header.top"))
            #expect(try await client.execute(uri: "/health", method: .get).text == "ok")
        }
    }
}

