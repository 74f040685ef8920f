import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RelanceServer
import RelanceStore
import Testing

@Suite("Signing in, sessions, CSRF, roles")
struct AuthTests {
    @Test("Pages redirect to sign-in and the API answers 401 without an account")
    func anonymous() async throws {
        let f = try await Fixture()
        try await f.test { client in
            for path in ["/", "/customers", "/customers/metalux", "/invoices/FA-2026-10398", "/stuck"] {
                let r = try await client.execute(uri: path, method: .get)
                #expect(r.status == .seeOther, "\(path)")
                #expect(r.headers[.location] == "/signin?next=" + path.replacing("/", with: "%2F"))
            }
            for path in ["/api/v1/overview", "/api/v1/customers", "/api/v1/customers/metalux", "/api/v1/invoices/FA-2026-10398", "/api/v1/stuck", "/api/v1/me"] {
                let r = try await client.execute(uri: path, method: .get)
                #expect(r.status == .unauthorized, "\(path)")
                let error = try #require((try jsonObject(r) as? [String: Any])?["error"] as? [String: Any])
                #expect(error["status"] as? Int == 401)
            }
            let post = try await client.execute(uri: "/invoices/FA-2026-10398/events", method: .post, headers: formHeaders, body: form(["state": "approved"]))
            #expect(post.status == .unauthorized)
        }
        #expect(try f.store.events(of: "FA-2026-10398").count == 3)
    }

    @Test("The sign-in page sets a double-submit token; a good password opens a hashed, HttpOnly, SameSite=Strict session")
    func signInFlow() async throws {
        let f = try await Fixture()
        try await f.test { client in
            let page = try await client.execute(uri: "/signin", method: .get)
            #expect(page.status == .ok)
            #expect(page.text.contains("name=\"password\" type=\"password\""))
            let cookie = try #require(page.setCookie("relance_signin"))
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))

