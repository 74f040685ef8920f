/// An amount of money in integer minor units of its currency (cents for EUR). Never a floating-point number.
public struct Money: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var minorUnits: Int64
    /// ISO 4217 code.
    public var currency: String

    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: String) -> Money { Money(minorUnits: 0, currency: currency) }

    /// Digits after the decimal point for a currency (ISO 4217): 0 for JPY, 3 for TND…, 2 otherwise.
    public static func exponent(of currency: String) -> Int {
        switch currency {
        case "JPY", "KRW", "XOF", "XAF", "XPF", "CLP", "ISK", "VND": return 0
        case "TND", "KWD", "BHD", "OMR", "JOD", "LYD", "IQD": return 3
        default: return 2
        }
    }

    /// Parses an amount as written in a file: `1234.56`, `1 234,56`, `-12,5`, `1,234.56`, `1234`.
    ///
    /// The last `.` or `,` followed by 1 to the currency's number of digits is the decimal separator; other
    /// separators (spaces, non-breaking spaces, the other punctuation) group thousands. More decimals
    /// than the currency has are refused rather than rounded, and so is a lone separator followed by three
    /// digits after at most three others (`980.123`, `1,234`): write `1234` or `1 234,00`.
    public init?(parsing text: String, currency: String) {
        let exp = Money.exponent(of: currency)
        var s = text.filter { !$0.isWhitespace && $0 != "\u{202F}" && $0 != "'" }
        var negative = false
        if s.hasPrefix("-") { negative = true; s.removeFirst() } else if s.hasPrefix("+") { s.removeFirst() }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == ",") }) else { return nil }
        var integerPart = s, fraction = ""
        if let sep = s.lastIndex(where: { $0 == "." || $0 == "," }) {
            let after = s[s.index(after: sep)...]
            if (1...max(exp, 1)).contains(after.count) && exp > 0 {
                integerPart = String(s[..<sep])     // the decimal separator
                fraction = String(after)
            } else if after.count != 3 {
                return nil                         // neither decimals of this currency nor a group of thousands
            } else if s.filter({ $0 == "." || $0 == "," }).count == 1 && s[..<sep].count <= 3 {
                return nil                         // "980.123": thousands or a typo? Refuse rather than guess.
            }
        }
        // Groups of thousands: one to three digits, then groups of exactly three.
        let groups = integerPart.split(separator: ".", omittingEmptySubsequences: false).flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
        if groups.count > 1 && ((groups.first?.count ?? 0) > 3 || groups.first?.isEmpty == true || groups.dropFirst().contains { $0.count != 3 }) { return nil }
        let digits = integerPart.filter(\.isNumber)
        guard !digits.isEmpty || !fraction.isEmpty, digits.count <= 15 else { return nil }
        guard let whole = Int64(digits.isEmpty ? "0" : digits), let frac = Int64(fraction.isEmpty ? "0" : fraction) else { return nil }
        var scale: Int64 = 1
        for _ in 0..<exp { scale *= 10 }
        var fracScale: Int64 = 1
        for _ in 0..<(exp - fraction.count) { fracScale *= 10 }
        let value = whole * scale + frac * fracScale
        self.init(minorUnits: negative ? -value : value, currency: currency)
    }

    public static func + (l: Money, r: Money) -> Money { Money(minorUnits: l.minorUnits + r.minorUnits, currency: l.currency) }
    public static func - (l: Money, r: Money) -> Money { Money(minorUnits: l.minorUnits - r.minorUnits, currency: l.currency) }
    public static func < (l: Money, r: Money) -> Bool { l.minorUnits < r.minorUnits }
    public static prefix func - (m: Money) -> Money { Money(minorUnits: -m.minorUnits, currency: m.currency) }

    /// `12,345.67 EUR`.
    public var description: String { "\(amountText) \(currency)" }

    /// `12,345.67` (grouped, with the currency's decimals, no currency).
    public var amountText: String {
        let exp = Money.exponent(of: currency)
        var scale: UInt64 = 1
        for _ in 0..<exp { scale *= 10 }
        let absolute = minorUnits.magnitude
        var whole = absolute / scale, fraction = absolute % scale
        // Written backwards, then turned round: the decimals, the point, the digits in groups of three, the
        // sign (at most 31 bytes: 20 digits, 6 commas, the point, 3 decimals, the sign). Every line of the
        // agenda and of a forecast shows amounts: a string per digit cost more than the rest of the line.
        return String(unsafeUninitializedCapacity: 40) { b in
            var n = 0
            func put(_ byte: UInt8) {
                b[n] = byte
                n += 1
            }
            for _ in 0..<exp {
                put(UInt8(ascii: "0") + UInt8(fraction % 10))
                fraction /= 10
            }
            if exp > 0 { put(UInt8(ascii: ".")) }
            var digits = 0
            repeat {
                if digits > 0 && digits % 3 == 0 { put(UInt8(ascii: ",")) }
                put(UInt8(ascii: "0") + UInt8(whole % 10))
                whole /= 10
                digits += 1
            } while whole > 0
            if minorUnits < 0 { put(UInt8(ascii: "-")) }
            b[0..<n].reverse()
            return n
        }
    }

    /// The amount in major units as a floating-point number, for scores and weights only (what is at stake,
    /// euro-days brought forward), never for what is owed: those stay in ``minorUnits``. The nearest `Double`
    /// to the exact amount (one correctly rounded division), and much cheaper than going through `Decimal`.
    public var approximateMajorUnits: Double {
        var scale = 1.0
        for _ in 0..<Money.exponent(of: currency) { scale *= 10 }
        return Double(minorUnits) / scale
    }

    /// The amount as a `Decimal` in major units (for interest computations).
    public var decimalValue: Decimal {
        var d = Decimal(minorUnits)
        for _ in 0..<Money.exponent(of: currency) { d /= 10 }
        return d
    }
}

import Foundation

/// Encoded as `{"minorUnits": 4000, "currency": "EUR"}` (the agenda and the follow-up log carry amounts).
extension Money: Codable {}
