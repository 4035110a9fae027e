//! The communes of Normandy, for the autocomplete and for resolving a typed name to its INSEE
//! code. The list ships inside the binary (see `server/data/README.md` for its source and
//! licence).

use atelier_proto::model::CommuneRef;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

const DATA: &str = include_str!("../../data/communes-normandie.json");

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Commune {
    pub insee: String,
    pub name: String,
    /// `commune`, `deleguee` or `associee`.
    pub kind: String,
    pub department: String,
    #[serde(default)]
    pub parent_insee: Option<String>,
    #[serde(default)]
    pub parent_name: Option<String>,
    #[serde(default)]
    pub postal_codes: Vec<String>,
    #[serde(default)]
    pub population: Option<u64>,
}

#[derive(Deserialize)]
struct DataFile {
    communes: Vec<Commune>,
}

pub struct Communes {
    list: Vec<Commune>,
    /// Folded name of each entry, same order as `list`.
    folded: Vec<String>,
    by_name: HashMap<String, Vec<usize>>,
    by_insee: HashMap<String, Vec<usize>>,
}

/// Lower-cases and strips accents and punctuation, so "pont l'eveque" finds "Pont-l'Évêque".
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        match c {
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            c if c.is_alphanumeric() => out.extend(c.to_lowercase()),
            _ => {
                if !out.ends_with(' ') && !out.is_empty() {
                    out.push(' ');
                }
            }
        }
    }
    out.trim_end().to_owned()
}

impl Communes {
    pub fn load() -> Communes {
        let data: DataFile = serde_json::from_str(DATA).expect("bundled communes file is valid JSON");
        let folded: Vec<String> = data.communes.iter().map(|c| fold(&c.name)).collect();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_insee: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, commune) in data.communes.iter().enumerate() {
            by_name.entry(folded[i].clone()).or_default().push(i);
            by_insee.entry(commune.insee.clone()).or_default().push(i);
        }
        Communes { list: data.communes, folded, by_name, by_insee }
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Finds communes whose name starts with `query` (or has a word starting with it), current
    /// communes and larger ones first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Commune> {
        let query = fold(query);
        if query.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(u8, std::cmp::Reverse<u64>, usize)> = Vec::new();
        for (i, name) in self.folded.iter().enumerate() {
            let rank = if name == &query {
                0
            } else if name.starts_with(&query) {
                1
            } else if name.split(' ').any(|word| word.starts_with(&query)) {
                2
            } else {
                continue;
            };
            let kind_rank = if self.list[i].kind == "commune" { 0 } else { 1 };
            hits.push((rank * 2 + kind_rank, std::cmp::Reverse(self.list[i].population.unwrap_or(0)), i));
        }
        hits.sort();
        hits.into_iter().take(limit).map(|(_, _, i)| &self.list[i]).collect()
    }

    pub fn by_insee(&self, insee: &str) -> Option<&Commune> {
        let indexes = self.by_insee.get(insee)?;
        // A commune nouvelle and its chef-lieu déléguée can share a code: prefer the current one.
        indexes.iter().map(|&i| &self.list[i]).find(|c| c.kind == "commune").or_else(|| indexes.first().map(|&i| &self.list[i]))
    }

    /// Fills in the INSEE code of a commune typed by name when the name is unambiguous, and
    /// the official spelling of a known code. Unknown names stay as typed ("other").
    pub fn resolve(&self, commune: &CommuneRef) -> CommuneRef {
        if let Some(code) = &commune.insee {
            if let Some(found) = self.by_insee(code) {
                let name = if commune.name.trim().is_empty() { found.name.clone() } else { commune.name.clone() };
                return CommuneRef { insee: Some(found.insee.clone()), name };
            }
            return CommuneRef { insee: None, name: commune.name.clone() };
        }
        if let Some(indexes) = self.by_name.get(&fold(&commune.name)) {
            let current: Vec<&Commune> = indexes.iter().map(|&i| &self.list[i]).filter(|c| c.kind == "commune").collect();
            let chosen = if current.len() == 1 { Some(current[0]) } else if indexes.len() == 1 { Some(&self.list[indexes[0]]) } else { None };
            if let Some(found) = chosen {
                return CommuneRef { insee: Some(found.insee.clone()), name: found.name.clone() };
            }
        }
        commune.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_ignores_accents_and_case() {
        let communes = Communes::load();
        assert!(communes.len() > 3000);
        let hits = communes.search("pont l'eveque", 5);
        assert_eq!(hits[0].name, "Pont-l'Évêque");
        let hits = communes.search("CRICQUEBOEUF", 5);
        assert_eq!(hits[0].insee, "14202");
    }

    #[test]
    fn resolve_maps_names_to_insee() {
        let communes = Communes::load();
        let resolved = communes.resolve(&CommuneRef { insee: None, name: "Honfleur".into() });
        assert_eq!(resolved.insee.as_deref(), Some("14333"));
        let deleguee = communes.resolve(&CommuneRef { insee: None, name: "Anctoville".into() });
        assert_eq!(deleguee.insee.as_deref(), Some("14011"));
        // Two communes déléguées are called Acqueville (Calvados and Manche): no guess.
        let ambiguous = communes.resolve(&CommuneRef { insee: None, name: "Acqueville".into() });
        assert_eq!(ambiguous.insee, None);
        let unknown = communes.resolve(&CommuneRef { insee: None, name: "Paris".into() });
        assert_eq!(unknown.insee, None);
    }
}
