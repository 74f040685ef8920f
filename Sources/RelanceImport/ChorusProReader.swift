import Foundation
import RelanceCore

/// Reads Chorus Pro (B2G) status histories, in either of the two forms a supplier can get:
///
/// - CSV, `;`-separated, header `numero_facture;statut;date_passage;utilisateur;commentaire` (the last two
///   optional); dates `YYYY-MM-DD HH:MM`, `DD/MM/YYYY HH:MM` or ISO 8601.
/// - JSON as returned by the API (`consulterHistoriqueFacture`), one invoice or an array of them:
///   `{"numeroFacture": "…", "historiquesDesStatuts": {"histoStatut": [{"histoStatutCode": "…",
///   "histoStatutDatePassage": "…", "histoStatutUtilisateurNom": "…", "histoStatutUtilisateurPrenom": "…",
///   "histoStatutUtilisateurEmail": "…", "histoStatutUtilisateurTelephone": "…", "histoStatutCommentaire": "…"}]}}`.
///
/// Times without an offset are Europe/Paris. The user who set a status becomes a learned contact, except for
/// the statuses the supplier sets itself (DEPOSEE, EN_COURS_ACHEMINEMENT, COMPLETEE).
public enum ChorusProReader: EventReader {
    /// The canonical state of a Chorus Pro status (`statutFacture` / `histoStatutCode`), or `nil` for a
    /// status Relance does not map. Accepts the code in any case, and the portal's labels ("Mise à disposition").
    public static func state(forCode code: String) -> CanonicalState? {
        switch normalise(code) {
        case "DEPOSEE": return .deposited                       // Deposited: the deposit date starts the legal payment period.
        case "EN_COURS_ACHEMINEMENT": return .deposited         // Being routed by Chorus Pro to the recipient.
        case "MISE_A_DISPOSITION": return .madeAvailable        // Made available to the public entity.
        case "PRISE_EN_COMPTE_DESTINATAIRE": return .inProcessing // Taken into account by the recipient service.
        case "SUSPENDUE": return .suspended                     // Waiting for information from the supplier (reason mandatory).
        case "COMPLETEE": return .completed                     // Completed by the supplier after a suspension.
        case "A_RECYCLER": return .suspended                    // Legacy (not settable after the 09/2026 reform): sent back for
                                                                // re-routing or correction, which stops it like a suspension.
        case "REJETEE": return .refused                         // Refused by the recipient (reason mandatory).
        case "SERVICE_FAIT": return .serviceDone                // "Service fait" certified: the public-sector goods receipt.
        case "MANDATEE": return .mandated                       // Payment order (mandat) issued by the ordonnateur.
        case "MISE_A_DISPOSITION_COMPTABLE": return .mandated   // The mandat handed to the public accountant: still the mandate step.
        case "COMPTABILISEE": return .scheduled                 // Booked by the accountant: in line for payment.
        case "MISE_EN_PAIEMENT": return .paymentSent            // Payment issued by the accountant.
        default: return nil
        }
    }

