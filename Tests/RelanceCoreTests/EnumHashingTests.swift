@testable import RelanceCore
import Testing

/// States and weekdays are hashed by their place in their list rather than by their text (they are looked up
/// for every event and every day of a calendar): the place must be the list's own, and equal values must
/// hash alike while distinct ones stay distinct in sets and dictionaries.
@Suite struct EnumHashingTests {
    @Test func aStateHashesByItsPlaceInTheList() {
        #expect(MemoryLayout<CanonicalState>.size == 1)
        for (i, state) in CanonicalState.allCases.enumerated() {
            #expect(state.ordinal == i, "\(state)")
            #expect(CanonicalState(rawValue: state.rawValue)?.hashValue == state.hashValue)
        }
        #expect(Set(CanonicalState.allCases).count == CanonicalState.allCases.count)
        let index = Dictionary(uniqueKeysWithValues: CanonicalState.allCases.map { ($0, $0.rawValue) })
        #expect(CanonicalState.allCases.allSatisfy { index[$0] == $0.rawValue })
        // The facts of a state are found at its place.
        #expect(CanonicalState.allCases.allSatisfy { StateFacts.table[$0.ordinal].state == $0 })
    }

    @Test func aWeekdayHashesByItsPlaceInTheWeek() {
        for (i, day) in Weekday.allCases.enumerated() {
            #expect(day.index == i, "\(day)")
            #expect(Weekday(rawValue: day.rawValue)?.hashValue == day.hashValue)
        }
        let weekend: Set<Weekday> = [.saturday, .sunday]
        #expect(Weekday.allCases.filter { weekend.contains($0) } == [.saturday, .sunday])
        // 2026-11-30 was a Monday: seven days in a row give each weekday once, in order.
        let monday = CivilDate(dayNumber: 20_787)
        #expect(monday.description == "2026-11-30")
        #expect((0..<7).map { monday.adding(days: $0).weekday } == Weekday.allCases)
        #expect(monday.adding(days: -1).weekday == .sunday)
    }
}
