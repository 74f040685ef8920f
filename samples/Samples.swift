import Foundation

/// The sample organisations and histories that travel with the program, so that `relance demo` works
/// from any folder.
public enum Samples {
    /// The organisation files (`samples/orgs/*.yaml`), sorted by name.
    public static var organisationFiles: [URL] {
        guard let dir = Bundle.module.url(forResource: "orgs", withExtension: nil),
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.filter { $0.hasSuffix(".yaml") }.sorted().map { dir.appendingPathComponent($0) }
    }
}
