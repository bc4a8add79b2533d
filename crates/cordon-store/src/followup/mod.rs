//! Follow-up lists' storage: lists, their rows (each sealed whole, with a keyed fingerprint so a
//! list pushed again is recognised), and the subjects the rows are matched to by keyed hash.
//! [`FollowupStore`] is a supertrait of [`crate::Store`]; its SQL is written once for both
//! backends: lists in `sql.rs`, teams in `teams_sql.rs`, worklists and attempts in
//! `work_sql.rs`, the board in `board_sql.rs`, questionnaires in `questionnaire_sql.rs`; who
//! takes a new person in `assign.rs`. A list is added in one transaction: all its rows, or none.

use async_trait::async_trait;
use cordon_domain::access::followup::{ListRead, ListWrite, QuestionnaireChange, TeamManage, Work};
use cordon_domain::access::Username;
use cordon_domain::division::DivisionCode;
use cordon_domain::followup::work::{AttemptKind, Outcome, SubjectState};
use cordon_domain::followup::{Identity, ListRow, ListSource, ListSummary, SubjectLine};
use cordon_domain::identity::MaskedDocument;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::keyring::Keyring;
use crate::StoreError;

mod assign;
mod board_sql;
mod items;
mod questionnaire_sql;
mod scope;
mod sql;
mod teams_sql;
mod transfers_sql;
mod work_sql;

/// A row in its stored form: the subject's key and masked fields, the row sealed.
#[derive(Debug, Clone)]
pub struct NewListRow {
    pub(crate) row: i64,
    pub(crate) match_key: String,
    pub(crate) verified: bool,
    pub(crate) document_type: Option<&'static str>,
    pub(crate) masked_number: Option<String>,
    pub(crate) masked_name: String,
    pub(crate) home_area: Option<i64>,
    pub(crate) county: Option<DivisionCode>,
    /// Where the person lives when the address lies outside the province: a new person is
    /// transferred out to it.
    pub(crate) outside: Option<DivisionCode>,
    pub(crate) fingerprint: String,
    pub(crate) sealed: Vec<u8>,
}

/// A row's personal data as it is sealed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealedRow {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrived_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a row is sealed against: its list and number.
pub fn row_context(list: Uuid, row: i64) -> Vec<u8> {
    format!("followup:{list}:{row}").into_bytes()
}

impl NewListRow {
    /// The row in its stored form; `scope` is the jurisdiction the list is brought in, where
    /// (and in whose province) the person's county is looked for.
    pub fn new(list: Uuid, r: &ListRow, scope: DivisionCode, keyring: &Keyring) -> Self {
        let plain = SealedRow {
            name: r.name.expose().to_owned(),
            document_type: r.document.as_ref().map(|d| d.kind().as_str().to_owned()),
            document_number: r.document.as_ref().map(|d| d.expose_number().to_owned()),
            phone: r.phone.as_ref().map(|p| p.expose().to_owned()),
            from: r.from.clone(),
            arrived_on: r.arrived_on.map(|d| d.to_string()),
            address: r.address.clone(),
            note: r.note.clone(),
        };
        let json = serde_json::to_vec(&plain).expect("a row serialises");
        let (match_key, verified) = match r.identity() {
            Identity::Document(d) => (keyring.person(d), true),
            Identity::PhoneAndName(id) => (keyring.subject(&id), false),
        };
        let row = i64::from(r.row);
        let county = r.county(scope);
        Self {
            row,
            fingerprint: keyring
                .subject(&format!("followup-row:{}", String::from_utf8_lossy(&json))),
            sealed: keyring.seal(&row_context(list, row), &json),
            match_key,
            verified,
            document_type: r.document.as_ref().map(|d| d.kind().as_str()),
            masked_number: r.document.as_ref().map(|d| d.masked_number()),
            masked_name: r.name.masked(),
            home_area: r.home_area().map(|d| i64::from(d.value())),
            county,
            // Looked for only when the province has no county for the person.
            outside: county.is_none().then(|| r.outside(scope)).flatten(),
        }
    }
}

