import Foundation
import GRDB
import RelanceCore

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
        m.registerMigration("v2-invoices-events") { db in
            try db.create(table: "invoice") { t in
                t.primaryKey("id", .text)
                t.column("group_id", .text).notNull().indexed().references("customer_group")
                t.column("kind", .text).notNull()
                t.column("entity_id", .text).notNull()
                t.column("site_id", .text).notNull()
                t.column("sent_to", .text)
                t.column("order_number", .text)
                t.column("order_type", .text)
                t.column("delivery_note", .text)
                t.column("issue_date", .text).notNull()
                t.column("delivery_date", .text)
                t.column("receipt_date", .text)
                t.column("due_date", .text).notNull().indexed()
                t.column("due_date_given", .boolean).notNull()
                t.column("amount_minor", .integer).notNull()
                t.column("currency", .text).notNull()
                t.column("method", .text).notNull()
                t.column("discounted", .boolean).notNull()
                t.column("sales_rep", .text)
                t.column("credits", .text)
                t.column("source", .text)
                t.column("imported_at", .text).notNull()
            }
            try db.create(table: "payment") { t in
                t.column("invoice_id", .text).notNull().indexed().references("invoice", onDelete: .cascade)
                t.column("date", .text).notNull()
                t.column("amount_minor", .integer).notNull()
                t.column("reference", .text)
            }
            try db.create(table: "invoice_change") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("invoice_id", .text).notNull().indexed()
                t.column("changed_at", .text).notNull()
                t.column("source", .text)
                t.column("field", .text).notNull()
                t.column("old_value", .text)
                t.column("new_value", .text)
            }
            try db.create(table: "event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("invoice_id", .text).notNull().references("invoice")
                t.column("state", .text)
                t.column("at", .integer).notNull()  // seconds since 1970-01-01 UTC
                t.column("time_zone", .text).notNull()
                t.column("department_id", .text).indexed()
                t.column("contact_id", .text).indexed()
                t.column("source", .text).notNull()
                t.column("raw_code", .text)
                t.column("reason", .text)
                t.column("action", .text)
                t.column("note", .text)
                t.column("amount_minor", .integer)
                t.column("currency", .text)
                t.column("date", .text)
                t.column("identity", .text).notNull().unique()
                t.column("import_id", .integer)
                t.column("recorded_at", .text).notNull()
            }
            try db.create(index: "event_on_invoice_at", on: "event", columns: ["invoice_id", "at"])
            try db.create(table: "learned_contact") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("group_id", .text).notNull().references("customer_group")
                t.column("name", .text).notNull()
                t.column("phone", .text)
                t.column("email", .text)
                t.column("department_id", .text)
                t.column("source", .text).notNull()
                t.column("first_seen", .text).notNull()
                t.uniqueKey(["group_id", "name"])
            }
            try db.create(table: "import_batch") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                t.column("files", .text).notNull()
                t.column("at", .text).notNull()
                t.column("added", .integer).notNull()
                t.column("updated", .integer).notNull()
                t.column("ignored", .integer).notNull()
            }
        }
        m.registerMigration("v3-invoice-channel") { db in
            try db.alter(table: "invoice") { t in t.add(column: "channel", .text) }
        }
        m.registerMigration("v4-follow-up") { db in
            // The follow-up policy: the portfolio's settings (scope '*') and each customer's overrides.
            try db.create(table: "follow_up_setting") { t in
                t.column("scope", .text).notNull()
                t.column("key", .text).notNull()
                t.column("value", .text).notNull()
                t.primaryKey(["scope", "key"])
            }
            // The follow-up log: calls, letters, visits, requests to sales reps, with their outcome.
            try db.create(table: "follow_up") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                t.column("day", .text).notNull()
                t.column("group_id", .text).notNull().references("customer_group")
                t.column("contact", .text)
                t.column("person", .text)
                t.column("level", .text)
                t.column("outcome", .text)
                t.column("note", .text)
                t.column("recorded_at", .text).notNull()
            }
            try db.create(index: "follow_up_by_group_day", on: "follow_up", columns: ["group_id", "day"])
            try db.create(table: "follow_up_invoice") { t in
                t.column("follow_up_id", .integer).notNull().references("follow_up", onDelete: .cascade)
                t.column("invoice_id", .text).notNull().references("invoice")
                t.column("forecast_p50", .text)
                t.primaryKey(["follow_up_id", "invoice_id"])
            }
            try db.create(index: "follow_up_invoice_by_invoice", on: "follow_up_invoice", columns: ["invoice_id"])
        }
        // Registered after every earlier migration (a v4 may come from another branch): accounts of the web
        // workspace and their sessions and API tokens. Only hashes are stored, never a password or a token.
        m.registerMigration("v5-accounts") { db in
            try db.create(table: "account") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique(onConflict: .abort)
                t.column("role", .text).notNull()
                t.column("sales_rep", .text)
                t.column("password_hash", .text).notNull()
                t.column("created_at", .text).notNull()
                t.check(sql: "role IN ('manager', 'collector', 'sales-rep', 'read-only')")
            }
            try db.create(table: "session") { t in
                t.primaryKey("token_hash", .text)
                t.column("account_id", .integer).notNull().indexed().references("account", onDelete: .cascade)
                t.column("kind", .text).notNull()
                t.column("csrf", .text)
                t.column("label", .text)
                t.column("created_at", .integer).notNull()
                t.column("expires_at", .integer).notNull()
                t.check(sql: "kind IN ('web', 'api')")
            }
        }
        // Learned dwell-time models (`relance learn`), one per customer group and as-of day, with the data
        // version they were learned from (Store+Models.swift, DataVersion): a reader uses a model only while
        // the version is still the database's.
        m.registerMigration("v6-dwell-models") { db in
            try db.create(table: "dwell_model") { t in
                t.column("group_id", .text).notNull().references("customer_group", onDelete: .cascade)
                t.column("as_of", .text).notNull()
                t.column("data_version", .text).notNull()
                t.column("minimum_observations", .integer).notNull()
                t.column("invoices", .integer).notNull()
                t.column("events", .integer).notNull()
                t.column("learned_at", .text).notNull()
                t.column("seconds", .double).notNull()
                t.column("model", .text).notNull()  // JSON of LearnedDwellModel
                t.primaryKey(["group_id", "as_of"])
            }
        }
        m.registerMigration("v7-forecast-contexts") { db in
            // What route forecasts learn from a customer's whole history besides the dwell model (payment habit,
            // interval levels): RelancePlan's ForecastContext as JSON, current while data_version is.
            try db.create(table: "forecast_context") { t in
                t.column("group_id", .text).notNull().references("customer_group", onDelete: .cascade)
                t.column("as_of", .text).notNull()
                t.column("data_version", .text).notNull()
                t.column("context", .text).notNull()
                t.primaryKey(["group_id", "as_of"])
            }
            // One invoice's credit notes without a scan of every invoice (`relance where` at scale).
            try db.create(index: "invoice_on_credits", on: "invoice", columns: ["credits"])
        }
        m.registerMigration("v8-event-learning-index") { db in
            // `relance learn` reads each group's events by invoice in time order, then id, and only their state and
            // department: with those in the index, SQLite reads the index alone, in order (no look-up of each event's
            // row, no sort). The index serves every query the (invoice_id, at) one did, which goes.
            try db.create(index: "event_for_learning", on: "event", columns: ["invoice_id", "at", "id", "state", "department_id"])
            try db.drop(index: "event_on_invoice_at")
        }
        m.registerMigration("v9-invoice-paid-so-far") { db in
            // Whether an invoice was unpaid on a day is the question every open book asks of every invoice of a
            // customer. Summing the payments of each took most of a portfolio's forecast time; what was paid so
            // far and the last payment's date, on the invoice row, answer it for any day on or after that
            // payment. The invoice import, the one writer of payments, writes them with the invoice (triggers
            // on the payment table did the same but made a 1M-invoice import 30% slower).
            try db.alter(table: "invoice") { t in
                t.add(column: "paid_minor", .integer).notNull().defaults(to: 0)
                t.add(column: "last_paid_on", .text)
            }
            try db.execute(sql: """
                UPDATE invoice SET
                  paid_minor = coalesce((SELECT sum(amount_minor) FROM payment p WHERE p.invoice_id = invoice.id), 0),
                  last_paid_on = (SELECT max(date) FROM payment p WHERE p.invoice_id = invoice.id)
                WHERE id IN (SELECT invoice_id FROM payment)
                """)
        }
        m.registerMigration("v10-binary-dwell-models", foreignKeyChecks: .immediate) { db in
            // Every forecast reads each customer's model; decoding its JSON was 7% of a portfolio's forecast. The
            // binary form (ModelBinary) is written beside the JSON from now on, and made here for models stored
            // before. A new column and updates of it cannot break a foreign key: checked as it runs (immediate),
            // not by checking every table's keys after it (deferred, GRDB's default: seconds on a database of
            // millions of events).
            try db.alter(table: "dwell_model") { t in t.add(column: "model_binary", .blob) }
            let update = try db.makeStatement(sql: "UPDATE dwell_model SET model_binary = ? WHERE rowid = ?")
            let decoder = JSONDecoder()
            for row in try Row.fetchAll(db, sql: "SELECT rowid, group_id, as_of, model FROM dwell_model") {
                let rowid: Int64 = row[0], group: String = row[1], asOf: String = row[2], json: String = row[3]
                let model: LearnedDwellModel
                do { model = try decoder.decode(LearnedDwellModel.self, from: Data(json.utf8)) } catch {
                    throw StoreError.corrupt("the stored model of \(group) on \(asOf) does not read: \(error)")
                }
                try update.execute(arguments: [ModelBinary.encode(model), rowid])
            }
        }
        m.registerMigration("v11-open-books") { db in
            // Each customer's open book packed for the last day learned (OpenBookBinary), current while
            // data_version is: forecasts and the agenda of that day read one value per customer instead of the
            // rows of every open invoice. One per customer: a book is only of use on its own day.
            try db.create(table: "open_book") { t in
                t.column("group_id", .text).notNull().primaryKey().references("customer_group", onDelete: .cascade)
                t.column("as_of", .text).notNull()
                t.column("data_version", .text).notNull()
                t.column("invoices", .integer).notNull()
                t.column("rows", .blob).notNull()
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
