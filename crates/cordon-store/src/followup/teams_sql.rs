//! The SQL of follow-up teams: made in a jurisdiction (taking the persons of their county who
//! waited for a team), and listed with their members and open persons.

use cordon_domain::access::followup::{ListRead, TeamManage};
use cordon_domain::access::{Scope, Username};

use super::assign::{assign_waiting, Assigner};
use super::scope::within;
use super::{NewTeam, Team};
use crate::db::{on_pool, retry, BeginWrite};
use crate::store::SqlStore;
use crate::StoreError;

pub(super) async fn create_team(
    store: &SqlStore,
    grant: &TeamManage,
    team: NewTeam,
) -> Result<Team, StoreError> {
    if !grant.scope().covers_division(team.county) {
        return Err(StoreError::invalid(
            "scope_mismatch",
            "county",
            "the team's county lies outside this account's jurisdiction",
        ));
    }
    let team = &team;
    let county = i64::from(team.county.value());
    let by = grant.username().as_str();
    let id: i64 = retry(|| async move {
        let now = cordon_domain::time::now_ms();
        on_pool!(&store.db.write, |p| {
            let mut tx = p.begin_write().await?;
            let taken: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM followup_teams WHERE county = $1 AND name = $2")
                    .bind(county)
                    .bind(&team.name)
                    .fetch_optional(&mut *tx)
                    .await?;
            if taken.is_some() {
                return Err(StoreError::invalid(
                    "duplicate",
                    "name",
                    "this county has a team of this name",
                ));
            }
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO followup_teams (name, county, lead, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(&team.name)
            .bind(county)
            .bind(team.lead.as_str())
            .bind(by)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let mut members: Vec<&str> = team.members.iter().map(Username::as_str).collect();
            members.sort_unstable();
            members.dedup();
            for m in &members {
                sqlx::query("INSERT INTO followup_members (team_id, username) VALUES ($1, $2)")
                    .bind(id)
                    .bind(*m)
                    .execute(&mut *tx)
                    .await?;
            }
            // Persons of the county brought in before it had a team: handed to this one.
            let mut assigner = Assigner::new(
                members
                    .iter()
                    .map(|m| (id, county, (*m).to_owned()))
                    .collect(),
                Vec::new(),
            );
            assign_waiting!(tx, assigner);
            tx.commit().await?;
            Ok(id)
        })
    })
    .await?;
    teams(store, None)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| StoreError::not_found(format!("team {id}")))
}

/// Every team (of a scope, when given), with members and open persons.
pub(super) async fn teams(
    store: &SqlStore,
    scope: Option<&Scope>,
) -> Result<Vec<Team>, StoreError> {
    let rows: Vec<(i64, String, i64, String, Option<String>)> =
        on_pool!(&store.db.read, |p| sqlx::query_as(
            "SELECT t.id, t.name, t.county, t.lead, m.username \
             FROM followup_teams t LEFT JOIN followup_members m ON m.team_id = t.id \
             ORDER BY t.county, t.name, m.username"
        )
        .fetch_all(p)
        .await?);
    // Each team's open persons, counted once from the index on (team, state).
    let open: Vec<(i64, i64)> = on_pool!(&store.db.read, |p| sqlx::query_as(
        "SELECT team_id, COUNT(*) FROM followup_subjects WHERE team_id IS NOT NULL \
         AND state IN ('pending', 'in_progress', 'escalated') GROUP BY team_id"
    )
    .fetch_all(p)
    .await?);
    let open: std::collections::HashMap<i64, i64> = open.into_iter().collect();
    let mut out: Vec<Team> = Vec::new();
    for (id, name, county, lead, member) in rows {
        if scope.is_some_and(|s| !within(s, Some(county))) {
            continue;
        }
        match out.last_mut() {
            Some(t) if t.id == id => t.members.extend(member),
            _ => {
                let code = format!("{county:06}");
                out.push(Team {
                    id,
                    county_name: cordon_domain::places::by_code(&code)
                        .map(|p| format!("{} {}", p.within, p.name).trim().to_owned()),
                    county: code,
                    name,
                    lead,
                    members: member.into_iter().collect(),
                    open: open.get(&id).copied().unwrap_or(0),
                })
            }
        }
    }
    Ok(out)
}

pub(super) async fn list_teams(
    store: &SqlStore,
    grant: &ListRead,
) -> Result<Vec<Team>, StoreError> {
    teams(store, Some(grant.scope())).await
}
