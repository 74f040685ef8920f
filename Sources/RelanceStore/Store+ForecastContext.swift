import Foundation
import GRDB
import RelanceCore

extension Store {
    /// Stores forecast contexts (opaque JSON: RelancePlan's `ForecastContext`) for `asOf`, each with the
    /// group's current data version, replacing any stored for the same group and day. One transaction.
    public func saveForecastContexts(_ contexts: [(group: String, json: Data)], asOf: CivilDate) throws {
        try writer.write { db in
            let insert = try db.makeStatement(sql: """
                INSERT INTO forecast_context (group_id, as_of, data_version, context) VALUES (?, ?, ?, ?)
                ON CONFLICT(group_id, as_of) DO UPDATE SET data_version = excluded.data_version, context = excluded.context
                """)
            for c in contexts {
                try insert.execute(arguments: [c.group, asOf.description, try dataVersion(group: c.group, db).description,
                                               String(decoding: c.json, as: UTF8.self)])
            }
        }
    }

    /// The stored forecast context of a group for `asOf`, only if the data has not changed since it was learned.
    public func forecastContext(group: String, asOf: CivilDate) throws -> Data? {
        try writer.read { db in try forecastContext(group: group, asOf: asOf, current: dataVersion(group: group, db), db) }
    }

    /// ``forecastContext(group:asOf:)`` inside a read, with the group's data version read in it.
    func forecastContext(group: String, asOf: CivilDate, current: DataVersion, _ db: Database) throws -> Data? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT data_version, context FROM forecast_context WHERE group_id = ? AND as_of = ?"),
                                         arguments: [group, asOf.description]),
              row[0] as String == current.description else { return nil }
        return Data((row[1] as String).utf8)
    }
}
