import RelanceCore
import Testing

/// Luhn written out independently of the code under test, to compute expectations.
private func luhn(_ digits: String) -> Bool {
    let values = digits.compactMap(\.wholeNumberValue)
    var sum = 0
    for (i, v) in values.reversed().enumerated() {
        let doubled = i % 2 == 1 ? v * 2 : v
        sum += doubled / 10 + doubled % 10
    }
    return sum % 10 == 0
}

/// The message of the `IdentifierError` `body` throws, or `nil` when it accepts its input.
private func message(_ body: () throws -> String) -> String? {
    do {
        _ = try body()
        return nil
    } catch let error as IdentifierError {
        return error.description
    } catch {
        return "unexpected error type: \(error)"
    }
}

@Suite struct IdentifiersTests {
    // MARK: SIREN

    @Test(arguments: ["732829320", "542051180", "356000000", "552100554", "732 829 320"])
    func validSIREN(text: String) throws {
        let normalised = try Identifiers.siren(text)
        #expect(normalised == text.filter { $0 != " " })
        #expect(luhn(normalised))
    }

    /// Changing any single digit of a valid SIREN breaks its Luhn key.
    @Test func everySingleDigitChangeIsRejected() {
        let valid = Array("732829320")
        for i in valid.indices {
            for d in "0123456789" where d != valid[i] {
                var changed = valid
                changed[i] = d
                #expect(throws: IdentifierError.self, "\(String(changed))") { try Identifiers.siren(String(changed)) }
            }
        }
    }

    @Test func invalidSIRENMessages() throws {
        let luhnMessage = try #require(message { try Identifiers.siren("732829321") })
        #expect(luhnMessage.contains("732829321") && luhnMessage.contains("Luhn"))
        for bad in ["73282932", "7328293200", "", "73282932a", "732-829-320", "７３２８２９３２０"] {
            let m = try #require(message { try Identifiers.siren(bad) }, "\(bad)")
            #expect(m.contains("9 digits"), "\(bad): \(m)")
        }
    }

    // MARK: SIRET

    @Test(arguments: ["73282932000017", "73282932000025", "54205118000009", "732 829 320 00074"])
    func validSIRET(text: String) throws {
        let normalised = try Identifiers.siret(text)
        #expect(normalised.count == 14)
        #expect(luhn(normalised))
    }

    @Test func invalidSIRET() throws {
        let m = try #require(message { try Identifiers.siret("73282932000018") })
        #expect(m.contains("Luhn"))
        #expect(!luhn("73282932000018"))
        for bad in ["7328293200001", "732829320000170", "7328293200001X", ""] {
            let m = try #require(message { try Identifiers.siret(bad) }, "\(bad)")
            #expect(m.contains("14 digits"), "\(bad): \(m)")
        }
    }

    /// La Poste (SIREN 356000000) numbers its establishments so that the digit sum is a multiple of 5, and
    /// not by Luhn. Its head office, 356 000 000 00048, is the exception: digit sum 3+5+6+4+8 = 26, not a
    /// multiple of 5, but Luhn-valid (reversed, doubling every second digit: 8+8+0…+12→3+5+6→6 = 30).
    @Test func laPoste() throws {
        // Establishments: digit sum a multiple of 5, Luhn-invalid.
        for valid in ["35600000000001", "35600000000010", "35600000000024"] {
            #expect(valid.compactMap(\.wholeNumberValue).reduce(0, +) % 5 == 0)
            #expect(!luhn(valid))
            #expect(throws: Never.self, "\(valid)") { try Identifiers.siret(valid) }
        }
        // Luhn-valid but digit sum 14 + 1 + 4 = 19: not a La Poste establishment number.
        #expect(luhn("35600000000014"))
        let m = try #require(message { try Identifiers.siret("35600000000014") })
        #expect(m.contains("La Poste"))
        // The head office.
        let headOffice = "35600000000048"
        #expect(headOffice.compactMap(\.wholeNumberValue).reduce(0, +) == 26)
        #expect(luhn(headOffice))
        #expect((try? Identifiers.siret(headOffice)) == headOffice)
    }

    // MARK: VAT

    @Test func frenchVATKey() throws {
        // (12 + 3 × (732829320 mod 97)) mod 97: 732829320 mod 97 = 43, 12 + 129 = 141, 141 mod 97 = 44.
        let siren = 732_829_320
        let key = (12 + 3 * (siren % 97)) % 97
        #expect(key == 44)
        #expect(Identifiers.frenchVATNumber(siren: "732829320") == "FR44732829320")
        #expect(try Identifiers.vatNumber("FR44732829320") == "FR44732829320")
        #expect(try Identifiers.vatNumber("fr 44 732 829 320") == "FR44732829320")
        #expect(Identifiers.frenchVATNumber(siren: "542051180") == "FR59542051180")
        // A key below 10 keeps its leading zero: find one and round-trip it.
        let smallKey = try #require((100_000_000..<100_001_000).first { (12 + 3 * ($0 % 97)) % 97 < 10 })
        let vat = try #require(Identifiers.frenchVATNumber(siren: String(smallKey)))
        #expect(vat.count == 13 && vat.dropFirst(2).hasPrefix("0"))
        #expect(try Identifiers.vatNumber(vat) == vat)
    }

