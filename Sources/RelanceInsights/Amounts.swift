import RelanceCore

/// Amounts summed per currency (a portfolio may hold several): never added across currencies.
public struct Amounts: Hashable, Sendable, CustomStringConvertible {
    private var minor: [String: Int64] = [:]

    public init() {}

    public mutating func add(_ m: Money) { minor[m.currency, default: 0] += m.minorUnits }

    /// One amount per currency, by currency code.
    public var values: [Money] { minor.keys.sorted().map { Money(minorUnits: minor[$0] ?? 0, currency: $0) } }

    public var isZero: Bool { minor.values.allSatisfy { $0 == 0 } }

    /// For ranking: the sum of minor units across currencies (only meaningful within one currency).
    public var rankingValue: Int64 { minor.values.reduce(0, +) }

    /// `12,345.67 EUR`, `12.00 EUR + 3.00 USD`, or `0` when empty.
    public var description: String { values.isEmpty ? "0" : values.map(\.description).joined(separator: " + ") }
}
