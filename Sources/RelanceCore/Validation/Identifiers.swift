/// Checks and normalises the identifiers an organisation file carries: SIREN, SIRET, French VAT
/// numbers, phone numbers and e-mail addresses. Each check returns the normalised value, or throws an
/// ``IdentifierError`` that says what is wrong in words a user can act on.
public enum Identifiers {
    /// A SIREN: 9 digits with a valid Luhn check digit. Spaces are ignored.
    public static func siren(_ text: String) throws(IdentifierError) -> String {
        let digits = text.filter { $0 != " " }
        guard digits.count == 9, digits.allSatisfy(\.isASCIIDigit) else {
            throw IdentifierError("SIREN '\(text)' must have 9 digits")
        }
        guard luhnValid(digits) else { throw IdentifierError("SIREN '\(text)' fails its check digit (Luhn)") }
        return digits
    }

    /// A SIRET: 14 digits with a valid Luhn check digit (La Poste's establishments, SIREN 356000000,
    /// use their own rule: the digit sum is a multiple of 5; La Poste's head office, 356 000 000 00048,
    /// keeps the Luhn key). Spaces are ignored.
    public static func siret(_ text: String) throws(IdentifierError) -> String {
        let digits = text.filter { $0 != " " }
        guard digits.count == 14, digits.allSatisfy(\.isASCIIDigit) else {
            throw IdentifierError("SIRET '\(text)' must have 14 digits")
        }
        if digits.hasPrefix("356000000") && digits != laPosteHeadOffice {
            let sum = digits.compactMap(\.wholeNumberValue).reduce(0, +)
            guard sum % 5 == 0 else { throw IdentifierError("SIRET '\(text)' fails La Poste's check (digit sum not a multiple of 5)") }
        } else {
            guard luhnValid(digits) else { throw IdentifierError("SIRET '\(text)' fails its check digit (Luhn)") }
        }
        return digits
    }

    /// An intra-community VAT number. French numbers (`FR` + 2-digit key + SIREN) have their key checked
    /// against the SIREN; other countries' numbers are checked for shape only (2 letters, then 2 to 13
    /// letters or digits). Spaces are ignored and letters upper-cased.
    public static func vatNumber(_ text: String) throws(IdentifierError) -> String {
        let v = text.filter { $0 != " " }.uppercased()
        guard v.count >= 4, v.prefix(2).allSatisfy({ $0.isASCII && $0.isLetter }),
              v.dropFirst(2).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }), v.count <= 15 else {
            throw IdentifierError("VAT number '\(text)' must be a country code followed by 2 to 13 letters or digits")
        }
        if v.hasPrefix("FR") {
            let rest = v.dropFirst(2)
            guard rest.count == 11, rest.allSatisfy(\.isASCIIDigit), let key = Int(rest.prefix(2)), let siren = Int(rest.dropFirst(2)) else {
                throw IdentifierError("French VAT number '\(text)' must be FR, a 2-digit key and the 9-digit SIREN")
            }
            let expected = (12 + 3 * (siren % 97)) % 97
            guard key == expected else {
                throw IdentifierError("French VAT number '\(text)' has key \(pad(key, 2)); its SIREN gives \(pad(expected, 2))")
            }
        }
        return v
    }

    /// The French VAT number of a SIREN.
    public static func frenchVATNumber(siren: String) -> String? {
        guard siren.count == 9, siren.allSatisfy(\.isASCIIDigit), let n = Int(siren) else { return nil }
        return "FR\(pad((12 + 3 * (n % 97)) % 97, 2))\(siren)"
    }

    /// A phone number, normalised to E.164 (`+33472001122`).
    ///
    /// Accepts international numbers (`+33 4 72 00 11 22`, `0033 4 72…`) and French national numbers of
    /// 10 digits starting with 0 (`04 72 00 11 22`); spaces, dots, dashes and a `(0)` after the country code
    /// are ignored. A French number (+33) must have 9 digits after the country code, not starting with 0.
    public static func phone(_ text: String) throws(IdentifierError) -> String {
        var s = text.replacing("(0)", with: "")
        s = s.filter { !" .-()".contains($0) }
        if s.hasPrefix("00") { s = "+" + s.dropFirst(2) }
        if s.hasPrefix("0") {
            guard s.count == 10, s.allSatisfy(\.isASCIIDigit), s.dropFirst().first != "0" else {
                throw IdentifierError("phone '\(text)' is not a French number (10 digits starting with 0) nor an international one (+ and country code)")
            }
            s = "+33" + s.dropFirst()
        }
        guard s.hasPrefix("+"), s.dropFirst().allSatisfy(\.isASCIIDigit), (8...15).contains(s.count - 1) else {
            throw IdentifierError("phone '\(text)' must be +country code and 8 to 15 digits, or a French 10-digit number")
        }
        // No country code starts with 0 ("+0033…" mixes the two international prefixes).
        guard s.dropFirst().first != "0" else {
            throw IdentifierError("phone '\(text)' has no country code after + (country codes do not start with 0)")
        }
        if s.hasPrefix("+33") {
            let national = s.dropFirst(3)
            guard national.count == 9, national.first != "0" else {
                throw IdentifierError("phone '\(text)': a French number has 9 digits after +33, not starting with 0")
            }
        }
        return s
    }

    /// Formats an E.164 French number the French way (`+33 4 72 00 11 22`); others are returned as they are.
    public static func displayPhone(_ e164: String) -> String {
        guard e164.hasPrefix("+33"), e164.count == 12 else { return e164 }
        let n = Array(e164.dropFirst(3))
        return "+33 \(n[0]) " + stride(from: 1, to: 9, by: 2).map { String(n[$0...$0 + 1]) }.joined(separator: " ")
    }

    /// An e-mail address: one `@`, a non-empty local part without spaces, a domain with a dot and labels of
    /// letters, digits and dashes. Lower-cases the domain.
    public static func email(_ text: String) throws(IdentifierError) -> String {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[0].contains(where: { $0.isWhitespace || $0 == "," || $0 == ";" }),
              !parts[0].hasPrefix("."), !parts[0].hasSuffix(".") else {
            throw IdentifierError("e-mail '\(text)' must be name@domain")
        }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ label in
            !label.isEmpty && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "-") }
        }), let tld = labels.last, tld.count >= 2, tld.allSatisfy(\.isLetter) else {
            throw IdentifierError("e-mail '\(text)' has no valid domain after @")
        }
        return "\(parts[0])@\(parts[1].lowercased())"
    }

    /// La Poste's head office: the one SIRET of SIREN 356000000 checked by Luhn (its digit sum is 26).
    static let laPosteHeadOffice = "35600000000048"

    /// Whether a string of decimal digits passes the Luhn check (SIREN, SIRET).
    public static func luhnValid(_ digits: String) -> Bool {
        var sum = 0
        for (i, c) in digits.reversed().enumerated() {
            guard var d = c.wholeNumberValue else { return false }
            if i % 2 == 1 {
                d *= 2
                if d > 9 { d -= 9 }
            }
            sum += d
        }
        return sum % 10 == 0
    }
}

/// A malformed identifier, with a message that names the value and the rule it breaks.
public struct IdentifierError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
