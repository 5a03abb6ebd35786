//! The API's OpenAPI document: utoipa's from the handlers' annotations,
//! each `http/` module giving its part, then completed with what the
//! annotations cannot say: the refusals every guarded route, body or
//! parameter can meet, and the limits the server enforces on each field
//! (lengths, patterns, ranges, and a rating tablet's counter), so that a
//! client, or a fuzzer, generated from the document sends what the server
//! takes.

use super::{
    admin, auth, calls, counters, devices, events, office, province, queue, ratings, services,
    tickets, users,
};
use serde_json::{Value, json};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

/// The root of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Layso",
        description = "Queue-ticketing for public service offices. Every route but /healthz, /metrics, this document, login and ticket tracking takes `Authorization: Bearer <token>` (a staff session from login, or a paired device's token); 401 means no valid token, 403 the wrong role. Errors are ApiError with a stable code."
    ),
    paths(super::health, super::metrics, super::openapi_json),
    components(schemas(layso_protocol::ApiError, layso_protocol::ErrorCode)),
    modifiers(&Bearer)
)]
struct Root;

/// Adds the bearer scheme and, to every operation that needs it, its 401
/// and 403 answers.
struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The whole document: the root and each resource module's part.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = Root::openapi();
    for part in [
        services::Api::openapi(),
        tickets::Api::openapi(),
        queue::Api::openapi(),
        events::Api::openapi(),
        counters::Api::openapi(),
        admin::Api::openapi(),
        auth::Api::openapi(),
        ratings::Api::openapi(),
        office::Api::openapi(),
        calls::Api::openapi(),
        users::Api::openapi(),
        devices::Api::openapi(),
        province::Api::openapi(),
    ] {
        doc.merge(part);
    }
    refusals(&mut doc);
    doc
}

/// Every operation with a security requirement can also answer 401 and
/// 403; one that takes a body, 413 and 422; one with parameters, 422.
fn refusals(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{RefOr, ResponseBuilder, content::ContentBuilder};
    let error = |text: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(text)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(utoipa::openapi::Ref::from_schema_name("ApiError")))
                        .build(),
                )
                .build(),
        )
    };
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
        ];
        for op in operations.into_iter().flatten() {
            if op.request_body.is_some() {
                op.responses
                    .responses
                    .entry("413".into())
                    .or_insert_with(|| error("The body is over 64 KiB (code payload_too_large)"));
            }
            let has_parameters = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            if op.request_body.is_some() || has_parameters {
                op.responses
                    .responses
                    .entry("422".into())
                    .or_insert_with(|| error("Malformed or out of range (code invalid_request)"));
            }
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                op.responses
                    .responses
                    .entry("401".into())
                    .or_insert_with(|| error("No valid token (code unauthorized)"));
                op.responses
                    .responses
                    .entry("403".into())
                    .or_insert_with(|| error("The token's role may not do this (code forbidden)"));
            }
        }
    }
}

/// The text a name or reason may hold (`layso_protocol::text`): no control
/// or line-break characters, no zero-width or direction marks.
const TEXT: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\ufeff]*$";

