//! What the engine looks at: the facts of a passage and of each occupant, and nothing that
//! identifies a person. They are taken from a registration ([`PassageFacts::of_draft`]) or
//! decoded from the compact form stored beside every passage ([`FactsBuf::decode`]), so that a
//! dry-run replays millions of stored passages without parsing their occupants' JSON.
//!
//! Stored form (little-endian): version `2`; direction; vehicle class + 1 (0 on foot); plate
//! province as a `u32` char (0 none); freight pass; the number of occupants; then per occupant:
//! document type, role, health code, status, temperature in tenths as `i16` (`i16::MIN` none),
//! test kind + 1 (0 none) with its source in the top two bits (0 declared, 1 Cordon's lab, 2 the
//! lab's recall of a positive pool, 3 an antigen test read at a Cordon sampling site), test result, test time in ms as `i64`, number of visited
//! places, each a `u32`. Version `1` (written before person statuses) has no status byte and
//! decodes with every occupant's status `none`.

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

/// Encodes a registration's facts for storage beside the passage, with what the hub knew of its
/// occupants.
pub fn encode(d: &PassageDraft, known: &Known) -> Vec<u8> {
    encode_parts(d.direction, d.vehicle.as_ref(), &d.occupants, known)
}

/// Encodes the facts of a passage from its parts (for passages stored before facts were kept).
pub fn encode_parts(
    direction: Direction,
    vehicle: Option<&Vehicle>,
    occupants: &[Occupant],
    known: &Known,
) -> Vec<u8> {
    let mut b = Vec::with_capacity(12 + occupants.len() * 24);
    b.push(2);
    b.push(direction as u8);
    b.push(vehicle.map_or(0, |v| v.class as u8 + 1));
    let province = vehicle.and_then(|v| v.plate.province());
    b.extend_from_slice(&province.map_or(0, u32::from).to_le_bytes());
    // 0: no pass; 1: a pass; 2 and up: a pass and its goods (older rows hold 0 or 1).
    b.push(match vehicle {
        Some(v) if v.freight_pass => v.goods.map_or(1, |g| g as u8 + 2),
        _ => 0,
    });
    b.push(occupants.len() as u8);
    for (i, o) in occupants.iter().enumerate() {
        let f = known.occupant(o, i);
        b.push(f.document_type as u8);
        b.push(f.role as u8);
        b.push(f.health_code as u8);
        b.push(f.status as u8);
        b.extend_from_slice(&f.temperature.unwrap_or(i16::MIN).to_le_bytes());
        match f.test {
            None => {
                b.push(0);
                b.push(0);
                b.extend_from_slice(&0i64.to_le_bytes());
            }
            Some(t) => {
                let source = match t.source {
                    TestSource::Declared => 0,
                    TestSource::Lab => 1,
                    TestSource::LabRecall => 2,
                    TestSource::Site => 3,
                };
                b.push((t.kind as u8 + 1) | (source << 6));
                b.push(t.result as u8);
                b.extend_from_slice(&t.taken_ms.to_le_bytes());
            }
        }
        b.push(f.visited.len() as u8);
        for v in f.visited {
            b.extend_from_slice(&v.value().to_le_bytes());
        }
    }
    b
}

/// One occupant decoded, with its visited places as a range of [`FactsBuf`]'s list.
#[derive(Debug, Clone, Copy)]
struct DecodedOccupant {
    document_type: DocumentType,
    role: Role,
    health_code: HealthCode,
    status: PersonStatus,
    temperature: Option<i16>,
    test: Option<TestFacts>,
    visited: (u32, u32),
}

/// A reusable buffer that stored facts are decoded into: after the first rows, decoding
/// allocates nothing.
#[derive(Debug, Default)]
pub struct FactsBuf {
    pub direction: Option<Direction>,
    pub vehicle_class: Option<VehicleClass>,
    pub plate_province: Option<char>,
    pub freight_pass: bool,
    pub goods: Option<GoodsCategory>,
    occupants: Vec<DecodedOccupant>,
    visited: Vec<DivisionCode>,
}

struct Reader<'b>(&'b [u8]);

impl Reader<'_> {
    fn u8(&mut self) -> Option<u8> {
        let (&x, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(x)
    }
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        if self.0.len() < N {
            return None;
        }
        let (a, rest) = self.0.split_at(N);
        self.0 = rest;
        a.try_into().ok()
    }
}

fn pick<T: Copy>(all: &[T], i: u8) -> Option<T> {
    all.get(usize::from(i)).copied()
}

