import Foundation
import RelanceCore
import RelanceImport
import Testing

/// Reading from disk, and several problems reported by one import.
@Suite struct OrganisationReaderFileTests {
    /// A fresh folder for one test's files.
    private func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("relance-import-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func errors(readingFile url: URL, sourceLocation: SourceLocation = #_sourceLocation) -> [Diagnostic]? {
        do throws(ImportError) {
            _ = try OrganisationReader.read(contentsOf: url)
            Issue.record("\(url.lastPathComponent) was read without error", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error.diagnostics
        }
    }

    // MARK: Files

    @Test func aFileOnDiskReadsLikeItsText() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("ferly.yaml")
        try Data(Ferly.yaml.utf8).write(to: url)
        let fromDisk = try OrganisationReader.read(contentsOf: url)
        #expect(fromDisk == (try OrganisationReader.read(yaml: Ferly.yaml, file: "ferly.yaml")))
        #expect(fromDisk.sites.count == 3)
    }

    @Test func diagnosticsFromAFileNameTheFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("ferly-broken.yaml")
        try Data(breaking("paid-by: ferly-services", "paid-by: nobody").text.utf8).write(to: url)
        let found = try #require(errors(readingFile: url))
        let d = try #require(diagnostic(in: found, saying: ["unknown entity 'nobody'"]))
        #expect(d.file == "ferly-broken.yaml")
        #expect(d.description.hasPrefix("ferly-broken.yaml:\(lineNumber(of: "paid-by: nobody", in: breaking("paid-by: ferly-services", "paid-by: nobody").text)):"))
    }

    @Test func aMissingFileIsNamedByItsPath() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("absent.yaml")
        let found = try #require(errors(readingFile: url))
        #expect(found.count == 1)
        let d = try #require(found.first)
        #expect(d.file == url.path || d.message.contains(url.path), "\(d)")
        #expect(d.description.contains(url.path))
        #expect(d.message.contains("cannot read"))
        #expect(d.line == nil)
    }

    @Test func aFolderIsNotAFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let found = try #require(errors(readingFile: folder))
        #expect(found.count == 1)
        #expect(found.first?.description.contains(folder.path) == true)
    }

    @Test func aLatin1FileIsNotUTF8() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("latin1.yaml")
        let data = try #require("group:\n  id: ferly\n  name: Société Ferly\n".data(using: .isoLatin1))
        #expect(String(data: data, encoding: .utf8) == nil)  // the premise: é as the single byte E9
        try data.write(to: url)
        let found = try #require(errors(readingFile: url))
        #expect(found.count == 1)
        let d = try #require(found.first)
        #expect(d.message.contains("not UTF-8"))
        #expect(d.file.hasSuffix("latin1.yaml"))
    }

    // MARK: Several problems at once

    /// Three problems the validator finds (a phone, a SIRET, a reference), in three distant places.
    @Test func threeValidationProblemsAreReportedTogether() throws {
        let text = breaking([
            ("phone: 04 65 71 20 11", "phone: 04 65 71 20 1"),
            (#"siret: "41233002900015""#, #"siret: "41233002900016""#),
            ("department: ferly-ssc-treasury", "department: ferly-ssc-tresury"),
        ])
        let found = try #require(diagnostics(reading: text))
        #expect(found.count >= 3)
        let phone = diagnostic(in: found, saying: ["phone '04 65 71 20 1'"])
        let siret = diagnostic(in: found, saying: ["SIRET '41233002900016'"])
        let department = diagnostic(in: found, saying: ["unknown department 'ferly-ssc-tresury'"])
        #expect(phone?.line == lineNumber(of: "phone: 04 65 71 20 1", in: text))
        #expect(siret?.line == lineNumber(of: "41233002900016", in: text))
        #expect(department?.line == lineNumber(of: "ferly-ssc-tresury", in: text))
        #expect(Set(found.compactMap(\.line)).count >= 3)
    }

    /// Three problems the reader finds while reading the structure (a typo, a value outside its set,
    /// malformed hours).
    @Test func threeStructuralProblemsAreReportedTogether() throws {
        let text = breaking([
            ("city: Puteaux", "cty: Puteaux"),
            (" role: reception", " role: accounting"),
            ("hours: mon-thu 09:00-12:30", "hours: mon-thu 09:00"),
        ])
        let found = try #require(diagnostics(reading: text))
        #expect(found.count >= 3)
        #expect(diagnostic(in: found, saying: ["unknown field 'cty'", "did you mean 'city'?"])?.line
            == lineNumber(of: "cty: Puteaux", in: text))
        #expect(diagnostic(in: found, saying: ["'accounting' is not one of"])?.line == lineNumber(of: "role: accounting", in: text))
        #expect(diagnostic(in: found, saying: ["'mon-thu 09:00' is not working hours"])?.line
            == lineNumber(of: "hours: mon-thu 09:00", in: text))
    }

    /// One structural problem and two the validator finds. The reader's documentation (and
    /// docs/formats.md) say all problems are reported together; the validator is only run when the
    /// structure had no problem, so the other two are found only at the next attempt.
    @Test func structuralAndValidationProblemsAreReportedTogether() throws {
        let text = breaking([
            (#"siret: "41233001100047""#, #"sirett: "41233001100047""#),
            ("phone: 02 61 91 50 12", "phone: 02 61 91 50"),
            ("vat: FR24412330029", "vat: FR25412330029"),
        ])
        let found = try #require(diagnostics(reading: text))
        #expect(diagnostic(in: found, saying: ["unknown field 'sirett'"]) != nil)
        #expect(found.count >= 3, "\(found)")
        #expect(found.contains { $0.message.contains("phone '02 61 91 50'") })
        #expect(found.contains { $0.message.contains("FR25412330029") })
    }

    @Test func everyDiagnosticNamesTheFileItCameFrom() throws {
        let text = breaking([
            (" role: reception", " role: accounting"),
            ("kind: head-office", "kind: headquarters"),
        ])
        let found = try #require(diagnostics(reading: text, file: "orgs/ferly-v2.yaml"))
        #expect(found.count == 2)
        #expect(found.allSatisfy { $0.file == "orgs/ferly-v2.yaml" })
        // In file order.
        #expect(found.map(\.line) == found.map(\.line).sorted { ($0 ?? 0) < ($1 ?? 0) })
    }

    @Test func theErrorDescriptionListsEveryProblem() throws {
        let text = breaking([
            (" role: reception", " role: accounting"),
            ("kind: head-office", "kind: headquarters"),
        ])
        do throws(ImportError) {
            _ = try OrganisationReader.read(yaml: text, file: Ferly.file)
            Issue.record("read without error")
        } catch {
            #expect(error.description.hasPrefix("import refused, nothing was written (2 problems):"))
            #expect(error.description.contains("'accounting'"))
            #expect(error.description.contains("'headquarters'"))
        }
    }
}