/// (schema, property, what it must be) for every field the server checks
/// beyond its type; an empty property is the schema itself.
fn limits() -> Vec<(&'static str, &'static str, Value)> {
    let text = |least: usize, most: usize| {
        let mut v = json!({ "maxLength": most, "pattern": TEXT });
        if least > 0 {
            v["minLength"] = json!(least);
        }
        v
    };
    let code = json!({ "minLength": 1, "maxLength": 16, "pattern": "^[A-Za-z0-9_-]+$" });
    let password = json!({ "minLength": 10, "maxLength": 256 });
    vec![
        (
            "IssueRequest",
            "idempotency_key",
            json!({ "minLength": 8, "maxLength": 64, "pattern": "^[A-Za-z0-9_-]+$" }),
        ),
        ("CallTicketRequest", "reason", text(1, 200)),
        ("PauseRequest", "reason", text(1, 200)),
        ("ReasonRequest", "reason", text(1, 200)),
        ("NotPrintedRequest", "reason", text(1, 200)),
        ("OfficeRequest", "name", text(1, 120)),
        ("OfficeRequest", "address", text(0, 200)),
        ("OfficeRequest", "ticket_header", text(0, 100)),
        ("OfficeRequest", "ticket_footer", text(0, 200)),
        ("OfficeRequest", "notice", text(0, 300)),
        ("OfficeRequest", "voice_phrase", text(1, 200)),
        (
            "NewOfficeRequest",
            "code",
            json!({ "minLength": 2, "maxLength": 32, "pattern": "^[a-z0-9-]+$" }),
        ),
        ("NewOfficeRequest", "name", text(1, 120)),
        ("NewOfficeRequest", "address", text(0, 200)),
        (
            "NewOfficeRequest",
            "time_zone",
            json!({ "maxLength": 64, "pattern": "^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$" }),
        ),
        ("ServiceRequest", "code", code),
        ("ServiceRequest", "name", text(1, 100)),
        ("ServiceRequest", "daily_cap", json!({ "minimum": 1 })),
        ("Numbering", "prefix", json!({ "pattern": "^[A-Z]{0,2}$" })),
        (
            "Numbering",
            "first",
            json!({ "minimum": 1, "maximum": 99999 }),
        ),
        (
            "Numbering",
            "last",
            json!({ "minimum": 1, "maximum": 99999 }),
        ),
        ("IssuingHours", "", json!({ "minItems": 1 })),
        (
            "HoursWindow",
            "days",
            json!({ "minItems": 1, "items": { "type": "integer", "minimum": 1, "maximum": 7 } }),
        ),
        (
            "HoursWindow",
            "from",
            json!({ "pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$" }),
        ),
        (
            "HoursWindow",
            "to",
            json!({ "pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$" }),
        ),
        ("CounterRequest", "name", text(1, 80)),
        ("NewCounterRequest", "name", text(1, 80)),
        (
            "NewCounterRequest",
            "number",
            json!({ "minimum": 1, "maximum": 999 }),
        ),
        (
            "NewCounterRequest",
            "services",
            json!({ "minItems": 1, "uniqueItems": true }),
        ),
        (
            "CounterRequest",
            "services",
            json!({ "minItems": 1, "uniqueItems": true }),
        ),
        (
            "CounterServiceRequest",
            "weight",
            json!({ "minimum": 1, "maximum": 100 }),
        ),
        ("UserRequest", "full_name", text(1, 100)),
        (
            "NewUserRequest",
            "username",
            json!({ "minLength": 2, "maxLength": 32, "pattern": "^[a-z0-9._-]+$" }),
        ),
        ("NewUserRequest", "full_name", text(1, 100)),
        ("NewUserRequest", "password", password.clone()),
        ("PasswordRequest", "password", password),
        ("NewDeviceRequest", "name", text(1, 80)),
        (
            "RatingRequest",
            "score",
            json!({ "minimum": 1, "maximum": 5 }),
        ),
    ]
}

/// The whole document, as the server serves it.
pub fn document() -> Value {
    let mut doc =
        serde_json::to_value(openapi()).unwrap_or_else(|e| json!({ "error": e.to_string() }));
    let schemas = &mut doc["components"]["schemas"];
    for (schema, property, rules) in limits() {
        let field = if property.is_empty() {
            &mut schemas[schema]
        } else {
            &mut schemas[schema]["properties"][property]
        };
        if field.is_null() {
            continue;
        }
        // A field of a type of its own (`$ref`) keeps it beside the rules.
        if let (Some(field), Some(rules)) = (field.as_object_mut(), rules.as_object()) {
            for (k, v) in rules {
                field.insert(k.clone(), v.clone());
            }
        }
    }
    // What JSON Schema cannot say, said in words.
    for (schema, words) in [
        ("Numbering", "first <= last (1 to 99999)"),
        ("HoursWindow", "`to` is after `from`"),
        ("CounterRequest", "each service is listed once"),
        ("NewCounterRequest", "each service is listed once"),
    ] {
        if let Some(object) = schemas[schema].as_object_mut() {
            let old = object
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let text = format!("{old} The server also checks: {words}.");
            object.insert("description".into(), Value::from(text.trim()));
        }
    }
    // A rating tablet names the counter it stands at; other devices name none.
    let device = &mut schemas["NewDeviceRequest"];
    if device.is_object() {
        device["if"] =
            json!({ "properties": { "kind": { "const": "rating" } }, "required": ["kind"] });
        device["then"] = json!({ "required": ["counter_id"], "properties": { "counter_id": { "type": "integer" } } });
        device["else"] = json!({ "properties": { "counter_id": { "type": "null" } } });
    }
    doc
}
