//! Handing persons out: each new person to the least-loaded caller of the narrowest teams of
//! their county ([`Assigner`]), and those who waited for a team when one is made
//! ([`assign_waiting`]).

use std::collections::HashMap;

use cordon_domain::division::DivisionCode;

/// The [`Assigner`] of the teams as they stand, read in transaction `$tx`.
macro_rules! assigner {
    ($tx:ident) => {{
        let teams: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT t.id, t.county, m.username FROM followup_teams t \
             JOIN followup_members m ON m.team_id = t.id ORDER BY t.id, m.username",
        )
        .fetch_all(&mut *$tx)
        .await?;
        let loads: Vec<(String, i64)> = sqlx::query_as(
            "SELECT assignee, COUNT(*) FROM followup_subjects WHERE assignee IS NOT NULL \
             AND state IN ('pending', 'in_progress') GROUP BY assignee",
        )
        .fetch_all(&mut *$tx)
        .await?;
        $crate::followup::assign::Assigner::new(teams, loads)
    }};
}
pub(super) use assigner;

/// Hands the persons not yet with a team (whose county is known and whose work is not over)
/// to `$assigner`'s teams, in transaction `$tx`.
macro_rules! assign_waiting {
    ($tx:ident, $assigner:ident) => {{
        let waiting: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, county FROM followup_subjects WHERE team_id IS NULL \
             AND county IS NOT NULL AND state IN ('pending', 'in_progress') ORDER BY id",
        )
        .fetch_all(&mut *$tx)
        .await?;
        let mut given: std::collections::HashMap<(i64, String), Vec<i64>> =
            std::collections::HashMap::new();
        for (subject, c) in waiting {
            let county = u32::try_from(c)
                .ok()
                .and_then(cordon_domain::division::DivisionCode::from_value);
            if let Some(to) = county.and_then(|c| $assigner.pick(c)) {
                given.entry(to).or_default().push(subject);
            }
        }
        for ((team, who), subjects) in &given {
            for chunk in subjects.chunks(500) {
                let mut q = sqlx::QueryBuilder::new("UPDATE followup_subjects SET team_id = ");
                q.push_bind(*team)
                    .push(", assignee = ")
                    .push_bind(who.as_str())
                    .push(" WHERE id IN (");
                let mut ids = q.separated(", ");
                for s in chunk {
                    ids.push_bind(*s);
                }
                q.push(")");
                q.build().execute(&mut *$tx).await?;
            }
        }
    }};
}
pub(super) use assign_waiting;

/// Who takes a new person: the teams with their members, and how many open persons each
/// caller holds.
pub(crate) struct Assigner {
    /// (team, county, members), members sorted.
    teams: Vec<(i64, DivisionCode, Vec<String>)>,
    load: HashMap<String, i64>,
}

impl Assigner {
    pub(crate) fn new(members: Vec<(i64, i64, String)>, loads: Vec<(String, i64)>) -> Self {
        let mut teams: Vec<(i64, DivisionCode, Vec<String>)> = Vec::new();
        for (team, county, member) in members {
            let Some(county) = u32::try_from(county)
                .ok()
                .and_then(DivisionCode::from_value)
            else {
                continue;
            };
            match teams.last_mut() {
                Some(t) if t.0 == team => t.2.push(member),
                _ => teams.push((team, county, vec![member])),
            }
        }
        Self {
            teams,
            load: loads.into_iter().collect(),
        }
    }

    /// The team and caller for a person of `county`: among the teams whose area holds it
    /// most narrowly, the caller with the fewest open persons (by name on a tie).
    pub(crate) fn pick(&mut self, county: DivisionCode) -> Option<(i64, String)> {
        let narrowest = self
            .teams
            .iter()
            .filter(|t| t.1.contains(county))
            .map(|t| t.1.level() as u8)
            .max()?;
        let load = &self.load;
        let (team, who) = self
            .teams
            .iter()
            .filter(|t| t.1.contains(county) && t.1.level() as u8 == narrowest)
            .flat_map(|t| t.2.iter().map(move |m| (t.0, m)))
            .min_by_key(|(_, m)| (load.get(*m).copied().unwrap_or(0), (*m).clone()))?;
        let who = who.clone();
        *self.load.entry(who.clone()).or_insert(0) += 1;
        Some((team, who))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_loaded_caller_of_the_narrowest_teams() {
        let members = vec![
            (1, 130100, "city1".to_owned()),
            (2, 130102, "a".to_owned()),
            (3, 130102, "b".to_owned()),
        ];
        let mut assigner = Assigner::new(members, vec![("a".into(), 5)]);
        let c = DivisionCode::parse("130102").unwrap();
        let picked: Vec<_> = (0..4).map(|_| assigner.pick(c).unwrap()).collect();
        assert_eq!(picked[0], (3, "b".to_owned()), "b holds fewer");
        assert_eq!(
            picked.iter().filter(|p| p.1 == "b").count(),
            4,
            "until b holds as many as a"
        );
        let elsewhere = DivisionCode::parse("130104").unwrap();
        assert_eq!(
            assigner.pick(elsewhere),
            Some((1, "city1".to_owned())),
            "the city's team"
        );
        assert_eq!(assigner.pick(DivisionCode::parse("130200").unwrap()), None);
    }
}
