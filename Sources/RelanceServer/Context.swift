import Foundation
import Hummingbird
import NIOCore
import RelanceStore

/// The request context of the workspace: who is signed in, in which language, and the form the request carried.
public struct WorkspaceContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The session or API token the request was made with (`nil` before sign-in).
    public var session: AccountSession?
    public var language: Language = .en
    /// The fields of a URL-encoded form body, read once by ``SecurityMiddleware`` (for the CSRF check).
    public var form: [String: String] = [:]
    /// The raw body of a JSON request, read once by ``SecurityMiddleware``.
    public var body: ByteBuffer?

    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    public var account: Account? { session?.account }

    /// JSON with sorted keys, so that API answers are stable; instants (an agenda call's slot) in ISO 8601.
    public var responseEncoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }

    /// The signed-in account, or 401.
    func requireAccount() throws -> Account {
        guard let a = account else { throw ClientError(401, "sign in first") }
        return a
    }
}

/// `application/x-www-form-urlencoded` and query strings: `a=1&b=x+y` → `["a": "1", "b": "x y"]`. A repeated key keeps
/// its first value.
enum FormCoding {
    static func parse(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let k = kv.first.flatMap({ decode($0) }), !k.isEmpty else { continue }
            let v = kv.count > 1 ? decode(kv[1]) ?? "" : ""
            if out[k] == nil { out[k] = v }
        }
        return out
    }

    static func decode(_ s: Substring) -> String? {
        s.replacing("+", with: " ").removingPercentEncoding
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

extension Request {
    /// The query string's parameters, decoded.
    var query: [String: String] { FormCoding.parse(uri.query ?? "") }
}
