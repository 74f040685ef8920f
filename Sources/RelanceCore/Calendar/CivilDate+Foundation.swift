import Foundation

extension CivilDate {
    /// The civil date of an instant in a time zone (the same instant is a different day in Paris and in
    /// Nouméa).
    ///
    /// Computed from the zone's offset at that instant (no `Calendar`: this is on the hot path of every
    /// position and every import).
    public init(_ instant: Date, in timeZone: TimeZone) {
        let local = instant.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: instant))
        self.init(dayNumber: Int((local / 86_400).rounded(.down)))
    }

    /// Today in Paris, the default for commands that take `--date`.
    public static func today(in timeZone: TimeZone = TimeZone(identifier: "Europe/Paris") ?? .gmt) -> CivilDate {
        CivilDate(Date(), in: timeZone)
    }

    /// The instant this day starts in a time zone.
    public func start(in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let (y, m, d) = civil
        return calendar.date(from: DateComponents(year: y, month: m, day: d)) ?? Date(timeIntervalSince1970: Double(dayNumber) * 86_400)
    }
}
