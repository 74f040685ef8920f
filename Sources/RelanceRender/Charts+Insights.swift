import RelanceCore

extension Charts {
    /// Open receivables by ageing bucket: `amounts` in the order not due, 1–30, 31–60, 61–90, over 90 days.
    public static func ageing(title: String, labels: [String], amounts: [Money]) -> BarChart {
        let bars = zip(labels, amounts).enumerated().map { i, pair in
            ChartBar(label: pair.0, value: Double(pair.1.minorUnits), valueText: pair.1.description, highlighted: i >= 3)
        }
        return BarChart(title: title, subtitle: "open amount by days past due", bars: bars)
    }

    /// Working days at a step: the bar is the median, the whisker the 90th percentile; the steps that add
    /// days against the portfolio are highlighted.
    public static func dwell(title: String, rows: [(label: String, median: Int, p90: Int?, slow: Bool)]) -> BarChart {
        BarChart(title: title, subtitle: "working days: bar = median, line = 90th percentile; orange = slower than the portfolio",
                 bars: rows.map { r in
                     ChartBar(label: r.label, value: Double(r.median), valueText: "\(r.median) d" + (r.p90.map { " (P90 \($0))" } ?? ""),
                              whisker: r.p90.map(Double.init), highlighted: r.slow)
                 })
    }

    /// Calendar days from delivery to invoice: median bar, P90 whisker; beyond the target highlighted.
    public static func invoicingDelay(title: String, targetDays: Int, rows: [(label: String, median: Int, p90: Int)]) -> BarChart {
        BarChart(title: title, subtitle: "calendar days from delivery to invoice: bar = median, line = 90th percentile; orange = over \(targetDays) days",
                 bars: rows.map { r in
                     ChartBar(label: r.label, value: Double(r.median), valueText: "\(r.median) d (P90 \(r.p90))",
                              whisker: Double(r.p90), highlighted: r.median > targetDays)
                 })
    }
}