impl FactsBuf {
    /// Decodes stored facts; `false` when they are not in the stored form (the buffer is then
    /// in no particular state).
    pub fn decode(&mut self, bytes: &[u8]) -> bool {
        self.decode_inner(bytes).is_some()
    }

    fn decode_inner(&mut self, bytes: &[u8]) -> Option<()> {
        self.occupants.clear();
        self.visited.clear();
        let mut r = Reader(bytes);
        let version = r.u8()?;
        if !(1..=2).contains(&version) {
            return None;
        }
        self.direction = Some(pick(Direction::ALL, r.u8()?)?);
        self.vehicle_class = match r.u8()? {
            0 => None,
            n => Some(pick(VehicleClass::ALL, n - 1)?),
        };
        self.plate_province = match u32::from_le_bytes(r.take()?) {
            0 => None,
            c => Some(char::from_u32(c)?),
        };
        let pass = r.u8()?;
        self.freight_pass = pass != 0;
        self.goods = match pass {
            0 | 1 => None,
            g => Some(pick(GoodsCategory::ALL, g - 2)?),
        };
        let n = r.u8()?;
        for _ in 0..n {
            let document_type = pick(&DocumentType::ALL, r.u8()?)?;
            let role = pick(Role::ALL, r.u8()?)?;
            let health_code = pick(HealthCode::ALL, r.u8()?)?;
            let status = match version {
                1 => PersonStatus::Unmarked,
                _ => pick(PersonStatus::ALL, r.u8()?)?,
            };
            let t = i16::from_le_bytes(r.take()?);
            let kind = r.u8()?;
            let result = r.u8()?;
            let taken_ms = i64::from_le_bytes(r.take()?);
            let test = match kind & 0x3f {
                0 => None,
                k => Some(TestFacts {
                    kind: pick(TestKind::ALL, k - 1)?,
                    result: pick(TestResult::ALL, result)?,
                    taken_ms,
                    source: match kind >> 6 {
                        0 => TestSource::Declared,
                        1 => TestSource::Lab,
                        2 => TestSource::LabRecall,
                        3 => TestSource::Site,
                        _ => return None,
                    },
                }),
            };
            let start = self.visited.len() as u32;
            for _ in 0..r.u8()? {
                self.visited
                    .push(DivisionCode::from_value(u32::from_le_bytes(r.take()?))?);
            }
            self.occupants.push(DecodedOccupant {
                document_type,
                role,
                health_code,
                status,
                temperature: (t != i16::MIN).then_some(t),
                test,
                visited: (start, self.visited.len() as u32),
            });
        }
        r.0.is_empty().then_some(())
    }

    pub fn occupant_count(&self) -> usize {
        self.occupants.len()
    }

