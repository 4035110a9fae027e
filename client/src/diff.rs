//! Differences between what a scenario expects and what the server did, in a readable form.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// One difference: what was checked, what the scenario expected, what the server showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub what: String,
    pub expected: String,
    pub got: String,
    /// Extra lines (missing and unexpected items, who saw it…).
    pub notes: Vec<String>,
}

impl Mismatch {
    pub fn new(what: impl Into<String>, expected: impl Into<String>, got: impl Into<String>) -> Self {
        Mismatch { what: what.into(), expected: expected.into(), got: got.into(), notes: Vec::new() }
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// A count that differs, or `None`.
    pub fn count(what: impl Into<String>, expected: usize, got: usize) -> Option<Mismatch> {
        (expected != got).then(|| Mismatch::new(what, expected.to_string(), got.to_string()))
    }

    /// Two sets of ids that differ, or `None`. `label` turns an id into a readable label
    /// (scenario id and title).
    pub fn sets(
        what: impl Into<String>,
        expected: &BTreeSet<String>,
        got: &BTreeSet<String>,
        label: impl Fn(&str) -> String,
    ) -> Option<Mismatch> {
        if expected == got {
            return None;
        }
        let list = |set: &BTreeSet<String>| {
            if set.is_empty() {
                "(none)".to_string()
            } else {
                set.iter().map(|id| label(id)).collect::<Vec<_>>().join(", ")
            }
        };
        let mut m = Mismatch::new(what, list(expected), list(got));
        let missing: BTreeSet<_> = expected.difference(got).cloned().collect();
        let unexpected: BTreeSet<_> = got.difference(expected).cloned().collect();
        if !missing.is_empty() && (expected.len() > 1 || got.len() > 1) {
            m = m.with_note(format!("missing:    {}", list(&missing)));
        }
        if !unexpected.is_empty() && (expected.len() > 1 || got.len() > 1) {
            m = m.with_note(format!("unexpected: {}", list(&unexpected)));
        }
        Some(m)
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.what)?;
        writeln!(f, "   expected: {}", self.expected)?;
        write!(f, "   got:      {}", self.got)?;
        for note in &self.notes {
            write!(f, "\n   {note}")?;
        }
        Ok(())
    }
}

/// Every difference found while playing a scenario.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Differences(pub Vec<Mismatch>);

impl Differences {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn push(&mut self, m: Mismatch) {
        self.0.push(m);
    }

    pub fn extend(&mut self, ms: impl IntoIterator<Item = Mismatch>) {
        self.0.extend(ms);
    }
}

impl fmt::Display for Differences {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{n} difference{} between the scenario and the server:", if n == 1 { "" } else { "s" })?;
        for (i, m) in self.0.iter().enumerate() {
            let text = m.to_string();
            let mut lines = text.lines();
            if let Some(first) = lines.next() {
                write!(f, "\n{:>2}. {first}", i + 1)?;
            }
            for line in lines {
                write!(f, "\n   {line}")?;
            }
        }
        Ok(())
    }
}

/// Readable labels for secrets: scenario id and title, or the server id when the secret is not
/// one of the scenario's.
#[derive(Clone, Debug, Default)]
pub struct Labels {
    /// Scenario secret id -> title.
    pub titles: HashMap<String, String>,
    /// Server secret id -> scenario secret id.
    pub from_server: HashMap<String, String>,
    /// Server secret id -> title as the server has it (for secrets unknown to the scenario).
    pub server_titles: HashMap<String, String>,
}

impl Labels {
    /// Label of a scenario secret id: `s101 "Title"`.
    pub fn secret(&self, scenario_id: &str) -> String {
        match self.titles.get(scenario_id) {
            Some(title) => format!("{scenario_id} \"{}\"", shorten(title, 60)),
            None => scenario_id.to_string(),
        }
    }

    /// Scenario id of a server secret id, or `server:ID` for a secret the scenario does not know.
    pub fn key_of_server(&self, server_id: &str) -> String {
        match self.from_server.get(server_id) {
            Some(id) => id.clone(),
            None => format!("server:{server_id}"),
        }
    }

