import Foundation
import RelanceCore
import RelanceImport
import RelanceSamples
import Testing

@Suite struct SampleOrganisationTests {
    @Test func everySampleReadsWithoutProblem() throws {
        let files = Samples.organisationFiles
        #expect(files.count >= 1)
        for url in files {
            do {
                let graph = try OrganisationReader.read(contentsOf: url)
                #expect(graph.validate().isEmpty, "\(url.lastPathComponent)")
            } catch {
                Issue.record("\(url.lastPathComponent): \(error)")
            }
        }
    }
}