    pub fn occupant(&self, i: usize) -> OccupantFacts<'_> {
        let o = &self.occupants[i];
        OccupantFacts {
            document_type: o.document_type,
            role: o.role,
            health_code: o.health_code,
            status: o.status,
            temperature: o.temperature,
            test: o.test,
            visited: &self.visited[o.visited.0 as usize..o.visited.1 as usize],
        }
    }

    /// The passage's facts, given what the stored row holds beside them.
    pub fn passage<'a>(
        &self,
        checkpoint: &'a str,
        defence_line: DefenceLine,
        observed_ms: i64,
        offset_s: i32,
    ) -> PassageFacts<'a> {
        let local = (observed_ms / 1000 + i64::from(offset_s)).rem_euclid(86_400);
        PassageFacts {
            checkpoint,
            defence_line,
            direction: self.direction.unwrap_or(Direction::In),
            observed_ms,
            local_minute: (local / 60) as u16,
            vehicle_class: self.vehicle_class,
            plate_province: self.plate_province,
            freight_pass: self.freight_pass,
            goods: self.goods,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registration::PassageRequest;

    #[test]
    fn stored_facts_decode_to_the_registration_facts() {
        let body = serde_json::json!({"id": "0190f5c2-7d4e-7b2a-9c1e-3f6a2b8d9e01", "checkpoint": "CP-130100-0001", "lane": 2,
            "direction": "out", "observed_at": "2022-05-03T23:15:00+08:00",
            "vehicle": {"plate": "鄂A12345", "plate_color": "yellow", "class": "truck", "freight_pass": true, "goods": "medical"},
            "occupants": [
                {"document": {"type": "resident_id", "number": "11010519491231002X"}, "name": "张三", "role": "driver",
                 "temperature_c": 36.5, "health_code": "yellow",
                 "latest_test": {"kind": "antigen", "taken_at": "2022-05-02T10:00:00+08:00", "result": "negative"},
                 "visited": ["130100", "420100"]},
                {"document": {"type": "passport", "number": "E12345678"}, "name": "李四", "role": "passenger",
                 "health_code": "green"}]});
        let req: PassageRequest = serde_json::from_value(body).unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2022-05-04T00:00:00+08:00").unwrap();
        let draft = req.parse(now).unwrap();
        let sampled = draft.observed_at.timestamp_millis() - 3_600_000;
        let known = Known {
            statuses: vec![PersonStatus::CloseContact],
            lab_tests: vec![
                None,
                Some(TestFacts::lab(
                    crate::testing::lab::MemberResult::Recall,
                    sampled,
                )),
            ],
        };
        let bytes = encode(&draft, &known);
        let mut buf = FactsBuf::default();
        assert!(buf.decode(&bytes));
        let live = PassageFacts::of_draft(&draft, DefenceLine::Inland);
        let stored = buf.passage(
            "CP-130100-0001",
            DefenceLine::Inland,
            live.observed_ms,
            8 * 3600,
        );
        assert_eq!(stored, live);
        assert_eq!(live.local_minute, 23 * 60 + 15);
        // The pass and its goods share a byte; an older row's `1` is a pass with goods unnamed.
        assert_eq!(live.goods, Some(GoodsCategory::Medical));
        assert_eq!(bytes[7], 2 + GoodsCategory::Medical as u8);
        let mut older = bytes.clone();
        older[7] = 1;
        assert!(buf.decode(&older));
        assert!(buf.freight_pass && buf.goods.is_none());
        older[7] = 2 + GoodsCategory::ALL.len() as u8;
        assert!(!buf.decode(&older));
        assert!(buf.decode(&bytes));
        assert_eq!(buf.occupant_count(), 2);
        for (i, o) in draft.occupants.iter().enumerate() {
            assert_eq!(buf.occupant(i), known.occupant(o, i));
        }
        // The lab's recall, sampled after the declared test, is the one the engine looks at.
        let lab = buf.occupant(1).test.unwrap();
        assert_eq!(
            (lab.source, lab.result, lab.taken_ms),
            (TestSource::LabRecall, TestResult::Positive, sampled)
        );
        assert_eq!(
            buf.occupant(0).test.map(|t| t.source),
            draft.occupants[0]
                .latest_test
                .as_ref()
                .map(|_| TestSource::Declared)
        );
        assert_eq!(buf.occupant(0).status, PersonStatus::CloseContact);
        assert_eq!(buf.occupant(1).status, PersonStatus::Unmarked);
        // Version 1 (no status byte) still decodes, every status `none`.
        let mut v1 = vec![1u8];
        v1.extend_from_slice(&bytes[1..9]);
        let mut at = 9;
        for _ in 0..2 {
            v1.extend_from_slice(&bytes[at..at + 3]);
            at += 4; // skip the status byte
            let visited = usize::from(bytes[at + 12]);
            let len = 13 + visited * 4;
            v1.extend_from_slice(&bytes[at..at + len]);
            at += len;
        }
        assert_eq!(at, bytes.len());
        assert!(buf.decode(&v1));
        assert_eq!(buf.occupant(0).status, PersonStatus::Unmarked);
        assert_eq!(buf.occupant(0).health_code, HealthCode::Yellow);
        assert!(buf.decode(&bytes));
        // Truncated or altered bytes are refused, never misread.
        for cut in 0..bytes.len() {
            assert!(!buf.decode(&bytes[..cut]), "cut at {cut}");
        }
        let mut bad = bytes.clone();
        bad[0] = 9;
        assert!(!buf.decode(&bad));
    }

    #[test]
    fn cordons_results_as_the_engine_sees_them() {
        use crate::testing::antigen::{AntigenResult, CordonTest};
        use crate::testing::lab::MemberResult;
        let antigen = TestFacts::cordon(CordonTest::Antigen(AntigenResult::Positive), 5).unwrap();
        assert_eq!(
            (
                antigen.kind,
                antigen.result,
                antigen.source,
                antigen.taken_ms
            ),
            (TestKind::Antigen, TestResult::Positive, TestSource::Site, 5)
        );
        assert_eq!(
            TestFacts::cordon(CordonTest::Antigen(AntigenResult::Invalid), 5),
            None
        );
        let recall = TestFacts::cordon(CordonTest::Lab(MemberResult::Recall), 7).unwrap();
        assert_eq!(recall.source, TestSource::LabRecall);
    }
}