    /// `Mise à disposition` → `MISE_A_DISPOSITION`.
    static func normalise(_ code: String) -> String {
        code.trimmingCharacters(in: .whitespaces)
            .folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "fr_FR"))
            .uppercased()
            .map { $0 == " " || $0 == "-" || $0 == "'" ? "_" : $0 }
            .reduce(into: "") { $0.append($1) }
    }

    /// Works-contract (travaux) validation steps: known, but not invoice-circuit states Relance maps.
    static func isWorksStatus(_ code: String) -> Bool {
        let c = normalise(code)
        return c.hasSuffix("_MOE") || c.hasSuffix("_MOA") || c.hasPrefix("A_VALIDER") || c.hasPrefix("VALIDEE_") || c.hasPrefix("REFUSEE_")
    }

    /// Statuses set by the supplier (or its platform), whose user is not a person at the customer.
    static let supplierStatuses: Set<String> = ["DEPOSEE", "EN_COURS_ACHEMINEMENT", "COMPLETEE"]

    static let legacyNote = "A_RECYCLER: legacy Chorus Pro status (sent back for re-routing or correction), read as suspended"

    public static func read(_ data: Data, file: String) throws(ImportError) -> [EventRecord] {
        let bytes = [UInt8](data)
        let first = bytes.drop { $0 == 0xEF || $0 == 0xBB || $0 == 0xBF || $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }.first
        if first == 0x7B || first == 0x5B {   // '{' or '['
            return try readJSON(bytes, file: file)
        }
        let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .windowsCP1252) ?? ""
        return try readCSV(text, file: file)
    }

    // MARK: CSV

    static func readCSV(_ text: String, file: String) throws(ImportError) -> [EventRecord] {
        let table = try CSVTable(text: text, file: file)
        let headerProblems = table.checkHeader(required: ["numero_facture", "statut", "date_passage"], optional: ["utilisateur", "commentaire"])
        guard headerProblems.isEmpty else { throw ImportError(headerProblems) }
        var records: [EventRecord] = []
        var problems: [Diagnostic] = []
        for row in table.records {
            let entry = Entry(
                invoice: table.value(row, "numero_facture"), code: table.value(row, "statut"), date: table.value(row, "date_passage"),
                user: table.value(row, "utilisateur").map { LearnedContact(name: $0) }, comment: table.value(row, "commentaire"))
            let fields = Fields(invoice: "numero_facture", code: "statut", date: "date_passage")
            switch entry.record(file: file, line: row.line, fields: fields) {
            case .success(let r): records.append(r)
            case .failure(let error): problems += error.diagnostics
            }
        }
        guard problems.isEmpty else { throw ImportError(problems) }
        return records
    }

    // MARK: JSON

    static func readJSON(_ bytes: [UInt8], file: String) throws(ImportError) -> [EventRecord] {
        let root: JSON
        do {
            var parser = JSON.Parser(bytes: bytes)
            root = try parser.document()
        } catch {
            throw ImportError([Diagnostic(file: file, line: error.line, column: error.column, message: "not valid JSON: " + error.message)])
        }
        var invoices: [(JSON, String)] = []
        var expected = true
        switch root.value {
        case .object: invoices = [(root, "")]
        case .array(let items): invoices = items.enumerated().map { ($1, "[\($0)].") }
        default: expected = false
        }
        var problems: [Diagnostic] = []
        func problem(_ node: JSON, _ field: String, _ message: String) {
            problems.append(Diagnostic(file: file, line: node.line, column: node.column, field: field, message: message))
        }
        if !expected {
            problem(root, "", "expected a Chorus Pro invoice history (an object with numeroFacture and historiquesDesStatuts) or an array of them")
        }
        var records: [EventRecord] = []
        for (invoice, prefix) in invoices {
            guard case .object = invoice.value else {
                problem(invoice, String(prefix.dropLast()), "expected an object with numeroFacture and historiquesDesStatuts")
                continue
            }
            let number = invoice["numeroFacture"]
            var invoiceNumber: String?
            switch number?.value {
            case .string(let s)?: invoiceNumber = s.trimmingCharacters(in: .whitespaces).isEmpty ? nil : s.trimmingCharacters(in: .whitespaces)
            case .number(let n)?: invoiceNumber = n
            default: invoiceNumber = nil
            }
            if invoiceNumber == nil {
                problem(number ?? invoice, prefix + "numeroFacture", "missing invoice number (numeroFacture)")
                continue
            }
            guard let history = invoice["historiquesDesStatuts"]?["histoStatut"] else {
                problem(invoice["historiquesDesStatuts"] ?? invoice, prefix + "historiquesDesStatuts.histoStatut", "missing status history (historiquesDesStatuts.histoStatut)")
                continue
            }
            var items: [(JSON, String)] = []
            switch history.value {
            case .array(let list): items = list.enumerated().map { ($1, prefix + "historiquesDesStatuts.histoStatut[\($0)].") }
            case .object: items = [(history, prefix + "historiquesDesStatuts.histoStatut.")]
            default: problem(history, prefix + "historiquesDesStatuts.histoStatut", "expected an array of statuses")
            }
            for (item, path) in items {
                guard case .object = item.value else {
                    problem(item, String(path.dropLast()), "expected a status object")
                    continue
                }
                func string(_ key: String) -> String? {
                    guard case .string(let s)? = item[key]?.value else { return nil }
                    let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
                    return t.isEmpty ? nil : t
                }
                var wrongTypes = false
                for key in ["histoStatutCode", "histoStatutDatePassage", "histoStatutCommentaire", "histoStatutUtilisateurNom"] {
                    guard let node = item[key] else { continue }
                    switch node.value {
                    case .string, .null: break
                    default: problem(node, path + key, "expected a string"); wrongTypes = true
                    }
                }
                if wrongTypes { continue }
                let fullName = [string("histoStatutUtilisateurPrenom"), string("histoStatutUtilisateurNom")].compactMap { $0 }.joined(separator: " ")
                let email = string("histoStatutUtilisateurEmail"), phone = string("histoStatutUtilisateurTelephone")
                let entry = Entry(
                    invoice: invoiceNumber, code: string("histoStatutCode"), date: string("histoStatutDatePassage"),
                    user: fullName.isEmpty ? nil : LearnedContact(name: fullName, phone: phone, email: email),
                    comment: string("histoStatutCommentaire"))
                let fields = Fields(invoice: prefix + "numeroFacture", code: path + "histoStatutCode", date: path + "histoStatutDatePassage")
                let line = item["histoStatutCode"]?.line ?? item.line
                switch entry.record(file: file, line: line, fields: fields) {
                case .success(let r): records.append(r)
                case .failure(let error): problems += error.diagnostics
                }
            }
        }
        guard problems.isEmpty else { throw ImportError(problems) }
        return records
    }

    // MARK: One status, whatever the form

    struct Fields {
        let invoice: String, code: String, date: String
    }

    struct Entry {
        let invoice: String?
        let code: String?
        let date: String?
        let user: LearnedContact?
        let comment: String?

        func record(file: String, line: Int, fields: Fields) -> Result<EventRecord, ImportError> {
            var problems: [Diagnostic] = []
            func problem(_ field: String, _ message: String) { problems.append(Diagnostic(file: file, line: line, field: field, message: message)) }
            if invoice == nil { problem(fields.invoice, "missing invoice number") }
            var reached: CanonicalState?
            if let code {
                reached = ChorusProReader.state(forCode: code)
                if reached == nil {
                    if ChorusProReader.isWorksStatus(code) {
                        problem(fields.code, "'\(code)' is a works-contract (travaux) validation status, which Relance does not map")
                    } else {
                        problem(fields.code, "unknown Chorus Pro status '\(code)'; expected one of DEPOSEE, EN_COURS_ACHEMINEMENT, MISE_A_DISPOSITION, "
                                + "PRISE_EN_COMPTE_DESTINATAIRE, SUSPENDUE, COMPLETEE, A_RECYCLER, REJETEE, SERVICE_FAIT, MANDATEE, "
                                + "MISE_A_DISPOSITION_COMPTABLE, COMPTABILISEE, MISE_EN_PAIEMENT")
                    }
                }
            } else {
                problem(fields.code, "missing status")
            }
            var time: (Date, String)?
            if let date {
                time = ChorusProReader.time(date)
                if time == nil { problem(fields.date, "'\(date)' is not a date-time (YYYY-MM-DD HH:MM, DD/MM/YYYY HH:MM or ISO 8601)") }
            } else {
                problem(fields.date, "missing date")
            }
            guard problems.isEmpty, let invoice, let code, let reached, let time else { return .failure(ImportError(problems)) }
            var note = comment
            if ChorusProReader.normalise(code) == "A_RECYCLER" && note == nil { note = ChorusProReader.legacyNote }
            let event = InvoiceEvent(invoice: invoice, state: reached, at: time.0, timeZone: time.1, source: .chorus,
                                     rawCode: code.trimmingCharacters(in: .whitespaces), note: note)
            // The user who deposits or completes an invoice works for the supplier: not a customer contact.
            let learned = ChorusProReader.supplierStatuses.contains(ChorusProReader.normalise(code)) ? nil : user
            return .success(EventRecord(event: event, file: file, line: line, learnedContact: learned))
        }
    }

    /// A Chorus Pro date-time: `YYYY-MM-DD HH:MM[:SS]`, `DD/MM/YYYY HH:MM[:SS]` (Europe/Paris), or ISO 8601
    /// with an optional offset (`+01:00`, `+0100`, `Z`) and fractional seconds.
    static func time(_ text: String) -> (Date, String)? {
        var t = text.trimmingCharacters(in: .whitespaces)
        // DD/MM/YYYY → YYYY-MM-DD.
        let pieces = t.split(separator: " ", maxSplits: 1)
        if let day = pieces.first, day.contains("/") {
            let p = day.split(separator: "/")
            guard p.count == 3, p[0].count <= 2, p[1].count <= 2, p[2].count == 4,
                  let d = Int(p[0]), let m = Int(p[1]), let y = Int(p[2]), let civil = CivilDate(year: y, month: m, day: d) else { return nil }
            t = civil.description + (pieces.count == 2 ? "T" + pieces[1] : "")
        }
        // +0100 → +01:00.
        let chars = Array(t)
        if chars.count > 5, chars[chars.count - 5] == "+" || chars[chars.count - 5] == "-",
           chars.suffix(4).allSatisfy({ $0.isASCII && $0.isNumber }), t.contains("T") || t.contains(" ") {
            t = String(chars.dropLast(2)) + ":" + String(chars.suffix(2))
        }
        return Instants.parse(t, zone: LifecycleMessage.paris)
    }
}

