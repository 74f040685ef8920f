import Synchronization
import Testing
@testable import RelanceCore

@Suite struct ProgressMeterTests {
    @Test func lineShowsCountShareRateAndTimeLeft() {
        let line = ProgressMeter.line(count: 250_000, total: 1_000_000, unit: "events", elapsed: .seconds(5))
        #expect(line == "250,000 / 1,000,000 events  25%  50,000/s  15 s left")
    }

    @Test func lineWithoutTotalAndWhenDone() {
        #expect(ProgressMeter.line(count: 1_234, total: nil, unit: "rows", elapsed: .seconds(2)) == "1,234 rows  617/s")
        #expect(ProgressMeter.line(count: 3_000_000, total: 3_000_000, unit: "events", elapsed: .seconds(125), done: true)
                == "3,000,000 / 3,000,000 events  100%  24,000/s  done in 2 min 5 s")
    }

    @Test func shortJobsStaySilentAndLongOnesReport() {
        let lines = Mutex<[String]>([])
        let quiet = ProgressMeter(unit: "rows", total: 10, interval: .seconds(3_600)) { l in lines.withLock { $0.append(l) } }
        for _ in 0..<5_000 { quiet.advance() }
        quiet.finish()
        #expect(lines.withLock { $0 }.isEmpty)
        #expect(quiet.count == 5_000)

        let chatty = ProgressMeter(unit: "rows", total: 4_096, interval: .zero) { l in lines.withLock { $0.append(l) } }
        for _ in 0..<4_096 { chatty.advance() }
        chatty.finish()
        let got = lines.withLock { $0 }
        #expect(got.count == 5)  // every 1,024 rows, then the final line
        #expect(got.first?.hasPrefix("1,024 / 4,096 rows  25%") == true)
        #expect(got.last?.contains("done in") == true)
    }
}
