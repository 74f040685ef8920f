/// The OpenAPI 3.1 description of the JSON API, served at `/openapi.json`. Hand-written next to ``APIRoutes``; a test
/// checks that every `/api/` route the router has is described here and that nothing else is.
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Relance workspace API",
    "version": "1.0.0",
    "description": "The data and actions of the Relance web workspace. Every call but POST /api/v1/tokens needs 'Authorization: Bearer TOKEN'. Amounts are integer minor units with their currency; dates are YYYY-MM-DD. Errors are {\"error\": {\"status\": N, \"message\": \"…\"}}."
  },
  "servers": [{"url": "/"}],
  "security": [{"bearer": []}],
  "paths": {
    "/api/v1/tokens": {
      "post": {
        "summary": "Exchange a name and password for an API token (valid 30 days)",
        "security": [],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenRequest"}}}},
        "responses": {
          "201": {"description": "A new token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenAnswer"}}}},
          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
          "415": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/api/v1/me": {
      "get": {
        "summary": "The account the token belongs to",
        "responses": {"200": {"description": "The account", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Account"}}}},
                      "401": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/api/v1/overview": {
      "get": {
        "summary": "The portfolio: open and overdue amounts, stuck count, weekly cash-in forecast, customers",
        "responses": {"200": {"description": "The overview", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Overview"}}}},
                      "401": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/api/v1/customers": {
      "get": {
        "summary": "Customers with their open, overdue and stuck totals (a sales rep sees only customers with its invoices)",
        "responses": {"200": {"description": "Customers", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/CustomerSummary"}}}}},
                      "401": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/api/v1/customers/{id}": {
      "get": {
        "summary": "One customer and its open invoices, each with the department where it most probably is and its risk",
        "parameters": [{"$ref": "#/components/parameters/id"}],
        "responses": {"200": {"description": "The customer", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerDetail"}}}},
                      "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/api/v1/invoices/{id}": {
      "get": {
        "summary": "One invoice: its route with the status of each step, blocks, events and payment forecast",
        "parameters": [{"$ref": "#/components/parameters/id"}],
        "responses": {"200": {"description": "The invoice", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/InvoiceDetail"}}}},
                      "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/api/v1/invoices/{id}/events": {
      "post": {
        "summary": "Record a call outcome or an event (source 'call'); answers with the invoice as it now stands",
        "parameters": [{"$ref": "#/components/parameters/id"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventRequest"}}}},
        "responses": {"201": {"description": "Recorded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/InvoiceDetail"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
                      "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"},
                      "415": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/api/v1/stuck": {
      "get": {
        "summary": "Stuck invoices, ranked by what is at stake",
        "parameters": [
          {"name": "customer", "in": "query", "schema": {"type": "string"}, "description": "Only this customer (id)"},
          {"name": "minProbability", "in": "query", "schema": {"type": "number", "minimum": 0, "maximum": 100, "default": 30}, "description": "For slow steps: how sure (%) that the invoice is still there"},
          {"name": "minAmount", "in": "query", "schema": {"type": "string", "example": "1500.00"}, "description": "Open amount at least (major units)"}
        ],
        "responses": {"200": {"description": "Stuck invoices", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/StuckRow"}}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/api/v1/reports": {
      "get": {
        "summary": "The KPIs by customer and the ranked department bottlenecks over a period, as on the reports page (a sales rep sees only its invoices)",
        "parameters": [
          {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "First day (default: 364 days before 'to')"},
          {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "Last day (default and latest: the server's as-of day)"},
          {"name": "customer", "in": "query", "schema": {"type": "string"}, "description": "Only this customer group"}
        ],
        "responses": {"200": {"description": "The figures", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Reports"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/api/v1/agenda": {
      "get": {
        "summary": "The day's follow-up agenda: calls grouped by contact with their time slot, letters, requests to sales reps, bill deadlines, disputes (a sales rep sees only its invoices)",
        "parameters": [
          {"name": "date", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "The day (default: the server's as-of day)"},
          {"name": "for", "in": "query", "schema": {"type": "string", "maxLength": 100}, "description": "Only the customers this person is responsible for"}
        ],
        "responses": {"200": {"description": "The agenda, as 'relance agenda --format json' writes it", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Agenda"}}}},
                      "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/api/v1/agenda/outcomes": {
      "post": {
        "summary": "Record the outcome of a call (as 'relance log'): the follow-up and its events, in one transaction; the next agenda takes it into account",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OutcomeRequest"}}}},
        "responses": {
          "201": {"description": "What was recorded", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OutcomeAnswer"}}}},
          "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"},
          "404": {"$ref": "#/components/responses/Error"}, "415": {"$ref": "#/components/responses/Error"}
        }
      }
    }
  },
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "parameters": {"id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,100}$"}}},
    "responses": {
      "Error": {"description": "What is wrong", "content": {"application/json": {"schema": {"type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["status", "message"], "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}}}}}}
    },
    "schemas": {
      "Reports": {"type": "object", "required": ["from", "to", "kpis", "bottlenecks"], "properties": {
        "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}, "customer": {"type": "string"},
        "kpis": {"type": "array", "items": {"type": "object", "description": "One row per customer and currency: key, label, currency, open and overdue (amounts: minorUnits and currency), dsoCountBack, dsoStandard, averageDaysLate, weightedDaysLate, collectionEffectiveness (%), shareOnTime (0-1), settled, due (docs/kpis.md)"}},
        "bottlenecks": {"type": "array", "items": {"type": "object", "description": "One ranked department step, worst first: group, department, departmentName, step, median, p90, typical (working days), daysAdded, sittingNow"}}}},
      "Agenda": {"type": "object", "required": ["date", "calls", "letters", "salesRequests", "bills", "disputes", "deferred"], "properties": {
        "date": {"type": "string", "format": "date"}, "person": {"type": "string"},
        "calls": {"type": "array", "items": {"type": "object", "description": "One call to one contact: contactKey, name, role, phone, email, customer, group, timeZone, workingHours, slot (date-time, absent when it does not fit the day), minutes, score, invoices (each with invoice, openAmount, dueDate, daysLate, reason, question, forecastP50, probabilityByDue)"}},
        "letters": {"type": "array", "items": {"type": "object"}}, "salesRequests": {"type": "array", "items": {"type": "object"}},
        "bills": {"type": "array", "items": {"type": "object"}}, "disputes": {"type": "array", "items": {"type": "object"}},
        "deferred": {"type": "array", "items": {"type": "object"}}}},
      "OutcomeRequest": {"type": "object", "required": ["invoices", "outcome"], "properties": {
        "invoices": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 100, "description": "Invoices of one customer the call was about"},
        "outcome": {"type": "string", "enum": ["approval-given", "goods-receipt-missing", "payment-run", "promise", "dispute", "wrong-contact", "no-answer", "bill-accepted"]},
        "on": {"type": "string", "format": "date", "description": "The date of the payment run or of the promise (required for those)"},
        "reason": {"type": "string", "maxLength": 500, "description": "The dispute's reason (required for dispute)"},
        "right": {"type": "string", "maxLength": 200, "description": "Who is the right person (required for wrong-contact)"},
        "contact": {"type": "string", "description": "The contact or department id spoken to"},
        "date": {"type": "string", "format": "date", "description": "The day of the call (default the as-of day; not in the future)"},
        "note": {"type": "string", "maxLength": 500}}},
      "OutcomeAnswer": {"type": "object", "required": ["day", "outcome", "summary", "invoices", "states", "events"], "properties": {
        "id": {"type": "integer"}, "day": {"type": "string", "format": "date"}, "outcome": {"type": "string"}, "summary": {"type": "string"},
        "invoices": {"type": "array", "items": {"type": "string"}}, "states": {"type": "array", "items": {"type": "string"}}, "events": {"type": "integer"}}},
      "Amount": {"type": "object", "required": ["minor", "currency", "text"], "properties": {
        "minor": {"type": "integer", "description": "Minor units (cents)"}, "currency": {"type": "string"}, "text": {"type": "string", "example": "1234.50"}}},
      "Account": {"type": "object", "required": ["id", "name", "role", "createdAt"], "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "role": {"type": "string", "enum": ["manager", "collector", "sales-rep", "read-only"]},
        "salesRep": {"type": "string"}, "createdAt": {"type": "string", "format": "date-time"}}},
      "TokenRequest": {"type": "object", "required": ["name", "password"], "properties": {
        "name": {"type": "string"}, "password": {"type": "string"}, "label": {"type": "string", "maxLength": 100}}},
      "TokenAnswer": {"type": "object", "required": ["token", "expiresAt", "account"], "properties": {
        "token": {"type": "string"}, "expiresAt": {"type": "string", "format": "date-time"}, "account": {"$ref": "#/components/schemas/Account"}}},
      "CashWeek": {"type": "object", "properties": {"weekOf": {"type": "string", "format": "date"}, "expected": {"type": "number"}, "low": {"type": "number"}, "high": {"type": "number"}}},
      "CustomerSummary": {"type": "object", "properties": {
        "id": {"type": "string"}, "name": {"type": "string"}, "currency": {"type": "string"}, "openCount": {"type": "integer"},
        "open": {"$ref": "#/components/schemas/Amount"}, "overdueCount": {"type": "integer"}, "overdue": {"$ref": "#/components/schemas/Amount"},
        "stuckCount": {"type": "integer"}}},
      "Overview": {"type": "object", "properties": {
        "asOf": {"type": "string", "format": "date"}, "currency": {"type": "string"}, "open": {"$ref": "#/components/schemas/Amount"},
        "overdue": {"$ref": "#/components/schemas/Amount"}, "openCount": {"type": "integer"}, "overdueCount": {"type": "integer"},
        "stuckCount": {"type": "integer"}, "weeks": {"type": "array", "items": {"$ref": "#/components/schemas/CashWeek"}},
        "customers": {"type": "array", "items": {"$ref": "#/components/schemas/CustomerSummary"}}}},
      "InvoiceSummary": {"type": "object", "properties": {
        "id": {"type": "string"}, "customer": {"type": "string"}, "amount": {"$ref": "#/components/schemas/Amount"}, "open": {"$ref": "#/components/schemas/Amount"},
        "issueDate": {"type": "string", "format": "date"}, "dueDate": {"type": "string", "format": "date"}, "daysToDue": {"type": "integer"},
        "salesRep": {"type": "string"}, "department": {"type": "string"}, "departmentName": {"type": "string"}, "step": {"type": "string"},
        "risk": {"type": "string", "enum": ["low", "medium", "high", "blocked"]}, "p50": {"type": "string", "format": "date"},
        "probabilityByDue": {"type": "number"}, "closed": {"type": "boolean"}}},
      "CustomerDetail": {"type": "object", "properties": {"customer": {"$ref": "#/components/schemas/CustomerSummary"},
        "invoices": {"type": "array", "items": {"$ref": "#/components/schemas/InvoiceSummary"}}}},
      "InvoiceDetail": {"type": "object", "properties": {
        "invoice": {"$ref": "#/components/schemas/InvoiceSummary"}, "customerName": {"type": "string"}, "route": {"type": "string"},
        "steps": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "label": {"type": "string"}, "action": {"type": "string"},
          "department": {"type": "string"}, "departmentName": {"type": "string"}, "status": {"type": "string", "enum": ["done", "pending", "waiting"]},
          "doneAt": {"type": "string"}, "since": {"type": "string"}, "probabilityHere": {"type": "number"}}}},
        "blocks": {"type": "array", "items": {"type": "object", "properties": {"state": {"type": "string"}, "since": {"type": "string"}, "department": {"type": "string"}, "reason": {"type": "string"}}}},
        "events": {"type": "array", "items": {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}, "day": {"type": "string"},
          "state": {"type": "string"}, "department": {"type": "string"}, "departmentName": {"type": "string"}, "source": {"type": "string"}, "note": {"type": "string"}, "date": {"type": "string"}}}},
        "forecast": {"type": "object", "properties": {"p10": {"type": "string"}, "p50": {"type": "string"}, "p90": {"type": "string"}, "probabilityByDue": {"type": "number"},
          "expectedDaysLate": {"type": "number"}, "method": {"type": "string"}, "explanation": {"type": "string"}}},
        "departments": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}}}},
      "EventRequest": {"type": "object", "additionalProperties": false, "properties": {
        "state": {"type": "string", "enum": ["received", "in-processing", "goods-received", "service-done", "approved", "suspended", "completed", "blocked", "in-dispute", "resolved", "posted", "scheduled", "promised", "payment-sent"], "description": "Omit for a call with no answer or a note"},
        "department": {"type": "string"}, "date": {"type": "string", "format": "date", "description": "Default: the server's as-of day"},
        "promisedDate": {"type": "string", "format": "date", "description": "Required with state 'promised'"}, "note": {"type": "string", "maxLength": 500}}},
      "StuckRow": {"type": "object", "properties": {
        "invoice": {"type": "string"}, "customer": {"type": "string"}, "customerName": {"type": "string"}, "open": {"$ref": "#/components/schemas/Amount"},
        "dueDate": {"type": "string"}, "daysToDue": {"type": "integer"}, "department": {"type": "string"}, "departmentName": {"type": "string"},
        "step": {"type": "string"}, "why": {"type": "string"}, "probabilityStillThere": {"type": "number"}, "since": {"type": "string"}, "stake": {"type": "number"}}}
    }
  }
}
"""#
}
