//! The facts' stored form, beside every passage: written by [`encode`], read by
//! [`FactsBuf::decode`].
//!
//! Stored form (little-endian, `v` an unsigned LEB128 varint): version `3`; direction; vehicle
//! class + 1 (0 on foot); plate province as a char's `v` (0 none); freight pass (with its goods);
//! the number of occupants; then per occupant: document type, role `<< 3` and health code `<< 5`
//! in one byte; status; temperature in tenths as `i16` (`i16::MIN` none); the test in one byte,
//! 0 none, else kind + 1, result `<< 2`, source `<< 6` (0 declared, 1 Cordon's lab, 2 the lab's
//! recall of a positive pool, 3 an antigen test read at a Cordon sampling site), then its time in
//! ms as a zigzag `v`; the number of visited places, each a `v`. Versions 1 and 2 (written before
//! migration 38, fixed widths: the province a `u32`, a byte each for the document type, role,
//! health code, status, test kind with its source and result, the test time an `i64` even
//! without a test, each place a `u32`; version 1 without the status byte, every status `none`)
//! still decode, and [`FactsBuf::encode`] writes them anew.

use super::*;
use crate::varint::{put_v, put_z, Reader};

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
    write(
        direction,
        vehicle.map(|v| v.class),
        vehicle.and_then(|v| v.plate.province()),
        vehicle.is_some_and(|v| v.freight_pass),
        vehicle.and_then(|v| v.goods),
        occupants
            .iter()
            .enumerate()
            .map(|(i, o)| known.occupant(o, i)),
    )
}

/// The stored form's version written now.
pub const FACTS_VERSION: u8 = 3;

/// Writes the current form (version 3).
fn write<'o>(
    direction: Direction,
    class: Option<VehicleClass>,
    province: Option<char>,
    freight_pass: bool,
    goods: Option<GoodsCategory>,
    occupants: impl ExactSizeIterator<Item = OccupantFacts<'o>>,
) -> Vec<u8> {
    let mut b = Vec::with_capacity(8 + occupants.len() * 16);
    b.push(FACTS_VERSION);
    b.push(direction as u8);
    b.push(class.map_or(0, |c| c as u8 + 1));
    put_v(&mut b, province.map_or(0, u64::from));
    // 0: no pass; 1: a pass; 2 and up: a pass and its goods (older rows hold 0 or 1).
    b.push(match (freight_pass, goods) {
        (false, _) => 0,
        (true, g) => g.map_or(1, |g| g as u8 + 2),
    });
    b.push(occupants.len() as u8);
    for f in occupants {
        b.push(f.document_type as u8 | (f.role as u8) << 3 | (f.health_code as u8) << 5);
        b.push(f.status as u8);
        b.extend_from_slice(&f.temperature.unwrap_or(i16::MIN).to_le_bytes());
        match f.test {
            None => b.push(0),
            Some(t) => {
                b.push((t.kind as u8 + 1) | (t.result as u8) << 2 | source_bits(t.source) << 6);
                let ms = t.taken_ms;
                put_z(&mut b, ms);
            }
        }
        b.push(f.visited.len().min(255) as u8);
        for v in f.visited.iter().take(255) {
            put_v(&mut b, u64::from(v.value()));
        }
    }
    b
}

fn source_bits(s: TestSource) -> u8 {
    match s {
        TestSource::Declared => 0,
        TestSource::Lab => 1,
        TestSource::LabRecall => 2,
        TestSource::Site => 3,
    }
}