/// A list to add (or to add more rows to: the same id again).
#[derive(Debug, Clone)]
pub struct NewList {
    pub id: Uuid,
    pub source: ListSource,
    pub label: String,
    pub deadline_ms: i64,
    /// Rows of an upload left out as bad.
    pub skipped: i64,
    pub rows: Vec<NewListRow>,
}

/// What adding a list did.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ListAdded {
    pub list: ListSummary,
    /// Rows written now.
    pub rows_added: i64,
    /// Rows sent again, the same as before: nothing written.
    pub rows_already: i64,
    /// Persons no list had named before.
    pub subjects_added: i64,
}

/// What answers are sealed against: their subject.
pub fn answers_context(subject: i64) -> Vec<u8> {
    format!("followup-answers:{subject}").into_bytes()
}

/// A team to make.
#[derive(Debug, Clone)]
pub struct NewTeam {
    pub name: String,
    pub county: DivisionCode,
    pub lead: Username,
    pub members: Vec<Username>,
}

/// A team of callers.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Team {
    pub id: i64,
    pub name: String,
    /// The county (or city) whose persons it takes.
    pub county: String,
    pub county_name: Option<String>,
    pub lead: String,
    pub members: Vec<String>,
    /// Persons it holds whose work is not over.
    pub open: i64,
}

/// A person on a caller's worklist, masked.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WorkItem {
    pub subject: i64,
    pub name: String,
    pub document: Option<MaskedDocument>,
    pub verified: bool,
    pub state: SubjectState,
    pub calls: i64,
    pub last_attempt_ms: Option<i64>,
    /// When the next call may be made (an hour after the last).
    pub next_call_ms: Option<i64>,
    /// The earliest deadline of the lists naming the person.
    pub deadline_ms: i64,
    pub lists: i64,
    pub assignee: Option<String>,
    pub county: Option<String>,
}

/// One list's row about a subject, sealed, with the list it is on.
#[derive(Debug, Clone)]
pub struct SubjectSource {
    pub list: Uuid,
    pub label: String,
    pub source: ListSource,
    pub row: i64,
    pub sealed: Option<Vec<u8>>,
}

/// A call or a visit as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    pub id: i64,
    pub kind: AttemptKind,
    pub caller: String,
    pub at_ms: i64,
    pub outcome: Outcome,
    pub questionnaire: Option<i64>,
    pub note: String,
}

/// A subject with everything recorded about it: its rows (sealed) and attempts.
#[derive(Debug, Clone)]
pub struct SubjectRecord {
    pub item: WorkItem,
    pub match_key: String,
    pub team_lead: Option<String>,
    pub sources: Vec<SubjectSource>,
    pub attempts: Vec<AttemptView>,
}

/// A call or a visit to record.
#[derive(Debug, Clone)]
pub struct NewAttempt {
    pub subject: i64,
    pub kind: AttemptKind,
    pub outcome: Outcome,
    /// The published questionnaire version answered, with the answers sealed
    /// ([`answers_context`]).
    pub answered: Option<(i64, Vec<u8>)>,
    pub note: String,
    /// For a person who lives elsewhere now: the place their new address names (if it names
    /// one) and the address sealed ([`transfer_context`]).
    pub moved_to: Option<(Option<DivisionCode>, Vec<u8>)>,
}

/// What a new address told on the phone is sealed against: its person and when it was told.
pub fn transfer_context(subject: i64, at_ms: i64) -> Vec<u8> {
    format!("followup-transfer:{subject}:{at_ms}").into_bytes()
}

/// A list's row with its person's work and latest answers (sealed), for the answers' export.
#[derive(Debug, Clone)]
pub struct AnswerLine {
    pub line: SubjectLine,
    pub outcome: Option<String>,
    pub calls: i64,
    pub last_attempt_ms: Option<i64>,
    /// The questionnaire version and the sealed answers ([`answers_context`]) of the person's
    /// latest attempt with answers.
    pub answered: Option<(i64, Vec<u8>)>,
}