// MARK: - A JSON reader that keeps lines

extension ChorusProReader {
    /// A JSON value with the line and column where it starts (Foundation's `JSONSerialization` gives no
    /// position, and every diagnostic must name its line).
    struct JSON {
        indirect enum Value {
            case object([(String, JSON)])
            case array([JSON])
            case string(String)
            /// The number as written (never converted to a floating-point number).
            case number(String)
            case bool(Bool)
            case null
        }

        let value: Value
        let line: Int
        let column: Int

        /// The member of an object (the last one, if a key is repeated).
        subscript(key: String) -> JSON? {
            guard case .object(let members) = value else { return nil }
            return members.last { $0.0 == key }?.1
        }

        struct ParseError: Error {
            let line: Int, column: Int, message: String
        }

        struct Parser {
            let bytes: [UInt8]
            var i = 0
            var line = 1
            var lineStart = 0
            static let maximumDepth = 200

            init(bytes: [UInt8]) {
                self.bytes = bytes
                if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3; lineStart = 3 }
            }

            var column: Int { i - lineStart + 1 }

            func fail(_ message: String) -> ParseError { ParseError(line: line, column: column, message: message) }

            mutating func document() throws(ParseError) -> JSON {
                let v = try value(depth: 0)
                skipSpace()
                guard i == bytes.count else { throw fail("unexpected content after the JSON value") }
                return v
            }