fn source_of(bits: u8) -> TestSource {
    match bits & 3 {
        0 => TestSource::Declared,
        1 => TestSource::Lab,
        2 => TestSource::LabRecall,
        _ => TestSource::Site,
    }
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
        if !(1..=FACTS_VERSION).contains(&version) {
            return None;
        }
        self.direction = Some(pick(Direction::ALL, r.u8()?)?);
        self.vehicle_class = match r.u8()? {
            0 => None,
            n => Some(pick(VehicleClass::ALL, n - 1)?),
        };
        let province = match version {
            3 => u32::try_from(r.v()?).ok()?,
            _ => u32::from_le_bytes(r.take()?),
        };
        self.plate_province = match province {
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
            let o = match version {
                3 => self.occupant_v3(&mut r)?,
                _ => self.occupant_v2(&mut r, version)?,
            };
            self.occupants.push(o);
        }
        r.0.is_empty().then_some(())
    }

    /// An occupant of version 3: document type, role and health code in one byte; status;
    /// temperature; the test in one byte (kind + 1, result, source) and its time as a zigzag
    /// varint; the places as varints.
    fn occupant_v3(&mut self, r: &mut Reader<'_>) -> Option<DecodedOccupant> {
        let first = r.u8()?;
        let document_type = pick(&DocumentType::ALL, first & 7)?;
        let role = pick(Role::ALL, (first >> 3) & 3)?;
        let health_code = pick(HealthCode::ALL, first >> 5)?;
        let status = pick(PersonStatus::ALL, r.u8()?)?;
        let t = i16::from_le_bytes(r.take()?);
        let test = match r.u8()? {
            0 => None,
            k => {
                let taken_ms = r.z()?;
                Some(TestFacts {
                    kind: pick(TestKind::ALL, (k & 3).checked_sub(1)?)?,
                    result: pick(TestResult::ALL, (k >> 2) & 3)?,
                    taken_ms,
                    source: source_of(k >> 6),
                })
            }
        };
        let start = self.visited.len() as u32;
        for _ in 0..r.u8()? {
            let code = u32::try_from(r.v()?).ok()?;
            self.visited.push(DivisionCode::from_value(code)?);
        }
        Some(DecodedOccupant {
            document_type,
            role,
            health_code,
            status,
            temperature: (t != i16::MIN).then_some(t),
            test,
            visited: (start, self.visited.len() as u32),
        })
    }

    /// An occupant of versions 1 and 2 (fixed widths; version 1 has no status).
    fn occupant_v2(&mut self, r: &mut Reader<'_>, version: u8) -> Option<DecodedOccupant> {
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
                source: source_of(kind >> 6),
            }),
        };
        let start = self.visited.len() as u32;
        for _ in 0..r.u8()? {
            self.visited
                .push(DivisionCode::from_value(u32::from_le_bytes(r.take()?))?);
        }
        Some(DecodedOccupant {
            document_type,
            role,
            health_code,
            status,
            temperature: (t != i16::MIN).then_some(t),
            test,
            visited: (start, self.visited.len() as u32),
        })
    }

    /// The decoded facts in the current form (a stored row of an older version written anew).
    pub fn encode(&self) -> Vec<u8> {
        write(
            self.direction.unwrap_or(Direction::In),
            self.vehicle_class,
            self.plate_province,
            self.freight_pass,
            self.goods,
            (0..self.occupants.len()).map(|i| self.occupant(i)),
        )
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
        // The current form decodes to the same facts as the version 2 below, in less space,
        // and a version 2 row written anew is the current form.
        let current = encode(&draft, &known);
        let bytes = v2(&draft, &known);
        let mut buf = FactsBuf::default();
        assert!(buf.decode(&current));
        let from_current: Vec<_> = (0..2).map(|i| format!("{:?}", buf.occupant(i))).collect();
        assert!(buf.decode(&bytes));
        let from_v2: Vec<_> = (0..2).map(|i| format!("{:?}", buf.occupant(i))).collect();
        assert_eq!(from_current, from_v2);
        assert_eq!(buf.encode(), current);
        assert!(
            current.len() + 12 <= bytes.len(),
            "{} vs {}",
            current.len(),
            bytes.len()
        );
        for cut in 0..current.len() {
            assert!(!buf.decode(&current[..cut]), "cut at {cut}");
        }
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

    /// The form written before migration 38 (version 2), for the tests that it still decodes.
    fn v2(d: &PassageDraft, known: &Known) -> Vec<u8> {
        let vehicle = d.vehicle.as_ref();
        let mut b = vec![
            2,
            d.direction as u8,
            vehicle.map_or(0, |v| v.class as u8 + 1),
        ];
        let province = vehicle.and_then(|v| v.plate.province());
        b.extend_from_slice(&province.map_or(0, u32::from).to_le_bytes());
        b.push(match vehicle {
            Some(v) if v.freight_pass => v.goods.map_or(1, |g| g as u8 + 2),
            _ => 0,
        });
        b.push(d.occupants.len() as u8);
        for (i, o) in d.occupants.iter().enumerate() {
            let f = known.occupant(o, i);
            b.extend([
                f.document_type as u8,
                f.role as u8,
                f.health_code as u8,
                f.status as u8,
            ]);
            b.extend_from_slice(&f.temperature.unwrap_or(i16::MIN).to_le_bytes());
            match f.test {
                None => b.extend([0; 10]),
                Some(t) => {
                    b.extend([
                        (t.kind as u8 + 1) | (source_bits(t.source) << 6),
                        t.result as u8,
                    ]);
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
