import GRDB

/// The database schema, as versioned migrations. Never edit a migration that has shipped: add one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-organisation") { db in
            try db.create(table: "customer_group") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull()
                t.column("responsible", .text)
                t.column("notes", .text)
                t.column("source", .text)
                t.column("imported_at", .text).notNull()
            }
            try db.create(table: "legal_entity") { t in
                t.primaryKey("id", .text)
                t.column("group_id", .text).notNull().indexed().references("customer_group")
                t.column("position", .integer).notNull()
                t.column("name", .text).notNull()
                t.column("siren", .text)
                t.column("vat", .text)
                t.column("terms_days", .integer)
                t.column("terms_end_of_month", .text)
                t.column("terms_basis", .text)
                t.column("terms_pay_day", .integer)
                t.column("calendar", .jsonText).notNull()
                t.column("invoice_address", .text)
                t.column("requires_purchase_order", .boolean).notNull()
                t.column("archived_at", .text)
            }
            try db.create(table: "site") { t in
                t.primaryKey("id", .text)
                t.column("group_id", .text).notNull().indexed().references("customer_group")
                t.column("entity_id", .text).notNull().indexed()
                t.column("position", .integer).notNull()
                t.column("name", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("siret", .text)
                t.column("address", .jsonText)
                t.column("paid_by", .text)
                t.column("receives_deliveries", .boolean).notNull()
                t.column("archived_at", .text)
            }
            try db.create(table: "department") { t in
                t.primaryKey("id", .text)
                t.column("group_id", .text).notNull().indexed().references("customer_group")
                t.column("site_id", .text).notNull().indexed()
                t.column("position", .integer).notNull()
                t.column("name", .text).notNull()
                t.column("role", .text).notNull()
                t.column("email", .text)
                t.column("phone", .text)
                t.column("archived_at", .text)
            }
            try db.create(table: "contact") { t in
                t.primaryKey("id", .text)
                t.column("group_id", .text).notNull().indexed().references("customer_group")
                t.column("department_id", .text).notNull().indexed()
                t.column("position", .integer).notNull()
                t.column("name", .text).notNull()
                t.column("title", .text)
                t.column("phone", .text)
                t.column("email", .text)
                t.column("hours", .text).notNull()
                t.column("time_zone", .text).notNull()
                t.column("language", .text).notNull()
                t.column("channel", .text).notNull()
                t.column("archived_at", .text)
            }
            try db.create(table: "route") { t in
                t.primaryKey("id", .text)
                t.column("group_id", .text).notNull().indexed().references("customer_group")
                t.column("position", .integer).notNull()
                t.column("name", .text)
                t.column("applies_to", .jsonText).notNull()
                t.column("archived_at", .text)
            }
            try db.create(table: "route_step") { t in
                t.column("route_id", .text).notNull().references("route", onDelete: .cascade)
                t.column("step_id", .text).notNull()
                t.primaryKey(["route_id", "step_id"])
                t.column("position", .integer).notNull()
                t.column("name", .text)
                t.column("action", .text).notNull()
                t.column("department_id", .text)
                t.column("site_role", .text)
                t.column("after", .jsonText).notNull()
                t.column("carries", .text)
                t.column("expected_days", .double)
                t.check(sql: "(department_id IS NULL) != (site_role IS NULL)")
            }
        }
        return m
    }

    /// The tables and columns through which history refers to organisation elements. The archive rule
    /// (removing an element history refers to is refused unless it is archived) checks each one that exists.
    static let historyReferences: [(kind: String, table: String, column: String, what: String)] = [
        ("entity", "invoice", "entity_id", "invoices"),
        ("site", "invoice", "site_id", "invoices"),
        ("department", "event", "department_id", "events"),
        ("contact", "event", "contact_id", "events"),
    ]
}
