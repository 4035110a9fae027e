//! Approved secrets as linked data: JSON-LD in the DATAtourisme vocabulary, and GeoJSON.

use super::data::{Results, SecretRecord};
use super::paris_time::paris;
use super::{LICENCE, LICENCE_URL};
use atelier_proto::model::TourinsoftType;
use serde_json::{json, Map, Value};

/// Returns the DATAtourisme class that matches a TourinSoft object type. Every secret is also
/// a `PointOfInterest`.
fn datatourisme_class(object_type: TourinsoftType) -> &'static str {
    match object_type {
        TourinsoftType::Res => "FoodEstablishment",
        TourinsoftType::Deg => "Tasting",
        TourinsoftType::Pna => "NaturalHeritage",
        TourinsoftType::Pcu => "CulturalSite",
        TourinsoftType::Iti => "Tour",
        TourinsoftType::Fma => "EntertainmentAndEvent",
    }
}

fn french(text: &str) -> Value {
    json!({ "@value": text, "@language": "fr" })
}

fn point_of_interest(code: &str, secret: &SecretRecord) -> Value {
    let fields = &secret.fields;
    let mut address = Map::new();
    address.insert("@type".into(), json!("schema:PostalAddress"));
    if !fields.place.is_empty() {
        address.insert("schema:streetAddress".into(), json!(fields.place));
    }
    address.insert("schema:addressLocality".into(), json!(fields.commune.name));
    if let Some(postal_code) = &secret.postal_code {
        address.insert("schema:postalCode".into(), json!(postal_code));
    }
    if let Some(insee) = &fields.commune.insee {
        address.insert("hasAddressCity".into(), json!({ "@type": "City", "insee": insee, "rdfs:label": french(&fields.commune.name) }));
    }

    let mut place = Map::new();
    place.insert("@type".into(), json!("schema:Place"));
    place.insert("schema:address".into(), Value::Object(address));
    if let Some(c) = fields.coordinates {
        place.insert("schema:geo".into(), json!({ "@type": "schema:GeoCoordinates", "schema:latitude": c.lat, "schema:longitude": c.lon }));
    }

    let mut poi = Map::new();
    poi.insert("@id".into(), json!(format!("urn:atelier:{code}:{}", secret.id.as_str())));
    poi.insert("@type".into(), json!(["PointOfInterest", datatourisme_class(secret.tourinsoft_type)]));
    poi.insert("dc:identifier".into(), json!(secret.external_id));
    poi.insert("rdfs:label".into(), french(&fields.title));
    poi.insert("rdfs:comment".into(), french(&fields.text));
    poi.insert("hasDescription".into(), json!({ "@type": "Description", "dc:description": french(&fields.text) }));
    poi.insert("isLocatedAt".into(), Value::Object(place));
    if !fields.best_moment.is_empty() {
        poi.insert("atelier:bestMoment".into(), french(&fields.best_moment));
    }
    if let Some(credit) = secret.credit_line() {
        poi.insert("schema:creditText".into(), json!(credit));
    }
    poi.insert("schema:license".into(), json!(LICENCE_URL));
    poi.insert("lastUpdate".into(), json!(paris(secret.updated_at_ms).iso_date()));
    Value::Object(poi)
}

/// Builds a JSON-LD graph of DATAtourisme points of interest from the approved secrets. DATAtourisme has
/// no property for a secret's best moment, so it goes in `atelier:bestMoment`.
pub fn json_ld(results: &Results) -> Value {
    let graph: Vec<Value> = results.published().map(|s| point_of_interest(&results.code, s)).collect();
    json!({
        "@context": {
            "@vocab": "https://www.datatourisme.fr/ontology/core#",
            "schema": "http://schema.org/",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "dc": "http://purl.org/dc/elements/1.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
            "atelier": "urn:atelier:vocabulary#",
            "lastUpdate": { "@type": "xsd:date" },
            "schema:license": { "@type": "@id" }
        },
        "@graph": graph
    })
}

/// Builds a GeoJSON FeatureCollection (RFC 7946) of approved secrets. Every approved secret is
/// a feature, so that the file lists the same secrets as the other exports. A secret without
/// coordinates has `"geometry": null`, which RFC 7946 allows for unlocated features.
pub fn geojson(results: &Results) -> Value {
    let features: Vec<Value> = results
        .published()
        .map(|secret| {
            let fields = &secret.fields;
            // GeoJSON positions are longitude first.
            let geometry = fields.coordinates.map(|c| json!({ "type": "Point", "coordinates": [c.lon, c.lat] })).unwrap_or(Value::Null);
            json!({
                "type": "Feature",
                "id": secret.external_id,
                "geometry": geometry,
                "properties": {
                    "identifiant": secret.external_id,
                    "theme": secret.theme_title,
                    "table": secret.table,
                    "titre": fields.title,
                    "texte": fields.text,
                    "lieu": fields.place,
                    "commune": fields.commune.name,
                    "code_insee": fields.commune.insee,
                    "code_postal": secret.postal_code,
                    "meilleur_moment": fields.best_moment,
                    "bordereau": secret.tourinsoft_type.code(),
                    "gagnant": secret.winner,
                    "credit": secret.credit_line(),
                    "licence": LICENCE,
                }
            })
        })
        .collect();
    json!({ "type": "FeatureCollection", "features": features })
}
