import GRDB
import RelanceCore

extension Store {
    /// Invoices (not credit notes) issued by a day and not fully paid on it, by number: the open book as
    /// a list of numbers, without loading the invoices (for sampling, benchmarks and bulk jobs).
    /// Credit notes are not netted here; positions and forecasts do that.
    public func openInvoiceIDs(asOf: CivilDate) throws -> [String] {
        try writer.read { db in
            try String.fetchAll(db, sql: """
                SELECT i.id FROM invoice i
                LEFT JOIN (SELECT invoice_id, sum(amount_minor) AS paid FROM payment WHERE date <= ? GROUP BY invoice_id) p ON p.invoice_id = i.id
                WHERE i.kind = 'invoice' AND i.issue_date <= ? AND coalesce(p.paid, 0) < i.amount_minor
                ORDER BY i.id
                """, arguments: [asOf.description, asOf.description])
        }
    }
}
