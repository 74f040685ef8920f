/// Precision and recall of a stuck list against a simulation's truth, at the invoice level: an invoice
/// flagged stuck is right when the simulator had it stuck or disputed on that day.
public struct StuckEvaluation: Sendable {
    public var flagged: Int
    public var actual: Int
    public var truePositives: Int
    public var found: Int
    /// Of the true positives, how many were placed at the right department.
    public var locatedCorrectly: Int

    public init(truth: [GroundTruth.Episode], found flaggedPairs: [(invoice: String, department: String?)]) {
        var flaggedDept: [String: String?] = [:]
        for (i, d) in flaggedPairs where flaggedDept[i] == nil { flaggedDept[i] = d }
        let truthDept = Dictionary(truth.map { ($0.invoice, $0.department) }, uniquingKeysWith: { a, _ in a })
        flagged = flaggedDept.count
        actual = truthDept.count
        let hits = flaggedDept.keys.filter { truthDept[$0] != nil }
        truePositives = hits.count
        found = truthDept.keys.filter { flaggedDept[$0] != nil }.count
        locatedCorrectly = hits.filter { flaggedDept[$0] == .some(truthDept[$0]) }.count
    }

    public var precision: Double { flagged == 0 ? 1 : Double(truePositives) / Double(flagged) }
    public var recall: Double { actual == 0 ? 1 : Double(found) / Double(actual) }
}
