import Foundation
import RelanceCore
import RelanceImport
import Testing

private func csv(_ rows: String...) -> Data {
    Data((["numero_facture;statut;date_passage;utilisateur;commentaire"] + rows).joined(separator: "\n").utf8)
}

@Suite struct ChorusProReaderTests {
    // MARK: The samples

    @Test func csvSampleGivesTheHistory() throws {
        let file = "chu-armor-FA-2026-10377.chorus.csv"
        let records = try ChorusProReader.read(try LifecycleSamples.data(file), file: file)
        #expect(records.count == 4)
        #expect(records.allSatisfy { $0.event.invoice == "FA-2026-10377" && $0.event.source == .chorus && $0.event.department == nil })
        #expect(records.map(\.event.state) == [.deposited, .madeAvailable, .serviceDone, .mandated])
        #expect(records.map(\.event.rawCode) == ["DEPOSEE", "MISE_A_DISPOSITION", "SERVICE_FAIT", "MANDATEE"])
        #expect(records.map(\.event.at) == [
            try LifecycleSamples.instant("2026-10-05T08:14:00Z"),
            try LifecycleSamples.instant("2026-10-05T08:16:00Z"),
            try LifecycleSamples.instant("2026-10-19T13:02:00Z"),
            try LifecycleSamples.instant("2026-10-27T10:40:00Z"),   // winter time from 25 October
        ])
        #expect(records.allSatisfy { $0.event.timeZone == "Europe/Paris" })
        #expect(records.map(\.event.note) == [
            "Dépôt portail, engagement EJ 2026-003871, code service LOG-BAIE", nil,
            "Service fait certifié; livraison du 30/09/2026, BL 2026-4471", "Mandat n° 2026-018342",
        ])
        // The depositor works for the supplier: not learned as a customer contact.
        #expect(records.map(\.learnedContact) == [nil, nil, LearnedContact(name: "Sophie Le Roux"), LearnedContact(name: "Pierre Morvan")])
        #expect(records.map(\.line) == [2, 3, 4, 5])
    }

    @Test func jsonSampleGivesTheHistoryWithContacts() throws {
        let file = "chu-armor-FA-2026-10377.chorus.json"
        let records = try ChorusProReader.read(try LifecycleSamples.data(file), file: file)
        #expect(records.count == 4)
        // The API lists the newest first; the reader keeps the file's order.
        #expect(records.map(\.event.state) == [.mandated, .serviceDone, .madeAvailable, .deposited])
        #expect(records.map(\.event.at) == [
            try LifecycleSamples.instant("2026-10-27T10:40:00Z"),
            try LifecycleSamples.instant("2026-10-19T13:02:00Z"),
            try LifecycleSamples.instant("2026-10-05T08:16:00Z"),
            try LifecycleSamples.instant("2026-10-05T08:14:00Z"),
        ])
        #expect(records.map(\.learnedContact) == [
            LearnedContact(name: "Pierre Morvan", phone: "02 61 91 80 43", email: "pierre.morvan@chu-armor.example"),
            LearnedContact(name: "Sophie Le Roux", phone: "02 61 91 81 20", email: "sophie.le-roux@chu-armor.example"),
            nil, nil,
        ])
        #expect(records.map(\.line) == [10, 20, 30, 36])
        #expect(records.allSatisfy { $0.event.invoice == "FA-2026-10377" && $0.event.source == .chorus && $0.event.timeZone == "Europe/Paris" })
    }

    @Test func bothFormsGiveTheSameEvents() throws {
        let fromCSV = try ChorusProReader.read(try LifecycleSamples.data("chu-armor-FA-2026-10377.chorus.csv"), file: "a")
        let fromJSON = try ChorusProReader.read(try LifecycleSamples.data("chu-armor-FA-2026-10377.chorus.json"), file: "b")
        #expect(Set(fromCSV.map(\.event)) == Set(fromJSON.map(\.event)))
        #expect(Set(fromCSV.map(\.event.identityKey)) == Set(fromJSON.map(\.event.identityKey)))
    }

    // MARK: The mapping

    static let table: [(String, CanonicalState)] = [
        ("DEPOSEE", .deposited), ("EN_COURS_ACHEMINEMENT", .deposited), ("MISE_A_DISPOSITION", .madeAvailable),
        ("PRISE_EN_COMPTE_DESTINATAIRE", .inProcessing), ("SUSPENDUE", .suspended), ("COMPLETEE", .completed),
        ("A_RECYCLER", .suspended), ("REJETEE", .refused), ("SERVICE_FAIT", .serviceDone), ("MANDATEE", .mandated),
        ("MISE_A_DISPOSITION_COMPTABLE", .mandated), ("COMPTABILISEE", .scheduled), ("MISE_EN_PAIEMENT", .paymentSent),
    ]

    @Test func everyStatusHasItsState() {
        for (code, state) in Self.table {
            #expect(ChorusProReader.state(forCode: code) == state, "status \(code)")
        }
        for code in ["", "PAYEE", "A_VALIDER_MOE", "DEPOSE", "205"] {
            #expect(ChorusProReader.state(forCode: code) == nil, "status \(code)")
        }
    }

    @Test func labelsAndCaseAreAccepted() {
        #expect(ChorusProReader.state(forCode: "Mise à disposition") == .madeAvailable)
        #expect(ChorusProReader.state(forCode: "Déposée") == .deposited)
        #expect(ChorusProReader.state(forCode: "service fait") == .serviceDone)
        #expect(ChorusProReader.state(forCode: " mise_en_paiement ") == .paymentSent)
    }

    @Test(arguments: ChorusProReaderTests.table.map(\.0))
    func everyStatusIsReadFromCSVAndJSON(code: String) throws {
        let fromCSV = try ChorusProReader.read(csv("FA-1;\(code);2026-11-05 10:15;Anne Kerleau;"), file: "t.csv")
        #expect(fromCSV.map(\.event.state) == [ChorusProReader.state(forCode: code)])
        #expect(fromCSV.first?.event.rawCode == code)
        let json = #"{"numeroFacture": "FA-1", "historiquesDesStatuts": {"histoStatut": [{"histoStatutCode": "\#(code)", "histoStatutDatePassage": "2026-11-05 10:15"}]}}"#
        let fromJSON = try ChorusProReader.read(Data(json.utf8), file: "t.json")
        #expect(fromJSON.map(\.event.state) == [ChorusProReader.state(forCode: code)])
    }

    @Test func toBeRecycledIsALegacySuspension() throws {
        let records = try ChorusProReader.read(csv("FA-1;A_RECYCLER;2026-11-05 10:15;Anne Kerleau;", "FA-1;A_RECYCLER;2026-11-06 10:15;Anne Kerleau;Mauvais service"), file: "t.csv")
        #expect(records.map(\.event.state) == [.suspended, .suspended])
        #expect(records.first?.event.note?.contains("legacy") == true)
        #expect(records.last?.event.note == "Mauvais service")
    }

    // MARK: Times

    @Test func dateFormats() throws {
        let records = try ChorusProReader.read(csv(
            "FA-1;DEPOSEE;2026-11-05 10:15;;",
            "FA-1;DEPOSEE;2026-11-05T10:15:30;;",
            "FA-1;DEPOSEE;05/11/2026 10:15;;",
            "FA-1;DEPOSEE;2026-11-05T10:15:00+02:00;;",
            "FA-1;DEPOSEE;2026-11-05T09:15:00.000+0100;;",
            "FA-1;DEPOSEE;2026-11-05T09:15:00Z;;"
        ), file: "t.csv")
        #expect(records.map(\.event.at) == [
            try LifecycleSamples.instant("2026-11-05T09:15:00Z"),
            try LifecycleSamples.instant("2026-11-05T09:15:30Z"),
            try LifecycleSamples.instant("2026-11-05T09:15:00Z"),
            try LifecycleSamples.instant("2026-11-05T08:15:00Z"),
            try LifecycleSamples.instant("2026-11-05T08:15:00Z"),
            try LifecycleSamples.instant("2026-11-05T09:15:00Z"),
        ])
        #expect(records.prefix(3).allSatisfy { $0.event.timeZone == "Europe/Paris" })
        #expect(records[3].event.timeZone == "GMT+0200")
        #expect(records[4].event.timeZone == "GMT+0100")
        #expect(records[5].event.timeZone != "Europe/Paris")
    }

    // MARK: Other shapes

    @Test func anArrayOfInvoicesInJSON() throws {
        let json = """
        [
          {"numeroFacture": "FA-1", "historiquesDesStatuts": {"histoStatut": [{"histoStatutCode": "DEPOSEE", "histoStatutDatePassage": "2026-11-05 10:15"}]}},
          {"numeroFacture": "FA-2", "historiquesDesStatuts": {"histoStatut": {"histoStatutCode": "REJETEE", "histoStatutDatePassage": "2026-11-06 10:15", "histoStatutCommentaire": "Numéro d'engagement absent \\u00e9 \\ud83d\\ude00"}}}
        ]
        """
        let records = try ChorusProReader.read(Data(json.utf8), file: "t.json")
        #expect(records.map(\.event.invoice) == ["FA-1", "FA-2"])
        #expect(records.map(\.event.state) == [.deposited, .refused])
        #expect(records.last?.event.note == "Numéro d'engagement absent é 😀")
        #expect(records.map(\.line) == [2, 3])
    }

    @Test func aWindowsCSVWithBOMAndCRLF() throws {
        let text = "\u{FEFF}numero_facture;statut;date_passage\r\nFA-1;SUSPENDUE;2026-11-05 10:15\r\n"
        let records = try ChorusProReader.read(Data(text.utf8), file: "t.csv")
        #expect(records.map(\.event.state) == [.suspended])
        #expect(records.first?.learnedContact == nil)
    }

    @Test func aLatin1CSVFromExcelIsRead() throws {
        var bytes = Array("numero_facture;statut;date_passage;utilisateur;commentaire\nFA-1;REJETEE;2026-11-05 10:15;Anne Kerleau;Num".utf8)
        bytes += [0xE9] + Array("ro d'engagement absent\n".utf8)   // "é" in Windows-1252
        let records = try ChorusProReader.read(Data(bytes), file: "t.csv")
        #expect(records.first?.event.note == "Numéro d'engagement absent")
    }

    @Test func anEmptyHistoryGivesNoEvent() throws {
        #expect(try ChorusProReader.read(Data("[]".utf8), file: "t.json").isEmpty)
        #expect(try ChorusProReader.read(csv(), file: "t.csv").isEmpty)
        let problems = LifecycleSamples.problems { () throws(ImportError) in try ChorusProReader.read(Data("[\"FA-1\"]".utf8), file: "t.json") }
        #expect(problems.map(\.line) == [1])
    }

    // MARK: Malformed input

    @Test func anUnknownStatusIsNamedWithItsLine() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in
            try ChorusProReader.read(csv("FA-1;DEPOSEE;2026-11-05 10:15;;", "FA-1;PAYEE;2026-11-06 10:15;;"), file: "t.csv")
        }
        #expect(problems.count == 1)
        #expect(problems.first?.line == 3)
        #expect(problems.first?.field == "statut")
        #expect(problems.first?.message.contains("unknown Chorus Pro status 'PAYEE'") == true)
        #expect(problems.first?.description.hasPrefix("t.csv:3: statut:") == true)
    }

    @Test func aWorksStatusIsReportedAsNotMapped() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in try ChorusProReader.read(csv("FA-1;A_VALIDER_MOE;2026-11-05 10:15;;"), file: "t.csv") }
        #expect(problems.map(\.line) == [2])
        #expect(problems.first?.message.contains("travaux") == true)
    }

    @Test func aMissingInvoiceNumberIsNamed() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in try ChorusProReader.read(csv(";DEPOSEE;2026-11-05 10:15;;"), file: "t.csv") }
        #expect(problems.map(\.line) == [2])
        #expect(problems.first?.field == "numero_facture")
    }

    @Test func aBadDateIsNamed() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in
            try ChorusProReader.read(csv("FA-1;DEPOSEE;2026-11-05 10:15;;", "FA-1;MANDATEE;31/11/2026 10:15;;", "FA-1;MANDATEE;demain;;"), file: "t.csv")
        }
        #expect(problems.map(\.line) == [3, 4])
        #expect(problems.allSatisfy { $0.field == "date_passage" })
    }

    @Test func aMissingColumnIsNamed() {
        let problems = LifecycleSamples.problems { () throws(ImportError) in
            try ChorusProReader.read(Data("numero_facture;statut\nFA-1;DEPOSEE\n".utf8), file: "t.csv")
        }
        #expect(problems.map(\.line) == [1])
        #expect(problems.first?.field == "date_passage")
    }

    @Test func jsonProblemsNameTheirLineAndPath() {
        let json = """
        {
          "numeroFacture": "FA-1",
          "historiquesDesStatuts": {
            "histoStatut": [
              {"histoStatutCode": "DEPOSEE", "histoStatutDatePassage": "2026-11-05 10:15"},
              {"histoStatutCode": "PAYEE", "histoStatutDatePassage": "2026-11-06 10:15"},
              {"histoStatutCode": "MANDATEE", "histoStatutDatePassage": "hier"}
            ]
          }
        }
        """
        let problems = LifecycleSamples.problems { () throws(ImportError) in try ChorusProReader.read(Data(json.utf8), file: "t.json") }
        #expect(problems.map(\.line) == [6, 7])
        #expect(problems.map(\.field) == ["historiquesDesStatuts.histoStatut[1].histoStatutCode", "historiquesDesStatuts.histoStatut[2].histoStatutDatePassage"])
    }

    @Test func jsonWithoutInvoiceNumberIsNamed() {
        let json = "{\n  \"historiquesDesStatuts\": {\"histoStatut\": []}\n}"
        let problems = LifecycleSamples.problems { () throws(ImportError) in try ChorusProReader.read(Data(json.utf8), file: "t.json") }
        #expect(problems.map(\.line) == [1])
        #expect(problems.first?.field == "numeroFacture")
    }

    @Test func brokenJSONIsNamedWithItsLine() {
        let json = "{\n  \"numeroFacture\": \"FA-1\",\n  \"historiquesDesStatuts\": {\"histoStatut\": [}\n}"
        let problems = LifecycleSamples.problems { () throws(ImportError) in try ChorusProReader.read(Data(json.utf8), file: "t.json") }
        #expect(problems.count == 1)
        #expect(problems.first?.line == 3)
        #expect(problems.first?.message.hasPrefix("not valid JSON") == true)
    }

    @Test func aJSONValueOfTheWrongKindIsNamed() {
        let json = #"{"numeroFacture": "FA-1", "historiquesDesStatuts": {"histoStatut": [{"histoStatutCode": 12, "histoStatutDatePassage": "2026-11-05 10:15"}]}}"#
        let problems = LifecycleSamples.problems { () throws(ImportError) in try ChorusProReader.read(Data(json.utf8), file: "t.json") }
        #expect(problems.map(\.field) == ["historiquesDesStatuts.histoStatut[0].histoStatutCode"])
    }
}