/// A person handed out of the province (or whose new place is unknown), as recorded.
#[derive(Debug, Clone)]
pub struct Transfer {
    pub id: i64,
    pub subject: i64,
    /// `address_outside` (a list gave an address outside the province) or `lives_elsewhere`
    /// (a caller was told so).
    pub reason: String,
    /// Where to, when the address names a place.
    pub to: Option<DivisionCode>,
    /// The jurisdiction (a division code) that handed the person on.
    pub held_by: i64,
    /// Masked.
    pub name: String,
    pub document: Option<MaskedDocument>,
    pub by: String,
    pub at_ms: i64,
    /// The list row that named the person: list, row number, sealed ([`row_context`]); the
    /// sealed form is gone once purged.
    pub row: Option<(Uuid, i64, Option<Vec<u8>>)>,
    /// The new address told on the phone, sealed ([`transfer_context`]).
    pub address: Option<Vec<u8>>,
}

/// What the board counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardBy {
    List,
    Team,
    County,
}

/// A line of the completion board.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BoardLine {
    /// The list's id, the team's id or the county's code.
    pub key: String,
    pub label: String,
    pub total: i64,
    pub pending: i64,
    pub in_progress: i64,
    pub escalated: i64,
    pub transferred: i64,
    pub closed: i64,
    /// Of the closed, those reached.
    pub reached: i64,
    /// Not over, past their list's deadline.
    pub overdue: i64,
}

/// A questionnaire version as listed.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QuestionnaireVersion {
    pub version: i64,
    pub name: String,
    pub created_by: String,
    pub created_at_ms: i64,
    pub published_by: Option<String>,
    pub published_at_ms: Option<i64>,
}