            mutating func skipSpace() {
                while i < bytes.count {
                    switch bytes[i] {
                    case 0x0A: i += 1; line += 1; lineStart = i
                    case 0x20, 0x09, 0x0D: i += 1
                    default: return
                    }
                }
            }

            mutating func value(depth: Int) throws(ParseError) -> JSON {
                skipSpace()
                guard depth < Parser.maximumDepth else { throw fail("nested deeper than \(Parser.maximumDepth) levels") }
                guard i < bytes.count else { throw fail("unexpected end of file") }
                let (l, c) = (line, column)
                switch bytes[i] {
                case 0x7B:   // {
                    i += 1
                    var members: [(String, JSON)] = []
                    skipSpace()
                    if i < bytes.count && bytes[i] == 0x7D { i += 1; return JSON(value: .object(members), line: l, column: c) }
                    while true {
                        skipSpace()
                        guard i < bytes.count, bytes[i] == 0x22 else { throw fail("expected a quoted key") }
                        let key = try string()
                        skipSpace()
                        guard i < bytes.count, bytes[i] == 0x3A else { throw fail("expected ':' after the key \"\(key)\"") }
                        i += 1
                        members.append((key, try value(depth: depth + 1)))
                        skipSpace()
                        guard i < bytes.count else { throw fail("unexpected end of file in an object") }
                        if bytes[i] == 0x2C { i += 1; continue }
                        if bytes[i] == 0x7D { i += 1; return JSON(value: .object(members), line: l, column: c) }
                        throw fail("expected ',' or '}' in an object")
                    }
                case 0x5B:   // [
                    i += 1
                    var items: [JSON] = []
                    skipSpace()
                    if i < bytes.count && bytes[i] == 0x5D { i += 1; return JSON(value: .array(items), line: l, column: c) }
                    while true {
                        items.append(try value(depth: depth + 1))
                        skipSpace()
                        guard i < bytes.count else { throw fail("unexpected end of file in an array") }
                        if bytes[i] == 0x2C { i += 1; continue }
                        if bytes[i] == 0x5D { i += 1; return JSON(value: .array(items), line: l, column: c) }
                        throw fail("expected ',' or ']' in an array")
                    }
                case 0x22:
                    return JSON(value: .string(try string()), line: l, column: c)
                case 0x74, 0x66, 0x6E:   // true, false, null
                    for (word, v) in [("true", Value.bool(true)), ("false", .bool(false)), ("null", .null)] where bytes[i...].starts(with: Array(word.utf8)) {
                        i += word.utf8.count
                        return JSON(value: v, line: l, column: c)
                    }
                    throw fail("unexpected word")
                case 0x2D, 0x30...0x39:
                    let start = i
                    i += 1
                    while i < bytes.count, (0x30...0x39).contains(bytes[i]) || [0x2E, 0x65, 0x45, 0x2B, 0x2D].contains(bytes[i]) { i += 1 }
                    return JSON(value: .number(String(decoding: bytes[start..<i], as: UTF8.self)), line: l, column: c)
                default:
                    throw fail("unexpected character '\(String(decoding: [bytes[i]], as: UTF8.self))'")
                }
            }

