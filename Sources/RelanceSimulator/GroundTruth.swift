import RelanceCore

/// What the simulator did, to measure Relance against: the true dwell-time law of each department,
/// the stuck episodes and disputes it injected, the invoicing delay of each site, the payment runs
/// used, and how many events it dropped or duplicated.
public struct GroundTruth: Codable, Sendable {
    public struct DepartmentLaw: Codable, Sendable, Hashable {
        public var department: String
        /// How much slower (> 1) or faster than the route's expected days this department is: its true
        /// law is log-normal with median `expected-days × speedFactor` working days and spread `sigma`.
        public var speedFactor: Double
        public var sigma: Double
        /// Made slow on purpose (a bottleneck the reports should find).
        public var slow: Bool
    }

    public struct Episode: Codable, Sendable, Hashable {
        public enum Kind: String, Codable, Sendable { case stuck, dispute }
        public var kind: Kind
        public var invoice: String
        public var step: String
        public var department: String
        /// First day the item sat there longer than it normally would (stuck), or the dispute was opened.
        public var start: CivilDate
        /// The day it moved on.
        public var end: CivilDate
        /// Whether a blocking event (suspended, blocked, in dispute) reached us (it may have been lost).
        public var announced: Bool
        public var reason: String?
    }

    public struct SiteInvoicing: Codable, Sendable, Hashable {
        public var site: String
        /// Median days from delivery to invoice.
        public var medianDelay: Double
        public var slow: Bool
    }

    public var seed: UInt64
    public var start: CivilDate
    public var asOf: CivilDate
    public var departments: [DepartmentLaw]
    public var episodes: [Episode]
    public var invoicing: [SiteInvoicing]
    /// Customer groups that wait for the due date before paying.
    public var payAtDueDate: [String]
    public var invoices: Int
    public var eventsGenerated: Int
    public var eventsMissing: Int
    public var eventsDuplicated: Int

    /// Episodes under way at `date` (started on or before, ended after).
    public func episodes(openOn date: CivilDate) -> [Episode] {
        episodes.filter { $0.start <= date && date < $0.end }
    }
}
