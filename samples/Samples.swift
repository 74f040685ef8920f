import Foundation

/// The sample organisations, invoices and messages that travel with the program, so that
/// `relance demo` works from any folder.
public enum Samples {
    /// The organisation files (`samples/orgs/*.yaml`), sorted by name.
    public static var organisationFiles: [URL] { files(in: "orgs", ending: ".yaml") }

    /// `samples/invoices.csv`: a few hand-written invoices the sample messages refer to.
    public static var invoices: URL? { Bundle.module.url(forResource: "invoices", withExtension: "csv") }

    /// `samples/events.csv`: call outcomes in the canonical event format.
    public static var events: URL? { Bundle.module.url(forResource: "events", withExtension: "csv") }

    /// Standard lifecycle messages (`samples/messages`): CDAR (`.cdar.xml`), Peppol (`.peppol.xml`),
    /// Chorus Pro (`.chorus.csv`, `.chorus.json`).
    public static func messages(ending suffix: String) -> [URL] { files(in: "messages", ending: suffix) }

    static func files(in folder: String, ending suffix: String) -> [URL] {
        guard let dir = Bundle.module.url(forResource: folder, withExtension: nil),
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { dir.appendingPathComponent($0) }
    }
}
