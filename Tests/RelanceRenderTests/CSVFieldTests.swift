import Foundation
import RelanceRender
import Testing

/// A CSV field is quoted (each quote doubled) exactly when it holds a comma, a quote or a line break.
@Suite struct CSVFieldTests {
    /// What `CSVWriters.field` wrote through Foundation before it went byte by byte.
    static func reference(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    @Test func fieldsAreQuotedAsBefore() {
        let cases = ["", "plain", "a,b", "\"", "say \"hi\", then go", "line\nbreak", "cr\rlf\r\n", "é, ü \"ß\"", "😀,\"😀\"",
                     "route r1: bap at purchasing, pay at payables; pays at the due date", ",,", "\"\"\""]
        for s in cases { #expect(CSVWriters.field(s) == Self.reference(s), "\(s.debugDescription)") }
        #expect(CSVWriters.field("a\"b,c") == "\"a\"\"b,c\"")
        #expect(CSVWriters.field("ok") == "ok")
    }

    @Test func randomTextIsQuotedAsBefore() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "Z", " ", ",", "\"", "\n", "\r", "é", "€", "😀", ";", "'"]
        for _ in 0..<2_000 {
            let s = String((0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? "a" })
            #expect(CSVWriters.field(s) == Self.reference(s), "\(s.debugDescription)")
        }
    }

    /// A line appended as bytes is its fields quoted one by one, joined with commas, and a newline.
    @Test func appendedLinesAreTheFieldsJoined() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "Z", " ", ",", "\"", "\n", "\r", "é", "€", "😀", ";", "'"]
        var out: [UInt8] = [], expected = ""
        for n in 0..<500 {
            let fields = (0..<(n % 11)).map { _ in String((0..<Int.random(in: 0...8, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? "a" }) }
            CSVWriters.appendLine(fields, to: &out)
            expected += fields.map(CSVWriters.field).joined(separator: ",") + "\n"
        }
        #expect(String(decoding: out, as: UTF8.self) == expected)
        #expect(out.filter { $0 == UInt8(ascii: ",") }.count > 500, "fields to separate")
    }
}