    @Test func wrongFrenchVATKeyNamesTheExpectedKey() throws {
        let m = try #require(message { try Identifiers.vatNumber("FR45732829320") })
        #expect(m.contains("45") && m.contains("gives 44"))
    }

    @Test(arguments: ["FR4473282932", "FR447328293200", "FRAB732829320", "FR", "F", "12345678901", "FR44 732 829 32X",
                      "D1234567", "DE1234567890123456", "XX"])
    func malformedVATNumbers(text: String) {
        #expect(throws: IdentifierError.self) { try Identifiers.vatNumber(text) }
    }

    @Test func foreignVATNumbersAreCheckedForShapeOnly() throws {
        #expect(try Identifiers.vatNumber("DE 123456789") == "DE123456789")
        #expect(try Identifiers.vatNumber("be0123456789") == "BE0123456789")
        #expect(try Identifiers.vatNumber("NL123456789B01") == "NL123456789B01")
    }

    @Test(arguments: ["12345678", "1234567890", "73282932a", "+32829320", "-32829320", " 32829320"])
    func frenchVATNumberNeedsNineDigits(siren: String) {
        #expect(Identifiers.frenchVATNumber(siren: siren) == nil)
    }

    // MARK: Phone

    @Test(arguments: [
        ("04 72 00 11 22", "+33472001122"),
        ("0472001122", "+33472001122"),
        ("04.72.00.11.22", "+33472001122"),
        ("04-72-00-11-22", "+33472001122"),
        ("+33 4 72 00 11 22", "+33472001122"),
        ("+33 (0)4 72 00 11 22", "+33472001122"),
        ("+33(0)472001122", "+33472001122"),
        ("0033 4 72 00 11 22", "+33472001122"),
        ("06 12 34 56 78", "+33612345678"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("0049 30 123456", "+4930123456"),
        ("+1 (212) 555-0100", "+12125550100"),
    ])
    func phoneNormalisation(text: String, expected: String) throws {
        #expect(try Identifiers.phone(text) == expected)
    }

    @Test(arguments: [
        "04 72 00 11 2",        // 9 digits
        "04 72 00 11 223",      // 11 digits
        "04 72 AB 11 22",       // letters
        "+33 0 4 72 00 11 22",  // a 0 after +33
        "+330472001122",
        "+33 4 72 00 11",       // too short for France
        "4 72 00 11 22",        // no 0 and no +
        "+1234567",             // 7 digits
        "+1234567890123456",    // 16 digits
        "",
        "+",
        "+33 4 72 00 11 22 ext 5",
        "+0033 4 72 00 11 22",  // no country code starts with 0
    ])
    func malformedPhones(text: String) {
        #expect(throws: IdentifierError.self) { try Identifiers.phone(text) }
    }

    @Test func phoneMessagesSayWhatIsWrong() throws {
        let french = try #require(message { try Identifiers.phone("+33 0 4 72 00 11 22") })
        #expect(french.contains("9 digits after +33"))
        let national = try #require(message { try Identifiers.phone("04 72 00 11 2") })
        #expect(national.contains("10 digits starting with 0"))
    }

    @Test func displayPhone() {
        #expect(Identifiers.displayPhone("+33472001122") == "+33 4 72 00 11 22")
        #expect(Identifiers.displayPhone("+33612345678") == "+33 6 12 34 56 78")
        #expect(Identifiers.displayPhone("+442079460958") == "+442079460958")
        #expect(Identifiers.displayPhone("+3347200112") == "+3347200112")  // not a full French number
    }

    // MARK: E-mail

    @Test(arguments: [
        ("paul.martin@metalux.fr", "paul.martin@metalux.fr"),
        ("Paul.Martin@Metalux.FR", "Paul.Martin@metalux.fr"),  // the domain is lower-cased, not the local part
        ("compta+fournisseurs@ssc.metalux-group.com", "compta+fournisseurs@ssc.metalux-group.com"),
        ("a@b.co", "a@b.co"),
        ("x_y@sub-1.example.org", "x_y@sub-1.example.org"),
    ])
    func acceptedEmails(text: String, expected: String) throws {
        #expect(try Identifiers.email(text) == expected)
    }

    @Test(arguments: [
        "", "paul", "paul@", "@metalux.fr", "paul@metalux", "paul@@metalux.fr", "paul@metalux@fr",
        "paul martin@metalux.fr", "paul,martin@metalux.fr", "paul;martin@metalux.fr", ".paul@metalux.fr",
        "paul.@metalux.fr", "paul@metalux..fr", "paul@.metalux.fr", "paul@-metalux.fr", "paul@metalux-.fr",
        "paul@metalux.f", "paul@metalux.123", "paul@metal_ux.fr", "paul@metalux.fr ", " paul@metalux.fr",
    ])
    func rejectedEmails(text: String) {
        #expect(throws: IdentifierError.self) { try Identifiers.email(text) }
    }

    @Test func identifierErrorDescribesItself() throws {
        let m = try #require(message { try Identifiers.email("paul@metalux") })
        #expect(m.contains("paul@metalux") && m.contains("domain"))
    }
}
