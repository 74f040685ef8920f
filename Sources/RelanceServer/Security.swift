import Crypto
import Foundation
import HummingbirdBcrypt
import Synchronization

/// Password hashing with bcrypt: slow on purpose, salted, the cost in the hash itself.
public struct PasswordHasher: Sendable {
    /// log2 of the rounds: 12 in production (about a quarter of a second), less in tests.
    public var cost: UInt8

    public init(cost: UInt8 = 12) { self.cost = cost }

    public func hash(_ password: String) -> String { Bcrypt.hash(password, cost: cost) }

    public func verify(_ password: String, hash: String) -> Bool { Bcrypt.verify(password, hash: hash) }

    /// The rules a new password must follow, as an error message, or `nil` when it is acceptable.
    public static func problem(with password: String) -> String? {
        if password.count < 10 { return "the password must have at least 10 characters" }
        if password.utf8.count > 72 { return "the password must have at most 72 bytes (bcrypt ignores the rest)" }
        return nil
    }
}

/// Secrets for session cookies, API tokens and CSRF tokens: 256 random bits, sent base64url-encoded;
/// the database keeps only their SHA-256.
public enum Secrets {
    public static func token() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacing("+", with: "-").replacing("/", with: "_").replacing("=", with: "")
    }

    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether a text has the form of a token from ``token()`` (43 base64url characters).
    public static func isWellFormed(_ s: String) -> Bool {
        s.utf8.count == 43 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    /// Compares two secrets in time that does not depend on where they differ.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Slows down password guessing: after `limit` failures for one name within `window`, sign-in for that name is
/// refused until the window has passed.
public final class LoginThrottle: Sendable {
    let limit: Int
    let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])

    public init(limit: Int = 5, window: TimeInterval = 300) {
        self.limit = limit
        self.window = window
    }

    public func isBlocked(_ name: String, now: Date = Date()) -> Bool {
        failures.withLock { ($0[name.lowercased()] ?? []).filter { now.timeIntervalSince($0) < window }.count >= limit }
    }

    public func recordFailure(_ name: String, now: Date = Date()) {
        failures.withLock { table in
            let key = name.lowercased()
            table[key] = (table[key] ?? []).filter { now.timeIntervalSince($0) < window } + [now]
        }
    }

    public func reset(_ name: String) {
        _ = failures.withLock { $0.removeValue(forKey: name.lowercased()) }
    }
}