            /// A string starting at the opening quote.
            mutating func string() throws(ParseError) -> String {
                i += 1
                var out: [UInt8] = []
                while i < bytes.count {
                    let b = bytes[i]
                    switch b {
                    case 0x22:
                        i += 1
                        return String(decoding: out, as: UTF8.self)
                    case 0x5C:
                        i += 1
                        guard i < bytes.count else { throw fail("unterminated string") }
                        let e = bytes[i]
                        i += 1
                        switch e {
                        case 0x22, 0x5C, 0x2F: out.append(e)
                        case 0x62: out.append(0x08)
                        case 0x66: out.append(0x0C)
                        case 0x6E: out.append(0x0A)
                        case 0x72: out.append(0x0D)
                        case 0x74: out.append(0x09)
                        case 0x75:
                            var scalar = try hex4()
                            if (0xD800..<0xDC00).contains(scalar), bytes[i...].starts(with: [0x5C, 0x75]) {
                                i += 2
                                let low = try hex4()
                                guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid surrogate pair") }
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            }
                            guard let u = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                            out.append(contentsOf: Array(String(Character(u)).utf8))
                        default: throw fail("invalid escape '\\\(String(decoding: [e], as: UTF8.self))'")
                        }
                    case 0x0A:
                        throw fail("line break inside a string")
                    default:
                        out.append(b)
                        i += 1
                    }
                }
                throw fail("unterminated string")
            }

            mutating func hex4() throws(ParseError) -> UInt32 {
                guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
                    throw fail("invalid \\u escape")
                }
                i += 4
                return v
            }
        }
    }
}