    /// Label of a key made by [`Labels::key_of_server`] or of a scenario id.
    pub fn key(&self, key: &str) -> String {
        match key.strip_prefix("server:") {
            Some(server_id) => match self.server_titles.get(server_id) {
                Some(title) => format!("server secret {server_id} \"{}\" (not in the scenario)", shorten(title, 60)),
                None => format!("server secret {server_id} (not in the scenario)"),
            },
            None => self.secret(key),
        }
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Labels {
        let mut l = Labels::default();
        l.titles.insert("s101".into(), "Les crevettes grises du retour de pêche".into());
        l.titles.insert("s104".into(), "Le pont-l'évêque « à point » du lundi".into());
        l.titles.insert("s105".into(), "Restaurant Le Grand Large".into());
        l.titles.insert("s214".into(), "Le marché aux poissons vu d'en haut".into());
        l.from_server.insert("s1".into(), "s101".into());
        l.from_server.insert("s4".into(), "s104".into());
        l.server_titles.insert("s99".into(), "Intrus".into());
        l
    }

    fn set(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn equal_things_are_no_mismatch() {
        assert_eq!(Mismatch::count("total", 3, 3), None);
        assert_eq!(Mismatch::sets("x", &set(&["a"]), &set(&["a"]), |s| s.to_string()), None);
    }

    #[test]
    fn a_wrong_winner_shows_ids_and_titles() {
        let l = labels();
        let got = set(&[&l.key_of_server("s4")]);
        let m = Mismatch::sets("round 1 (bonnes-popotes), table T1: winner", &set(&["s101"]), &got, |k| l.key(k)).unwrap();
        let text = m.to_string();
        assert_eq!(
            text,
            "round 1 (bonnes-popotes), table T1: winner\n   expected: s101 \"Les crevettes grises du retour de pêche\"\n   got:      s104 \"Le pont-l'évêque « à point » du lundi\""
        );
    }

    #[test]
    fn set_differences_list_missing_and_unexpected() {
        let l = labels();
        let got = set(&["s105", &l.key_of_server("s99")]);
        let m = Mismatch::sets("rejected secrets", &set(&["s105", "s214"]), &got, |k| l.key(k)).unwrap();
        let text = m.to_string();
        assert!(text.contains("expected: s105 \"Restaurant Le Grand Large\", s214 \"Le marché aux poissons vu d'en haut\""), "{text}");
        assert!(text.contains("missing:    s214 \"Le marché aux poissons vu d'en haut\""), "{text}");
        assert!(text.contains("unexpected: server secret s99 \"Intrus\" (not in the scenario)"), "{text}");
        let none = Mismatch::sets("edited", &set(&["s205"]), &set(&[]), |k| l.key(k)).unwrap();
        assert!(none.to_string().contains("got:      (none)"));
    }

    #[test]
    fn differences_are_numbered_and_indented() {
        let mut d = Differences::default();
        d.push(Mismatch::count("secrets in total", 29, 28).unwrap());
        d.push(Mismatch::new("stuck table", "T3", "(none)").with_note("T1: ok"));
        let text = d.to_string();
        assert_eq!(
            text,
            "2 differences between the scenario and the server:\n 1. secrets in total\n      expected: 29\n      got:      28\n 2. stuck table\n      expected: T3\n      got:      (none)\n      T1: ok"
        );
    }

    #[test]
    fn long_titles_are_shortened() {
        let mut l = Labels::default();
        l.titles.insert("s1".into(), "x".repeat(100));
        let label = l.secret("s1");
        assert!(label.ends_with("…\""), "{label}");
        assert_eq!(label.chars().count(), "s1 \"\"".chars().count() + 60);
        assert_eq!(l.key("unknown"), "unknown");
        assert_eq!(l.key("server:s7"), "server secret s7 (not in the scenario)");
    }
}
