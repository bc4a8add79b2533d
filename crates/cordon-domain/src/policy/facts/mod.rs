//! What the engine looks at: the facts of a passage and of each occupant, and nothing that
//! identifies a person. They are taken from a registration ([`PassageFacts::of_draft`]) or
//! decoded from the compact form stored beside every passage ([`FactsBuf::decode`]), so that a
//! dry-run replays millions of stored passages without parsing their occupants' JSON.
//!
//! Their stored form is in [`stored`].

use chrono::Timelike;

use crate::checkpoint::DefenceLine;
use crate::division::DivisionCode;
use crate::identity::DocumentType;
use crate::passage::{
    Direction, GoodsCategory, HealthCode, Occupant, PassageDraft, Role, TestKind, TestResult,
    Vehicle, VehicleClass,
};
use crate::status::PersonStatus;

/// Where the latest test the engine looks at comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestSource {
    /// Declared by the person (at the lane or in a pre-declaration).
    Declared,
    /// Released by a Cordon lab for the person's own tube or a pool that read negative.
    Lab,
    /// Released by a Cordon lab for a pool that read positive: the person is recalled for a
    /// test of their own, and is positive to the engine until then.
    LabRecall,
    /// An antigen test swabbed and read at a Cordon sampling site.
    Site,
}

/// The latest test, as the engine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestFacts {
    pub kind: TestKind,
    pub result: TestResult,
    pub taken_ms: i64,
    pub source: TestSource,
}

impl TestFacts {
    /// A result a Cordon lab released: a PCR sampled at `sampled_ms`. A recall reads positive,
    /// an unclear tube of one's own pending.
    pub fn lab(result: crate::testing::lab::MemberResult, sampled_ms: i64) -> Self {
        use crate::testing::lab::MemberResult as M;
        let (result, source) = match result {
            M::Negative => (TestResult::Negative, TestSource::Lab),
            M::Positive => (TestResult::Positive, TestSource::Lab),
            M::Inconclusive => (TestResult::Pending, TestSource::Lab),
            M::Recall => (TestResult::Positive, TestSource::LabRecall),
        };
        TestFacts {
            kind: TestKind::Pcr,
            result,
            taken_ms: sampled_ms,
            source,
        }
    }

    /// A result Cordon holds for a person (a lab's or an antigen test's), sampled at
    /// `sampled_ms`; `None` for an invalid cassette.
    pub fn cordon(test: crate::testing::antigen::CordonTest, sampled_ms: i64) -> Option<Self> {
        use crate::testing::antigen::CordonTest;
        match test {
            CordonTest::Lab(m) => Some(TestFacts::lab(m, sampled_ms)),
            CordonTest::Antigen(a) => TestFacts::antigen(a, sampled_ms),
        }
    }

    /// An antigen test read at a Cordon sampling site, swabbed at `swabbed_ms`; `None` for an
    /// invalid cassette (no result).
    pub fn antigen(
        result: crate::testing::antigen::AntigenResult,
        swabbed_ms: i64,
    ) -> Option<Self> {
        Some(TestFacts {
            kind: TestKind::Antigen,
            result: crate::testing::antigen::as_test(result)?,
            taken_ms: swabbed_ms,
            source: TestSource::Site,
        })
    }
}

/// What the hub knows of a registration's occupants beyond what the lane sent, in order: each
/// one's status in the network, and the latest result a Cordon lab released for them (the
/// engine looks at it instead of the declared test when it was sampled later, or nothing was
/// declared). Either list may be shorter than the occupants (missing: none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    pub statuses: Vec<PersonStatus>,
    pub lab_tests: Vec<Option<TestFacts>>,
}

impl Known {
    /// The occupant `i`'s facts: as registered, with their status and the newer test.
    pub fn occupant<'a>(&self, o: &'a Occupant, i: usize) -> OccupantFacts<'a> {
        OccupantFacts::of(o, status_at(&self.statuses, i))
            .with_lab(self.lab_tests.get(i).copied().flatten())
    }
}

/// One occupant's facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OccupantFacts<'a> {
    pub document_type: DocumentType,
    pub role: Role,
    pub health_code: HealthCode,
    /// The person's status in the network at the time of the passage (not sent by the lane:
    /// looked up by the hub from its register of approved status changes).
    pub status: PersonStatus,
    /// Tenths of a degree.
    pub temperature: Option<i16>,
    pub test: Option<TestFacts>,
    pub visited: &'a [DivisionCode],
}

impl<'a> OccupantFacts<'a> {
    /// The occupant's facts as registered, with the status the network holds for the person.
    pub fn of(o: &'a Occupant, status: PersonStatus) -> Self {
        OccupantFacts {
            document_type: o.person.document.kind(),
            role: o.role,
            health_code: o.health_code,
            status,
            temperature: o.temperature_c.map(|t| t.tenths()),
            test: o.latest_test.as_ref().map(|t| TestFacts {
                kind: t.kind,
                result: t.result,
                taken_ms: t.taken_at.timestamp_millis(),
                source: TestSource::Declared,
            }),
            visited: &o.visited,
        }
    }

    /// These facts with a lab's result as the latest test when it was sampled no earlier than
    /// the declared test (or none was declared).
    pub fn with_lab(mut self, lab: Option<TestFacts>) -> Self {
        if let Some(l) = lab {
            if self.test.is_none_or(|t| l.taken_ms >= t.taken_ms) {
                self.test = Some(l);
            }
        }
        self
    }
}

/// The passage's facts, shared by its occupants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassageFacts<'a> {
    pub checkpoint: &'a str,
    pub defence_line: DefenceLine,
    pub direction: Direction,
    pub observed_ms: i64,
    /// Minutes after midnight at the lane (in the offset the lane sent).
    pub local_minute: u16,
    pub vehicle_class: Option<VehicleClass>,
    pub plate_province: Option<char>,
    pub freight_pass: bool,
    pub goods: Option<GoodsCategory>,
}

impl<'a> PassageFacts<'a> {
    pub fn of_draft(d: &'a PassageDraft, defence_line: DefenceLine) -> Self {
        PassageFacts {
            checkpoint: d.checkpoint.as_str(),
            defence_line,
            direction: d.direction,
            observed_ms: d.observed_at.timestamp_millis(),
            local_minute: (d.observed_at.hour() * 60 + d.observed_at.minute()) as u16,
            vehicle_class: d.vehicle.as_ref().map(|v| v.class),
            plate_province: d.vehicle.as_ref().and_then(|v| v.plate.province()),
            freight_pass: d.vehicle.as_ref().is_some_and(|v| v.freight_pass),
            goods: d.vehicle.as_ref().and_then(|v| v.goods),
        }
    }
}

/// The status of the `i`th occupant in a list that may be shorter than the occupants (missing:
/// `none`).
fn status_at(statuses: &[PersonStatus], i: usize) -> PersonStatus {
    statuses.get(i).copied().unwrap_or(PersonStatus::Unmarked)
}

mod stored;

pub use stored::{encode, encode_parts, FactsBuf, FACTS_VERSION};