            let s = try await signIn(client, "mia")
            let token = String(s.cookie.dropFirst("relance_session=".count))
            #expect(token.count >= 43)  // 256 bits in base64url
            #expect(try f.store.session(tokenHash: Secrets.hash(token))?.account.name == "mia")
            #expect(try f.store.session(tokenHash: token) == nil)  // only the hash is stored
            #expect(s.csrf.count >= 43 && s.csrf != token)
        }
    }

    @Test("The session cookie carries HttpOnly, SameSite=Strict, Path=/ and an expiry")
    func sessionCookieAttributes() async throws {
        let f = try await Fixture()
        try await f.test { client in
            let r = try await postSignIn(client, "carl", password: Fixture.password, next: "/stuck")
            #expect(r.status == .seeOther)
            #expect(r.headers[.location] == "/stuck")
            let set = try #require(r.setCookie("relance_session"))
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] { #expect(set.contains(attribute), "\(attribute)") }
        }
    }

    @Test("A wrong password is refused with 401 and the page says so; no session is set")
    func wrongPassword() async throws {
        let f = try await Fixture()
        try await f.test { client in
            let r = try await postSignIn(client, "mia", password: "not the password")
            #expect(r.status == .unauthorized)
            #expect(r.text.contains("Wrong name or password."))
            #expect(r.cookies["relance_session"] == nil)
        }
    }

    @Test("Sign-in without the form's token (login CSRF) is refused with 403")
    func signInNeedsToken() async throws {
        let f = try await Fixture()
        try await f.test { client in
            let r = try await client.execute(uri: "/signin", method: .post, headers: formHeaders,
                                             body: form(["csrf": "forged", "name": "mia", "password": Fixture.password]))
            #expect(r.status == .forbidden)
            #expect(r.cookies["relance_session"] == nil)
        }
    }

    @Test("After three failures for a name, even the right password is refused (429) until the window passes")
    func throttling() async throws {
        let f = try await Fixture()
        try await f.test { client in
            for _ in 0..<3 {
                let r = try await client.execute(uri: "/api/v1/tokens", method: .post, headers: [.contentType: "application/json"],
                                                 body: ByteBuffer(string: #"{"name":"carl","password":"guess guess"}"#))
                #expect(r.status == .unauthorized)
            }
            let r = try await client.execute(uri: "/api/v1/tokens", method: .post, headers: [.contentType: "application/json"],
                                             body: ByteBuffer(string: #"{"name":"carl","password":"\#(Fixture.password)"}"#))
            #expect(r.status == .tooManyRequests)
            // Other names are not affected.
            _ = try await apiToken(client, "mia")
        }
        let throttle = LoginThrottle(limit: 2, window: 60)
        let t0 = Date()
        throttle.recordFailure("x", now: t0)
        throttle.recordFailure("X", now: t0)
        #expect(throttle.isBlocked("x", now: t0.addingTimeInterval(1)))
        #expect(!throttle.isBlocked("x", now: t0.addingTimeInterval(61)))
    }

    @Test("Sign-in never redirects off the site")
    func openRedirect() async throws {
        let f = try await Fixture()
        try await f.test { client in
            let r = try await postSignIn(client, "mia", password: Fixture.password, next: "//evil.example/x")
            #expect(r.headers[.location] == "/")
        }
    }

    @Test("Signing out ends the session on the server, not only in the browser")
    func signOut() async throws {
        let f = try await Fixture()
        try await f.test { client in
            let s = try await signIn(client, "carl")
            let headers = s.formHeaders
            let forged = try await client.execute(uri: "/signout", method: .post, headers: headers, body: form(["csrf": "nope"]))
            #expect(forged.status == .forbidden)
            let out = try await client.execute(uri: "/signout", method: .post, headers: headers, body: form(["csrf": s.csrf]))
            #expect(out.status == .seeOther)
            #expect(out.setCookie("relance_session")?.contains("Max-Age=0") == true)
            let again = try await client.execute(uri: "/", method: .get, headers: s.headers)
            #expect(again.status == .seeOther)
        }
    }

    @Test("A state-changing form without the session's CSRF token is refused and records nothing")
    func csrf() async throws {
        let f = try await Fixture()
        let before = try f.store.events(of: "FA-2026-10398").count
        try await f.test { client in
            let s = try await signIn(client, "carl")
            let headers = s.formHeaders
            for token in [nil, "", "0123456789abcdef0123456789abcdef0123456789a"] as [String?] {
                var fields = ["state": "approved"]
                if let token { fields["csrf"] = token }
                let r = try await client.execute(uri: "/invoices/FA-2026-10398/events", method: .post, headers: headers, body: form(fields))
                #expect(r.status == .forbidden)
                #expect(r.text.contains("CSRF"))
            }
            // The API with the session cookie needs the token too (in a header).
            var json: HTTPFields = [.contentType: "application/json", .cookie: s.cookie]
            let api = try await client.execute(uri: "/api/v1/invoices/FA-2026-10398/events", method: .post, headers: json,
                                               body: ByteBuffer(string: #"{"state":"approved"}"#))
            #expect(api.status == .forbidden)
            json[HTTPField.Name("X-CSRF-Token")!] = s.csrf
            let ok = try await client.execute(uri: "/api/v1/invoices/FA-2026-10398/events", method: .post, headers: json,
                                              body: ByteBuffer(string: #"{"state":"approved"}"#))
            #expect(ok.status == .created)
        }
        #expect(try f.store.events(of: "FA-2026-10398").count == before + 1)
    }

    @Test("A read-only account reads everything, sees no form and cannot record (403)")
    func readOnly() async throws {
        let f = try await Fixture()
        try await f.test { client in
            let s = try await signIn(client, "rita")
            let page = try await client.execute(uri: "/invoices/FA-2026-10398", method: .get, headers: s.headers)
            #expect(page.status == .ok)
            #expect(!page.text.contains("id=\"log-form\""))
            let headers = s.formHeaders
            let r = try await client.execute(uri: "/invoices/FA-2026-10398/events", method: .post, headers: headers,
                                             body: form(["csrf": s.csrf, "state": "approved"]))
            #expect(r.status == .forbidden)
            let token = try await apiToken(client, "rita")
            var api = bearer(token)
            api[.contentType] = "application/json"
            let a = try await client.execute(uri: "/api/v1/invoices/FA-2026-10398/events", method: .post, headers: api,
                                             body: ByteBuffer(string: #"{"state":"approved"}"#))
            #expect(a.status == .forbidden)
        }
        #expect(try f.store.events(of: "FA-2026-10398").count == 3)
    }

    @Test("A sales rep sees only the customers and invoices that carry its name")
    func salesRepScope() async throws {
        let f = try await Fixture()
        try await f.test { client in
            let token = try await apiToken(client, "sam")  // sales rep "Julien Perrin": Métalux invoices 10398, 10412
            let customers = try #require(try jsonObject(try await client.execute(uri: "/api/v1/customers", method: .get, headers: bearer(token))) as? [[String: Any]])
            #expect(customers.map { $0["id"] as? String } == ["metalux"])
            let detail = try #require(try jsonObject(try await client.execute(uri: "/api/v1/customers/metalux", method: .get, headers: bearer(token))) as? [String: Any])
            let ids = Set((detail["invoices"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            #expect(ids == ["FA-2026-10398", "FA-2026-10412"])
            #expect(try await client.execute(uri: "/api/v1/invoices/FA-2026-10455", method: .get, headers: bearer(token)).status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/customers/chu-armor", method: .get, headers: bearer(token)).status == .notFound)
            #expect(try await client.execute(uri: "/api/v1/invoices/FA-2026-10398", method: .get, headers: bearer(token)).status == .ok)
            // The manager sees the other customers' invoices.
            let all = try #require(try jsonObject(try await client.execute(uri: "/api/v1/customers", method: .get, headers: bearer(try await apiToken(client, "mia")))) as? [[String: Any]])
            #expect(all.count > 1)
        }
    }

    @Test("An unknown or expired API token is refused")
    func badToken() async throws {
        let f = try await Fixture()
        let account = try #require(try f.store.credentials(name: "mia")?.account)
        try f.store.addSession(tokenHash: Secrets.hash("expired-token"), account: account.id, kind: .api, csrf: nil,
                               expiresAt: Date().addingTimeInterval(-5), now: Date().addingTimeInterval(-100))
        try await f.test { client in
            for token in ["nope", "expired-token"] {
                let r = try await client.execute(uri: "/api/v1/me", method: .get, headers: bearer(token))
                #expect(r.status == .unauthorized)
            }
        }
    }

    @Test("Every answer carries the security headers")
    func securityHeaders() async throws {
        let f = try await Fixture()
        try await f.test { client in
            for path in ["/signin", "/", "/api/v1/me"] {
                let r = try await client.execute(uri: path, method: .get)
                #expect(r.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("frame-ancestors 'none'") == true, "\(path)")
                #expect(r.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            }
        }
    }
}

@Suite("Sign-in page details")
struct SignInPageTests {
    @Test("Loading the sign-in page again (another tab, a favicon redirect) keeps the browser's token, so its form still works")
    func tokenIsReused() async throws {
        let f = try await Fixture()
        try await f.test { client in
            let first = try await client.execute(uri: "/signin", method: .get)
            let cookie = try #require(first.cookies["relance_signin"])
            let again = try await client.execute(uri: "/signin?next=%2Ffavicon.ico", method: .get, headers: [.cookie: "relance_signin=\(cookie)"])
            #expect(hiddenField("csrf", in: again.text) == cookie)
            #expect(try await client.execute(uri: "/favicon.ico", method: .get).status == .noContent)
            // A cookie that is not one of our tokens is replaced.
            let forged = try await client.execute(uri: "/signin", method: .get, headers: [.cookie: "relance_signin=short"])
            #expect(hiddenField("csrf", in: forged.text) != "short")
        }
    }
}
