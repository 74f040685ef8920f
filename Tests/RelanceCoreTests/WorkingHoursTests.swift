import RelanceCore
import Testing

@Suite struct WorkingHoursTests {
    @Test func parsesOfficeHours() throws {
        let h = try #require(WorkingHours(text: "mon-fri 09:00-12:00 14:00-17:30"))
        #expect(h == .office)
        #expect(h.days == [.monday, .tuesday, .wednesday, .thursday, .friday])
        #expect(h.ranges.map(\.start) == [540, 840])
        #expect(h.ranges.map(\.end) == [720, 1050])
        #expect(h.description == "mon-fri 09:00-12:00 14:00-17:30")
    }

    @Test func frenchDayNamesAndLists() throws {
        let h = try #require(WorkingHours(text: "lun,mer,ven 08:30-12:00"))
        #expect(h.days == [.monday, .wednesday, .friday])
        #expect(h.description == "mon,wed,fri 08:30-12:00")
        let single = try #require(WorkingHours(text: "tue 00:00-24:00"))
        #expect(single.description == "tue 00:00-24:00")
        let mixed = try #require(WorkingHours(text: "lun-mer,ven 09:00-17:00"))
        #expect(mixed.days == [.monday, .tuesday, .wednesday, .friday])
    }

    @Test(arguments: [
        "", "mon-fri", "fri-mon 09:00-12:00", "xyz 09:00-12:00", "mon-fri 12:00-09:00", "mon-fri 09:00-09:00",
        "mon-fri 09:00-12:00 11:00-14:00",  // overlapping
        "mon-fri 14:00-17:00 09:00-12:00",  // out of order
        "mon-fri 09:00", "mon-fri 9:5-12:00", "mon-fri 09:60-12:00", "mon-fri 24:30-25:00", "mon-fri 09h00-12h00",
    ])
    func rejectsMalformedHours(text: String) {
        #expect(WorkingHours(text: text) == nil)
    }

    @Test func rangeBounds() {
        #expect(WorkingHours.Range(start: 0, end: 1440) != nil)
        #expect(WorkingHours.Range(start: -1, end: 60) == nil)
        #expect(WorkingHours.Range(start: 60, end: 60) == nil)
        #expect(WorkingHours.Range(start: 0, end: 1441) == nil)
    }
}
