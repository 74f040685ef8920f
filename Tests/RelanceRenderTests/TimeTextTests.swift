import Foundation
@testable import RelanceRender
import Testing

/// `relance where` prints event times without a `DateFormatter` (PositionRenderer.time): the same text as
/// one, in zones with and without summer time, across the changes, before 1970 and in unknown zones.
@Suite struct TimeTextTests {
    static func formatter(_ zone: String) -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: zone) ?? .gmt
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f
    }

    @Test(arguments: ["Europe/Paris", "America/New_York", "Asia/Kolkata", "Pacific/Chatham", "UTC", "Not/AZone"])
    func theTextIsTheFormattersInEveryZone(zone: String) {
        // Every 37 minutes and 11 seconds over two years around 2026 (both summer-time changes, every minute
        // of the hour in turn), plus instants before 1970 and just around midnight.
        var instants = stride(from: 1_735_689_600.0, to: 1_798_761_600.0, by: 2_231).map { Date(timeIntervalSince1970: $0) }
        instants += [-86_400.5, -1, -0.25, 0, 59.9, 86_399.99, 1_774_746_000, 1_792_890_000].map { Date(timeIntervalSince1970: $0) }
        let f = Self.formatter(zone)
        let wrong = instants.filter { PositionRenderer.time($0, zone) != f.string(from: $0) }
        #expect(wrong.isEmpty, "\(wrong.prefix(3).map { "\($0): \(PositionRenderer.time($0, zone)) vs \(f.string(from: $0))" })")
    }
}