#[async_trait]
pub trait FollowupStore: Send + Sync + 'static {
    /// Adds a list and its rows in one transaction, each row matched to its subject (made when
    /// no list has named the person). The same list id again adds only rows not yet there;
    /// a row number sent again with other facts is refused (`Invalid`, code `row_conflict`)
    /// and nothing is written.
    async fn add_followup_list(
        &self,
        grant: &ListWrite,
        list: NewList,
    ) -> Result<ListAdded, StoreError>;

    /// The lists the grant's scope holds, newest first.
    async fn list_followup_lists(
        &self,
        grant: &ListRead,
        limit: i64,
    ) -> Result<Vec<ListSummary>, StoreError>;

    /// One list; `NotFound` outside the grant's jurisdiction (as for a list that is not).
    async fn followup_list(&self, grant: &ListRead, list: Uuid) -> Result<ListSummary, StoreError>;

    /// Every row of a list, by row number, sealed ([`row_context`]; `None` once purged), with
    /// whether its person is known by a document; `NotFound` outside the grant's jurisdiction.
    async fn followup_rows_sealed(
        &self,
        grant: &ListRead,
        list: Uuid,
    ) -> Result<Vec<(i64, bool, Option<Vec<u8>>)>, StoreError>;

    /// A list's rows with their subjects (masked), by row number after `after_row`.
    async fn followup_subjects(
        &self,
        grant: &ListRead,
        list: Uuid,
        after_row: i64,
        limit: i64,
    ) -> Result<Vec<SubjectLine>, StoreError>;

    /// Every row of a list with its person's state, outcome, calls and latest answers, by row
    /// number; `NotFound` for a list outside the grant's jurisdiction.
    async fn list_answers(
        &self,
        grant: &ListRead,
        list: Uuid,
    ) -> Result<Vec<AnswerLine>, StoreError>;

    /// Makes a team in the grant's jurisdiction. `Invalid` (`duplicate`) for a name taken in
    /// the county.
    async fn create_team(&self, grant: &TeamManage, team: NewTeam) -> Result<Team, StoreError>;

    /// The teams of the reader's jurisdiction.
    async fn list_teams(&self, grant: &ListRead) -> Result<Vec<Team>, StoreError>;

    /// Splits a wrong match: row `row` of `list`, matched to `subject`, becomes a person of its
    /// own (never matched again by key), to be called for that list; both persons' counts are
    /// made again. Nothing is deleted. `NotFound` if the row is not that person's, or the list
    /// not in the grant's jurisdiction.
    async fn split_row(
        &self,
        grant: &TeamManage,
        subject: i64,
        list: Uuid,
        row: i64,
        reason: &str,
    ) -> Result<i64, StoreError>;

    /// Hands persons whose work is not over to another caller (of a team of the grant's
    /// jurisdiction); answers how many were handed over.
    async fn reassign(
        &self,
        grant: &TeamManage,
        subjects: &[i64],
        to: &Username,
    ) -> Result<i64, StoreError>;

    /// The teams the caller leads (none for a caller who leads none) and their persons whose
    /// work is not over, masked, by id after `after`.
    async fn led_team(
        &self,
        grant: &Work,
        after: i64,
        limit: i64,
    ) -> Result<(Vec<Team>, Vec<WorkItem>), StoreError>;

    /// A team's lead hands persons of the teams it leads (whose work is not over) to a caller of
    /// those teams; `Invalid` (`unknown_caller`) for a caller not in them (and for any, when the
    /// caller leads no team). Persons of other teams are left alone. Answers how many.
    async fn reassign_in_team(
        &self,
        grant: &Work,
        subjects: &[i64],
        to: &Username,
    ) -> Result<i64, StoreError>;

    /// The caller's worklist: its persons still to call, then (for a lead) its teams' persons
    /// for a home visit; those never called first, then by deadline.
    async fn worklist(&self, grant: &Work, limit: i64) -> Result<Vec<WorkItem>, StoreError>;

    /// One person as the caller (or the team's lead) works on it; `Forbidden` for anyone else.
    async fn work_subject(&self, grant: &Work, subject: i64) -> Result<SubjectRecord, StoreError>;

    /// Records a call or a visit and moves the person on ([`cordon_domain::followup::work`]),
    /// in one transaction; `Forbidden` if the person is not the caller's (a visit: not its
    /// team's), `Invalid` for an attempt the person's state refuses or a questionnaire version
    /// not published.
    async fn record_attempt(
        &self,
        grant: &Work,
        attempt: NewAttempt,
        now_ms: i64,
    ) -> Result<(AttemptView, SubjectState), StoreError>;

    /// The completion board of the reader's jurisdiction, by list, team or county.
    async fn followup_board(
        &self,
        grant: &ListRead,
        by: BoardBy,
        now_ms: i64,
    ) -> Result<Vec<BoardLine>, StoreError>;

    /// The persons behind a board line by team or county (`key`: the team's id or the county's
    /// code), masked, by id after `after`; `NotFound` outside the grant's jurisdiction.
    async fn board_line_persons(
        &self,
        grant: &ListRead,
        by: BoardBy,
        key: i64,
        after: i64,
        limit: i64,
    ) -> Result<Vec<WorkItem>, StoreError>;

    /// The persons handed on between `from_ms` and `to_ms` by the grant's jurisdiction, oldest
    /// first.
    async fn followup_transfers(
        &self,
        grant: &ListRead,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<Transfer>, StoreError>;

    /// Stores a questionnaire version (checked by the caller), unpublished.
    async fn create_questionnaire(
        &self,
        grant: &QuestionnaireChange,
        name: &str,
        source: &str,
    ) -> Result<QuestionnaireVersion, StoreError>;

    /// Publishes a version, once; `Invalid` (`already_decided`) if it is.
    async fn publish_questionnaire(
        &self,
        grant: &QuestionnaireChange,
        version: i64,
    ) -> Result<QuestionnaireVersion, StoreError>;

    /// Every version, newest first.
    async fn list_questionnaires(&self) -> Result<Vec<QuestionnaireVersion>, StoreError>;

    /// Removes the personal data of follow-up brought in before `before_ms`: the sealed rows of
    /// lists brought before it, the answers of attempts made before it and the new addresses
    /// told before it. The persons' masked
    /// lines, states and outcomes stay for the counts. Answers how many rows and answers.
    async fn purge_followup(&self, before_ms: i64) -> Result<(u64, u64), StoreError>;

    /// Benchmark only: the rows of `list` inserted into a table of their own (made if absent)
    /// in one transaction, in the same chunks, matching nobody: the baseline of a list's import.
    async fn bench_plain_rows(&self, list: &NewList) -> Result<(), StoreError>;

    /// A version with its source.
    async fn get_questionnaire(
        &self,
        version: i64,
    ) -> Result<(QuestionnaireVersion, String), StoreError>;
}
